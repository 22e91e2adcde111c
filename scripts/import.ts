// npm run import -- <kind> <file…> [--date YYYY-MM-DD] [--source "…"] [--territory <code>] [--mode all|rows]
// Imports a file into the database of DATABASE_URL (embedded file or libsql:// server), as
// the admin page does: streamed (memory flat), UTF-8 or Windows-1252, `,` or `;`, nothing
// half-written, recorded in the imports' history. The command line acts for every
// territory. Prints a progress line, then the report.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readConfig, runMain } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';
import type { Db } from '../db/client.ts';
import { systemClock } from '../src/server/clock.ts';
import { importArcepDeployment } from '../src/server/imports/arcep.ts';
import { importArcepDepartments } from '../src/server/imports/arcep-departments.ts';
import { importArcepRates } from '../src/server/imports/arcep-rate.ts';
import type { Problem } from '../src/server/imports/coverage.ts';
import { importOffersCsv } from '../src/server/imports/offers-csv.ts';
import { describeProblem } from '../src/server/imports/problems.ts';
import { ByteProgress } from '../src/server/imports/byte-progress.ts';
import type { StagedImportReport } from '../src/server/imports/staged.ts';
import { importAnctTiersLieux } from '../src/server/imports/tiers-lieux-anct.ts';
import { Invalid } from '../src/server/errors.ts';

const usage = `Usage: npm run import -- <kind> <file…> [--date YYYY-MM-DD] [--source "…"]
  arcep-taux <taux.csv> --date YYYY-MM-DD          ARCEP's FttH rate per commune (the file has no date)
  arcep-deploiement <deploiement.csv> <informations.csv>  ARCEP's deployment tables (last quarter)
  arcep-departements <departements.csv> [--date …]  ARCEP's figures per département
  tiers-lieux-anct <tiers-lieux.csv> [--mode all|rows]  the ANCT's tiers-lieux, as drafts (row by row by default)
  offres <offres.csv> --territory <code> [--mode all|rows]  offers from the template, as drafts (all or nothing by default)`;

type Outcome = { status: 'done' | 'failed'; importId: number | null; problems: Problem[]; summary: string };
type Options = {
  files: string[];
  date?: string;
  source?: string;
  territory?: string;
  mode?: 'all' | 'rows';
  siteUrl: string;
  progress: (rows: number) => void;
  /** A file as a stream, counted for the progress line. */
  read: (file: string) => AsyncIterable<Uint8Array>;
};

/** An offers import's outcome: what it did, row by row. */
const staged = (r: StagedImportReport): Outcome => {
  const { created, updated, proposed, unchanged, outside, rejected } = r.counts;
  return {
    ...r,
    summary: `${created} created, ${updated} updated, ${proposed} changes to review, ${unchanged} unchanged, ${outside} outside the territories, ${rejected} rows rejected`,
  };
};

const kinds: Record<string, { files: number; run: (db: Db, o: Options) => Promise<Outcome> }> = {
  'arcep-taux': {
    files: 1,
    async run(db, o) {
      if (!o.date) throw new ConfigError(`--date is required for arcep-taux.\n${usage}`);
      const r = await importArcepRates(db, systemClock, o.read(o.files[0]!), {
        fileName: basename(o.files[0]!),
        dataDate: o.date,
        source: o.source,
        siteUrl: o.siteUrl,
        onProgress: o.progress,
      });
      return {
        ...r,
        summary: `${r.imported} communes imported (data of ${o.date}), ${r.unknownCommunes} codes unknown to the referential`,
      };
    },
  },
  'arcep-deploiement': {
    files: 2,
    async run(db, o) {
      const r = await importArcepDeployment(
        db,
        systemClock,
        { deployment: o.read(o.files[0]!), information: o.read(o.files[1]!) },
        { fileName: basename(o.files[0]!), siteUrl: o.siteUrl, onProgress: o.progress },
      );
      return {
        ...r,
        summary: `${r.imported} communes imported (${r.quarter}, data of ${r.dataDate}), ${r.unknownCommunes} codes unknown, ${r.withoutPremises} without premises`,
      };
    },
  },
  'arcep-departements': {
    files: 1,
    async run(db, o) {
      const r = await importArcepDepartments(db, systemClock, o.read(o.files[0]!), {
        fileName: basename(o.files[0]!),
        dataDate: o.date,
        source: o.source,
      });
      return { ...r, summary: `${r.imported} départements imported` };
    },
  },
  'tiers-lieux-anct': {
    files: 1,
    async run(db, o) {
      const r = await importAnctTiersLieux(db, systemClock, o.read(o.files[0]!), {
        fileName: basename(o.files[0]!),
        mode: o.mode ?? 'rows',
        byUser: null,
        onProgress: o.progress,
      });
      return staged(r);
    },
  },
  offres: {
    files: 1,
    async run(db, o) {
      if (!o.territory) throw new ConfigError(`--territory is required for offres.\n${usage}`);
      try {
        const r = await importOffersCsv(db, systemClock, o.read(o.files[0]!), {
          fileName: basename(o.files[0]!),
          territory: o.territory,
          mode: o.mode ?? 'all',
          byUser: null,
          onProgress: o.progress,
        });
        return staged(r);
      } catch (error) {
        if (error instanceof Invalid)
          throw new ConfigError(`--territory ${o.territory} is not a territory of the portal.`);
        throw error;
      }
    },
  },
};

await runMain(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        date: { type: 'string' },
        source: { type: 'string' },
        territory: { type: 'string' },
        mode: { type: 'string' },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}.\n${usage}`);
  }
  const [kind = '', ...files] = parsed.positionals;
  const chosen = Object.hasOwn(kinds, kind) ? kinds[kind]! : null;
  if (!chosen || files.length !== chosen.files) throw new ConfigError(usage);
  const date = parsed.values.date;
  if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))))
    throw new ConfigError(`--date must be the date of the data, YYYY-MM-DD.\n${usage}`);
  // The newest data win: a date in the future would freeze the figures shown for good.
  if (date !== undefined && date > new Date().toISOString().slice(0, 10))
    throw new ConfigError(`--date ${date} is in the future: give the date the figures describe.`);
  const mode = parsed.values.mode;
  if (mode !== undefined && mode !== 'all' && mode !== 'rows')
    throw new ConfigError(`--mode is all or rows.\n${usage}`);
  const config = readConfig();
  const db = await prepareDb(config, { demo: false });
  try {
    const started = Date.now();
    const sizeOf = (file: string) => {
      try {
        return statSync(file).size;
      } catch {
        throw new ConfigError(`Cannot read ${file}.`);
      }
    };
    const bytes = new ByteProgress(files.reduce((n, f) => n + sizeOf(f), 0));
    const outcome = await chosen.run(db, {
      files,
      date,
      source: parsed.values.source,
      territory: parsed.values.territory,
      mode,
      siteUrl: String(config.PUBLIC_SITE_URL),
      progress: (rows) => process.stderr.write(`\r${rows} rows read (${Math.round(bytes.share * 100)} % of the file)…`),
      read: (file) => bytes.track(createReadStream(file)),
    });
    process.stderr.write('\n');
    // A refused file's problems, or the rows an import left aside (row by row).
    for (const p of outcome.problems) console.error(describeProblem('en', p));
    if (outcome.status === 'failed') {
      throw new ConfigError(`${basename(files[0]!)} was refused: nothing changed (import #${outcome.importId}).`);
    }
    console.log(`${basename(files[0]!)}: ${outcome.summary}, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    db.$client.close();
  }
});
