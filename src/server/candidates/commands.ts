// Candidate files: reading them under the actor's territories, and changing their stage
// with optimistic concurrency, history and audit trail in one transaction.
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { Tx } from '../../../db/client.ts';
import {
  candidateEvents,
  type EventData,
  candidates,
  communes,
  proposals,
  workProposals,
  stageBit,
  stageHistory,
  tasks,
  users,
  userTerritories,
  type Stage,
} from '../../../db/schema/index.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { actsIn, actsInAny, isStaff } from '../policy.ts';
import { MoveBeforeSchema, type MoveBefore } from './schemas.ts';
import { checkTransition, followUpDates, undoableMove, UNDO_WINDOW_MS, type TransitionInput } from './stages.ts';
import { portalDay } from '../../lib/time.ts';

export interface CandidatesContext {
  db: Db;
  clock: Clock;
}

export type CandidateRow = typeof candidates.$inferSelect;

/**
 * The file if the actor may see it: staff of its territory (or of a wished territory while it
 * waits in the dispatch queue), or the platform admin. Anything else is "not found".
 */
export async function findCandidate(db: Db | Tx, actor: SessionUser, publicId: string): Promise<CandidateRow> {
  if (!isStaff(actor)) throw new Forbidden();
  const [row] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
  if (!row || row.anonymisedAt || row.mergedIntoId !== null) throw new NotFound('candidate');
  const visible = row.territoryCode ? actsIn(actor, row.territoryCode) : actsInAny(actor, row.wishedTerritories);
  if (!visible) throw new NotFound('candidate');
  return row;
}

/**
 * One change of a file, in one transaction: `change` gets the file the actor may see
 * (`findCandidate`, read in the transaction) and the instant of the change.
 */
export function changeFile<T>(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  change: (tx: Tx, file: CandidateRow, now: string) => Promise<T>,
): Promise<T> {
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction(async (tx) => change(tx, await findCandidate(tx, actor, publicId), now));
}

/** Ends the file's current stay at `at`, with its length in days (reports read it from an index). */
/** Settled: nothing is left for the family to answer; its open proposals (homes, work) close. */
export async function closeOpenProposals(tx: Tx, candidateId: number, at: string): Promise<void> {
  for (const table of [proposals, workProposals] as const)
    await tx
      .update(table)
      .set({ status: 'closed', answeredAt: at })
      .where(and(eq(table.candidateId, candidateId), eq(table.status, 'proposed')));
}

export async function closeStays(tx: Tx | Db, candidateId: number, at: string) {
  await tx
    .update(stageHistory)
    .set({ leftAt: at, days: sql`round((julianday(${at}) - julianday(${stageHistory.enteredAt})) * 10) / 10.0` })
    .where(and(eq(stageHistory.candidateId, candidateId), isNull(stageHistory.leftAt)));
}

export async function addEvent(
  tx: Tx | Db,
  candidateId: number,
  kind: (typeof candidateEvents.$inferInsert)['kind'],
  data: EventData,
  byUserId: number | null,
  at: string,
) {
  await tx.insert(candidateEvents).values({ candidateId, kind, data, byUserId, at });
  // The first thing a member of staff does on a file is its response time (reports).
  if (byUserId !== null) {
    await tx
      .update(candidates)
      .set({
        firstResponseAt: at,
        responseHours: sql`round((julianday(${at}) - julianday(${candidates.createdAt})) * 24 * 10) / 10.0`,
      })
      .where(
        and(
          eq(candidates.id, candidateId),
          isNull(candidates.firstResponseAt),
          inArray(sql`(SELECT role FROM users WHERE id = ${byUserId})`, ['agent', 'territory_admin', 'platform_admin']),
        ),
      );
  }
}

/**
 * Moves a file to another stage. `version` is the version the agent saw: if someone changed
 * the file since, nothing changes and Conflict says so (no lost update).
 */
export async function moveStage(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  input: TransitionInput & { version: number },
): Promise<CandidateRow> {
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  return ctx.db.transaction(async (tx) => {
    const file = await findCandidate(tx, actor, publicId);
    // The version first: a move already made (a double submit, the same move from a second
    // tab) or any change since the page was drawn is a conflict, not a move the form got wrong.
    if (file.version !== input.version) throw new Conflict('errors.stale_file');
    const errors = checkTransition(file.stage, input, portalDay(now));
    if (input.to === 'settled' && input.settledCommuneCode && !errors.some((e) => e.field === 'settledCommuneCode')) {
      const [commune] = await tx
        .select({ code: communes.code })
        .from(communes)
        .where(eq(communes.code, input.settledCommuneCode));
      if (!commune)
        errors.push({ field: 'settledCommuneCode', key: 'errors.unknown_commune', value: input.settledCommuneCode });
    }
    if (errors.length) throw new Invalid(errors);

    const changes: Partial<CandidateRow> = {
      stage: input.to,
      stageEnteredAt: nowIso,
      updatedAt: nowIso,
      lastContactAt: nowIso,
      reachedStages: file.reachedStages | stageBit(input.to),
    };
    if (input.to === 'settled' && !file.firstSettledAt) changes.firstSettledAt = nowIso;
    if (input.to === 'withdrawn')
      Object.assign(changes, {
        withdrawalReason: input.withdrawalReason,
        withdrawalComment: input.withdrawalComment?.slice(0, 2000) ?? null,
      });
    if (input.to === 'settled')
      Object.assign(changes, {
        settledCommuneCode: input.settledCommuneCode,
        settledAt: input.settledAt,
        settledHouseholdSize: input.settledHouseholdSize,
      });
    const updated = await tx
      .update(candidates)
      .set({ ...changes, version: sql`${candidates.version} + 1` })
      .where(and(eq(candidates.id, file.id), eq(candidates.version, input.version)))
      .returning();
    if (updated.length === 0) throw new Conflict('errors.stale_file');

    await closeStays(tx, file.id, nowIso);
    await tx.insert(stageHistory).values({
      candidateId: file.id,
      stage: input.to,
      enteredAt: nowIso,
      byUserId: actor.id,
      territoryCode: file.territoryCode,
    });
    const data: EventData = { from: file.stage, to: input.to, reason: input.withdrawalReason ?? null };
    if (undoableMove(file.stage, input.to))
      data.before = {
        lastContactAt: file.lastContactAt,
        reachedStages: file.reachedStages,
        firstResponseAt: file.firstResponseAt,
      } satisfies MoveBefore;
    await addEvent(tx, file.id, 'stage_change', data, actor.id, nowIso);
    if (input.to === 'settled') await closeOpenProposals(tx, file.id, nowIso);
    // Follow-ups belong to a settled file: leaving that stage (a settlement made by mistake)
    // takes away those still open; settling again asks only those not yet recorded.
    const followUpKinds = ['follow_up_6m', 'follow_up_12m'] as const;
    if (file.stage === 'settled')
      await tx
        .delete(tasks)
        .where(and(eq(tasks.candidateId, file.id), inArray(tasks.kind, followUpKinds), isNull(tasks.doneAt)));
    if (input.to === 'settled' && input.settledAt) {
      const { sixMonths, twelveMonths } = followUpDates(input.settledAt);
      const assigneeId = file.assignedAgentId ?? actor.id;
      const recorded = new Set(
        (
          await tx
            .select({ kind: tasks.kind })
            .from(tasks)
            .where(and(eq(tasks.candidateId, file.id), inArray(tasks.kind, followUpKinds)))
        ).map((t) => t.kind),
      );
      const due = [
        {
          candidateId: file.id,
          kind: 'follow_up_6m' as const,
          title: 'Suivi à 6 mois : la famille est-elle toujours là ?',
          dueDate: sixMonths,
          assigneeId,
          createdAt: nowIso,
        },
        {
          candidateId: file.id,
          kind: 'follow_up_12m' as const,
          title: 'Suivi à 12 mois : la famille est-elle toujours là ?',
          dueDate: twelveMonths,
          assigneeId,
          createdAt: nowIso,
        },
      ].filter((task) => !recorded.has(task.kind));
      if (due.length) await tx.insert(tasks).values(due);
    }
    return updated[0]!;
  });
}

/**
 * Undoes the file's last stage move as if it had not been made: by its author only, within
 * `UNDO_WINDOW_MS`, while it is still the file's latest change (`version`, the one the move
 * gave the file; no event since). Its stay goes from the history, so reports never see it;
 * the stay it ended is current again from its own start, so the days in the stage go on; the
 * file's facts are those the move found (its event's `before`). Its event goes too: the
 * file's story is what happened to the family, and nothing did. Only moves along the way
 * are undone (`undoableMove`): they send no email and create no task.
 */
export async function undoStageMove(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  version: number,
): Promise<CandidateRow> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const file = await findCandidate(tx, actor, publicId);
    if (file.version !== version) throw new Conflict('errors.undo_changed');
    const [stay, left] = await tx
      .select()
      .from(stageHistory)
      .where(eq(stageHistory.candidateId, file.id))
      .orderBy(desc(stageHistory.enteredAt), desc(stageHistory.id))
      .limit(2);
    const [event] = await tx
      .select()
      .from(candidateEvents)
      .where(eq(candidateEvents.candidateId, file.id))
      .orderBy(desc(candidateEvents.at), desc(candidateEvents.id))
      .limit(1);
    // The move is the stay the file is in, which ended the one before, and the latest event.
    const latest =
      stay &&
      left &&
      event &&
      stay.leftAt === null &&
      stay.stage === file.stage &&
      stay.enteredAt === file.stageEnteredAt &&
      left.leftAt === stay.enteredAt &&
      event.kind === 'stage_change' &&
      event.at === stay.enteredAt &&
      event.data.from === left.stage &&
      event.data.to === stay.stage &&
      file.updatedAt === stay.enteredAt;
    if (!latest) throw new Conflict('errors.undo_changed');
    // Refusals of the undo itself: the alert, no field to correct.
    if (stay.byUserId !== actor.id || event.byUserId !== actor.id)
      throw new Invalid([{ field: 'intent', key: 'errors.undo_not_yours' }]);
    if (now.getTime() - Date.parse(stay.enteredAt) > UNDO_WINDOW_MS)
      throw new Invalid([
        { field: 'intent', key: 'errors.undo_too_late', params: { minutes: UNDO_WINDOW_MS / 60_000 } },
      ]);
    const before = MoveBeforeSchema.safeParse(event.data.before);
    if (!undoableMove(left.stage, stay.stage) || !before.success)
      throw new Invalid([{ field: 'intent', key: 'errors.undo_not_possible' }]);

    const [undone] = await tx
      .update(candidates)
      .set({
        stage: left.stage,
        stageEnteredAt: left.enteredAt,
        lastContactAt: before.data.lastContactAt,
        reachedStages: before.data.reachedStages,
        // The move was the staff's first answer only if there was none before it.
        firstResponseAt: before.data.firstResponseAt,
        responseHours: before.data.firstResponseAt === null ? null : file.responseHours,
        updatedAt: now.toISOString(),
        version: sql`${candidates.version} + 1`,
      })
      .where(and(eq(candidates.id, file.id), eq(candidates.version, version)))
      .returning();
    if (!undone) throw new Conflict('errors.undo_changed');
    // Reopening the stay takes it out of `stay_stats` (triggers); the move's own was still open, never counted.
    await tx.delete(stageHistory).where(eq(stageHistory.id, stay.id));
    await tx.update(stageHistory).set({ leftAt: null, days: null }).where(eq(stageHistory.id, left.id));
    await tx.delete(candidateEvents).where(eq(candidateEvents.id, event.id));
    return undone;
  });
}

/**
 * Records the outcome of a 6- or 12-month follow-up task of the file `publicId`: a task of
 * another file (a stale page, a forged id) is "not found", one already recorded (a second
 * tab, a double submit) says so; either way nothing changes.
 */
export async function recordFollowUp(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  taskId: number,
  outcome: 'stayed' | 'left',
): Promise<void> {
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    const [task] = await tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, taskId), eq(tasks.candidateId, file.id)));
    if (!task || task.kind === 'manual') throw new NotFound('task');
    if (task.doneAt) throw new Conflict('errors.follow_up_already_recorded');
    await tx.update(tasks).set({ doneAt: now, outcome }).where(eq(tasks.id, task.id));
    await addEvent(tx, file.id, 'follow_up', { kind: task.kind, outcome }, actor.id, now);
  });
}

export type { Stage };

/** A note on the file's timeline. */
export async function addNote(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  text: unknown,
): Promise<void> {
  const body = typeof text === 'string' ? text.trim() : '';
  if (body.length === 0 || body.length > 5000)
    throw new Invalid([{ field: 'note', key: body.length ? 'errors.text_long' : 'errors.note_required' }]);
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    await addEvent(tx, file.id, 'note', { text: body }, actor.id, now);
    await tx.update(candidates).set({ lastContactAt: now, updatedAt: now }).where(eq(candidates.id, file.id));
  });
}

/** Staff who can take a file of this territory. */
export async function assignableStaff(db: Db | Tx, territoryCode: string) {
  return db
    .selectDistinct({ id: users.id, name: users.name, email: users.email, locale: users.locale })
    .from(users)
    .innerJoin(userTerritories, eq(userTerritories.userId, users.id))
    .where(
      and(
        eq(userTerritories.territoryCode, territoryCode),
        inArray(users.role, ['agent', 'territory_admin']),
        isNull(users.deactivatedAt),
      ),
    )
    .orderBy(users.name);
}

/** Gives the file to an agent of its territory, who gets an email (same transaction). */
export async function assignFile(
  ctx: CandidatesContext & { siteUrl: string },
  actor: SessionUser,
  publicId: string,
  agentId: number,
): Promise<void> {
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (!file.territoryCode) throw new Invalid([{ field: 'agent', key: 'errors.file_needs_territory' }]);
    const staff = await assignableStaff(tx, file.territoryCode);
    const agent = staff.find((s) => s.id === agentId);
    if (!agent) throw new Invalid([{ field: 'agent', key: 'errors.agent_not_in_territory' }]);
    if (file.assignedAgentId === agentId) return;
    await tx
      .update(candidates)
      .set({ assignedAgentId: agentId, updatedAt: now, version: sql`${candidates.version} + 1` })
      .where(eq(candidates.id, file.id));
    await addEvent(tx, file.id, 'assignment', { to: agent.name }, actor.id, now);
    if (agentId !== actor.id) {
      const [recipient] = await tx
        .select({ email: users.email, locale: users.locale })
        .from(users)
        .where(eq(users.id, agentId));
      await enqueueMail(tx, ctx.clock, {
        to: recipient!.email,
        template: 'file_assigned',
        locale: recipient!.locale,
        params: {
          name: agent.name,
          by: actor.name,
          family: file.name,
          url: `${ctx.siteUrl.replace(/\/$/, '')}/agent/candidats/${file.publicId}`,
        },
        candidateId: file.id,
      });
    }
  });
}
