// Liveness and readiness: the database answers, every committed migration is applied,
// and this process's search index of the catalogue is built (the first check builds it,
// so that a new process is warm before a load balancer sends it visitors).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { migrationsApplied } from '../../../db/migrate.ts';
import { catalogueIndex } from '../offers/catalogue-index.ts';

export interface Health {
  db: 'ok' | 'unreachable';
  migrations: 'applied' | 'pending' | 'unknown';
  /** Published offers in this process's search index, once built. */
  searchIndex?: number;
}

export async function checkHealth(db: Db): Promise<Health> {
  try {
    await db.run(sql`SELECT 1`);
  } catch {
    return { db: 'unreachable', migrations: 'unknown' };
  }
  if (!(await migrationsApplied(db))) return { db: 'ok', migrations: 'pending' };
  return { db: 'ok', migrations: 'applied', searchIndex: (await catalogueIndex(db)).size };
}

export const isHealthy = (h: Health) => h.db === 'ok' && h.migrations === 'applied';
