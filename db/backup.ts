// Backups of an embedded database, and their restore (decision 013). A backup is
// `VACUUM INTO` on a connection to the live file: one read transaction, so a consistent
// snapshot while the server and other processes keep writing (WAL: nobody waits). It is
// written under a temporary name and renamed when complete. A restore checks a copy of the
// backup (integrity, migrations this code knows), makes sure no process has the target
// open, keeps the database it replaces beside it, and renames the copy into place.
import { createClient, type Client } from '@libsql/client';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { embeddedPath, isEmbeddedUrl } from './client.ts';
import { committedMigrationMillis } from './migrate.ts';

/** A backup or restore that cannot be done; the message says why, in one line. */
export class BackupError extends Error {}

/** The default folder of `npm run db:backup` without a path, relative to the working directory. */
export const BACKUP_FOLDER = 'backups';

const SQLITE_HEADER = 'SQLite format 3\0';

function embeddedFile(url: string, what: string): string {
  if (!isEmbeddedUrl(url))
    throw new BackupError(
      `${what} works on an embedded database file (DATABASE_URL=file:…), not on ${url.split('?')[0]}: ` +
        'a libSQL server is backed up by its provider (Turso: point-in-time restore, or `turso db shell <database> .dump > backup.sql`); see docs/deployment.md.',
    );
  const path = embeddedPath(url);
  if (path === '' || path === ':memory:') throw new BackupError(`${what} needs a database file, not ${url}.`);
  return resolve(path);
}

/** `portal-20260314T091500Z.db`: sorts by date, no characters a file system refuses. */
export function backupName(sourcePath: string, now: Date): string {
  return `${basename(sourcePath).replace(/\.db$/, '')}-${stamp(now)}.db`;
}

const stamp = (now: Date) =>
  now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Flushes a file (or a folder's entries, after a rename) to the disk. */
async function fsync(path: string, flags = constants.O_RDONLY): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeDatabaseFiles(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${path}${suffix}`, { force: true });
}

/**
 * A plain connection (no write queue: these scripts only read the live file). It may wait
 * synchronously for a lock, as a one-off command can: opening a WAL file another process is
 * checkpointing.
 */
const LOCK_WAIT_MS = 5000;
const connect = (path: string): Client => createClient({ url: `file:${path}`, timeout: LOCK_WAIT_MS });

/**
 * Problems of a database file as a backup of this portal: `PRAGMA integrity_check`, then
 * every migration it has applied must be one this code ships (a backup from a newer version
 * would run with a schema this code does not know). Returns how many committed migrations
 * it lacks (applied at the next start).
 */
export async function checkBackupFile(path: string): Promise<{ migrationsBehind: number }> {
  const header = Buffer.alloc(20);
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new BackupError(`Cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`);
  });
  try {
    await handle.read(header, 0, 20, 0);
  } finally {
    await handle.close();
  }
  if (header.subarray(0, 16).toString('latin1') !== SQLITE_HEADER)
    throw new BackupError(`${path} is not a SQLite database.`);
  let client: Client | undefined;
  try {
    client = connect(path);
    const check = await client.execute('PRAGMA integrity_check');
    const problems = check.rows.map((r) => String(r[0])).filter((line) => line !== 'ok');
    if (problems.length)
      throw new BackupError(`${path} is damaged (integrity check: ${problems.slice(0, 3).join('; ')}).`);
    const table = await client.execute(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'",
    );
    if (!table.rows.length) throw new BackupError(`${path} is not a database of this portal (no migrations table).`);
    const applied = (await client.execute('SELECT created_at FROM __drizzle_migrations')).rows.map((r) => Number(r[0]));
    const known = new Set(committedMigrationMillis);
    const unknown = applied.filter((when) => !known.has(when));
    if (unknown.length)
      throw new BackupError(
        `${path} has ${unknown.length} migration(s) this version of the portal does not know: it comes from a newer version; restore it with that version.`,
      );
    const done = new Set(applied);
    return { migrationsBehind: committedMigrationMillis.filter((when) => !done.has(when)).length };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${path} cannot be read as a database: ${(error as Error).message.split('\n')[0]}.`);
  } finally {
    client?.close();
  }
}

export interface BackupResult {
  path: string;
  bytes: number;
}

/**
 * Writes a consistent snapshot of the embedded database at `url` to `destination` (a file
 * that must not exist yet, or a folder: a dated name inside it), by default
 * `backups/<name>-<date>.db`. Safe while the server and other processes write.
 */
export async function backupDatabase(url: string, destination?: string, now: Date = new Date()): Promise<BackupResult> {
  const source = embeddedFile(url, 'A backup');
  if (!(await exists(source))) throw new BackupError(`There is no database at ${source} to back up.`);
  const folderGiven = destination !== undefined && (/[/\\]$/.test(destination) || (await isDirectory(destination)));
  const target = resolve(
    destination === undefined
      ? join(BACKUP_FOLDER, backupName(source, now))
      : folderGiven
        ? join(destination, backupName(source, now))
        : destination,
  );
  if (await exists(target)) throw new BackupError(`${target} already exists: choose another name.`);
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  await removeDatabaseFiles(temporary);
  const client = connect(source);
  try {
    // One read transaction: the state of the last commit before it started, whatever is
    // written meanwhile. Writers are not held up (WAL).
    await client.execute({ sql: 'VACUUM INTO ?', args: [temporary] });
  } catch (error) {
    await removeDatabaseFiles(temporary);
    throw new BackupError(`The backup of ${source} failed: ${(error as Error).message.split('\n')[0]}.`);
  } finally {
    client.close();
  }
  try {
    await checkBackupFile(temporary);
    await fsync(temporary);
    await rename(temporary, target);
    await fsync(dirname(target));
  } catch (error) {
    await removeDatabaseFiles(temporary);
    throw error;
  }
  return { path: target, bytes: (await stat(target)).size };
}

/**
 * Whether a process has the database file open, asked in a child process: it takes the
 * file's exclusive lock without waiting (refused while any connection of another process
 * is open on it) and, holding it, checkpoints the WAL into the file. A separate process
 * because libSQL keeps an exclusive-mode connection's lock after `close()`.
 */
function databaseInUse(path: string): boolean {
  const libsql = createRequire(import.meta.url).resolve('@libsql/client');
  const probe = `
    const { createClient } = require(${JSON.stringify(libsql)});
    const c = createClient({ url: ${JSON.stringify(`file:${path}`)} });
    c.executeMultiple('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT; PRAGMA wal_checkpoint(TRUNCATE);')
      .then(() => console.log('free'), (e) => console.log(/BUSY|LOCKED/.test(String(e && e.code)) ? 'busy' : 'error ' + e.message))
      .finally(() => { c.close(); process.exit(0); });`;
  const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 30_000 });
  const answer = run.stdout.trim();
  if (answer === 'free') return false;
  if (answer === 'busy') return true;
  throw new BackupError(`Cannot check whether ${path} is in use: ${answer || run.stderr.trim() || 'no answer'}.`);
}

/**
 * A copy of a file in WAL mode (bytes 18–19 = 2) is marked as a rollback-journal file, as
 * `PRAGMA journal_mode = DELETE` would: checking it then leaves no -wal or -shm beside it.
 * The server switches it back to WAL when it opens it.
 */
async function rollbackJournalMode(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const versions = Buffer.alloc(2);
    await handle.read(versions, 0, 2, 18);
    if (versions[0] === 2 && versions[1] === 2) await handle.write(Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    await handle.close();
  }
}

export interface RestoreResult {
  target: string;
  /** Where the database that was there before is kept (a hard link or copy), if there was one. */
  kept: string | null;
  /** Committed migrations the backup lacks: the next start applies them. */
  migrationsBehind: number;
}

/**
 * Replaces the embedded database at `url` with the backup at `backupPath`. The backup is
 * copied next to the target and checked there (integrity, known migrations) before anything
 * changes; a database that a process still has open (the server) is refused. The previous
 * database is kept as `<target>.before-restore-<date>`; the copy is renamed into place,
 * so a crash leaves either the old database or the new one, never half of one.
 */
export async function restoreDatabase(backupPath: string, url: string, now: Date = new Date()): Promise<RestoreResult> {
  const target = embeddedFile(url, 'A restore');
  const backup = resolve(backupPath);
  if (backup === target) throw new BackupError(`${backup} is the database itself.`);
  if (!(await exists(backup))) throw new BackupError(`There is no backup at ${backup}.`);
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.restore-${process.pid}.tmp`;
  await removeDatabaseFiles(temporary);
  try {
    await copyFile(backup, temporary);
    await rollbackJournalMode(temporary);
    const { migrationsBehind } = await checkBackupFile(temporary);
    let kept: string | null = null;
    if (await exists(target)) {
      if (databaseInUse(target))
        throw new BackupError(
          `${target} is open in another process: stop the server (and any import or digest job) before restoring.`,
        );
      // Checkpointed by the probe: the file alone is the whole database.
      kept = `${target}.before-restore-${stamp(now)}`;
      await rm(kept, { force: true });
      await link(target, kept).catch(() => copyFile(target, kept!));
    }
    await fsync(temporary);
    for (const suffix of ['-wal', '-shm', '-journal']) await rm(`${target}${suffix}`, { force: true });
    await rename(temporary, target);
    await fsync(dirname(target));
    for (const suffix of ['-wal', '-shm', '-journal']) await rm(`${temporary}${suffix}`, { force: true });
    return { target, kept, migrationsBehind };
  } catch (error) {
    await removeDatabaseFiles(temporary);
    throw error;
  }
}
