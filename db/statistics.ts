// The planner's statistics (sqlite_stat1) kept in step with the data. SQLite 3.45's
// `PRAGMA optimize` leaves out every case that matters here (checked on libSQL's build): a
// database never analysed, a table that was empty at the last ANALYZE, an index created
// since, and a table grown tenfold. Without statistics the planner may pick an index that
// reads a whole kind of items for a radius (decision 026).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** A table is analysed again once it holds this many times the rows its statistics say. */
export const GROWTH = 10;

export interface StatisticsRefresh {
  /** The tables and indexes analysed. */
  analysed: string[];
  /** Tables whose statistics are missing or old, left for a pass without `maxRows`. */
  deferred: string[];
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Analyses what needs it: a table with rows and no statistics, a table grown `GROWTH` times
 * since its statistics, an index without any (a partial index with no row gets none: it is
 * asked again, at the cost of reading nothing, and not counted as analysed). Every connection, of every process, then
 * loads the new statistics (below). A full ANALYZE: `PRAGMA analysis_limit`'s samples
 * change the figures the planner weighs tenfold (50 000 offers per value of a two-valued
 * column became 501). It holds the event loop while it runs (about 0.5 µs a row and
 * index), so a server passes `maxRows`: a larger table waits for the next start, where
 * `scripts/lib/prepare-db.ts` analyses everything before the port opens.
 */
export async function refreshStatistics(db: Db, { maxRows }: { maxRows?: number } = {}): Promise<StatisticsRefresh> {
  const [statTable] = await db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'`,
  );
  const stats = statTable?.n
    ? await db.all<{ tbl: string; idx: string | null; stat: string | null }>(
        sql`SELECT tbl, idx, stat FROM sqlite_stat1`,
      )
    : [];
  const counted = new Map<string, number>();
  const analysedIndexes = new Set<string>();
  for (const s of stats) {
    if (s.idx) analysedIndexes.add(s.idx);
    const rows = Number.parseInt(s.stat ?? '', 10);
    if (Number.isFinite(rows)) counted.set(s.tbl, Math.max(counted.get(s.tbl) ?? 0, rows));
  }
  // Tables with an index (the planner has a choice to make); FTS5's shadow tables have none.
  const indexes = await db.all<{ name: string; tbl: string }>(sql`
    SELECT name, tbl_name AS tbl FROM sqlite_schema
    WHERE type = 'index' ORDER BY tbl_name, name`);
  const tables = [...new Set(indexes.map((i) => i.tbl))];
  // Rows counted up to what a pass may analyse: a server's pass reads no more than that.
  const rowsOf = async (table: string) => {
    const upTo = maxRows === undefined ? '' : ` LIMIT ${maxRows + 1}`;
    const [row] = await db.all<{ n: number }>(
      sql.raw(`SELECT count(*) AS n FROM (SELECT 1 FROM ${quoted(table)}${upTo})`),
    );
    return row?.n ?? 0;
  };
  const tooLarge = (rows: number) => maxRows !== undefined && rows > maxRows;
  const stale: Array<{ table: string; rows: number }> = [];
  for (const table of tables) {
    const known = counted.get(table);
    if (known === undefined) {
      const rows = await rowsOf(table);
      if (rows > 0) stale.push({ table, rows });
      continue;
    }
    // max(rowid) is read from the end of the table; counted only when it says the table may have grown.
    const [top] = await db.all<{ m: number | null }>(sql.raw(`SELECT max(rowid) AS m FROM ${quoted(table)}`));
    if ((top?.m ?? 0) < GROWTH * known) continue;
    const rows = await rowsOf(table);
    // A pruned table (the outbox, the access log) climbs in rowid, not in rows: it is counted,
    // not analysed. A server's pass leaves a table larger than it may analyse to the next
    // start, unreported: it may not have grown.
    if (tooLarge(rows)) continue;
    if (rows >= GROWTH * known) stale.push({ table, rows });
  }
  const result: StatisticsRefresh = { analysed: [], deferred: [] };
  for (const { table, rows } of stale) {
    if (tooLarge(rows)) result.deferred.push(table);
    else {
      await db.$client.execute(`ANALYZE ${quoted(table)}`);
      result.analysed.push(table);
    }
  }
  const staleTables = new Set(stale.map((s) => s.table));
  const asked: string[] = [];
  for (const index of indexes) {
    if (analysedIndexes.has(index.name) || staleTables.has(index.tbl)) continue;
    // Never analysed, but on a table with statistics: a migration's new index.
    const known = counted.get(index.tbl);
    if (known === undefined) continue;
    if (tooLarge(known)) {
      if (!result.deferred.includes(index.name)) result.deferred.push(index.name);
      continue;
    }
    await db.$client.execute(`ANALYZE ${quoted(index.name)}`);
    asked.push(index.name);
  }
  if (asked.length > 0) {
    // An empty partial index still has none: it is asked again next time, at no cost.
    const got = await db.all<{ idx: string }>(
      sql`SELECT idx FROM sqlite_stat1 WHERE idx IN (${sql.join(
        asked.map((name) => sql`${name}`),
        sql`, `,
      )})`,
    );
    const named = new Set(got.map((g) => g.idx));
    result.analysed.push(...asked.filter((name) => named.has(name)));
  }
  if (result.analysed.length > 0) await reloadStatistics(db);
  return result;
}

/**
 * A connection loads the statistics when it reads the schema: only the one that ran
 * ANALYZE sees new ones, the others (this process's readers, other processes) keep theirs
 * until the schema changes. A view created and dropped in one transaction changes it, so
 * every connection reads the schema, statistics included, at its next statement.
 */
async function reloadStatistics(db: Db): Promise<void> {
  await db.$client.batch(
    ['CREATE VIEW statistics_reload AS SELECT 1', 'DROP VIEW statistics_reload'].map((s) => ({ sql: s, args: [] })),
    'write',
  );
}
