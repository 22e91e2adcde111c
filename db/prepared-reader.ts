// Reads of an embedded database file through statements prepared once per process
// (decision 019), used by db/client.ts for reads in autocommit. Results are the libSQL
// client's own shape (`ResultSet`), so drizzle and raw callers see no difference.
import { LibsqlError, type ResultSet, type Row } from '@libsql/client';
import Database from 'libsql';
import { LRUCache } from 'lru-cache';

/** How many prepared statements a process keeps: every shape of the app's reads, with room. */
const PREPARED_STATEMENTS = 256;
/**
 * The reads map the first 256 MiB of the file instead of copying each page in through a
 * system call (SQLite's own cache is 2 MiB): the cards of a search at 100 000 offers, 20
 * rows by id, 0.32 → 0.15 ms. The mapped pages are the system's file cache, shared by the
 * processes on the file; the WAL is still read as before. Exported for its test.
 */
export const READ_MMAP_BYTES = 256 * 1024 * 1024;

interface Prepared {
  stmt: Database.Statement<unknown[]>;
  columns: string[];
  columnTypes: string[];
  /** The prototype of its rows: positions and `length`, read from the row's values. */
  shape: object;
  /** Which value each named property of a row takes: a repeated name its first, as the client. */
  named: Array<[name: string, index: number]>;
}

const VALUES = Symbol('values');
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A row as the libSQL client gives it: by column name (enumerable), and by position. */
function rowShape(count: number): object {
  const shape = Object.create(Object.prototype) as Record<string, unknown>;
  for (let i = 0; i < count; i++)
    Object.defineProperty(shape, i, {
      get: function (this: { [VALUES]: unknown[] }) {
        return this[VALUES][i];
      },
    });
  Object.defineProperty(shape, 'length', { value: count });
  return shape;
}

/** A value as the client reads it (integers as numbers, refused beyond 2^53; blobs as ArrayBuffer). */
function valueOf(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value > MAX_SAFE || value < -MAX_SAFE)
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    return Number(value);
  }
  return value instanceof Buffer ? value.buffer : value;
}

/** An argument as the client binds it. */
function argOf(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

/**
 * Reads in autocommit on an embedded file through statements prepared once per process
 * (issue 14): the libSQL client prepares a statement again on every call, reads its columns
 * twice and defines each value of each row as a property. Same results as the client's:
 * rows by column name (the first of a repeated name) and by position, integers as numbers.
 * A statement refused (a lock, an error) is dropped, never reused half-run; any change of
 * the schema through this process empties the cache.
 */
export class PreparedReader {
  readonly #db: Database.Database;
  readonly #prepared = new LRUCache<string, Prepared>({ max: PREPARED_STATEMENTS });

  constructor(path: string, timeout: number) {
    this.#db = new Database(path, { timeout });
    this.#db.exec(`PRAGMA mmap_size = ${READ_MMAP_BYTES}`);
  }

  execute(sql: string, args: unknown[], again = false): ResultSet {
    const p = this.#prepared.get(sql) ?? this.#prepare(sql);
    let raw: unknown[][];
    try {
      raw = p.stmt.all(...args.map(argOf)) as unknown[][];
    } catch (error) {
      this.#prepared.delete(sql);
      throw mapped(error);
    }
    const rows: Row[] = [];
    for (const values of raw) {
      if (values.length !== p.columns.length) {
        // Its table changed under it (another process's migration): read it afresh, once.
        this.#prepared.delete(sql);
        if (again) throw new Error(`the columns of a statement keep changing: ${sql.slice(0, 80)}`);
        return this.execute(sql, args, true);
      }
      const row = Object.create(p.shape) as Record<string | symbol, unknown>;
      const read = values.map(valueOf);
      Object.defineProperty(row, VALUES, { value: read });
      for (const [name, i] of p.named)
        if (name !== '__proto__') row[name] = read[i];
        else Object.defineProperty(row, name, { value: read[i], enumerable: true, writable: true, configurable: true });
      rows.push(row as unknown as Row);
    }
    const { columns, columnTypes } = p;
    return {
      columns,
      columnTypes,
      rows,
      rowsAffected: 0,
      lastInsertRowid: undefined,
      toJSON: () => ({
        columns,
        columnTypes,
        rows: rows.map((r) => Array.from(r)),
        rowsAffected: 0,
        lastInsertRowid: null,
      }),
    };
  }

  #prepare(sql: string): Prepared {
    let stmt: Database.Statement<unknown[]>;
    try {
      stmt = this.#db.prepare<unknown[]>(sql).safeIntegers(true).raw(true);
    } catch (error) {
      throw mapped(error);
    }
    const definitions = stmt.columns();
    const columns = definitions.map((c) => c.name);
    // The client's row owns `length` and its positions first: a column of such a name is not
    // a property of its own; nor is the second of a repeated name.
    const taken = new Set(['length', ...columns.map((_, i) => String(i))]);
    const named: Prepared['named'] = [];
    for (const [i, name] of columns.entries()) {
      if (taken.has(name)) continue;
      taken.add(name);
      named.push([name, i]);
    }
    const p: Prepared = {
      stmt,
      columns,
      columnTypes: definitions.map((c) => c.type ?? ''),
      shape: rowShape(definitions.length),
      named,
    };
    this.#prepared.set(sql, p);
    return p;
  }

  /** After a change of the schema: statements are prepared again. */
  forget(): void {
    this.#prepared.clear();
  }

  close(): void {
    this.#prepared.clear();
    this.#db.close();
  }
}

/** SQLite's primary result codes the app tells apart; the others keep their number. */
const BASE_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  11: 'SQLITE_CORRUPT',
};

/** A driver error as the client throws it: `code` the primary one (SQLITE_BUSY: what `whenUnlocked` waits on). */
function mapped(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const raw = error.rawCode;
  const code = raw === undefined ? 'SQLITE_UNKNOWN' : (BASE_CODES[raw & 0xff] ?? `SQLITE_UNKNOWN_${raw & 0xff}`);
  return new LibsqlError(error.message, code, error.code, raw, error);
}
