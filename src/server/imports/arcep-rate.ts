// ARCEP's FttH coverage rate per commune (`code_insee,…,fibre_pct`, the current national
// file of the observatory): one row per commune, a rate in %. The file does not say its
// date: the importer is told it. Any invalid row refuses the whole file (the report says
// which line, which column, why); communes unknown to the referential are counted apart.
import type { Db } from '../../../db/client.ts';
import type { Clock } from '../clock.ts';
import { MAX_PROBLEMS, startCoverageImport, type CoverageRow, type Problem } from './coverage.ts';
import { csvRecords, headerKey } from './csv-stream.ts';
import { unreadableProblem } from './problems.ts';

const CODE_COLUMNS = ['code_insee', 'code_commune', 'insee_com', 'codgeo', 'code_geographique', 'insee'];
const RATE_COLUMNS = ['fibre_pct', 'taux_ftth', 'ftth_pct', 'pct_ftth', 'taux_fibre'];

export interface RateImportReport {
  importId: number;
  status: 'done' | 'failed';
  read: number;
  imported: number;
  /** Communes unknown to the referential, or outside the importer's départements: left aside. */
  unknownCommunes: number;
  problems: Problem[];
}

/** A commune code as ARCEP and spreadsheets write it ("1001" lost its leading zero). */
export function communeCode(value: string): string | null {
  const v = value.trim().toUpperCase();
  if (/^\d{4}$/.test(v)) return `0${v}`;
  return /^(\d{5}|2[AB]\d{3})$/.test(v) ? v : null;
}

/** The département of a commune code: 97x overseas, else its first two characters (2A, 2B). */
export const departmentOf = (code: string) => (code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2));

/** "96,9" or "96.9" → 0.969; null for anything that is not a rate of 0–100. */
export function rate(value: string): number | null {
  const v = value.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d+)?$/.test(v)) return null;
  const n = Number(v);
  return n >= 0 && n <= 100 ? Math.round(n * 10) / 1000 : null;
}

export async function importArcepRates(
  db: Db,
  clock: Clock,
  bytes: AsyncIterable<Uint8Array>,
  meta: {
    fileName: string;
    dataDate: string;
    source?: string;
    byUserId?: number | null;
    siteUrl: string;
    onProgress?: (rows: number) => void;
    /** Called once the import is recorded (a page can follow it while it runs). */
    onStart?: (importId: number) => void;
    /** Only the communes of these départements (a territory admin's); every one when absent. */
    departments?: readonly string[] | null;
  },
): Promise<RateImportReport> {
  const run = await startCoverageImport(db, clock, {
    kind: 'arcep_rate',
    fileName: meta.fileName,
    dataDate: meta.dataDate,
    source: meta.source ?? 'ARCEP, taux FttH par commune',
    byUserId: meta.byUserId,
    siteUrl: meta.siteUrl,
  });
  meta.onStart?.(run.id);
  const inScope = (code: string) => !meta.departments || meta.departments.includes(departmentOf(code));
  let outside = 0;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let read = 0;
  let columns: { code: number; rate: number; rateName: string } | null = null;
  let batch: CoverageRow[] = [];
  const refuse = async (problem: Problem) => {
    problems.push(problem);
    await run.fail(problems);
    return { importId: run.id, status: 'failed' as const, read, imported: 0, unknownCommunes: 0, problems };
  };
  try {
    for await (const { line, cells } of csvRecords(bytes)) {
      if (!columns) {
        const keys = cells.map(headerKey);
        const dup = keys.find((k, i) => k !== '' && keys.indexOf(k) !== i);
        if (dup) return await refuse({ line, column: dup, message: 'duplicated_column' });
        const code = keys.findIndex((k) => CODE_COLUMNS.includes(k));
        const rateAt = keys.findIndex((k) => RATE_COLUMNS.includes(k));
        if (code < 0) return await refuse({ line, column: 'code_insee', message: 'missing_column' });
        if (rateAt < 0) return await refuse({ line, column: 'fibre_pct', message: 'missing_column' });
        columns = { code, rate: rateAt, rateName: cells[rateAt]! };
        continue;
      }
      read++;
      const code = communeCode(cells[columns.code] ?? '');
      const share = rate(cells[columns.rate] ?? '');
      if (!code) {
        if (problems.length < MAX_PROBLEMS) problems.push({ line, column: 'code_insee', message: 'invalid_code' });
      } else if (share === null) {
        if (problems.length < MAX_PROBLEMS) problems.push({ line, column: columns.rateName, message: 'invalid_rate' });
      } else if (!inScope(code)) {
        outside++;
      } else if (seen.has(code)) {
        if (problems.length < MAX_PROBLEMS)
          problems.push({ line, column: 'code_insee', message: 'duplicated_commune' });
      } else {
        seen.add(code);
        batch.push({ communeCode: code, ftthShare: share });
      }
      if (batch.length >= 1000) {
        await run.add(batch);
        batch = [];
        meta.onProgress?.(read);
      }
    }
  } catch (error) {
    // The parser's own message names the line (an unclosed quote, a binary file…).
    return await refuse(unreadableProblem(error));
  }
  if (!columns) return await refuse({ line: 1, message: 'empty_file' });
  if (problems.length) {
    await run.fail(problems);
    return { importId: run.id, status: 'failed', read, imported: 0, unknownCommunes: 0, problems };
  }
  await run.add(batch);
  meta.onProgress?.(read);
  const { imported, unknownCommunes } = await run.finish();
  return { importId: run.id, status: 'done', read, imported, unknownCommunes: unknownCommunes + outside, problems };
}
