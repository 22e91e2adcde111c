// npm run digest — the daily jobs once, for cron (the server also runs them in process, see
// scripts/start.ts): the saved searches' email digest for every person whose digest is due,
// then the staff's morning briefs (from 7:00 Paris time), then the offers' freshness (hide what is unconfirmed for 90 days, remind owners at 60),
// then the open files' maturity scores,
// then retention (closed files anonymised after their territory's period, inactive accounts).
// Safe to run any number of times: a person gets at most one digest a day, an offer once,
// and an owner one reminder per unconfirmed period.
import { createDb } from '../db/client.ts';
import { migrationsApplied } from '../db/migrate.ts';
import { systemClock } from '../src/server/clock.ts';
import { runDigest } from '../src/server/family/digest.ts';
import { runMorningBriefs } from '../src/server/candidates/morning.ts';
import { runFreshness } from '../src/server/offers/freshness.ts';
import { refreshMaturity } from '../src/server/candidates/maturity.ts';
import { runRetention } from '../src/server/privacy/retention.ts';
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
    const jobs = { db, clock: systemClock, siteUrl: String(config.PUBLIC_SITE_URL) };
    const report = await runDigest(jobs);
    console.log(
      `Digest: ${report.emails} email(s) with ${report.offers} offer(s) for ${report.due} person(s) due${report.skipped ? `, ${report.skipped} skipped (another run)` : ''}.`,
    );
    const briefs = await runMorningBriefs(jobs);
    console.log(`Morning briefs: ${briefs.emails} email(s) for ${briefs.due} member(s) of staff due.`);
    const freshness = await runFreshness(jobs);
    console.log(`Freshness: ${freshness.expired} offer(s) hidden, ${freshness.reminded} owner(s) reminded.`);
    console.log(`Maturity: ${await refreshMaturity(db)} open file(s) rescored.`);
    const retention = await runRetention(jobs);
    console.log(
      `Retention: ${retention.files} file(s) anonymised, ${retention.warned} account(s) warned, ${retention.deleted} deleted, ${retention.accessLog} access log entries deleted.`,
    );
  } finally {
    db.$client.close();
  }
});
