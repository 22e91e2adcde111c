// A process that keeps writing, for the backup test: transaction n inserts n into both
// ledger_a and ledger_b, so that any consistent snapshot holds the same numbers 1…k in
// both. Prints each hundredth n; runs until killed.
// node tests/helpers/ledger-writer.ts <database url>
import { sql } from 'drizzle-orm';
import { createDb } from '../../db/client.ts';

const db = await createDb(process.argv[2]!);
await db.run(sql`CREATE TABLE IF NOT EXISTS ledger_a (n INTEGER PRIMARY KEY, at TEXT NOT NULL)`);
await db.run(sql`CREATE TABLE IF NOT EXISTS ledger_b (n INTEGER PRIMARY KEY, note TEXT NOT NULL)`);
for (let n = 1; ; n++) {
  await db.transaction(async (tx) => {
    await tx.run(sql`INSERT INTO ledger_a (n, at) VALUES (${n}, ${new Date().toISOString()})`);
    // A real gap inside the transaction: the snapshot must never see one half.
    await new Promise((r) => setImmediate(r));
    await tx.run(sql`INSERT INTO ledger_b (n, note) VALUES (${n}, ${'x'.repeat(n % 200)})`);
  });
  if (n % 100 === 0) process.stdout.write(`${n}\n`);
}
