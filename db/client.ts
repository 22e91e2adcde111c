// The database connection: libSQL through drizzle, an embedded file by default or a
// libsql:// server (docs/deployment.md). Plain Node module (no astro:*) so scripts and
// tests share it.
import {
  createClient,
  type Client,
  type InArgs,
  type InStatement,
  type Transaction,
  type TransactionMode,
} from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { PreparedReader } from './prepared-reader.ts';
import * as schema from './schema/index.ts';

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * How long an embedded connection waits synchronously for a lock held by another process:
 * a few milliseconds, so that the event loop never stalls; the wait then goes on
 * asynchronously (`whenUnlocked`) up to LOCK_WAIT_MS.
 */
export const BUSY_TIMEOUT_MS = 10;
/** How long a statement waits, asynchronously, for another process's lock before failing. */
export const LOCK_WAIT_MS = 30_000;
/** How long a write waits for its turn in this process before giving up with an error. */
export const WRITE_QUEUE_TIMEOUT_MS = 30_000;

export function isEmbeddedUrl(url: string): boolean {
  return url.startsWith('file:');
}

/** The file path of an embedded database URL (`file:data/portal.db`, `file:///srv/portal.db?…`). */
export function embeddedPath(url: string): string {
  return url.replace(/^file:(\/\/)?/, '').split('?')[0] ?? '';
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

const sqlOf = (stmt: unknown) =>
  typeof stmt === 'string' ? stmt : ((stmt as { sql?: string } | undefined)?.sql ?? '');
const isRead = (stmt: unknown) => /^\s*(select|explain)\b/i.test(sqlOf(stmt));

/** A statement that changes rows or tables (not a PRAGMA, VACUUM or ANALYZE, which may not run in a transaction). */
const isChange = (stmt: unknown) => /^\s*(insert|update|delete|replace|with|create|drop|alter)\b/i.test(sqlOf(stmt));
/** A statement after which prepared statements are prepared again (VACUUM INTO is not one: it copies). */
const isSchemaChange = (stmt: unknown) => /^\s*(create|drop|alter|pragma)\b/i.test(sqlOf(stmt));

const isBusy = (error: unknown) =>
  (error as { code?: string } | null)?.code === 'SQLITE_BUSY' || /SQLITE_BUSY/.test(String(error));

/**
 * Runs `attempt` again while another process holds the lock it needs, waiting between
 * tries with timers (1, 2, 4… up to 50 ms) rather than in SQLite's synchronous busy
 * handler, which would stall this process's event loop. Only for what a lock refuses
 * before it changes anything: a statement in autocommit, a batch or a BEGIN IMMEDIATE.
 */
async function whenUnlocked<R>(attempt: () => Promise<R>): Promise<R> {
  const started = performance.now();
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 1, refused = false; ; wait = Math.min(wait * 2, 50)) {
    const tried = performance.now();
    try {
      const result = await attempt();
      if (refused) lockWaits.waitedMs += performance.now() - started;
      return result;
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      // How long the refused attempt held this process: SQLite's synchronous wait, at most BUSY_TIMEOUT_MS.
      lockWaits.maxSyncMs = Math.max(lockWaits.maxSyncMs, performance.now() - tried);
      if (!refused) lockWaits.count++;
      refused = true;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * Waits of this process for another's lock since the last `takeLockWaits()`: how many
 * statements waited, how long in all (asynchronously), and the longest synchronous part
 * of one refused attempt — what another process's lock cost this event loop. Logged with
 * the event-loop delay (scripts/lib/event-loop.ts), read by `npm run bench`.
 */
const lockWaits = { count: 0, waitedMs: 0, maxSyncMs: 0 };

export function takeLockWaits(): { count: number; waitedMs: number; maxSyncMs: number } {
  const taken = { ...lockWaits };
  Object.assign(lockWaits, { count: 0, waitedMs: 0, maxSyncMs: 0 });
  return taken;
}

/**
 * SQLite has one writer at a time. In one process, writes take turns here (transactions
 * hold their turn until commit or rollback) and never meet each other's locks; reads run
 * freely (WAL). Every write starts by taking SQLite's write lock (a transaction or a batch
 * begins IMMEDIATE; a lone statement is one), so the only lock a write can meet is another
 * process's (a second server, a cron job, an import): it is met before anything changes,
 * and waited for asynchronously (`whenUnlocked`).
 * Code inside a transaction must write through its `tx`, never through the outer `db`
 * (that would wait for its own turn: the queue's timeout names it).
 */
function oneWriterAtATime(open: () => Client, queue: WriteQueue, prepared: PreparedReader | null): Client {
  const reader = open();
  let writer = open();
  /**
   * A statement refused by another process's lock stays "in progress" on its connection
   * (libSQL does not reset it), and the next COMMIT there fails. Writes take turns, so when
   * one is refused nobody else is using the writer: it is closed and opened afresh.
   */
  const onWriter = async <R>(fn: (client: Client) => Promise<R>, retry = true): Promise<R> => {
    const attempt = async () => {
      try {
        return await fn(writer);
      } catch (error) {
        if (isBusy(error)) {
          writer.close();
          writer = open();
        }
        throw error;
      }
    };
    return retry ? whenUnlocked(attempt) : attempt();
  };
  /** Runs `fn` on the writer in this process's turn. */
  const inTurn = async <R>(fn: (client: Client) => Promise<R>, retry = true): Promise<R> => {
    const release = await queue.acquire();
    try {
      return await onWriter(fn, retry);
    } finally {
      release();
    }
  };
  const transaction = async (mode?: TransactionMode): Promise<Transaction> => {
    if (mode === 'read') return whenUnlocked(() => reader.transaction(mode));
    const release = await queue.acquire();
    let tx: Transaction;
    try {
      // A deferred transaction would meet another process's lock at its first write, too late to wait.
      tx = await onWriter((w) => w.transaction(mode === 'deferred' ? 'write' : mode));
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
  const execute = async (stmt: InStatement | string, args?: InArgs) => {
    const statement: InStatement = args === undefined ? stmt : { sql: stmt as string, args };
    if (isRead(statement)) {
      const positional = typeof statement === 'string' ? [] : (statement.args ?? []);
      if (prepared && Array.isArray(positional))
        return whenUnlocked(async () => prepared.execute(sqlOf(statement), positional));
      return whenUnlocked(() => reader.execute(statement));
    }
    if (isSchemaChange(statement)) prepared?.forget();
    if (!isChange(statement)) return inTurn((w) => w.execute(statement));
    // A lone change runs in its own IMMEDIATE transaction, so that a lock refuses it before it starts.
    return inTurn(async (w) => {
      const tx = await w.transaction('write');
      try {
        const rs = await tx.execute(statement);
        await tx.commit();
        return rs;
      } finally {
        tx.close();
      }
    });
  };
  const batch = (stmts: Parameters<Client['batch']>[0], mode?: TransactionMode) => {
    if (mode === 'read') return whenUnlocked(() => reader.batch(stmts, mode));
    if (stmts.some(isSchemaChange)) prepared?.forget();
    return inTurn((w) => w.batch(stmts, mode === undefined || mode === 'deferred' ? 'write' : mode));
  };
  return new Proxy(reader, {
    get(target, prop, receiver) {
      if (prop === 'transaction') return transaction;
      if (prop === 'execute') return execute;
      if (prop === 'batch') return batch;
      // Several statements in autocommit: one refused by a lock may follow others that were not.
      if (prop === 'executeMultiple')
        return (sql: string) => (prepared?.forget(), inTurn((w) => w.executeMultiple(sql), false));
      if (prop === 'migrate')
        return (stmts: InStatement[]) => (prepared?.forget(), inTurn((w) => w.migrate(stmts), false));
      if (prop === 'close')
        return () => {
          reader.close();
          writer.close();
          prepared?.close();
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A query built once per database (drizzle's `.prepare()`): its SQL is not built again on
 * every call, and its text is the same each time (so the statement itself is prepared once).
 */
export function builtOnce<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let query = built.get(db);
    if (!query) built.set(db, (query = build(db)));
    return query;
  };
}

/** How `createDb` opens a URL: what the libSQL client is given, and what it adds for an embedded file. */
export interface ConnectionPlan {
  /** Given to `createClient` (for an embedded file, to each of its reader and writer). */
  client: { url: string; authToken?: string; timeout?: number };
  /** Writes of this process take turns and wait for other processes' locks (`oneWriterAtATime`). */
  writeQueue: boolean;
  /** Run once at open: WAL (persistent in the file); foreign keys are checked too. */
  pragmas: string[];
}

/**
 * An embedded file gets the short busy timeout, the in-process write queue with its
 * asynchronous lock waits, and WAL. A libSQL server (`libsql://`, `https://`…) gets none of
 * them: it orders writes itself, and writes from several machines meet there whatever one
 * process does; only the auth token is passed (docs/deployment.md).
 */
export function connectionPlan(url: string, authToken?: string): ConnectionPlan {
  if (isEmbeddedUrl(url))
    return { client: { url, timeout: BUSY_TIMEOUT_MS }, writeQueue: true, pragmas: ['PRAGMA journal_mode = WAL'] };
  return { client: { url, ...(authToken ? { authToken } : {}) }, writeQueue: false, pragmas: [] };
}

/**
 * Opens the database as `connectionPlan` says. For an embedded file: creates its folder,
 * switches it to WAL and checks that foreign keys are enforced (libSQL turns them on for
 * every pooled connection).
 */
export async function createDb(url: string, authToken?: string): Promise<Db> {
  const plan = connectionPlan(url, authToken);
  if (isEmbeddedUrl(url)) await ensureFolder(url);
  const key = url.split('?')[0]!;
  if (plan.writeQueue && !queues.has(key)) queues.set(key, new WriteQueue());
  const path = isEmbeddedUrl(url) ? embeddedPath(url) : '';
  // A second connection to an in-memory database would be another, empty database.
  const prepared =
    path !== '' && path !== ':memory:' && !url.includes('mode=memory')
      ? new PreparedReader(path, BUSY_TIMEOUT_MS)
      : null;
  const client = plan.writeQueue
    ? oneWriterAtATime(() => createClient(plan.client), queues.get(key)!, prepared)
    : createClient(plan.client);
  for (const pragma of plan.pragmas) await client.execute(pragma);
  if (isEmbeddedUrl(url)) {
    const fk = await client.execute('PRAGMA foreign_keys');
    if (Number(fk.rows[0]?.[0]) !== 1) await client.execute('PRAGMA foreign_keys = ON');
  }
  return drizzle(client, { schema }) as Db;
}

async function ensureFolder(url: string): Promise<void> {
  const path = embeddedPath(url);
  if (path === '' || path === ':memory:') return;
  const { mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await mkdir(dirname(path), { recursive: true });
}
