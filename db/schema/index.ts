// The whole drizzle schema, one module per domain. Pure tables: no app imports here,
// because drizzle-kit and the plain-Node scripts load it outside Vite.
export * from './accounts.ts';
export * from './audit.ts';
export * from './cache.ts';
export * from './candidates.ts';
export * from './family.ts';
export * from './imports.ts';
export * from './mail.ts';
export * from './offers.ts';
export * from './places.ts';
export * from './daily-life.ts';
export * from './ambassadors.ts';
export * from './work.ts';
