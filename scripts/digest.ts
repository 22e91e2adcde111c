// npm run digest — the daily email digest of saved searches, once, for every person whose
// digest is due (for cron; the server also runs it in process, see scripts/start.ts). Safe
// to run any number of times: a person gets at most one digest a day, and an offer once.
import { createDb } from '../db/client.ts';
import { migrationsApplied } from '../db/migrate.ts';
import { systemClock } from '../src/server/clock.ts';
import { runDigest } from '../src/server/family/digest.ts';
import { ConfigError, DatabaseOpenError, readConfig, runMain } from './lib/config.ts';

await runMain(async () => {
  const config = readConfig();
  const url = String(config.DATABASE_URL);
  const db = await createDb(url, config.DATABASE_AUTH_TOKEN as string | undefined).catch((error: unknown) => {
    throw new DatabaseOpenError(
      `Cannot open the database at DATABASE_URL=${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  try {
    if (!(await migrationsApplied(db)))
      throw new ConfigError('The database is not up to date: run `npm run db:migrate` first.');
    const report = await runDigest({ db, clock: systemClock, siteUrl: String(config.PUBLIC_SITE_URL) });
    console.log(
      `Digest: ${report.emails} email(s) with ${report.offers} offer(s) for ${report.due} person(s) due${report.skipped ? `, ${report.skipped} skipped (another run)` : ''}.`,
    );
  } finally {
    db.$client.close();
  }
});
