// Applies the committed drizzle-kit migrations, and tells whether a database is up to date.
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.ts';
import journal from './migrations/meta/_journal.json' with { type: 'json' };

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** How long a start waits for another process that is migrating the same database. */
const MIGRATION_WAIT_MS = 120_000;

const isBusy = (error: unknown) =>
  /SQLITE_BUSY|database is locked/.test(`${String(error)} ${String((error as { cause?: unknown })?.cause)}`);

/**
 * Applies the pending migrations, in one batch (all or nothing). drizzle reads what is
 * applied before its batch, so two processes starting at once (two servers, a server and
 * `npm run db:migrate`) both try the same batch: the second meets the first's lock (it tries
 * again once the lock is gone, and finds nothing left to do) or fails on what the first
 * created and rolls back, which is fine when the first applied everything.
 */
export async function applyMigrations(db: Db): Promise<void> {
  const deadline = Date.now() + MIGRATION_WAIT_MS;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    try {
      await migrate(db, { migrationsFolder });
      return;
    } catch (error) {
      if (await migrationsApplied(db)) return;
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** The `when` of every committed migration: drizzle records it as `created_at`. */
export const committedMigrationMillis: readonly number[] = journal.entries.map((e) => e.when);

/** The `when` of the newest committed migration. */
export const latestMigrationMillis: number = Math.max(0, ...committedMigrationMillis);

/** True when the newest committed migration has been applied to this database. */
export async function migrationsApplied(db: Db): Promise<boolean> {
  try {
    const rows = await db.all<{ last: number | null }>(sql`SELECT max(created_at) AS last FROM __drizzle_migrations`);
    return Number(rows[0]?.last ?? 0) >= latestMigrationMillis;
  } catch {
    return false; // no migrations table yet
  }
}
