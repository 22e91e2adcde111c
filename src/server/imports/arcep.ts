// Import of ARCEP's FttH deployment tables per commune ("Le marché du haut et très haut
// débit fixe"): the deployment file (connectable premises per quarter) and the information
// file (premises per commune). Accepts newer releases with more quarter columns: the last
// quarter is imported and its date recorded.
import { parse } from 'csv-parse/sync';
import type { Db } from '../../../db/client.ts';
import { startCoverageImport } from './coverage.ts';

export interface ArcepImportReport {
  dataDate: string;
  quarter: string;
  imported: number;
  /** Codes absent from the communes referential (merged or overseas communes). */
  unknownCommunes: number;
  /** Communes of the deployment file with no premises in the information file. */
  withoutPremises: number;
  errors: Array<{ line: number; message: string }>;
}

export class ArcepFormatError extends Error {}

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
  if (v === '') return null;
  if (v === '-') return 0;
  return /^\d+$/.test(v) ? Number(v) : Number.NaN;
}

function readTable(text: string, firstHeader: string): { header: string[]; rows: string[][]; headerLine: number } {
  const records: string[][] = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  const index = records.findIndex((r) => (r[0] ?? '').trim() === firstHeader);
  if (index < 0) throw new ArcepFormatError(`header "${firstHeader}" not found`);
  return { header: records[index]!.map((h) => h.trim()), rows: records.slice(index + 1), headerLine: index + 1 };
}

export function parseArcepFiles(deploymentCsv: string, informationCsv: string) {
  const deployment = readTable(deploymentCsv, 'Code commune');
  if (deployment.header[1] !== 'Champ') throw new ArcepFormatError('the deployment file has no "Champ" column');
  const quarterColumns = deployment.header.map((h, i) => ({ h, i, date: quarterEndDate(h) })).filter((c) => c.date);
  const last = quarterColumns[quarterColumns.length - 1];
  if (!last) throw new ArcepFormatError('the deployment file has no quarter column ("T1 2018")');

  const errors: ArcepImportReport['errors'] = [];
  const connectable = new Map<string, number>();
  deployment.rows.forEach((row, i) => {
    const code = (row[0] ?? '').trim();
    if (code === '') return;
    if (!/^(\d{5}|2[AB]\d{3})$/.test(code))
      return errors.push({ line: deployment.headerLine + i + 1, message: `invalid commune code "${code}"` });
    if ((row[1] ?? '').trim() !== 'Locaux Raccordables') return;
    const n = arcepNumber(row[last.i]);
    if (n === null || Number.isNaN(n))
      return errors.push({ line: deployment.headerLine + i + 1, message: `invalid number "${row[last.i] ?? ''}"` });
    connectable.set(code, n);
  });

  const information = readTable(informationCsv, 'Code commune');
  const col = (name: string) => information.header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  const homes = col('Logements');
  const businesses = col('Établissements');
  if (homes < 0 || businesses < 0)
    throw new ArcepFormatError('the information file has no "Logements" and "Établissements" columns');
  const premises = new Map<string, number>();
  information.rows.forEach((row, i) => {
    const code = (row[0] ?? '').trim();
    if (code === '') return;
    const a = arcepNumber(row[homes]);
    const b = arcepNumber(row[businesses]);
    if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) {
      return errors.push({ line: information.headerLine + i + 1, message: `invalid premises for ${code}` });
    }
    premises.set(code, a + b);
  });
  return { quarter: last.h, dataDate: last.date!, connectable, premises, errors };
}

/** Imports both files (through the staged coverage import: history kept, all or nothing). */
export async function importArcepCoverage(
  db: Db,
  deploymentCsv: string,
  informationCsv: string,
  now = new Date(),
  fileName = 'arcep-ftth-deploiement-communes.csv',
): Promise<ArcepImportReport> {
  const parsed = parseArcepFiles(deploymentCsv, informationCsv);
  const run = await startCoverageImport(
    db,
    { now: () => now },
    { kind: 'arcep_deployment', fileName, dataDate: parsed.dataDate, source: `ARCEP ${parsed.quarter}` },
  );
  let withoutPremises = 0;
  const rows = [...parsed.connectable].map(([code, connectable]) => {
    const total = parsed.premises.get(code);
    if (!total) withoutPremises++;
    return {
      communeCode: code,
      premises: total ?? null,
      ftthPremises: connectable,
      ftthShare: total ? Math.min(1, connectable / total) : null,
    };
  });
  await run.add(rows);
  const { imported, unknownCommunes } = await run.finish();
  return {
    dataDate: parsed.dataDate,
    quarter: parsed.quarter,
    imported,
    unknownCommunes,
    withoutPremises,
    errors: parsed.errors,
  };
}
