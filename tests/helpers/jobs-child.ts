// The server's periodic jobs in a process of their own, for the tests that run two of them
// on one database file at once. Each prints "ready", waits for a line on stdin (so that
// both start together), runs, and prints its report as JSON.
// node tests/helpers/jobs-child.ts dispatch <database url> <resend url>   (until the outbox is sent)
// node tests/helpers/jobs-child.ts digest <database url> <now, ms>        (one run)
// node tests/helpers/jobs-child.ts migrate <database url>                 (as every start does)
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { createDb } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { systemClock } from '../../src/server/clock.ts';
import { runDigest } from '../../src/server/family/digest.ts';
import { createDispatcher } from '../../src/server/mail/dispatcher.ts';

const [job, url, arg] = process.argv.slice(2) as [string, string, string];
const db = await createDb(url);
console.log('ready');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

if (job === 'dispatch') {
  const dispatcher = createDispatcher(db, {
    apiKey: 're_test_key',
    from: 'x@cc.test',
    baseUrl: arg,
    clock: systemClock,
  });
  let sent = 0;
  let passes = 0;
  for (;;) {
    const r = await dispatcher.dispatchOnce();
    sent += r.sent;
    passes++;
    const [left] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM outbox WHERE status <> 'sent'`);
    if (!left!.n) break;
    if (!r.sent) await new Promise((r) => setTimeout(r, 5));
  }
  console.log(JSON.stringify({ sent, passes }));
} else if (job === 'migrate') {
  await applyMigrations(db);
  console.log(JSON.stringify({ migrated: true }));
} else {
  const now = new Date(Number(arg));
  console.log(JSON.stringify(await runDigest({ db, clock: { now: () => now }, siteUrl: 'https://cc.test/' })));
}
db.$client.close();
