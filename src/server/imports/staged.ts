// Offers imports (tiers-lieux open data, offers CSV), whatever the file: each row read is
// checked and staged in `import_rows` in committed steps (the progress another request
// reads; memory flat), then one transaction applies the valid rows and marks the import
// done. Killed in the middle, an import leaves the offers as they were: nothing reads staged
// rows but the import itself, and `abandonedImports` ends it. Rejected rows stay staged with
// their problems: the report of rejected rows is read from them.
import { CsvError } from 'csv-parse';
import { and, asc, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  importRows,
  imports,
  type ImportCounts,
  type importKinds,
  type importModes,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { errorFields, log } from '../../lib/log.ts';
import { actsIn, mayImport } from '../policy.ts';
import { MAX_PROBLEMS, openImport, type Problem } from './coverage.ts';
import { csvRecords } from './csv-stream.ts';
import { unreadableProblem } from './problems.ts';

const STEP_ROWS = 500;

/** A problem of one row: the column as the file names it, a reason (problems.ts) or a form error's key. */
export type RowProblem = Omit<Problem, 'line'>;

/** What a reader makes of one row: data to stage, problems, or a row left aside (outside the territories). */
export type RowOutcome = { data: Record<string, unknown> } | { problems: RowProblem[] } | 'outside';

export interface RowReader {
  /** The header's cells: null when the reader knows its columns, else the file's problem. */
  header(cells: string[], line: number): Problem | null;
  row(cells: string[], line: number): Promise<RowOutcome>;
}

/** What applying one staged row did. */
export type Applied = 'created' | 'updated' | 'proposed' | 'unchanged';

export interface StagedImportReport {
  importId: number;
  status: 'done' | 'failed';
  read: number;
  counts: ImportCounts;
  /** The file's problems, or the first rejected rows' (line, column, reason). */
  problems: Problem[];
}

export interface StagedImportMeta {
  kind: (typeof importKinds)[number];
  fileName: string;
  source?: string;
  mode: (typeof importModes)[number];
  territoryCode?: string | null;
  byUserId?: number | null;
  onProgress?: (rows: number) => void;
  /** Called once the import is recorded (a page can follow it while it runs). */
  onStart?: (importId: number) => void;
}

const noCounts = (): ImportCounts => ({ created: 0, updated: 0, proposed: 0, unchanged: 0, outside: 0, rejected: 0 });

/** A form's refusal as the problems of a row, each field named as the file names its column. */
export const problemsOf = (error: Invalid, column: (field: string) => string): RowProblem[] =>
  error.errors.map((e) => ({ column: column(e.field), message: e.key, params: { value: e.value ?? '', ...e.params } }));

/**
 * Reads `bytes` through `reader`, stages every row, then (unless `mode` is `all` and a row
 * was rejected) applies the valid ones with `apply`, in one transaction.
 */
export async function runStagedImport(
  db: Db,
  clock: Clock,
  bytes: AsyncIterable<Uint8Array>,
  meta: StagedImportMeta,
  reader: RowReader,
  apply: (tx: Tx, data: Record<string, unknown>, now: string) => Promise<Applied>,
): Promise<StagedImportReport> {
  const id = await openImport(db, clock, {
    kind: meta.kind,
    fileName: meta.fileName,
    source: meta.source ?? null,
    mode: meta.mode,
    territoryCode: meta.territoryCode ?? null,
    byUserId: meta.byUserId ?? null,
  });
  meta.onStart?.(id);
  const counts = noCounts();
  const problems: Problem[] = [];
  let read = 0;
  let pending: Array<typeof importRows.$inferInsert> = [];

  const flush = async () => {
    const batch = pending;
    pending = [];
    await db.transaction(async (tx) => {
      if (batch.length) await tx.insert(importRows).values(batch);
      await tx.update(imports).set({ rows: read }).where(eq(imports.id, id));
    });
    meta.onProgress?.(read);
  };
  const end = async (status: 'done' | 'failed', write?: (tx: Tx) => Promise<void>) => {
    const finishedAt = clock.now().toISOString();
    await db.transaction(async (tx) => {
      await write?.(tx);
      // The rejected rows stay for their report; the staged data served their purpose.
      await tx.delete(importRows).where(and(eq(importRows.importId, id), isNotNull(importRows.data)));
      await tx
        .update(imports)
        .set({ status, rows: read, counts, problems: problems.slice(0, MAX_PROBLEMS), finishedAt })
        .where(eq(imports.id, id));
    });
    return { importId: id, status, read, counts, problems };
  };
  const refuse = async (problem: Problem) => {
    problems.push(problem);
    counts.rejected = 0;
    await db.delete(importRows).where(eq(importRows.importId, id));
    return end('failed');
  };

  let header: string[] | null = null;
  try {
    for await (const { line, cells } of csvRecords(bytes)) {
      if (!header) {
        const problem = reader.header(cells, line);
        if (problem) return await refuse(problem);
        header = cells;
        continue;
      }
      read++;
      const outcome = await reader.row(cells, line);
      if (outcome === 'outside') counts.outside++;
      else if ('data' in outcome) pending.push({ importId: id, line, data: outcome.data });
      else {
        counts.rejected++;
        for (const p of outcome.problems) if (problems.length < MAX_PROBLEMS) problems.push({ line, ...p });
        pending.push({ importId: id, line, problems: outcome.problems });
      }
      if (pending.length >= STEP_ROWS) await flush();
    }
  } catch (error) {
    // The parser names the line (an unclosed quote, a binary file…), and the cell, by the header's name.
    // Another failure (the disk, the database) is not the file's: its words go to the log.
    if (!(error instanceof CsvError)) log.warn(errorFields(error), 'offers import: file unreadable');
    return await refuse(unreadableProblem(error, header ?? []));
  }
  if (!header) return await refuse({ line: 1, message: 'empty_file' });
  await flush();
  if (counts.rejected && meta.mode === 'all') return end('failed');
  return end('done', async (tx) => {
    const now = clock.now().toISOString();
    let after = 0;
    for (;;) {
      const page = await tx
        .select({ id: importRows.id, data: importRows.data })
        .from(importRows)
        .where(and(eq(importRows.importId, id), gt(importRows.id, after), isNull(importRows.problems)))
        .orderBy(asc(importRows.id))
        .limit(STEP_ROWS);
      if (!page.length) break;
      for (const staged of page) counts[await apply(tx, staged.data!, now)]++;
      after = page.at(-1)!.id;
    }
  });
}

/**
 * The report of an import's rejected rows, in file order (line, column, reason), or the
 * file's own problems when it was refused whole. An offers file of another territory is
 * "not found", like an unknown import.
 */
export async function rejectionsOf(db: Db, actor: SessionUser, importId: number) {
  if (!mayImport(actor)) throw new Forbidden();
  const [run] = await db.select().from(imports).where(eq(imports.id, importId));
  if (!run || (run.territoryCode !== null && !actsIn(actor, run.territoryCode))) throw new NotFound('import');
  const rows = await db
    .select({ line: importRows.line, problems: importRows.problems })
    .from(importRows)
    .where(and(eq(importRows.importId, importId), isNotNull(importRows.problems)))
    .orderBy(asc(importRows.line));
  const rejected: Problem[] = rows.flatMap((r) => (r.problems ?? []).map((p) => ({ line: r.line, ...p })));
  return {
    fileName: run.fileName,
    territoryCode: run.territoryCode,
    problems: rejected.length ? rejected : run.problems,
  };
}
