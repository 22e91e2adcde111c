// Versions of cached data: a counter bumped by triggers whenever the catalogue changes,
// so that every server process can tell whether what it cached is still true.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const dataVersions = sqliteTable('data_versions', {
  name: text('name').primaryKey(),
  version: integer('version').notNull().default(0),
});
