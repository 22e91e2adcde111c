// The database connection: libSQL through drizzle, an embedded file by default or a
// libsql:// server. Plain Node module (no astro:*) so scripts and tests share it.
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** How long a statement keeps retrying a locked database before giving up. */
export const BUSY_RETRY_MS = 5000;

export function isEmbeddedUrl(url: string): boolean {
  return url.startsWith('file:');
}

const isBusy = (error: unknown) =>
  error instanceof Error && ((error as { code?: string }).code === 'SQLITE_BUSY' || /SQLITE_BUSY|database is locked/.test(error.message));

/**
 * The embedded driver waits for SQLite locks synchronously, which would block the event
 * loop, and with it the very transaction it waits for (same process). So the connection
 * never waits (busy_timeout 0): a locked database answers SQLITE_BUSY at once, and the
 * client retries asynchronously with backoff, letting the lock holder finish. Retrying is
 * safe: a statement, batch or BEGIN IMMEDIATE that met a lock has changed nothing.
 * (libSQL transactions begin IMMEDIATE: they take the write lock before reading.)
 */
function retryOnBusy(client: Client): Client {
  const retrying =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = Date.now();
      for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
        try {
          return await fn(...args);
        } catch (error) {
          if (!isBusy(error) || Date.now() - start > BUSY_RETRY_MS) throw error;
          await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
        }
      }
    };
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value === 'function' && ['execute', 'batch', 'executeMultiple', 'transaction', 'migrate'].includes(String(prop))) {
        return retrying(value.bind(target));
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Opens the database. For an embedded file: creates its folder, switches it to WAL
 * (persistent in the file) and checks that foreign keys are enforced (libSQL turns them on
 * for every pooled connection).
 */
export async function createDb(url: string, authToken?: string): Promise<Db> {
  if (isEmbeddedUrl(url)) await ensureFolder(url);
  const client = retryOnBusy(createClient({ url, authToken, ...(isEmbeddedUrl(url) ? { timeout: 0 } : {}) }));
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
