// Liveness and readiness: the database answers and every committed migration is applied.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { migrationsApplied } from '../../../db/migrate.ts';

export interface Health {
  db: 'ok' | 'unreachable';
  migrations: 'applied' | 'pending' | 'unknown';
}

export async function checkHealth(db: Db): Promise<Health> {
  try {
    await db.run(sql`SELECT 1`);
  } catch {
    return { db: 'unreachable', migrations: 'unknown' };
  }
  return { db: 'ok', migrations: (await migrationsApplied(db)) ? 'applied' : 'pending' };
}

export const isHealthy = (h: Health) => h.db === 'ok' && h.migrations === 'applied';
