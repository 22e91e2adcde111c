// What a family keeps on its account besides its file: favourite offers and saved searches
// (with the daily email digest of new matching offers).
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { autoId, createdAt, ownerId } from './columns.ts';
import { users } from './accounts.ts';
import { offers } from './offers.ts';

export const favourites = sqliteTable(
  'favourites',
  {
    userId: ownerId('user_id', () => users.id),
    offerId: ownerId('offer_id', () => offers.id),
    createdAt: createdAt(),
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
