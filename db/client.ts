// The database connection: libSQL through drizzle, an embedded file by default or a
// libsql:// server. Plain Node module (no astro:*) so scripts and tests share it.
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

/** Milliseconds a writer waits for the lock of an embedded file before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export function isEmbeddedUrl(url: string): boolean {
  return url.startsWith('file:');
}

/**
 * Opens the database. For an embedded file: creates its folder, switches it to WAL
 * (persistent in the file) and checks that foreign keys are enforced — libSQL turns
 * them on for every pooled connection, and `timeout` sets each connection's busy_timeout.
 */
export async function createDb(url: string, authToken?: string): Promise<Db> {
  if (isEmbeddedUrl(url)) await ensureFolder(url);
  const client = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS });
  if (isEmbeddedUrl(url)) {
    await client.execute('PRAGMA journal_mode = WAL');
    const fk = await client.execute('PRAGMA foreign_keys');
    if (Number(fk.rows[0]?.[0]) !== 1) await client.execute('PRAGMA foreign_keys = ON');
  }
  return drizzle(client, { schema }) as Db;
}

async function ensureFolder(url: string): Promise<void> {
  const path = url.replace(/^file:(\/\/)?/, '').split('?')[0] ?? '';
  if (path === '' || path === ':memory:') return;
  const { mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await mkdir(dirname(path), { recursive: true });
}
