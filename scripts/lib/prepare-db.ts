// Brings a database up to date: migrations, then the communes referential on first use,
// then (demo only) the demo seed when the database has no territory yet.
import { abandonedImports } from '../../src/server/imports/coverage.ts';
import { systemClock } from '../../src/server/clock.ts';
import { createDb, type Db } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { refreshStatistics } from '../../db/statistics.ts';
import { databaseIsEmpty, seedDemo } from '../../db/seed/demo.ts';
import { loadReferential, referentialLoaded } from '../../src/server/places/referential.ts';
import { keyOpensSealedSecrets } from '../../src/server/accounts/two-factor.ts';
import { ConfigError, DatabaseOpenError, totpKeyOf, type Config } from './config.ts';
import { log } from '../../src/lib/log.ts';

/**
 * `totpKey`: the server's key (scripts/start.ts), checked against the keys already sealed —
 * the scripts that check no code (imports, admin:create) need none.
 */
export async function prepareDb(
  config: Config,
  { demo, totpKey }: { demo: boolean; totpKey?: Uint8Array },
): Promise<Db> {
  const url = String(config.DATABASE_URL);
  let db: Db;
  try {
    db = await createDb(url, config.DATABASE_AUTH_TOKEN as string | undefined);
    await applyMigrations(db);
  } catch (error) {
    // drizzle wraps the driver's error ("Failed query: …"): the cause says what went wrong.
    const root = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = root instanceof Error ? root.message.split('\n')[0] : String(root);
    throw new DatabaseOpenError(`Cannot open the database at DATABASE_URL=${url}: ${reason}`);
  }
  if (totpKey && !(await keyOpensSealedSecrets(db, totpKey)))
    throw new ConfigError(
      'Configuration error: TOTP_KEY is not the key the two-step verification keys of this database were sealed with: set it back to that key, or no staff member could sign in.',
    );
  if (!(await referentialLoaded(db))) {
    const { communes, aliases } = await loadReferential(db);
    log.info(`Loaded the referential: ${communes} communes, ${aliases} former codes.`);
  }
  // An import whose process died (kill -9, power cut) left the figures as they were: say so.
  const abandoned = await abandonedImports(db, systemClock);
  if (abandoned) log.info(`${abandoned} interrupted import(s) marked failed; the data shown did not change.`);
  if (demo && (await databaseIsEmpty(db))) {
    // The demo is relative to the day it is created (dates of files, "new this week"…);
    // the same seed on the same day gives the same data.
    const today = new Date(new Date().toISOString().slice(0, 10) + 'T09:00:00Z');
    const created = await seedDemo(db, {
      photosDir: String(config.PHOTOS_DIR),
      now: today,
      totpKey: totpKeyOf(config),
    });
    log.info(
      `Seeded demo data: ${created.territories} territories, ${created.offers} offers, ${created.candidates} candidate files, ${created.users} accounts.`,
    );
  }
  // The planner's statistics, before the port opens (whole tables; cheap when nothing changed):
  // new tables and indexes, tables grown tenfold (the server's daily pass leaves large ones here).
  const { analysed } = await refreshStatistics(db);
  if (analysed.length)
    log.info({ analysed }, `Planner statistics refreshed for ${analysed.length} table(s) or index(es).`);
  return db;
}
