// Part of `npm run bench`: importing ARCEP's national FttH rate file (~35 000 communes) into
// a database with the communes referential, streamed and all or nothing (goal ≤ 5 s).
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDb } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';
import { ARCEP_RATES_DATE, currentArcepRates } from '../db/seed/demo.ts';
import { systemClock } from '../src/server/clock.ts';
import { importArcepRates } from '../src/server/imports/arcep-rate.ts';
import { loadReferential } from '../src/server/places/referential.ts';

const GOAL_S = 5;

export async function benchImport(dir: string): Promise<void> {
  const db = await createDb(`file:${join(dir, 'import.db')}`);
  try {
    await applyMigrations(db);
    await loadReferential(db);
    const started = performance.now();
    const report = await importArcepRates(db, systemClock, createReadStream(currentArcepRates), {
      fileName: 'arcep-ftth-taux-communes-fr-2026-02.csv',
      dataDate: ARCEP_RATES_DATE,
      siteUrl: 'http://localhost:4321',
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `\nARCEP national FttH rates: ${report.imported} communes imported in ${seconds.toFixed(2)} s (goal ≤ ${GOAL_S} s: ${report.status === 'done' && seconds <= GOAL_S ? 'met' : 'NOT met'})`,
    );
  } finally {
    db.$client.close();
  }
}
