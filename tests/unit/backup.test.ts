import { createClient } from '@libsql/client';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BackupError, backupDatabase, restoreDatabase } from '../../db/backup.ts';
import { createDb } from '../../db/client.ts';
import { applyMigrations, latestMigrationMillis } from '../../db/migrate.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-backup-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A migrated portal database at `path`, with a few rows of its own. Made under another name
 * and copied: libSQL releases a closed connection's file lock only when it is collected, and
 * a restore refuses a database this process still seems to have open.
 */
async function portalDb(path: string): Promise<void> {
  const made = `${path}.made`;
  const db = await createDb(`file:${made}`);
  await applyMigrations(db);
  await db.$client.execute('CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT)');
  await db.$client.execute("INSERT INTO notes (text) VALUES ('avant'), ('après')");
  await db.$client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  db.$client.close();
  await copyFile(made, path);
}

/** Every table's row count and a checksum of its rows (in a canonical order). */
async function tableChecksums(path: string): Promise<Record<string, { rows: number; sha256: string }>> {
  const client = createClient({ url: `file:${path}` });
  try {
    const tables = await client.execute(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    const sums: Record<string, { rows: number; sha256: string }> = {};
    for (const { name } of tables.rows) {
      const rs = await client.execute(`SELECT * FROM "${String(name)}"`);
      const cell = (v: unknown) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v);
      const lines = rs.rows.map((row) => JSON.stringify(rs.columns.map((c) => cell(row[c])))).sort();
      sums[String(name)] = { rows: lines.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
    }
    return sums;
  } finally {
    client.close();
  }
}

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function query<T>(path: string, sql: string): Promise<T[]> {
  const client = createClient({ url: `file:${path}` });
  try {
    return (await client.execute(sql)).rows as unknown as T[];
  } finally {
    client.close();
  }
}

/** The ledger writer in a process of its own; resolves once it has committed `atLeast` transactions. */
function startWriter(url: string): { child: ChildProcess; reached: (n: number) => Promise<void>; last: () => number } {
  const child = spawn(process.execPath, ['tests/helpers/ledger-writer.ts', url], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  let last = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString().trim().split('\n')) last = Math.max(last, Number(line));
    for (const w of waiters.filter((w) => last >= w.n)) w.resolve();
  });
  return {
    child,
    last: () => last,
    reached: (n) =>
      new Promise<void>((resolve, reject) => {
        if (last >= n) return resolve();
        waiters.push({ n, resolve });
        child.once('exit', (code) => reject(new Error(`the writer exited (${code}) at ${last}`)));
      }),
  };
}

describe('backup', () => {
  it('takes a consistent snapshot while another process writes, which restores to an equal database', async () => {
    const dir = await tempDir();
    const source = join(dir, 'portal.db');
    await portalDb(source);
    const writer = startWriter(`file:${source}`);
    await writer.reached(300);

    const backup = await backupDatabase(`file:${source}`, join(dir, 'backups') + '/', new Date('2026-03-14T09:15:00Z'));
    const atBackup = writer.last();
    expect(backup.path).toBe(join(dir, 'backups', 'portal-20260314T091500Z.db'));
    // The writer went on while and after the backup was taken.
    await writer.reached(atBackup + 200);
    writer.child.kill('SIGKILL');
    await new Promise((r) => writer.child.once('exit', r));
    expect(readdirSync(join(dir, 'backups'))).toEqual(['portal-20260314T091500Z.db']);

    // A prefix of the writes, whole transactions only: both ledgers hold 1…k.
    const a = (await query<{ n: number }>(backup.path, 'SELECT n FROM ledger_a ORDER BY n')).map((r) => r.n);
    const b = (await query<{ n: number }>(backup.path, 'SELECT n FROM ledger_b ORDER BY n')).map((r) => r.n);
    expect(a.length).toBeGreaterThanOrEqual(300);
    expect(b).toEqual(a);
    expect(a).toEqual(Array.from({ length: a.length }, (_, i) => i + 1));
    const [sourceCount] = await query<{ n: number }>(source, 'SELECT count(*) AS n FROM ledger_a');
    expect(sourceCount!.n).toBeGreaterThan(a.length);

    // Restored to a new file: intact, and every table row for row the backup's.
    const restoredPath = join(dir, 'elsewhere', 'restored.db');
    const restored = await restoreDatabase(backup.path, `file:${restoredPath}`);
    expect(restored).toEqual({ target: restoredPath, kept: null, migrationsBehind: 0 });
    expect(await query(restoredPath, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const sums = await tableChecksums(restoredPath);
    expect(sums).toEqual(await tableChecksums(backup.path));
    expect(sums.ledger_a!.rows).toBe(a.length);
    expect(sums.notes!.rows).toBe(2);
    // It opens as the portal's database.
    const db = await createDb(`file:${restoredPath}`);
    const { migrationsApplied } = await import('../../db/migrate.ts');
    expect(await migrationsApplied(db)).toBe(true);
    db.$client.close();
    expect(readdirSync(join(dir, 'elsewhere')).filter((f) => f.includes('tmp'))).toEqual([]);
  }, 60_000);

  it('names a libsql:// server’s own backups instead, and never overwrites a file', async () => {
    await expect(backupDatabase('libsql://portal.example.turso.io')).rejects.toThrow(BackupError);
    await expect(backupDatabase('libsql://portal.example.turso.io')).rejects.toThrow(/turso db shell/);
    await expect(restoreDatabase('x.db', 'libsql://portal.example.turso.io')).rejects.toThrow(/provider/);
    const dir = await tempDir();
    await expect(backupDatabase(`file:${join(dir, 'none.db')}`)).rejects.toThrow(/no database/);
    await portalDb(join(dir, 'portal.db'));
    await writeFile(join(dir, 'taken.db'), 'mine');
    await expect(backupDatabase(`file:${join(dir, 'portal.db')}`, join(dir, 'taken.db'))).rejects.toThrow(
      /already exists/,
    );
    expect(await readFile(join(dir, 'taken.db'), 'utf8')).toBe('mine');
  });
});

describe('restore', () => {
  it('refuses a damaged file, another database, a newer version’s, and changes nothing', async () => {
    const dir = await tempDir();
    const target = join(dir, 'portal.db');
    await portalDb(target);
    const good = (await backupDatabase(`file:${target}`, join(dir, 'good.db'))).path;
    // A database's -wal and -shm files come and go as its connections close (libSQL closes
    // some only when they are garbage-collected): what restore must not leave is any other file.
    const filesIn = (d: string) => {
      const all = readdirSync(d);
      return all.filter((f) => !all.includes(f.replace(/-(wal|shm)$/, '')) || !/-(wal|shm)$/.test(f)).sort();
    };
    const before = { bytes: await sha256(target), files: filesIn(dir) };

    await writeFile(join(dir, 'text.db'), 'this is not a database at all, only words');
    // A real backup with one page in its middle overwritten.
    await copyFile(good, join(dir, 'damaged.db'));
    const handle = await open(join(dir, 'damaged.db'), 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 4096 / 2) * 4096);
    await handle.close();
    // A database of something else.
    const other = createClient({ url: `file:${join(dir, 'other.db')}` });
    await other.execute('CREATE TABLE t (x)');
    other.close();
    // A backup of a newer version of the portal (a migration this code does not ship).
    await copyFile(good, join(dir, 'newer.db'));
    const newer = createClient({ url: `file:${join(dir, 'newer.db')}` });
    await newer.execute(
      `INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ${latestMigrationMillis + 1})`,
    );
    newer.close();
    const files = filesIn(dir);

    const cases: Array<[string, RegExp]> = [
      ['text.db', /not a SQLite database/],
      ['damaged.db', /damaged|cannot be read/],
      ['other.db', /not a database of this portal/],
      ['newer.db', /newer version/],
      ['missing.db', /no backup/],
    ];
    for (const [file, message] of cases) {
      const attempt = restoreDatabase(join(dir, file), `file:${target}`);
      await expect(attempt, file).rejects.toThrow(BackupError);
      await expect(restoreDatabase(join(dir, file), `file:${target}`), file).rejects.toThrow(message);
      expect(await sha256(target), file).toBe(before.bytes);
      expect(filesIn(dir), file).toEqual(files);
    }
    expect(files.filter((f) => f.startsWith('portal.db'))).toEqual(
      before.files.filter((f) => f.startsWith('portal.db')),
    );
  });

  it('refuses while a process has the database open, then restores it, keeping the one it replaced', async () => {
    const dir = await tempDir();
    const source = join(dir, 'source.db');
    await portalDb(source);
    const backup = (await backupDatabase(`file:${source}`, join(dir, 'backup.db'))).path;
    const target = join(dir, 'portal.db');
    await portalDb(target);
    // A server (any process with a connection) on the target.
    const writer = startWriter(`file:${target}`);
    await writer.reached(100);
    await expect(restoreDatabase(backup, `file:${target}`)).rejects.toThrow(/open in another process: stop the server/);
    writer.child.kill('SIGKILL');
    await new Promise((r) => writer.child.once('exit', r));
    const written = writer.last();

    const done = await restoreDatabase(backup, `file:${target}`, new Date('2026-03-14T09:15:00Z'));
    expect(done.kept).toBe(`${target}.before-restore-20260314T091500Z`);
    expect(await tableChecksums(target)).toEqual(await tableChecksums(backup));
    expect(readdirSync(dir).filter((f) => /^portal\.db(-wal|-shm|.*tmp)/.test(f))).toEqual([]);
    // The replaced database, whole (its WAL was checkpointed before it was set aside).
    const [kept] = await query<{ n: number }>(done.kept!, 'SELECT count(*) AS n FROM ledger_a');
    expect(kept!.n).toBeGreaterThanOrEqual(written);
  }, 60_000);

  it('runs as npm run db:backup and db:restore, with one line when it cannot', async () => {
    const dir = await tempDir();
    const source = join(dir, 'portal.db');
    await portalDb(source);
    const run = (script: string, args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [`scripts/${script}.ts`, ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const made = run('db-backup', [join(dir, 'saved') + '/'], { DATABASE_URL: `file:${source}` });
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const path = /^Backup written: (\S+) \(/.exec(made.stdout)?.[1];
    expect(path).toMatch(/saved\/portal-\d{8}T\d{6}Z\.db$/);
    const restored = run('db-restore', [path!], { DATABASE_URL: `file:${join(dir, 'copy.db')}` });
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain(`to ${join(dir, 'copy.db')}`);
    expect(await tableChecksums(join(dir, 'copy.db'))).toEqual(await tableChecksums(path!));

    for (const [script, args, env, message] of [
      ['db-backup', [], { DATABASE_URL: 'libsql://portal.example.turso.io', DATABASE_AUTH_TOKEN: 't' }, /provider/],
      ['db-restore', [], { DATABASE_URL: `file:${source}` }, /Usage: npm run db:restore -- <backup file>/],
      ['db-restore', [join(dir, 'nothing.db')], { DATABASE_URL: `file:${source}` }, /no backup/],
    ] as const) {
      const r = run(script, [...args], env);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);
});
