// Applies the committed drizzle-kit migrations, and tells whether a database is up to date.
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.ts';
import journal from './migrations/meta/_journal.json' with { type: 'json' };

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export async function applyMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder });
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
