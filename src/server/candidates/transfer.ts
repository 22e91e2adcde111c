// Files that change identity or place: marking duplicates, merging a duplicate into the
// original (its timeline, tasks, proposals of homes and of work, introductions, messages,
// stays and emails move; it is then hidden), and moving a file to another territory with
// the family's consent (its history kept).
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  ambassadors,
  candidateEvents,
  candidates,
  discoveryStays,
  introductions,
  messages,
  outbox,
  proposals,
  stageHistory,
  tasks,
  territories,
  workProposals,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import {
  addEvent,
  changeFile,
  closeOpenProposals,
  closeStays,
  findCandidate,
  type CandidateRow,
  type CandidatesContext,
} from './commands.ts';
import { mailStaff, type NotifyContext } from './notify.ts';
import { parseInput, TerritoryMoveSchema } from './schemas.ts';

type Ctx = CandidatesContext & NotifyContext;

/** Another file the actor can see, by its public id or its email address. */
async function findOther(db: Db | Tx, actor: SessionUser, file: CandidateRow, ref: unknown): Promise<CandidateRow> {
  const value = typeof ref === 'string' ? ref.trim().slice(0, 254) : '';
  if (!value) throw new Invalid([{ field: 'other', key: 'errors.duplicate_ref_required' }]);
  const matches = await db
    .select({ publicId: candidates.publicId })
    .from(candidates)
    .where(
      and(
        or(eq(candidates.publicId, value), eq(candidates.email, value.toLowerCase())),
        isNull(candidates.mergedIntoId),
        isNull(candidates.anonymisedAt),
        sql`${candidates.id} <> ${file.id}`,
      ),
    )
    .limit(5);
  for (const m of matches) {
    try {
      return await findCandidate(db, actor, m.publicId);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
  }
  throw new Invalid([{ field: 'other', key: 'errors.duplicate_not_found', value }]);
}

/** Marks the file as a duplicate of another (or, with `other` empty and `clear`, says it is not one). */
export async function markDuplicate(
  ctx: Ctx,
  actor: SessionUser,
  publicId: string,
  other: unknown,
  clear = false,
): Promise<void> {
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (clear) {
      if (file.duplicateOfId === null) return;
      await tx.update(candidates).set({ duplicateOfId: null, updatedAt: now }).where(eq(candidates.id, file.id));
      await addEvent(tx, file.id, 'duplicate', { cleared: true }, actor.id, now);
      return;
    }
    const original = await findOther(tx, actor, file, other);
    if (original.duplicateOfId === file.id) throw new Invalid([{ field: 'other', key: 'errors.duplicate_cycle' }]);
    await tx.update(candidates).set({ duplicateOfId: original.id, updatedAt: now }).where(eq(candidates.id, file.id));
    await addEvent(tx, file.id, 'duplicate', { of: original.publicId, name: original.name }, actor.id, now);
  });
}

/** The original of a duplicate, if the actor may see it. */
export async function duplicateOriginal(
  db: Db | Tx,
  actor: SessionUser,
  file: CandidateRow,
): Promise<CandidateRow | null> {
  if (file.duplicateOfId === null) return null;
  const [row] = await db
    .select({ publicId: candidates.publicId })
    .from(candidates)
    .where(and(eq(candidates.id, file.duplicateOfId), isNull(candidates.mergedIntoId)));
  if (!row) return null;
  return findCandidate(db, actor, row.publicId).catch((error) => {
    if (error instanceof NotFound) return null;
    throw error;
  });
}

/**
 * Which of two proposals of one item to keep (homes and work alike): an answer before none,
 * and of two answers the family's latest word (it may change its mind).
 */
const answerRank = (p: { status: (typeof proposals.$inferSelect)['status']; answeredAt: string | null }) =>
  p.status === 'accepted' || p.status === 'declined'
    ? 2 + (Date.parse(p.answeredAt ?? '') || 0) / 1e15
    : p.status === 'closed'
      ? 1
      : 0;

/** How far an open introduction went: accepted by both, then by one side, then by none. */
const introductionRank = (
  i: Pick<typeof introductions.$inferSelect, 'status' | 'familyAnswer' | 'ambassadorAnswer'>,
) => (i.status === 'accepted' ? 3 : 1 + [i.familyAnswer, i.ambassadorAnswer].filter((a) => a === 'accepted').length);

/**
 * Of rows of the two files that must be one (the same item, `key`), the ids to drop: for each
 * key, all but the row that went furthest (`rank`), the original's on a tie.
 */
function lesserRows<R extends { id: number; candidateId: number; key: number }>(
  rows: R[],
  originalId: number,
  rank: (row: R) => number,
): number[] {
  const kept = new Map<number, R>();
  const dropped: number[] = [];
  for (const row of rows) {
    const other = kept.get(row.key);
    if (!other) {
      kept.set(row.key, row);
      continue;
    }
    const wins = rank(row) > rank(other) || (rank(row) === rank(other) && row.candidateId === originalId);
    dropped.push(wins ? other.id : row.id);
    if (wins) kept.set(row.key, row);
  }
  return dropped;
}

/**
 * Merges a duplicate into its original. `version` is the duplicate's version the agent saw.
 * Every table that refers to a file is dealt with here, in the merge's transaction:
 * - moved to the original: timeline, tasks, messages, discovery stays, emails about the file
 *   (its timeline lists the undelivered ones), an ambassador profile opted in from it;
 * - moved, one per item: proposals of homes and of jobs or businesses (a unique index) — an
 *   item proposed to both keeps the answer that went furthest, the original's on a tie —,
 *   introductions, one open (pending or accepted) per ambassador as `introduce` keeps it —
 *   the one that went furthest —, ended ones kept as history, and follow-ups, one set: an
 *   open one of a kind already recorded, or open on the original, goes (tasks typed by hand
 *   all move);
 * - kept: its stage history (closed, out of the reports), the staff access log (by public id);
 * - pointed at the original: files marked as duplicates of it, files merged into it before.
 */
export async function mergeDuplicate(ctx: Ctx, actor: SessionUser, publicId: string, version: number): Promise<string> {
  return changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (file.version !== version) throw new Conflict('errors.stale_file');
    const original = await duplicateOriginal(tx, actor, file);
    if (!original) throw new Invalid([{ field: 'other', key: 'errors.not_a_duplicate' }]);
    const both = [file.id, original.id];
    // Homes and jobs or businesses alike: one row per item (a unique index).
    for (const [table, key] of [
      [proposals, proposals.offerId],
      [workProposals, workProposals.opportunityId],
    ] as const) {
      const rows = await tx
        .select({
          id: table.id,
          candidateId: table.candidateId,
          key,
          status: table.status,
          answeredAt: table.answeredAt,
        })
        .from(table)
        .where(inArray(table.candidateId, both));
      const lesser = lesserRows(rows, original.id, answerRank);
      if (lesser.length) await tx.delete(table).where(inArray(table.id, lesser));
    }
    const open = await tx
      .select({
        id: introductions.id,
        candidateId: introductions.candidateId,
        key: introductions.ambassadorId,
        status: introductions.status,
        familyAnswer: introductions.familyAnswer,
        ambassadorAnswer: introductions.ambassadorAnswer,
      })
      .from(introductions)
      .where(and(inArray(introductions.candidateId, both), inArray(introductions.status, ['pending', 'accepted'])));
    const lesserIntroductions = lesserRows(open, original.id, introductionRank);
    if (lesserIntroductions.length)
      await tx.delete(introductions).where(inArray(introductions.id, lesserIntroductions));
    // Two settled files: one set of follow-ups. An open one goes when its kind is already
    // recorded (either file's) or open on the original; recorded outcomes (figures) all stay.
    const followUps = await tx
      .select({ id: tasks.id, candidateId: tasks.candidateId, kind: tasks.kind, doneAt: tasks.doneAt })
      .from(tasks)
      .where(and(inArray(tasks.candidateId, both), inArray(tasks.kind, ['follow_up_6m', 'follow_up_12m'])));
    const redundant = followUps
      .filter(
        (t) =>
          t.doneAt === null &&
          followUps.some(
            (o) =>
              o.id !== t.id &&
              o.kind === t.kind &&
              (o.doneAt !== null || (o.candidateId === original.id && t.candidateId === file.id)),
          ),
      )
      .map((t) => t.id);
    if (redundant.length) await tx.delete(tasks).where(inArray(tasks.id, redundant));
    for (const table of [
      proposals,
      workProposals,
      introductions,
      tasks,
      messages,
      discoveryStays,
      candidateEvents,
      ambassadors,
      outbox,
    ] as const) {
      await tx.update(table).set({ candidateId: original.id }).where(eq(table.candidateId, file.id));
    }
    // Files that named the duplicate now name the original (never the original itself).
    await tx
      .update(candidates)
      .set({
        duplicateOfId: sql`CASE WHEN ${candidates.id} = ${original.id} THEN NULL ELSE ${original.id} END`,
        updatedAt: now,
        version: sql`${candidates.version} + 1`,
      })
      .where(eq(candidates.duplicateOfId, file.id));
    // Files merged into it before: into the original, which erasure and retention find them from.
    await tx.update(candidates).set({ mergedIntoId: original.id }).where(eq(candidates.mergedIntoId, file.id));
    await closeStays(tx, file.id, now);
    // Into a closed file: nothing moved in is left to answer, as at its settlement.
    if (original.stage === 'settled') await closeOpenProposals(tx, original.id, now);
    if (original.stage === 'settled' || original.stage === 'withdrawn') {
      const waiting = await tx
        .update(introductions)
        .set({ status: 'cancelled', familyTokenHash: null, updatedAt: now })
        .where(and(eq(introductions.candidateId, original.id), eq(introductions.status, 'pending')))
        .returning({ id: introductions.id });
      for (const _ of waiting) await addEvent(tx, original.id, 'introduction', { kind: 'cancelled' }, null, now);
    }
    // A duplicate is not a family of its own: out of the reports.
    await tx.update(stageHistory).set({ territoryCode: null }).where(eq(stageHistory.candidateId, file.id));
    await tx
      .update(candidates)
      .set({ mergedIntoId: original.id, updatedAt: now, version: sql`${candidates.version} + 1` })
      .where(and(eq(candidates.id, file.id), eq(candidates.version, version)));
    await tx
      .update(candidates)
      .set({
        phone: original.phone ?? file.phone,
        familyUserId: original.familyUserId ?? file.familyUserId,
        lastContactAt: file.lastContactAt > original.lastContactAt ? file.lastContactAt : original.lastContactAt,
        updatedAt: now,
        version: sql`${candidates.version} + 1`,
      })
      .where(eq(candidates.id, original.id));
    await addEvent(
      tx,
      original.id,
      'duplicate',
      { merged: file.publicId, name: file.name, email: file.email },
      actor.id,
      now,
    );
    return original.publicId;
  });
}

/** Where a merged file went, if the actor may see it there. */
export async function mergedTarget(db: Db, actor: SessionUser, publicId: string): Promise<string | null> {
  const [row] = await db
    .select({ into: candidates.mergedIntoId })
    .from(candidates)
    .where(eq(candidates.publicId, publicId));
  if (!row?.into) return null;
  const [target] = await db
    .select({ publicId: candidates.publicId })
    .from(candidates)
    .where(eq(candidates.id, row.into));
  if (!target) return null;
  return findCandidate(db, actor, target.publicId).then(
    (f) => f.publicId,
    (error) => {
      if (error instanceof NotFound) return null;
      throw error;
    },
  );
}

/**
 * Moves the file to another territory (or out of the dispatch queue). A territory the family
 * did not wish needs its consent, recorded with how it was given. The file keeps its
 * history; it waits for an agent of the new territory, who are emailed.
 */
export async function moveTerritory(ctx: Ctx, actor: SessionUser, publicId: string, input: unknown): Promise<void> {
  const data = parseInput(TerritoryMoveSchema, input);
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    const [target] = await tx
      .select({ code: territories.code, name: territories.name })
      .from(territories)
      .where(eq(territories.code, data.territory));
    if (!target) throw new Invalid([{ field: 'territory', key: 'errors.unknown_territory', value: data.territory }]);
    if (target.code === file.territoryCode) throw new Invalid([{ field: 'territory', key: 'errors.same_territory' }]);
    const wished = file.wishedTerritories.includes(target.code);
    if (!wished && data.consent !== 'yes')
      throw new Invalid([{ field: 'consent', key: 'errors.transfer_consent_required' }]);
    const [moved] = await tx
      .update(candidates)
      .set({
        territoryCode: target.code,
        assignedAgentId: null,
        updatedAt: now,
        version: sql`${candidates.version} + 1`,
      })
      .where(eq(candidates.id, file.id))
      .returning();
    // Its history goes with it: the new territory's reports count its stages.
    await tx.update(stageHistory).set({ territoryCode: target.code }).where(eq(stageHistory.candidateId, file.id));
    await addEvent(
      tx,
      file.id,
      'territory_move',
      { from: file.territoryCode, to: target.code, consent: !wished, consentNote: data.consentNote ?? null },
      actor.id,
      now,
    );
    await mailStaff(tx, ctx, moved!, 'file_transferred', { by: actor.name, territory: target.name }, actor.id);
  });
}
