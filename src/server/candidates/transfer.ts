// Files that change identity or place: marking duplicates, merging a duplicate into the
// original (its timeline, tasks, proposals, messages and stays move; it is then hidden),
// and moving a file to another territory with the family's consent (its history kept).
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  candidateEvents,
  candidates,
  discoveryStays,
  messages,
  proposals,
  stageHistory,
  tasks,
  territories,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import {
  addEvent,
  changeFile,
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
 * Merges a duplicate into its original. `version` is the duplicate's version the agent saw.
 * Its stage history stays with it (reports skip merged files), everything else moves.
 */
export async function mergeDuplicate(ctx: Ctx, actor: SessionUser, publicId: string, version: number): Promise<string> {
  return changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (file.version !== version) throw new Conflict('errors.stale_file');
    const original = await duplicateOriginal(tx, actor, file);
    if (!original) throw new Invalid([{ field: 'other', key: 'errors.not_a_duplicate' }]);
    // One proposal per offer and file: the original's answer wins.
    const mine = await tx
      .select({ offerId: proposals.offerId })
      .from(proposals)
      .where(eq(proposals.candidateId, original.id));
    if (mine.length)
      await tx.delete(proposals).where(
        and(
          eq(proposals.candidateId, file.id),
          inArray(
            proposals.offerId,
            mine.map((m) => m.offerId),
          ),
        ),
      );
    for (const table of [proposals, tasks, messages, discoveryStays, candidateEvents] as const) {
      await tx.update(table).set({ candidateId: original.id }).where(eq(table.candidateId, file.id));
    }
    await closeStays(tx, file.id, now);
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
