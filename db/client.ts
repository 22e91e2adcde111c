// The database connection: libSQL through drizzle, an embedded file by default or a
// libsql:// server. Plain Node module (no astro:*) so scripts and tests share it.
import { createClient, type Client, type Transaction, type TransactionMode } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** How long an embedded connection waits for a lock held by another process (synchronously). */
export const BUSY_TIMEOUT_MS = 5000;
/** How long a write waits for its turn in this process before giving up with an error. */
export const WRITE_QUEUE_TIMEOUT_MS = 30_000;

export function isEmbeddedUrl(url: string): boolean {
  return url.startsWith('file:');
}

/** A first-come first-served lock: `acquire()` resolves to its `release`. */
class WriteQueue {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((r) => (release = r));
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`database write waited more than ${WRITE_QUEUE_TIMEOUT_MS} ms for its turn`)),
        WRITE_QUEUE_TIMEOUT_MS,
      );
      timer.unref();
    });
    let released = false;
    const once = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    return Promise.race([previous.then(() => once), timeout]).then(
      (r) => (clearTimeout(timer), r),
      (error: unknown) => {
        // Gave up: let the queue move on once our turn comes.
        previous.then(once);
        throw error;
      },
    );
  }
}

/** One queue per database file, shared by every client of that file in this process. */
const queues = new Map<string, WriteQueue>();

const isRead = (stmt: unknown) => {
  const text = typeof stmt === 'string' ? stmt : ((stmt as { sql?: string } | undefined)?.sql ?? '');
  return /^\s*(select|explain)\b/i.test(text);
};

/**
 * SQLite has one writer at a time, and libSQL's embedded driver handles lock contention
 * badly: a statement that meets a lock (SQLITE_BUSY) is left in progress on its pooled
 * connection, and every later COMMIT on that connection fails — writes are lost. So in
 * one process, writes take turns here (transactions hold their turn until commit or
 * rollback) and never meet each other's locks; reads run freely (WAL). Between processes
 * (a cron job and the server), a connection waits for the lock synchronously up to
 * BUSY_TIMEOUT_MS, which only happens when another process is writing.
 * Code inside a transaction must write through its `tx`, never through the outer `db`
 * (that would wait for its own turn: the queue's timeout names it).
 */
function oneWriterAtATime(client: Client, queue: WriteQueue): Client {
  const queued =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, read?: (...args: A) => boolean) =>
    async (...args: A): Promise<R> => {
      if (read?.(...args)) return fn(...args);
      const release = await queue.acquire();
      try {
        return await fn(...args);
      } finally {
        release();
      }
    };
  const transaction = async (mode?: TransactionMode): Promise<Transaction> => {
    if (mode === 'read') return client.transaction(mode);
    const release = await queue.acquire();
    let tx: Transaction;
    try {
      tx = await client.transaction(mode);
    } catch (error) {
      release();
      throw error;
    }
    const ending = (fn: () => Promise<void> | void) => async () => {
      try {
        await fn();
      } finally {
        release();
      }
    };
    return new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'commit') return ending(() => target.commit());
        if (prop === 'rollback') return ending(() => target.rollback());
        if (prop === 'close') return ending(() => target.close());
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'transaction') return transaction;
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'execute') return queued(value.bind(target), (stmt: unknown) => isRead(stmt));
      if (prop === 'batch' || prop === 'executeMultiple' || prop === 'migrate') return queued(value.bind(target));
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
  const key = url.split('?')[0]!;
  if (!queues.has(key)) queues.set(key, new WriteQueue());
  const client = oneWriterAtATime(
    createClient({ url, authToken, ...(isEmbeddedUrl(url) ? { timeout: BUSY_TIMEOUT_MS } : {}) }),
    queues.get(key)!,
  );
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
