// What a family keeps on its account besides its file: favourite offers and saved searches
// (with the daily email digest of new matching offers).
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, createdAt, ownerId } from './columns.ts';
import { users } from './accounts.ts';
import { offers } from './offers.ts';
import { communes } from './places.ts';

export const favourites = sqliteTable(
  'favourites',
  {
    userId: ownerId('user_id', () => users.id),
    offerId: ownerId('offer_id', () => offers.id),
    createdAt: createdAt(),
    /** The family's private note on this offer (the comparison page), never shown to staff. */
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.offerId] }), index('favourites_offer_idx').on(t.offerId)],
);

export const savedSearches = sqliteTable(
  'saved_searches',
  {
    id: autoId(),
    userId: ownerId('user_id', () => users.id),
    name: text('name').notNull(),
    /** The canonical query string of /offres (validated by the catalogue's schema). */
    query: text('query').notNull(),
    /** Daily digest of new matching offers by email. */
    alerts: integer('alerts', { mode: 'boolean' }).notNull().default(true),
    /** Random token of the unsubscribe link (works without signing in). */
    unsubscribeToken: text('unsubscribe_token').notNull().unique(),
    /** Offers published after this instant are "new" for the next digest. */
    lastDigestAt: text('last_digest_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('saved_searches_user_idx').on(t.userId),
    index('saved_searches_alerts_idx').on(t.alerts, t.lastDigestAt),
  ],
);

export const fibreThresholds = ['any', 'half', 'most'] as const;

/**
 * "Tell me when fibre arrives in this commune": by email, with or without an account. A visitor's
 * alert waits for the confirmation link; it is sent once, when an import raises the commune's
 * FttH share past the threshold.
 */
export const fibreAlerts = sqliteTable(
  'fibre_alerts',
  {
    id: autoId(),
    email: text('email').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    communeCode: codeOf('commune_code', () => communes.code),
    threshold: text('threshold', { enum: fibreThresholds }).notNull(),
    locale: text('locale', { enum: ['fr', 'en'] }).notNull(),
    /** Random token of the confirmation and unsubscribe links (works without signing in). */
    token: text('token').notNull().unique(),
    confirmedAt: text('confirmed_at'),
    /** When the crossing was announced, and the share that crossed: never twice. */
    notifiedAt: text('notified_at'),
    notifiedShare: real('notified_share'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('fibre_alerts_email_commune_idx').on(t.email, t.communeCode),
    index('fibre_alerts_commune_idx').on(t.communeCode),
  ],
);
