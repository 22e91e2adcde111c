// Import of ARCEP's FttH deployment tables per commune ("Le marché du haut et très haut
// débit fixe"): the deployment file (connectable premises per quarter) and the information
// file (premises per commune, the denominator). Both are streamed, the deployment file first:
// its header's quarter starts the import's record. Any release is accepted,
// with any number of quarter columns: the last quarter is imported and its date recorded.
// Codes of former communes add up into the commune that holds them today. Any invalid row
// refuses both files, with the report; nothing changes.
import type { Db } from '../../../db/client.ts';
import { communeAliases } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { departmentOf } from './arcep-rate.ts';
import { MAX_PROBLEMS, startCoverageImport, type CoverageImport, type Problem } from './coverage.ts';
import { csvRecords, headerKey } from './csv-stream.ts';
import { unreadableProblem } from './problems.ts';

export interface ArcepImportReport {
  importId: number | null;
  status: 'done' | 'failed';
  dataDate: string | null;
  quarter: string | null;
  imported: number;
  /** Codes absent from the referential, or outside the importer's départements. */
  unknownCommunes: number;
  /** Communes of the deployment file with no premises in the information file. */
  withoutPremises: number;
  problems: Problem[];
}

/** "T1 2018" → "2018-03-31": the last day of the quarter. */
export function quarterEndDate(label: string): string | null {
  const m = /^T([1-4])\s+(\d{4})$/.exec(label.trim());
  if (!m) return null;
  const quarter = Number(m[1]);
  const year = Number(m[2]);
  return new Date(Date.UTC(year, quarter * 3, 0)).toISOString().slice(0, 10);
}

/** ARCEP pads numbers with spaces and writes "-" for none. */
function arcepNumber(value: string | undefined): number | null {
  const v = (value ?? '').replace(/\s/g, '');
  if (v === '-') return 0;
  return /^\d+$/.test(v) ? Number(v) : null;
}

const CODE = /^(\d{5}|2[AB]\d{3})$/;
const isHeader = (cells: string[]) => headerKey(cells[0] ?? '') === 'code_commune';

type Files = { deployment: AsyncIterable<Uint8Array>; information: AsyncIterable<Uint8Array> };

export async function importArcepDeployment(
  db: Db,
  clock: Clock,
  files: Files,
  meta: {
    fileName: string;
    byUserId?: number | null;
    siteUrl: string;
    onStart?: (importId: number) => void;
    onProgress?: (rows: number) => void;
    departments?: readonly string[] | null;
  },
): Promise<ArcepImportReport> {
  const problems: Problem[] = [];
  const problem = (p: Problem) => problems.length < MAX_PROBLEMS && problems.push(p);
  const aliases = new Map(
    (await db.select({ code: communeAliases.code, to: communeAliases.communeCode }).from(communeAliases)).map((a) => [
      a.code,
      a.to,
    ]),
  );
  const current = (code: string) => aliases.get(code) ?? code;
  const inScope = (code: string) => !meta.departments || meta.departments.includes(departmentOf(code));

  // The import is recorded as soon as the deployment file says its quarter (a page follows it).
  let run: CoverageImport | null = null;
  const begin = async (quarter: { label: string; date: string } | null) => {
    run = await startCoverageImport(db, clock, {
      kind: 'arcep_deployment',
      fileName: meta.fileName,
      dataDate: quarter?.date ?? clock.now().toISOString().slice(0, 10),
      source: `ARCEP ${quarter?.label ?? ''}`.trim(),
      byUserId: meta.byUserId,
      siteUrl: meta.siteUrl,
    });
    meta.onStart?.(run.id);
    return run;
  };

  // 1. Connectable premises of the last quarter (a map the size of the referential).
  const connectable = new Map<string, number>();
  let quarter: { label: string; date: string; at: number } | null = null;
  let read = 0;
  try {
    for await (const { line, cells } of csvRecords(files.deployment)) {
      if (!quarter) {
        if (!isHeader(cells)) continue;
        if (headerKey(cells[1] ?? '') !== 'champ') {
          problem({ line, column: 'Champ', message: 'missing_column' });
          break;
        }
        const quarters = cells.map((h, at) => ({ label: h.trim(), date: quarterEndDate(h), at })).filter((c) => c.date);
        const last = quarters[quarters.length - 1];
        if (!last) {
          problem({ line, column: 'T1 2018', message: 'missing_quarter' });
          break;
        }
        quarter = { label: last.label, date: last.date!, at: last.at };
        await begin(quarter);
        continue;
      }
      read++;
      const code = (cells[0] ?? '').trim();
      if (!CODE.test(code)) problem({ line, column: 'Code commune', message: 'invalid_code' });
      else if ((cells[1] ?? '').trim() === 'Locaux Raccordables') {
        const n = arcepNumber(cells[quarter.at]);
        if (n === null) problem({ line, column: quarter.label, message: 'invalid_count' });
        else connectable.set(current(code), (connectable.get(current(code)) ?? 0) + n);
      }
      if (read % 5000 === 0) meta.onProgress?.(read);
    }
  } catch (error) {
    problem(unreadableProblem(error));
  }
  if (!quarter && !problems.length) problem({ line: 1, column: 'Code commune', message: 'missing_column' });

  // 2. Premises per commune, the denominator.
  const premises = new Map<string, number>();
  let info: { homes: number; businesses: number } | null = null;
  if (!problems.length) {
    try {
      for await (const { line, cells } of csvRecords(files.information)) {
        if (!info) {
          if (!isHeader(cells)) continue;
          const keys = cells.map(headerKey);
          info = { homes: keys.indexOf('logements'), businesses: keys.indexOf('etablissements') };
          if (info.homes < 0) problem({ line, column: 'Logements', message: 'missing_column' });
          if (info.businesses < 0) problem({ line, column: 'Établissements', message: 'missing_column' });
          if (problems.length) break;
          continue;
        }
        const code = (cells[0] ?? '').trim();
        if (!CODE.test(code)) {
          problem({ line, column: 'Code commune', message: 'invalid_code' });
          continue;
        }
        const a = arcepNumber(cells[info.homes]);
        const b = arcepNumber(cells[info.businesses]);
        if (a === null || b === null)
          problem({ line, column: a === null ? 'Logements' : 'Établissements', message: 'invalid_count' });
        else premises.set(current(code), (premises.get(current(code)) ?? 0) + a + b);
      }
    } catch (error) {
      problem(unreadableProblem(error));
    }
    if (!info && !problems.length) problem({ line: 1, column: 'Code commune', message: 'missing_column' });
  }

  run ??= await begin(null);
  const report = { importId: run.id, dataDate: quarter?.date ?? null, quarter: quarter?.label ?? null };
  if (problems.length) {
    await run.fail(problems);
    return { ...report, status: 'failed', imported: 0, unknownCommunes: 0, withoutPremises: 0, problems };
  }
  let withoutPremises = 0;
  let outside = 0;
  const rows = [];
  for (const [code, n] of connectable) {
    if (!inScope(code)) {
      outside++;
      continue;
    }
    const total = premises.get(code);
    if (!total) withoutPremises++;
    rows.push({
      communeCode: code,
      premises: total ?? null,
      ftthPremises: n,
      ftthShare: total ? Math.min(1, n / total) : null,
    });
  }
  await run.add(rows);
  meta.onProgress?.(read);
  const { imported, unknownCommunes } = await run.finish();
  return { ...report, status: 'done', imported, unknownCommunes: unknownCommunes + outside, withoutPremises, problems };
}
