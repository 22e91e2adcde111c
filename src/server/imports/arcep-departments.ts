// ARCEP "Ma connexion internet" figures per département (`code_dep,…,premises,ftth,thd30,date`):
// premises, the share eligible to FttH and to ≥ 30 Mb/s. Each row carries its date (or the
// importer gives one). All or nothing: any invalid row refuses the file; the rows are written
// in one transaction, beside the older dates (the history), and the newest date is shown.
import { eq, sql } from 'drizzle-orm';
import { fromExcluded } from '../../../db/batch.ts';
import type { Db } from '../../../db/client.ts';
import { departmentCoverage, departments, imports } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { rate } from './arcep-rate.ts';
import { MAX_PROBLEMS, openImport, type Problem } from './coverage.ts';
import { csvRecords, headerKey } from './csv-stream.ts';
import { unreadableProblem } from './problems.ts';

const COLUMNS = {
  code: ['code_dep', 'code_departement', 'departement', 'dep'],
  premises: ['premises', 'locaux', 'nb_locaux'],
  ftth: ['ftth', 'ftth_pct', 'taux_ftth'],
  thd: ['thd30', 'thd_30', 'thd_pct', 'taux_thd'],
  date: ['date', 'date_donnees'],
} as const;

export interface DepartmentImportReport {
  importId: number;
  status: 'done' | 'failed';
  imported: number;
  /** Rows of départements outside the importer's scope, left aside. */
  outside: number;
  problems: Problem[];
}

type Row = typeof departmentCoverage.$inferInsert;

export async function importArcepDepartments(
  db: Db,
  clock: Clock,
  bytes: AsyncIterable<Uint8Array>,
  meta: {
    fileName: string;
    /** The date of the data when the file has no `date` column. */
    dataDate?: string | null;
    source?: string;
    byUserId?: number | null;
    onStart?: (importId: number) => void;
    departments?: readonly string[] | null;
  },
): Promise<DepartmentImportReport> {
  const source = meta.source ?? 'ARCEP, Ma connexion internet';
  const importId = await openImport(db, clock, {
    kind: 'arcep_departments',
    fileName: meta.fileName,
    dataDate: meta.dataDate ?? null,
    source,
    byUserId: meta.byUserId ?? null,
  });
  meta.onStart?.(importId);
  const known = new Set((await db.select({ code: departments.code }).from(departments)).map((d) => d.code));
  const problems: Problem[] = [];
  const problem = (p: Problem) => problems.length < MAX_PROBLEMS && problems.push(p);
  const rows: Row[] = [];
  const seen = new Set<string>();
  let outside = 0;
  let at: Record<keyof typeof COLUMNS, number> | null = null;
  const now = clock.now().toISOString();
  // A date in the future would stay the newest for good: refused as invalid.
  const today = now.slice(0, 10);
  try {
    for await (const { line, cells } of csvRecords(bytes)) {
      if (!at) {
        const keys = cells.map(headerKey);
        const dup = keys.find((k, i) => k !== '' && keys.indexOf(k) !== i);
        if (dup) {
          problem({ line, column: dup, message: 'duplicated_column' });
          break;
        }
        const find = (names: readonly string[]) => keys.findIndex((k) => names.includes(k));
        at = {
          code: find(COLUMNS.code),
          premises: find(COLUMNS.premises),
          ftth: find(COLUMNS.ftth),
          thd: find(COLUMNS.thd),
          date: find(COLUMNS.date),
        };
        for (const [name, i] of Object.entries(at))
          if (i < 0 && !(name === 'date' && meta.dataDate) && name !== 'thd')
            problem({ line, column: COLUMNS[name as keyof typeof COLUMNS][0], message: 'missing_column' });
        if (problems.length) break;
        continue;
      }
      const code = (cells[at.code] ?? '')
        .trim()
        .toUpperCase()
        .replace(/^(\d)$/, '0$1');
      const premisesText = (cells[at.premises] ?? '').trim();
      const ftth = rate(cells[at.ftth] ?? '');
      const thdText = at.thd >= 0 ? (cells[at.thd] ?? '').trim() : '';
      const thd = thdText === '' ? null : rate(thdText);
      const date = at.date >= 0 ? (cells[at.date] ?? '').trim() : meta.dataDate!;
      if (!known.has(code)) problem({ line, column: 'code_dep', message: 'invalid_department' });
      else if (!/^\d{1,9}$/.test(premisesText)) problem({ line, column: 'premises', message: 'invalid_count' });
      else if (ftth === null) problem({ line, column: 'ftth', message: 'invalid_rate' });
      else if (thdText !== '' && thd === null) problem({ line, column: 'thd30', message: 'invalid_rate' });
      else if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)) || date > today)
        problem({ line, column: 'date', message: 'invalid_date' });
      else if (seen.has(`${code} ${date}`)) problem({ line, column: 'code_dep', message: 'duplicated_department' });
      else if (meta.departments && !meta.departments.includes(code)) outside++;
      else {
        seen.add(`${code} ${date}`);
        rows.push({
          departmentCode: code,
          dataDate: date,
          premises: Number(premisesText),
          ftthShare: ftth,
          thdShare: thd,
          source,
          importedAt: now,
        });
      }
    }
  } catch (error) {
    problem(unreadableProblem(error));
  }
  if (!at && !problems.length) problem({ line: 1, message: 'empty_file' });
  const finishedAt = clock.now().toISOString();
  if (problems.length) {
    await db.update(imports).set({ status: 'failed', problems, finishedAt }).where(eq(imports.id, importId));
    return { importId, status: 'failed', imported: 0, outside, problems };
  }
  const newest = rows.reduce((d, r) => (r.dataDate > d ? r.dataDate : d), '');
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 200)
      await tx
        .insert(departmentCoverage)
        .values(rows.slice(i, i + 200))
        .onConflictDoUpdate({
          target: [departmentCoverage.departmentCode, departmentCoverage.dataDate],
          set: fromExcluded(departmentCoverage, ['premises', 'ftthShare', 'thdShare', 'source', 'importedAt']),
        });
    await tx
      .update(imports)
      .set({ status: 'done', rows: rows.length, dataDate: newest || meta.dataDate || null, finishedAt })
      .where(eq(imports.id, importId));
  });
  return { importId, status: 'done', imported: rows.length, outside, problems };
}

/** A département's newest figures, or undefined when none was imported. */
export async function departmentFigures(db: Db, code: string) {
  const [row] = await db
    .select()
    .from(departmentCoverage)
    .where(eq(departmentCoverage.departmentCode, code))
    .orderBy(sql`${departmentCoverage.dataDate} DESC`)
    .limit(1);
  return row;
}
