// Coverage imports, whatever the file: rows are staged into `coverage_history` in small
// committed steps (the import's progress is readable from another request, memory stays
// flat), then one transaction makes them the figures shown in `commune_coverage`. Killed in
// the middle, an import leaves the previous figures untouched and its own row `running`
// (reported `failed` by `abandonedImports`). History is kept: each import's rows stay.
// The same last transaction writes the fibre alerts' emails of the communes it raised.
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  communeCoverage,
  communes,
  coverageHistory,
  importRows,
  imports,
  users,
  type importKinds,
} from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { announceFibre } from '../family/fibre-alerts.ts';

export interface CoverageRow {
  communeCode: string;
  /** Share of premises connectable to FttH, 0–1 (null: unknown). */
  ftthShare: number | null;
  premises?: number | null;
  ftthPremises?: number | null;
}

export interface Problem {
  line: number;
  column?: string;
  /** A reason of problems.ts, or a form error's i18n key (`errors.…`) with its params. */
  message: string;
  params?: Record<string, string>;
}

/** The first problems are kept (a broken file would otherwise fill the database). */
export const MAX_PROBLEMS = 100;
const STEP_ROWS = 1000;

export interface CoverageImport {
  id: number;
  /** Stages rows (only communes of the referential; the others are counted apart). */
  add(rows: CoverageRow[]): Promise<void>;
  /** Makes the staged rows the figures shown, in one transaction. */
  finish(): Promise<{ imported: number; unknownCommunes: number }>;
  /** Ends the import as failed, with its problems; the figures shown do not change. */
  fail(problems: Problem[]): Promise<void>;
}

/** An import's row, `running` from now: what the page's progress reads. Every kind starts here. */
export async function openImport(
  db: Db,
  clock: Clock,
  values: Omit<typeof imports.$inferInsert, 'id' | 'status' | 'startedAt'>,
): Promise<number> {
  const [row] = await db
    .insert(imports)
    .values({ ...values, status: 'running', startedAt: clock.now().toISOString() })
    .returning({ id: imports.id });
  return row!.id;
}

/** Starts an import: its row, `running`, is what a progress bar reads. */
export async function startCoverageImport(
  db: Db,
  clock: Clock,
  meta: {
    kind: (typeof importKinds)[number];
    fileName: string;
    dataDate: string;
    source: string;
    byUserId?: number | null;
    /** The site's address, for the links of the fibre alerts this import may send. */
    siteUrl: string;
  },
): Promise<CoverageImport> {
  const id = await openImport(db, clock, {
    kind: meta.kind,
    fileName: meta.fileName,
    dataDate: meta.dataDate,
    source: meta.source,
    byUserId: meta.byUserId,
  });
  const known = new Set((await db.select({ code: communes.code }).from(communes)).map((c) => c.code));
  let staged = 0;
  let unknown = 0;
  let pending: CoverageRow[] = [];

  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    await db.transaction(async (tx) => {
      for (let i = 0; i < batch.length; i += 200)
        await tx.insert(coverageHistory).values(
          batch.slice(i, i + 200).map((r) => ({
            importId: id,
            communeCode: r.communeCode,
            ftthShare: r.ftthShare,
            dataDate: meta.dataDate,
          })),
        );
      staged += batch.length;
      await tx.update(imports).set({ rows: staged }).where(eq(imports.id, id));
    });
  };

  // Counts of premises are kept per import only through commune_coverage (the rate files have none).
  const extra = new Map<string, Pick<CoverageRow, 'premises' | 'ftthPremises'>>();
  return {
    id,
    async add(rows) {
      for (const r of rows) {
        if (!known.has(r.communeCode)) {
          unknown++;
          continue;
        }
        pending.push(r);
        if (r.premises !== undefined || r.ftthPremises !== undefined)
          extra.set(r.communeCode, { premises: r.premises ?? null, ftthPremises: r.ftthPremises ?? null });
      }
      if (pending.length >= STEP_ROWS) await flush();
    },
    async finish() {
      await flush();
      const now = clock.now().toISOString();
      await db.transaction(async (tx) => {
        // The newest data win: an import of older data adds to the history only.
        await tx.run(sql`
          INSERT INTO ${communeCoverage} (commune_code, ftth_share, premises, ftth_premises, data_date, source, imported_at)
          SELECT h.commune_code, h.ftth_share, NULL, NULL, h.data_date, ${meta.source}, ${now}
          FROM ${coverageHistory} h WHERE h.import_id = ${id}
          ON CONFLICT (commune_code) DO UPDATE SET
            ftth_share = excluded.ftth_share, premises = NULL, ftth_premises = NULL, thd_share = NULL,
            data_date = excluded.data_date, source = excluded.source, imported_at = excluded.imported_at
          WHERE excluded.data_date >= ${communeCoverage}.data_date`);
        for (const [code, counts] of extra)
          await tx
            .update(communeCoverage)
            .set(counts)
            .where(and(eq(communeCoverage.communeCode, code), eq(communeCoverage.dataDate, meta.dataDate)));
        await tx.update(imports).set({ status: 'done', rows: staged, finishedAt: now }).where(eq(imports.id, id));
        await announceFibre(tx, clock, meta.siteUrl, id);
      });
      return { imported: staged, unknownCommunes: unknown };
    },
    async fail(problems) {
      await db.transaction(async (tx) => {
        await tx.delete(coverageHistory).where(eq(coverageHistory.importId, id));
        await tx
          .update(imports)
          .set({ status: 'failed', problems: problems.slice(0, MAX_PROBLEMS), finishedAt: clock.now().toISOString() })
          .where(eq(imports.id, id));
      });
    },
  };
}

/** Imports left `running` by a process that died: failed, their staged rows (coverage or offers) gone. */
export async function abandonedImports(db: Db, clock: Clock, olderThanMs = 60 * 60_000): Promise<number> {
  const before = new Date(clock.now().getTime() - olderThanMs).toISOString();
  const stale = await db
    .select({ id: imports.id })
    .from(imports)
    .where(and(eq(imports.status, 'running'), lt(imports.startedAt, before)));
  for (const { id } of stale) {
    await db.transaction(async (tx) => {
      await tx.delete(coverageHistory).where(eq(coverageHistory.importId, id));
      await tx.delete(importRows).where(eq(importRows.importId, id));
      await tx
        .update(imports)
        .set({
          status: 'failed',
          problems: [{ line: 0, message: 'interrupted' }],
          finishedAt: clock.now().toISOString(),
        })
        .where(eq(imports.id, id));
    });
  }
  return stale.length;
}

/**
 * The imports' history, newest first (the admin page): who, when, what, how it ended. An
 * offers file imported into a territory is seen by that territory's administrators only.
 */
export async function listImports(db: Db, scope: readonly string[] | null, limit = 50) {
  return db
    .select({
      id: imports.id,
      kind: imports.kind,
      fileName: imports.fileName,
      dataDate: imports.dataDate,
      status: imports.status,
      rows: imports.rows,
      bytesTotal: imports.bytesTotal,
      bytesRead: imports.bytesRead,
      problems: imports.problems,
      counts: imports.counts,
      mode: imports.mode,
      territoryCode: imports.territoryCode,
      startedAt: imports.startedAt,
      finishedAt: imports.finishedAt,
      by: users.name,
    })
    .from(imports)
    .leftJoin(users, eq(users.id, imports.byUserId))
    .where(
      scope === null
        ? undefined
        : or(isNull(imports.territoryCode), scope.length ? inArray(imports.territoryCode, [...scope]) : undefined),
    )
    .orderBy(sql`${imports.id} DESC`)
    .limit(limit);
}
