import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createClient, LibsqlError } from '@libsql/client';
import Database from 'libsql';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { builtOnce, BUSY_TIMEOUT_MS, createDb, takeLockWaits, type Db } from '../../db/client.ts';
import { applyMigrations, migrationsApplied } from '../../db/migrate.ts';
import { GROWTH, refreshStatistics } from '../../db/statistics.ts';
import { PreparedReader, READ_MMAP_BYTES } from '../../db/prepared-reader.ts';

const require = createRequire(import.meta.url);
import { communes, departments, mobileSites, offers, territories } from '../../db/schema/index.ts';
import { currentCommuneCode, resolveCommune } from '../../src/server/places/queries.ts';
import { checkHealth, isHealthy } from '../../src/server/health/queries.ts';
import { loadReferential } from '../../src/server/places/referential.ts';
import { testDb } from '../helpers/db.ts';
import { runJobsTogether } from '../helpers/children.ts';

describe('database client', () => {
  it('opens an embedded file in WAL mode with foreign keys, waiting for other processes’ locks', async () => {
    const { db } = await testDb('empty');
    const mode = await db.$client.execute('PRAGMA journal_mode');
    const fk = await db.$client.execute('PRAGMA foreign_keys');
    const busy = await db.$client.execute('PRAGMA busy_timeout');
    expect(String(mode.rows[0]?.[0])).toBe('wal');
    expect(Number(fk.rows[0]?.[0])).toBe(1);
    // In-process writes take turns (no lock is ever met); another process's lock is waited for.
    expect(Number(busy.rows[0]?.[0])).toBe(BUSY_TIMEOUT_MS);
  });

  it('enforces foreign keys: an offer in an unknown commune is refused', async () => {
    const { db } = await testDb('seeded');
    const now = new Date().toISOString();
    await expect(
      db.insert(offers).values({
        kind: 'home',
        slug: 'x',
        title: 'x',
        description: 'x',
        territoryCode: '32',
        communeCode: '00000',
        lat: 0,
        lng: 0,
        createdAt: now,
        updatedAt: now,
      }),
    ).rejects.toThrow();
  });
});

describe('reads through statements prepared once', () => {
  it('give exactly what the libSQL client gives, preparing each text once', async () => {
    const { db, path } = await testDb('seeded');
    const plain = createClient({ url: `file:${path}` });
    onTestFinished(() => plain.close());
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    onTestFinished(() => prepare.mockRestore());
    const statements = [
      // A repeated name keeps its first value by name, both by position; NULL, reals, blobs.
      {
        sql: "SELECT id, slug, price, lat, NULL AS empty, x'00ff' AS blob, id AS slug FROM offers ORDER BY id LIMIT 5",
        args: [],
      },
      { sql: 'SELECT count(*) AS n FROM offers WHERE status = ? AND territory_code = ?', args: ['published', '32'] },
      { sql: 'SELECT ? AS yes, ? AS at, ? AS empty', args: [true, new Date(0), null] },
      // Names a row already has, or Object.prototype's: as the client, never the prototype changed.
      {
        sql: 'SELECT 1 AS length, 2 AS "0", 3 AS "7", 4 AS constructor, 5 AS toString, 6 AS "__proto__", 7 AS hasOwnProperty',
        args: [],
      },
    ];
    const wants = await Promise.all(statements.map((s) => plain.execute(s)));
    prepare.mockClear();
    for (const [i, s] of statements.entries()) {
      const want = wants[i]!;
      for (let round = 0; round < 3; round++) {
        const got = await db.$client.execute(s);
        expect(got.columns).toEqual(want.columns);
        expect(got.columnTypes).toEqual(want.columnTypes);
        expect(got.rows.map((r) => ({ ...r }))).toEqual(want.rows.map((r) => ({ ...r })));
        expect(got.rows.map((r) => Array.from(r))).toEqual(want.rows.map((r) => Array.from(r)));
        expect(got.rows.map((r) => Object.keys(r))).toEqual(want.rows.map((r) => Object.keys(r)));
        expect(JSON.stringify(got.rows)).toBe(JSON.stringify(want.rows));
      }
    }
    // Three runs of each text, one preparation.
    expect(prepare.mock.calls.map(([text]) => text)).toEqual(statements.map((s) => s.sql));
    // An integer beyond 2^53 is refused, a mistake is the client's error with its code.
    await expect(db.$client.execute('SELECT 9007199254740993 AS big')).rejects.toThrow(RangeError);
    const [mine, theirs] = await Promise.all(
      [db.$client, plain].map((c) => c.execute('SELECT nope FROM offers').catch((e: unknown) => e)),
    );
    expect(mine).toBeInstanceOf(LibsqlError);
    expect(mine).toMatchObject({ code: (theirs as LibsqlError).code, message: (theirs as LibsqlError).message });
    // A change of the schema, through this client or another connection: the same text reads the new shape.
    const before = (await db.$client.execute('SELECT * FROM territories LIMIT 1')).columns;
    await db.$client.execute('ALTER TABLE territories ADD COLUMN extra TEXT');
    expect((await db.$client.execute('SELECT * FROM territories LIMIT 1')).columns).toEqual([...before, 'extra']);
    await plain.execute('ALTER TABLE territories ADD COLUMN more TEXT');
    expect((await db.$client.execute('SELECT * FROM territories LIMIT 1')).columns).toEqual([
      ...before,
      'extra',
      'more',
    ]);
  });
});

describe('reads of an embedded file', () => {
  it('map the file rather than copy each page in, and see the writes of other connections', async () => {
    const { db, path } = await testDb('seeded');
    const reader = new PreparedReader(path, BUSY_TIMEOUT_MS);
    expect(Number(reader.execute('PRAGMA mmap_size', []).rows[0]?.[0])).toBe(READ_MMAP_BYTES);
    const name = () => reader.execute("SELECT name FROM territories WHERE code = '32'", []).rows[0]?.[0];
    expect(name()).toBe('Gers');
    await db.update(territories).set({ name: 'Gers (renommé)' }).where(eq(territories.code, '32'));
    expect(name()).toBe('Gers (renommé)');
  });
});

describe('queries built once', () => {
  it('builds a query once per database, and each database its own', async () => {
    const [a, b] = [(await testDb('seeded')).db, (await testDb('seeded')).db];
    const build = vi.fn((db: Db) =>
      db
        .select({ id: offers.id })
        .from(offers)
        .where(eq(offers.id, sql.placeholder('id')))
        .prepare(),
    );
    const query = builtOnce(build);
    await b.update(offers).set({ title: 'Seulement dans b' }).where(eq(offers.id, 1));
    for (let i = 0; i < 3; i++) expect(await query(a).all({ id: 1 })).toEqual([{ id: 1 }]);
    expect(await query(b).all({ id: 2 })).toEqual([{ id: 2 }]);
    expect(build.mock.calls.map(([db]) => db)).toEqual([a, b]);
  });
});

describe('locks', () => {
  it('a write that meets another transaction’s lock waits asynchronously, then succeeds', async () => {
    const { db } = await testDb('seeded');
    let timerRan = false;
    const slow = db.transaction(async (tx) => {
      await tx.update(offers).set({ title: 'Première' }).where(eq(offers.id, 1));
      // A real asynchronous gap while holding the write lock.
      await new Promise((r) => setTimeout(r, 150));
    });
    const tick = new Promise<void>((r) => setTimeout(() => ((timerRan = true), r()), 20));
    const quick = db.update(offers).set({ title: 'Seconde' }).where(eq(offers.id, 2));
    await Promise.all([slow, quick, tick]);
    expect(timerRan).toBe(true); // the event loop was never blocked
    const titles = await db
      .select({ id: offers.id, title: offers.title })
      .from(offers)
      .where(sql`${offers.id} IN (1, 2)`)
      .orderBy(offers.id);
    expect(titles.map((t) => t.title)).toEqual(['Première', 'Seconde']);
  });

  it('loses no write when two clients of one file write at once, again and again', async () => {
    // libSQL leaves a statement that met a lock in progress on its pooled connection, and
    // every later commit there fails: writes must take turns instead of meeting locks.
    const { path } = await testDb('empty');
    const a = await createDb(`file:${path}`);
    const b = await createDb(`file:${path}`);
    await a.$client.execute('CREATE TABLE counter (n INTEGER NOT NULL)');
    await a.$client.execute('INSERT INTO counter VALUES (0)');
    const bump = (db: Db, k: number) =>
      db.transaction(async (tx) => {
        await tx.run(sql`UPDATE counter SET n = n + ${k}`);
        await new Promise((r) => setTimeout(r, 2));
      });
    const writes = [
      () => bump(a, 1),
      () => bump(b, 100),
      async () => void (await a.run(sql`UPDATE counter SET n = n + 10000`)),
    ];
    await Promise.all(Array.from({ length: 20 }, (_, i) => writes[i % 3]!()));
    for (let i = 0; i < 5; i++) await bump(b, 1_000_000);
    const [row] = await a.all<{ n: number }>(sql`SELECT n FROM counter`);
    expect(row!.n).toBe(7 * 1 + 7 * 100 + 6 * 10000 + 5_000_000);
    a.$client.close();
    b.$client.close();
  });

  it('waits for a lock held by another process without stalling its event loop, then writes', async () => {
    const { path } = await testDb('empty');
    const db = await createDb(`file:${path}`);
    await db.$client.execute('CREATE TABLE t (x INTEGER)');
    // Another process holds the write lock until told to let go.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `
      const { createClient } = require(${JSON.stringify(require.resolve('@libsql/client'))});
      const c = createClient({ url: 'file:${path}' });
      (async () => {
        const tx = await c.transaction('write'); await tx.execute('INSERT INTO t VALUES (1)'); console.log('locked');
        await new Promise((r) => process.stdin.once('data', r)); await tx.commit(); process.exit(0);
      })();
    `,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()),
    );
    takeLockWaits();
    let written = false;
    const write = db.run(sql`INSERT INTO t VALUES (2)`).then(() => (written = true));
    const another = db.transaction(async (tx) => tx.run(sql`INSERT INTO t VALUES (3)`));
    // Timers keep firing while both writes wait: a synchronous wait would hold them back.
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
    expect(written).toBe(false);
    child.stdin!.write('go\n');
    await Promise.all([write, another]);
    await exited;
    // The wait is counted for the logs (and npm run bench); the transaction queued behind it.
    expect(takeLockWaits().count).toBeGreaterThanOrEqual(1);
    const rows = await db.all<{ x: number }>(sql`SELECT x FROM t ORDER BY x`);
    expect(rows.map((r) => r.x)).toEqual([1, 2, 3]);
    db.$client.close();
  });

  it('keeps an acknowledged write through a crash: WAL with synchronous FULL on every connection', async () => {
    const { db } = await testDb('empty');
    const level = async (
      run: (q: string) => Promise<{ rows: unknown[][] } | { rows: Array<Record<string, unknown>> }>,
    ) => Number(Object.values((await run('PRAGMA synchronous')).rows[0] as object)[0]);
    expect(await level((q) => db.$client.execute(q))).toBe(2);
    const tx = await db.$client.transaction('write');
    expect(await level((q) => tx.execute(q))).toBe(2);
    await tx.rollback();
  });
});

describe('migrations and health', () => {
  it('reports pending migrations on a new database, applied after migrating', async () => {
    const { db } = await testDb('empty');
    expect(await migrationsApplied(db)).toBe(false);
    expect(await checkHealth(db)).toEqual({ db: 'ok', migrations: 'pending' });
    await applyMigrations(db);
    expect(await migrationsApplied(db)).toBe(true);
    const health = await checkHealth(db);
    // An empty catalogue: the search index is built, with nothing in it.
    expect(health).toEqual({ db: 'ok', migrations: 'applied', searchIndex: 0 });
    expect(isHealthy(health)).toBe(true);
    // Applying again is a no-op.
    await applyMigrations(db);
    expect(await migrationsApplied(db)).toBe(true);
  });

  it('reports an unreachable database', async () => {
    const { db } = await testDb('empty');
    db.$client.close();
    expect(await checkHealth(db)).toEqual({ db: 'unreachable', migrations: 'unknown' });
  });
});

describe('referential', () => {
  it('has every current commune with postal codes, population and coordinates', async () => {
    const { db } = await testDb('referential');
    const [stats] = await db
      .select({ n: sql<number>`count(*)`, located: sql<number>`sum(${communes.lat} is not null)` })
      .from(communes);
    expect(stats!.n).toBeGreaterThan(34_000);
    expect(stats!.located / stats!.n).toBeGreaterThan(0.99);
    const [auch] = await db.select().from(communes).where(eq(communes.code, '32013'));
    expect(auch).toMatchObject({ name: 'Auch', departmentCode: '32', regionCode: '76', searchName: 'auch' });
    expect(auch!.postalCodes).toContain('32000');
    expect(auch!.population).toBeGreaterThan(20_000);
    expect(auch!.lat).toBeCloseTo(43.65, 1);
    expect(auch!.lng).toBeCloseTo(0.58, 1);
    // Centroid, population and postal codes are the 2025 file's, for every commune of it.
    expect(auch).toMatchObject({ lat: 43.6602, lng: 0.5673, population: 22428 });
    expect(stats!.n).toBe(34_875);
    const [cherbourg] = await db.select().from(communes).where(eq(communes.code, '50129'));
    expect(cherbourg?.postalCodes).toBe('50100 50110 50120 50130 50460 50470');
    const [leguevin] = await db.select().from(communes).where(eq(communes.searchName, 'leguevin'));
    expect(leguevin?.name).toBe('Léguevin');
    const [gers] = await db.select().from(departments).where(eq(departments.code, '32'));
    expect(gers).toMatchObject({ name: 'Gers', regionCode: '76' });
  });

  it('keeps former communes and districts resolving to the commune that holds them', async () => {
    const { db } = await testDb('referential');
    // Tourlaville merged into Cherbourg-en-Cotentin (2016); Marseille's 1st district.
    expect(await currentCommuneCode(db, '50602')).toBe('50129');
    expect((await resolveCommune(db, '50602')).name).toBe('Cherbourg-en-Cotentin');
    expect(await currentCommuneCode(db, '13201')).toBe('13055');
    expect(await currentCommuneCode(db, '32013')).toBe('32013');
    expect(await currentCommuneCode(db, '99999')).toBeUndefined();
    const [sites] = await db.select({ n: sql<number>`count(*)` }).from(mobileSites);
    expect(sites!.n).toBe(704);
  });

  it('is idempotent', async () => {
    const { db } = await testDb('referential');
    const before = await db.select({ n: sql<number>`count(*)` }).from(communes);
    await loadReferential(db);
    const after = await db.select({ n: sql<number>`count(*)` }).from(communes);
    expect(after).toEqual(before);
    expect(await db.select().from(territories)).toEqual([]);
  });
});

describe('migrations', () => {
  it('started by two processes at once on a fresh file: both start, each migration applied once', async () => {
    const { path, db } = await testDb('empty');
    const reports = await runJobsTogether<{ migrated: boolean }>([
      ['migrate', `file:${path}`],
      ['migrate', `file:${path}`],
      ['migrate', `file:${path}`],
    ]);
    expect(reports).toEqual([{ migrated: true }, { migrated: true }, { migrated: true }]);
    expect(await migrationsApplied(db)).toBe(true);
    const rows = await db.all<{ n: number; k: number }>(
      sql`SELECT count(*) AS n, count(DISTINCT created_at) AS k FROM __drizzle_migrations`,
    );
    expect(rows[0]!.n).toBe(rows[0]!.k);
  }, 60_000);

  it('gives a migration’s new index the planner’s statistics, which PRAGMA optimize leaves out', async () => {
    const { db } = await testDb('seeded');
    const stat = async (name: string) =>
      (await db.all<{ stat: string }>(sql`SELECT stat FROM sqlite_stat1 WHERE idx = ${name}`))[0]?.stat;
    await db.$client.execute('CREATE INDEX communes_name_population_idx ON communes (name, population)');
    await db.$client.execute('PRAGMA optimize=0x10002');
    expect(await stat('communes_name_population_idx')).toBeUndefined();
    const first = await refreshStatistics(db);
    expect(first.analysed).toContain('communes_name_population_idx');
    expect(first.deferred).toEqual([]);
    expect(await stat('communes_name_population_idx')).toMatch(/^\d+ \d+ \d+$/);
    // Analysed once. A partial index with no row yet gets no statistics from ANALYZE: it is
    // asked again, but nothing changed, so no connection reads the schema again.
    const unanalysed = await db.all<{ name: string; sql: string }>(sql`
      SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name IN (SELECT tbl FROM sqlite_stat1)
        AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)`);
    expect(unanalysed.length).toBeGreaterThan(0);
    for (const index of unanalysed) expect(index.sql, index.name).toMatch(/ WHERE /);
    const version = async () => (await db.all<{ v: number }>(sql`PRAGMA schema_version`))[0]!.v;
    const before = await version();
    expect(await refreshStatistics(db)).toEqual({ analysed: [], deferred: [] });
    expect(await version()).toBe(before);
  });
});

describe('planner statistics', () => {
  // Two indexes the planner must choose between: `a` has two values, `b` one per row. Without
  // statistics SQLite takes the equality (`a`, half the table); with them, the range on `b`.
  const query = 'SELECT count(*) AS n FROM plan_t WHERE a = 1 AND b > 19990';
  const fill = (db: Db, from: number, to: number) =>
    db.$client.execute(`INSERT INTO plan_t SELECT value % 2, value FROM generate_series(${from}, ${to})`);
  // A connection reads the schema again when a statement runs (a plan alone checks nothing).
  const planOf = async (db: Db) => {
    expect((await db.$client.execute(query)).rows[0]!.n).toBe(5);
    return (await db.$client.execute(`EXPLAIN QUERY PLAN ${query}`)).rows.map((r) => String(r.detail)).join('; ');
  };

  it('analyses a table that had no row at the last ANALYZE, and every connection then plans with it', async () => {
    const { db, path } = await testDb('empty');
    await db.$client.execute('CREATE TABLE plan_t (a INTEGER, b INTEGER)');
    await db.$client.execute('CREATE INDEX plan_t_a ON plan_t (a)');
    await db.$client.execute('CREATE INDEX plan_t_b ON plan_t (b)');
    // Analysed while empty: sqlite_stat1 exists, with nothing about plan_t, and PRAGMA optimize never adds it.
    await db.$client.execute('ANALYZE');
    await fill(db, 1, 20_000);
    await db.$client.execute('PRAGMA optimize=0x10002');
    expect(await db.all(sql`SELECT * FROM sqlite_stat1 WHERE tbl = 'plan_t'`)).toEqual([]);
    // Another process's connections, open before the refresh, reading through prepared statements.
    const other = await createDb(`file:${path}`);
    onTestFinished(() => other.$client.close());
    await other.$client.execute(query);
    const unanalysed = await createDb(`file:${path}`);
    expect(await planOf(unanalysed)).toMatch(/USING (COVERING )?INDEX plan_t_a /);
    unanalysed.$client.close();

    expect(await refreshStatistics(db)).toEqual({ analysed: ['plan_t'], deferred: [] });
    expect(await planOf(db)).toMatch(/USING (COVERING )?INDEX plan_t_b /);
    // The other connections load the new statistics too (without the schema's change, they keep theirs).
    expect(await planOf(other)).toMatch(/USING (COVERING )?INDEX plan_t_b /);
    // Nothing left to do.
    expect(await refreshStatistics(db)).toEqual({ analysed: [], deferred: [] });
  });

  it('analyses a database never analysed, then a table grown tenfold; a server’s pass leaves a large one', async () => {
    const { db } = await testDb('empty');
    await db.$client.execute('CREATE TABLE plan_t (a INTEGER, b INTEGER)');
    await db.$client.execute('CREATE INDEX plan_t_a ON plan_t (a)');
    await db.$client.execute('CREATE TABLE empty_t (x)');
    await db.$client.execute('CREATE INDEX empty_t_x ON empty_t (x)');
    await fill(db, 1, 1_000);
    expect(await refreshStatistics(db)).toEqual({ analysed: ['plan_t'], deferred: [] });
    const rowsOf = async () =>
      (await db.all<{ stat: string }>(sql`SELECT stat FROM sqlite_stat1 WHERE idx = 'plan_t_a'`))[0]!.stat;
    expect(await rowsOf()).toBe('1000 500');
    // Grown, but less than tenfold: the statistics hold.
    await fill(db, 1_001, GROWTH * 1_000 - 1);
    expect(await refreshStatistics(db)).toEqual({ analysed: [], deferred: [] });
    await fill(db, GROWTH * 1_000, GROWTH * 1_000);
    // Too large for a server's pass: left for the next start (it reads at most 5 001 rows of it).
    expect(await refreshStatistics(db, { maxRows: 5_000 })).toEqual({ analysed: [], deferred: [] });
    expect(await rowsOf()).toBe('1000 500');
    expect(await refreshStatistics(db)).toEqual({ analysed: ['plan_t'], deferred: [] });
    expect(await rowsOf()).toBe('10000 5000');
    // Pruned rather than grown (rowids climb, rows do not): counted, not analysed again.
    await db.$client.execute('DELETE FROM plan_t WHERE b <= 9000');
    await db.$client.execute('INSERT INTO plan_t (rowid, a, b) VALUES (1000000, 0, 0)');
    expect(await refreshStatistics(db)).toEqual({ analysed: [], deferred: [] });
    // A new index on a table too large for a server's pass waits for the start; a table
    // without statistics, too large, is named.
    await db.$client.execute('CREATE INDEX plan_t_b ON plan_t (b)');
    await db.$client.execute('CREATE TABLE big_t (x)');
    await db.$client.execute('CREATE INDEX big_t_x ON big_t (x)');
    await db.$client.execute('INSERT INTO big_t SELECT value FROM generate_series(1, 6000)');
    expect(await refreshStatistics(db, { maxRows: 5_000 })).toEqual({ analysed: [], deferred: ['big_t', 'plan_t_b'] });
    expect(await refreshStatistics(db)).toEqual({ analysed: ['big_t', 'plan_t_b'], deferred: [] });
  });
});
