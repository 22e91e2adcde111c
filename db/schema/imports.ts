// Imports of open data and of offers: one row per import (what, from which file, the date of
// the data, how many rows, who, when, how it ended) and the history of what coverage imports
// said per commune, so that a newer import replaces the figures shown but keeps the old ones.
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, ownerId } from './columns.ts';
import { users } from './accounts.ts';
import { communes, territories } from './places.ts';

export const importKinds = [
  'arcep_rate',
  'arcep_deployment',
  'arcep_departments',
  'tiers_lieux_anct',
  'offers_csv',
] as const;
export const importStatuses = ['running', 'done', 'failed'] as const;
/** An offers import: any invalid row refuses the file (`all`), or only that row (`rows`). */
export const importModes = ['all', 'rows'] as const;

/** What an offers import did (src/server/imports/staged.ts). */
export interface ImportCounts {
  created: number;
  updated: number;
  /** Changes of published offers, waiting in the moderation queue. */
  proposed: number;
  unchanged: number;
  /** Rows of départements outside the importer's territories. */
  outside: number;
  rejected: number;
}

export const imports = sqliteTable(
  'imports',
  {
    id: autoId(),
    kind: text('kind', { enum: importKinds }).notNull(),
    fileName: text('file_name').notNull(),
    /** The date the data describe (the end of a quarter, an edition's date). */
    dataDate: text('data_date'),
    source: text('source'),
    status: text('status', { enum: importStatuses }).notNull(),
    /** Rows read so far (the progress of a running import), then rows imported. */
    rows: integer('rows').notNull().default(0),
    /** The uploaded files' size and how much of it the import has read: the progress bar. */
    bytesTotal: integer('bytes_total'),
    bytesRead: integer('bytes_read'),
    /** Rows left aside and why: the first ones, with their line (JSON). */
    problems: text('problems', { mode: 'json' })
      .$type<Array<{ line: number; column?: string; message: string; params?: Record<string, string> }>>()
      .notNull()
      .default([]),
    mode: text('mode', { enum: importModes }),
    /** The territory an offers file was imported into (null: an open-data file, any territory). */
    territoryCode: text('territory_code').references(() => territories.code),
    counts: text('counts', { mode: 'json' }).$type<ImportCounts>(),
    byUserId: integer('by_user_id').references(() => users.id, { onDelete: 'set null' }),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (t) => [index('imports_kind_idx').on(t.kind, t.startedAt)],
);

/** What each coverage import said of a commune (the commune page's chart). */
export const coverageHistory = sqliteTable(
  'coverage_history',
  {
    id: autoId(),
    importId: ownerId('import_id', () => imports.id),
    communeCode: codeOf('commune_code', () => communes.code),
    ftthShare: real('ftth_share'),
    dataDate: text('data_date').notNull(),
  },
  (t) => [
    index('coverage_history_commune_idx').on(t.communeCode, t.dataDate),
    // An import's own rows: applied, and on failure deleted, without reading every import's.
    index('coverage_history_import_idx').on(t.importId),
  ],
);

/**
 * An offers import's rows, staged while the file is read (its progress), then applied in one
 * transaction: a valid row's checked columns (`data`), or a rejected row's problems, which
 * stay for the report of rejected rows.
 */
export const importRows = sqliteTable(
  'import_rows',
  {
    id: autoId(),
    importId: ownerId('import_id', () => imports.id),
    line: integer('line').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    problems: text('problems', { mode: 'json' }).$type<
      Array<{ column?: string; message: string; params?: Record<string, string> }>
    >(),
  },
  (t) => [index('import_rows_import_idx').on(t.importId, t.line)],
);
