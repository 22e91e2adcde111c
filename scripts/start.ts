// Starts the portal: validates the configuration (before anything slow), builds it when
// given --build, applies migrations, loads the referential, seeds demo data on an empty
// database when given --demo, then serves.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, readConfig, runMain, totpKeyOf } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';
import { createPortalServer, listen } from './lib/server.ts';
import { compileTrust } from './lib/proxies.ts';
import { createDb } from '../db/client.ts';
import { createDispatcher } from '../src/server/mail/dispatcher.ts';
import { startDigest } from '../src/server/family/digest.ts';
import { startMorningBriefs } from '../src/server/candidates/morning.ts';
import { startFreshness } from '../src/server/offers/freshness.ts';
import { startRetention } from '../src/server/privacy/retention.ts';
import { pruneCatalogueChanges } from '../src/server/offers/catalogue-index.ts';
import { pruneRateLimits } from '../src/server/accounts/rate-limit.ts';
import { refreshMaturity } from '../src/server/candidates/maturity.ts';
import { refreshStatistics } from '../db/statistics.ts';
import { startPeriodic, type Periodic } from '../src/server/periodic.ts';
import { DAY_MS } from '../src/lib/time.ts';
import { systemClock } from '../src/server/clock.ts';
import { log } from '../src/lib/log.ts';
import { watchEventLoop } from './lib/event-loop.ts';
import { warmUp } from './lib/warm-up.ts';

/** At most about 25 ms of ANALYZE here (1.2 µs a row for the table with most indexes): what a daily pass may hold the event loop for. */
const STATISTICS_MAX_ROWS = 20_000;

await runMain(async () => {
  // The demo shows development tools (the mailbox) unless told otherwise.
  if (process.argv.includes('--demo')) process.env.APP_ENV ??= 'demo';
  const config = readConfig();
  // The server seals TOTP keys: production needs its own key (checked before anything slow).
  const totpKey = totpKeyOf(config);
  if (process.argv.includes('--build')) {
    const astro = fileURLToPath(new URL('../node_modules/astro/bin/astro.mjs', import.meta.url));
    const build = spawnSync(process.execPath, [astro, 'build'], {
      stdio: 'inherit',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    if (build.status !== 0) throw new ConfigError('The build failed (see above).');
  }
  const db = await prepareDb(config, { demo: process.argv.includes('--demo'), totpKey });
  db.$client.close();
  const entry = new URL('../dist/server/entry.mjs', import.meta.url);
  if (!existsSync(entry)) throw new ConfigError('The portal is not built: run `npm run build` first.');
  // The adapter's handler behind our own server (methods filtered first: scripts/lib/server.ts).
  const { handler } = (await import(entry.href)) as { handler: Parameters<typeof createPortalServer>[0] };
  const options = {
    trust: compileTrust(config.TRUSTED_PROXIES as string | undefined),
    publicSiteUrl: String(config.PUBLIC_SITE_URL),
    clientDir: fileURLToPath(new URL('../dist/client/', import.meta.url)),
  };
  // Warm before the port opens, so that no visitor waits for the index and the first renders.
  await warmUp(createPortalServer(handler, options));
  const server = createPortalServer(handler, options);
  await listen(server, String(config.HOST), Number(config.PORT));
  const stoppers: Array<() => void> = [watchEventLoop().stop];
  // The outbox dispatcher runs in the server process; without a key, emails wait in the
  // outbox (readable in the development mailbox).
  if (config.RESEND_API_KEY) {
    const mailDb = await createDb(String(config.DATABASE_URL), config.DATABASE_AUTH_TOKEN as string | undefined);
    const dispatcher = createDispatcher(mailDb, {
      apiKey: String(config.RESEND_API_KEY),
      from: String(config.MAIL_FROM),
      baseUrl: config.RESEND_BASE_URL as string | undefined,
    });
    stoppers.push(dispatcher.start(Number(config.MAIL_DISPATCH_INTERVAL_MS)).stop);
  } else {
    log.info('RESEND_API_KEY is not set: emails stay in the outbox.');
  }
  // The saved searches' daily digest (to the outbox), checked every hour; a person gets at
  // most one a day even if `npm run digest` also runs from cron.
  const digestDb = await createDb(String(config.DATABASE_URL), config.DATABASE_AUTH_TOKEN as string | undefined);
  const jobs = { db: digestDb, clock: systemClock, siteUrl: String(config.PUBLIC_SITE_URL) };
  const periodic: Periodic[] = [
    startDigest(jobs),
    // The staff's morning brief, from 7:00 Paris time.
    startMorningBriefs(jobs),
    // Offers' freshness: hidden after 90 days unconfirmed, owners reminded at 60 (hourly).
    startFreshness(jobs),
    // Retention (daily): closed files anonymised after their territory's period, inactive accounts.
    startRetention(jobs),
    // The offers' change log, read by every process's search index, kept to its newest rows (daily).
    startPeriodic('catalogue-changes', DAY_MS, async () => {
      const pruned = await pruneCatalogueChanges(digestDb);
      return pruned ? `${pruned} old catalogue changes pruned` : null;
    }),
    // Rate-limit rows whose window has long ended: one per address ever limited, otherwise (daily).
    startPeriodic('rate-limits', DAY_MS, async () => {
      const pruned = await pruneRateLimits(digestDb, systemClock);
      return pruned ? `${pruned} old rate-limit rows pruned` : null;
    }),
    // Open files' maturity scores, recomputed daily: the homes on offer and the coverage move under them.
    startPeriodic('maturity', DAY_MS, async () => {
      const changed = await refreshMaturity(digestDb);
      return changed ? `${changed} maturity score(s) updated` : null;
    }),
    // The planner's statistics for tables that grew or got their first rows (daily); a table
    // over STATISTICS_MAX_ROWS waits for the next start: its ANALYZE would hold the event loop.
    startPeriodic('statistics', DAY_MS, async () => {
      const { analysed, deferred } = await refreshStatistics(digestDb, { maxRows: STATISTICS_MAX_ROWS });
      if (deferred.length) log.warn({ deferred }, 'planner statistics out of date until the next start');
      return analysed.length ? `planner statistics refreshed: ${analysed.join(', ')}` : null;
    }),
  ];
  for (const job of periodic) stoppers.push(job.stop);
  // Every job runs once at start: say when they all have (the bench waits for it).
  const jobsStarted = performance.now();
  void Promise.all(periodic.map((job) => job.firstPass)).then(() =>
    log.info({ ms: Math.round(performance.now() - jobsStarted) }, 'start jobs done'),
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      for (const stop of stoppers) stop();
      process.exit(0);
    });
  }
});
