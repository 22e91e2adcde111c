// An offers import in a process of its own, for the test that kills it (kill -9) half-way:
// node tests/helpers/import-child.ts <database url> <offers csv> <territory>
import { createReadStream } from 'node:fs';
import { createDb } from '../../db/client.ts';
import { systemClock } from '../../src/server/clock.ts';
import { importOffersCsv } from '../../src/server/imports/offers-csv.ts';

const [url, file, territory] = process.argv.slice(2) as [string, string, string];
const db = await createDb(url);
await importOffersCsv(db, systemClock, createReadStream(file), {
  fileName: 'gros.csv',
  territory,
  mode: 'rows',
  byUser: null,
  onProgress: (rows) => process.stdout.write(`${rows}\n`),
});
