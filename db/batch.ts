// Runs many statements as one libSQL batch (one transaction), for bulk upserts.
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './client.ts';

export async function runBatch(db: Db, statements: BatchItem<'sqlite'>[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
