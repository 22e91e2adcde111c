// Versions of cached data: a counter bumped by triggers whenever the catalogue changes,
// so that every server process can tell whether what it cached is still true.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const dataVersions = sqliteTable('data_versions', {
  name: text('name').primaryKey(),
  version: integer('version').notNull().default(0),
});

/**
 * Offers changed, in order: triggers on `offers` append one row per insert, update or
 * delete (migration 0036), so that each process's in-memory search index reloads only
 * what changed (src/server/offers/catalogue-index.ts). Old rows are pruned daily; a process
 * that missed pruned rows rebuilds its index whole.
 */
export const catalogueChanges = sqliteTable('catalogue_changes', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  offerId: integer('offer_id').notNull(),
});
