// Accounts: users with one role, the territories an agent serves, and lucia's sessions.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { territories } from './places.ts';

export const roles = ['family', 'agent', 'territory_admin', 'platform_admin'] as const;
export type Role = (typeof roles)[number];

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Normalised: trimmed and lower-case. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  /** Argon2id hash; null for an invited agent who has not set a password yet. */
  passwordHash: text('password_hash'),
  role: text('role', { enum: roles }).notNull().default('family'),
  locale: text('locale', { enum: ['fr', 'en'] }).notNull().default('fr'),
  emailVerifiedAt: text('email_verified_at'),
  deactivatedAt: text('deactivated_at'),
  createdAt: text('created_at').notNull(),
});

export const userTerritories = sqliteTable(
  'user_territories',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    territoryCode: text('territory_code')
      .notNull()
      .references(() => territories.code),
  },
  (t) => [primaryKey({ columns: [t.userId, t.territoryCode] }), index('user_territories_territory_idx').on(t.territoryCode)],
);

/** Lucia v3 session table (shape required by @lucia-auth/adapter-drizzle). */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
