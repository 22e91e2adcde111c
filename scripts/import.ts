// npm run import -- arcep-taux <file.csv> --date YYYY-MM-DD [--source "…"]
// Imports a file into the database of DATABASE_URL (embedded file or libsql:// server), as
// the admin page does: streamed (memory flat), UTF-8 or Windows-1252, `,` or `;`, all or
// nothing, recorded in the imports' history. Prints a progress line, then the report.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readConfig, runMain } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';
import { systemClock } from '../src/server/clock.ts';
import { importArcepRates } from '../src/server/imports/arcep-rate.ts';
import { describeProblem } from '../src/server/imports/problems.ts';

const usage = 'Usage: npm run import -- arcep-taux <file.csv> --date YYYY-MM-DD [--source "ARCEP …"]';

await runMain(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { date: { type: 'string' }, source: { type: 'string' } },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. ${usage}`);
  }
  const [kind, file] = parsed.positionals;
  if (kind !== 'arcep-taux' || !file) throw new ConfigError(usage);
  const date = parsed.values.date ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)))
    throw new ConfigError(`--date must be the date of the data, YYYY-MM-DD. ${usage}`);
  const config = readConfig();
  const db = await prepareDb(config, { demo: false });
  try {
    const started = Date.now();
    const report = await importArcepRates(db, systemClock, createReadStream(file), {
      fileName: basename(file),
      dataDate: date,
      source: parsed.values.source,
      onProgress: (rows) => process.stderr.write(`\r${rows} rows read…`),
    });
    process.stderr.write('\n');
    if (report.status === 'failed') {
      for (const p of report.problems) console.error(describeProblem('en', p));
      throw new ConfigError(`${basename(file)} was refused: nothing changed (import #${report.importId}).`);
    }
    console.log(
      `${basename(file)}: ${report.imported} communes imported (data of ${date}), ${report.unknownCommunes} codes unknown to the referential, in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } finally {
    db.$client.close();
  }
});
