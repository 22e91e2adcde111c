// Runs many statements as one libSQL batch (one transaction), for bulk upserts.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.ts';

export async function runBatch(db: Db, statements: BatchItem<'sqlite'>[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * The SET clause of an upsert that takes every listed column from the row being inserted:
 * `{ name: excluded.name, … }`, written once instead of column by column.
 */
export function fromExcluded<T extends SQLiteTable>(
  table: T,
  keys: ReadonlyArray<keyof T['_']['columns'] & string>,
): Record<string, SQL> {
  const columns = getTableColumns(table);
  return Object.fromEntries(keys.map((k) => [k, sql.raw(`excluded."${columns[k]!.name}"`)]));
}
