// Accounts: users with one role, the territories an agent serves, and lucia's sessions.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, createdAt, ownerId } from './columns.ts';
import { territories } from './places.ts';

export const roles = ['family', 'owner', 'agent', 'territory_admin', 'platform_admin'] as const;
export type Role = (typeof roles)[number];

export const users = sqliteTable('users', {
  id: autoId(),
  /** Normalised: trimmed and lower-case. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  /** Argon2id hash; null for an invited agent who has not set a password yet. */
  passwordHash: text('password_hash'),
  role: text('role', { enum: roles }).notNull().default('family'),
  locale: text('locale', { enum: ['fr', 'en'] })
    .notNull()
    .default('fr'),
  emailVerifiedAt: text('email_verified_at'),
  deactivatedAt: text('deactivated_at'),
  /** The last sign-in or activity (written with the session's, at most once a minute): inactive accounts expire. */
  lastSeenAt: text('last_seen_at'),
  /** When the account was warned that it would be deleted for inactivity (cleared by any activity). */
  inactivityWarnedAt: text('inactivity_warned_at'),
  /** The day (Europe/Paris, YYYY-MM-DD) of a staff member's last morning brief: one a day. */
  morningBriefOn: text('morning_brief_on'),
  createdAt: createdAt(),
});

export const userTerritories = sqliteTable(
  'user_territories',
  {
    userId: ownerId('user_id', () => users.id),
    territoryCode: codeOf('territory_code', () => territories.code),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.territoryCode] }),
    index('user_territories_territory_idx').on(t.territoryCode),
  ],
);

/**
 * Lucia v3 session table (id, user_id, expires_at are the adapter's). `createdAt` bounds
 * the absolute lifetime and `lastActiveAt` the idle timeout, per role (session.ts).
 * `twoFactorVerified`: the session passed the second step (a code or a recovery code);
 * until then an account with two-factor sign-in, or one that must enrol, gets nothing
 * but that step. `secondStepFailures`: wrong codes given in this session (at 5 it ends).
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: ownerId('user_id', () => users.id),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull().default(0),
    lastActiveAt: integer('last_active_at').notNull().default(0),
    twoFactorVerified: integer('two_factor_verified', { mode: 'boolean' }).notNull().default(false),
    secondStepFailures: integer('second_step_failures').notNull().default(0),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * An account's TOTP key (RFC 6238: 30 s, 6 digits, SHA-1), sealed with AES-256-GCM under
 * TOTP_KEY (src/server/accounts/secret-box.ts). `secret` is the confirmed key — two-factor
 * sign-in is on when `enabledAt` is set —; `pendingSecret` a key shown for enrolment, or to
 * replace the current one, until a code from it confirms it. `lastStep`: the time step of
 * the last code accepted; only later steps are accepted, so a code works once.
 */
export const twoFactor = sqliteTable('two_factor', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secret: text('secret'),
  pendingSecret: text('pending_secret'),
  enabledAt: text('enabled_at'),
  lastStep: integer('last_step').notNull().default(0),
  createdAt: createdAt(),
});

/** Single-use recovery codes: only their SHA-256 (the codes are random, 50 bits). */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: autoId(),
    userId: ownerId('user_id', () => users.id),
    codeHash: text('code_hash').notNull(),
    usedAt: text('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId, t.codeHash)],
);

/** `sign_in`: the emailed link that confirms a sign-in with the right password to an account under attack. */
export const tokenPurposes = ['verify_email', 'reset_password', 'magic_link', 'invitation', 'sign_in'] as const;
export type TokenPurpose = (typeof tokenPurposes)[number];

/** Single-use tokens sent by email; only their SHA-256 is stored. */
export const authTokens = sqliteTable(
  'auth_tokens',
  {
    id: autoId(),
    tokenHash: text('token_hash').notNull().unique(),
    purpose: text('purpose', { enum: tokenPurposes }).notNull(),
    userId: ownerId('user_id', () => users.id),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('auth_tokens_user_idx').on(t.userId, t.purpose)],
);

/** Fixed-window counters shared by every server process (rate-limit.ts). */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull(),
});

/**
 * A staff member's calendar subscription: the SHA-256 of the secret in its URL (the URL
 * itself is shown once). One per person; making a new one ends the old.
 */
export const calendarFeeds = sqliteTable(
  'calendar_feeds',
  {
    userId: ownerId('user_id', () => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId] })],
);
