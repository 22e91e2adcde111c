// Starts the built portal: validates the configuration, applies migrations, loads the
// referential, seeds demo data on an empty database when given --demo, then serves.
import { existsSync } from 'node:fs';
import { ConfigError, readConfig, runMain } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';

await runMain(async () => {
  const config = readConfig();
  const db = await prepareDb(config, { demo: process.argv.includes('--demo') });
  db.$client.close();
  const entry = new URL('../dist/server/entry.mjs', import.meta.url);
  if (!existsSync(entry)) throw new ConfigError('The portal is not built: run `npm run build` first.');
  // The standalone adapter reads HOST and PORT from the environment.
  process.env.HOST = String(config.HOST);
  process.env.PORT = String(config.PORT);
  await import(entry.href);
});
