import { and, count, eq, gte, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import {
  candidateEvents,
  candidates,
  outbox,
  stageHistory,
  tasks,
  territories,
  stages,
  users,
  type Stage,
} from '../../db/schema/index.ts';
import { RateLimited } from '../../src/server/accounts/commands.ts';
import { LIMITS } from '../../src/server/accounts/rate-limit.ts';
import {
  addNote,
  findCandidate,
  moveStage,
  recordFollowUp,
  undoStageMove,
} from '../../src/server/candidates/commands.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { allowedMoves, checkTransition, followUpDates, UNDO_WINDOW_MS } from '../../src/server/candidates/stages.ts';
import { parsePeriod } from '../../src/server/reports/period.ts';
import { buildReport } from '../../src/server/reports/queries.ts';
import { completeTask } from '../../src/server/candidates/tasks.ts';
import { resendEmail } from '../../src/server/mail/undelivered.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { actor, actors, testDb } from '../helpers/db.ts';
import { DAY_MS } from '../../src/lib/time.ts';

const start = Date.UTC(2026, 10, 23, 9);
function ctxFor(db: Db) {
  let now = start;
  return {
    ctx: { db, clock: { now: () => new Date(now) }, siteUrl: 'https://cc.test' },
    advance: (ms: number) => (now += ms),
  };
}

const enquiry = (over: Record<string, unknown> = {}) => ({
  name: 'Famille Durand',
  email: `durand.${Math.random().toString(36).slice(2)}@exemple.fr`,
  phone: '06 12 34 56 78',
  adults: '2',
  children: '4, 9',
  profession: 'Développeuse',
  remoteStatus: 'employee',
  wishedTerritories: '32',
  budgetMax: '900',
  transaction: 'rent',
  consent: 'yes',
  locale: 'fr',
  ...over,
});

async function fileIn(db: Db, territory = '32', over: Record<string, unknown> = {}) {
  const { ctx } = ctxFor(db);
  const { publicId } = await createEnquiry(
    ctx,
    enquiry({ wishedTerritories: territory, ...over }),
    `ip-${Math.random()}`,
  );
  const [row] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
  return row!;
}

/** A fresh database and its clock, the users with these emails, and a new enquiry in the Gers. */
async function gersFile<const E extends readonly string[]>(...emails: E) {
  const { db } = await testDb();
  const { ctx, advance } = ctxFor(db);
  const people = await actors(db, ...emails);
  return { db, ctx, advance, people, file: await fileIn(db) };
}

describe('stage rules', () => {
  it('allow one stage forward, one back, and withdrawal from anywhere', () => {
    expect(allowedMoves('enquiry')).toEqual(['qualified', 'withdrawn']);
    expect(allowedMoves('discovery')).toEqual(['qualified', 'settling', 'withdrawn']);
    expect(allowedMoves('settled')).toEqual(['settling', 'withdrawn']);
    expect(allowedMoves('withdrawn')).toEqual([]);
  });

  it.each([
    ['enquiry', 'discovery'],
    ['enquiry', 'settled'],
    ['qualified', 'settling'],
    ['withdrawn', 'enquiry'],
    ['settled', 'enquiry'],
    ['discovery', 'discovery'],
  ] as Array<[Stage, Stage]>)('refuse %s → %s', (from, to) => {
    expect(checkTransition(from, { to }, '2026-11-23')).toEqual([
      { field: 'to', key: 'errors.stage_move_not_allowed', value: to },
    ]);
  });

  it('need a reason to withdraw, and commune, date and household to settle', () => {
    expect(checkTransition('qualified', { to: 'withdrawn' }, '2026-11-23')).toEqual([
      { field: 'withdrawalReason', key: 'errors.withdrawal_reason_required' },
    ]);
    expect(checkTransition('qualified', { to: 'withdrawn', withdrawalReason: 'bored' }, '2026-11-23')).toHaveLength(1);
    expect(checkTransition('qualified', { to: 'withdrawn', withdrawalReason: 'schools' }, '2026-11-23')).toEqual([]);
    expect(checkTransition('settling', { to: 'settled' }, '2026-11-23').map((e) => e.field)).toEqual([
      'settledCommuneCode',
      'settledAt',
      'settledHouseholdSize',
    ]);
    expect(
      checkTransition(
        'settling',
        { to: 'settled', settledCommuneCode: '32013', settledAt: '2026-12-01', settledHouseholdSize: 4 },
        '2026-11-23',
      ).map((e) => e.field),
    ).toEqual(['settledAt']);
    expect(
      checkTransition(
        'settling',
        { to: 'settled', settledCommuneCode: '32013', settledAt: '2026-11-20', settledHouseholdSize: 4 },
        '2026-11-23',
      ),
    ).toEqual([]);
  });

  it('plan follow-ups 6 and 12 months after settlement', () => {
    expect(followUpDates('2026-03-31')).toEqual({ sixMonths: '2026-10-01', twelveMonths: '2027-03-31' });
    expect(followUpDates('2026-01-15')).toEqual({ sixMonths: '2026-07-15', twelveMonths: '2027-01-15' });
  });
});

describe('moving a file', () => {
  it('walks the pipeline, records history, timeline and follow-up tasks', async () => {
    const { db, ctx, advance, people, file: filed } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    let file = filed;
    // Back and forth, then settled with its facts.
    const moves: Stage[] = ['qualified', 'discovery', 'qualified', 'discovery', 'settling', 'settled'];
    for (const to of moves.slice(0, -1)) {
      advance(DAY_MS);
      file = await moveStage(ctx, agent, file.publicId, { to, version: file.version });
      expect(file.stage).toBe(to);
    }
    advance(DAY_MS);
    file = await moveStage(ctx, agent, file.publicId, {
      to: 'settled',
      settledCommuneCode: '32013',
      settledAt: '2026-11-25',
      settledHouseholdSize: 4,
      version: file.version,
    });
    expect(file).toMatchObject({ stage: 'settled', settledCommuneCode: '32013', settledHouseholdSize: 4, version: 7 });

    const history = await db
      .select()
      .from(stageHistory)
      .where(eq(stageHistory.candidateId, file.id))
      .orderBy(stageHistory.id);
    expect(history.map((h) => h.stage)).toEqual(['enquiry', ...moves]);
    expect(history.slice(0, -1).every((h) => h.leftAt !== null)).toBe(true);
    expect(history.at(-1)!.leftAt).toBeNull();
    expect(history.slice(1).every((h) => h.byUserId === agent.id)).toBe(true);
    const events = await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id));
    expect(events.filter((e) => e.kind === 'stage_change').map((e) => e.data.to)).toEqual(moves);
    const followUps = await db.select().from(tasks).where(eq(tasks.candidateId, file.id)).orderBy(tasks.dueDate);
    expect(followUps.map((t) => [t.kind, t.dueDate])).toEqual([
      ['follow_up_6m', '2027-05-25'],
      ['follow_up_12m', '2027-11-25'],
    ]);
    await recordFollowUp(ctx, agent, file.publicId, followUps[0]!.id, 'stayed');
    const recorded = await db.select().from(tasks).where(eq(tasks.id, followUps[0]!.id));
    const eventCount = (await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id))).length;
    // Again (a second tab): it says so, in its own words, not "changed by someone else"; nothing changes.
    advance(DAY_MS);
    const again = await recordFollowUp(ctx, agent, file.publicId, followUps[0]!.id, 'left').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Conflict);
    expect(again).toMatchObject({ status: 409, key: 'errors.follow_up_already_recorded' });
    expect(await db.select().from(tasks).where(eq(tasks.id, followUps[0]!.id))).toEqual(recorded);
    expect(recorded[0]).toMatchObject({ outcome: 'stayed' });
    expect(await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id))).toHaveLength(
      eventCount,
    );
  });

  it('a settlement undone takes its open follow-ups; settling again asks only those not yet recorded', async () => {
    const { db, ctx, advance, people, file: filed } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    let file = filed;
    for (const to of ['qualified', 'discovery', 'settling'] as const)
      file = await moveStage(ctx, agent, file.publicId, { to, version: file.version });
    const settle = (settledAt: string) =>
      moveStage(ctx, agent, file.publicId, {
        to: 'settled',
        settledCommuneCode: '32013',
        settledAt,
        settledHouseholdSize: 3,
        version: file.version,
      });
    const followUps = () =>
      db
        .select({ kind: tasks.kind, dueDate: tasks.dueDate, outcome: tasks.outcome })
        .from(tasks)
        .where(eq(tasks.candidateId, file.id))
        .orderBy(tasks.kind, tasks.id);
    advance(10 * DAY_MS);
    file = await settle('2026-11-25');
    // Back to "settling" (settled by mistake): no follow-up of a family not settled.
    file = await moveStage(ctx, agent, file.publicId, { to: 'settling', version: file.version });
    expect(await followUps()).toEqual([]);
    file = await settle('2026-11-26');
    expect(await followUps()).toEqual([
      { kind: 'follow_up_12m', dueDate: '2027-11-26', outcome: null },
      { kind: 'follow_up_6m', dueDate: '2027-05-26', outcome: null },
    ]);
    // A follow-up recorded stays, and is not asked again after another round trip.
    const [sixMonths] = await db
      .select()
      .from(tasks)
      .where(and(eq(tasks.candidateId, file.id), eq(tasks.kind, 'follow_up_6m')));
    await recordFollowUp(ctx, agent, file.publicId, sixMonths!.id, 'stayed');
    file = (await db.select().from(candidates).where(eq(candidates.id, file.id)))[0]!;
    file = await moveStage(ctx, agent, file.publicId, { to: 'settling', version: file.version });
    file = await settle('2026-11-27');
    expect(await followUps()).toEqual([
      { kind: 'follow_up_12m', dueDate: '2027-11-27', outcome: null },
      { kind: 'follow_up_6m', dueDate: '2027-05-26', outcome: 'stayed' },
    ]);
  });

  it('refuses an invalid move with a clear error and changes nothing', async () => {
    const { db, ctx, people, file } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    const before = await db.select().from(candidates).where(eq(candidates.id, file.id));
    for (const input of [{ to: 'settled' as Stage }, { to: 'withdrawn' as Stage }, { to: 'discovery' as Stage }]) {
      await expect(moveStage(ctx, agent, file.publicId, { ...input, version: file.version })).rejects.toBeInstanceOf(
        Invalid,
      );
    }
    expect(await db.select().from(candidates).where(eq(candidates.id, file.id))).toEqual(before);
    expect(await db.select().from(stageHistory).where(eq(stageHistory.candidateId, file.id))).toHaveLength(1);
  });

  it('lets one of two concurrent moves win; the other gets a conflict, no lost update', async () => {
    const { db, ctx, people, file } = await gersFile('agent.gers@demo.test', 'direction.gers@demo.test');
    const [lucie, direction] = people;
    const results = await Promise.allSettled([
      moveStage(ctx, lucie, file.publicId, { to: 'qualified', version: file.version }),
      moveStage(ctx, direction, file.publicId, {
        to: 'withdrawn',
        withdrawalReason: 'no_answer',
        version: file.version,
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(Conflict);
    expect(rejected.reason.message).toBe('errors.stale_file');
    const [now] = await db.select().from(candidates).where(eq(candidates.id, file.id));
    expect(now!.version).toBe(2);
    expect(await db.select().from(stageHistory).where(eq(stageHistory.candidateId, file.id))).toHaveLength(2);
  });

  it('answers the same move posted twice (a double click, a second tab) with the stale-version conflict', async () => {
    const { db, ctx, people, file } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    await moveStage(ctx, agent, file.publicId, { to: 'qualified', version: file.version });
    const after = await db.select().from(candidates).where(eq(candidates.id, file.id));
    // The same move again, and a move the current stage would refuse, both from the page at version 1.
    for (const input of [{ to: 'qualified' as Stage }, { to: 'settled' as Stage }]) {
      const error = await moveStage(ctx, agent, file.publicId, { ...input, version: file.version }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Conflict);
      expect((error as Conflict).message).toBe('errors.stale_file');
    }
    expect(await db.select().from(candidates).where(eq(candidates.id, file.id))).toEqual(after);
    expect(await db.select().from(stageHistory).where(eq(stageHistory.candidateId, file.id))).toHaveLength(2);
  });

  it('records a follow-up on the file it is posted to only: another file’s task or email is not found, nothing changes', async () => {
    const { db, ctx, people, file } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    const other = await fileIn(db);
    const [followUp] = await db
      .insert(tasks)
      .values({
        candidateId: other.id,
        kind: 'follow_up_6m',
        title: 'Suivi à 6 mois : la famille est-elle toujours là ?',
        dueDate: '2027-05-25',
        assigneeId: agent.id,
        createdAt: new Date(start).toISOString(),
      })
      .returning();
    const eventsOf = (id: number) =>
      db
        .select()
        .from(candidateEvents)
        .where(and(eq(candidateEvents.candidateId, id), eq(candidateEvents.kind, 'follow_up')));
    await expect(recordFollowUp(ctx, agent, file.publicId, followUp!.id, 'left')).rejects.toBeInstanceOf(NotFound);
    expect((await db.select().from(tasks).where(eq(tasks.id, followUp!.id)))[0]).toMatchObject({
      doneAt: null,
      outcome: null,
    });
    expect(await eventsOf(file.id)).toHaveLength(0);
    expect(await eventsOf(other.id)).toHaveLength(0);
    // The file page's other commands that name an item: a task to mark done, an email to send again.
    const [manual] = await db
      .insert(tasks)
      .values({ candidateId: other.id, title: 'Rappeler', dueDate: '2026-12-01', createdAt: '2026-11-23' })
      .returning();
    await expect(completeTask(ctx, agent, file.publicId, manual!.id)).rejects.toBeInstanceOf(NotFound);
    const [mail] = await db
      .update(outbox)
      .set({ status: 'failed' })
      .where(eq(outbox.candidateId, other.id))
      .returning();
    await expect(resendEmail(db, ctx.clock, agent, mail!.id, file.id)).rejects.toBeInstanceOf(NotFound);
    expect((await db.select().from(tasks).where(eq(tasks.id, manual!.id)))[0]!.doneAt).toBeNull();
    expect((await db.select().from(outbox).where(eq(outbox.id, mail!.id)))[0]!.status).toBe('failed');
    // On its own file it is recorded.
    await recordFollowUp(ctx, agent, other.publicId, followUp!.id, 'left');
    expect((await db.select().from(tasks).where(eq(tasks.id, followUp!.id)))[0]).toMatchObject({ outcome: 'left' });
    expect(await eventsOf(other.id)).toHaveLength(1);
  });

  it('keeps files to their territory: the Manche agent cannot see or move a Gers file', async () => {
    const { db, ctx, people, file } = await gersFile('agent.manche@demo.test', 'famille@demo.test', 'admin@demo.test');
    const [manche, family, platform] = people;
    await expect(findCandidate(db, manche, file.publicId)).rejects.toBeInstanceOf(NotFound);
    await expect(findCandidate(db, manche, 'does-not-exist')).rejects.toBeInstanceOf(NotFound);
    await expect(moveStage(ctx, manche, file.publicId, { to: 'qualified', version: 1 })).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(findCandidate(db, family, file.publicId)).rejects.toBeInstanceOf(Forbidden);
    expect((await findCandidate(db, platform, file.publicId)).id).toBe(file.id);
  });
});

describe('undoing a move', () => {
  const gers = { territories: ['32'], label: 'Gers' };
  // Reports as of one instant, whatever the test's clock: the whole month (stays from
  // stay_stats), the same days as dates (stays from the history), the year.
  const reportAt = new Date(start + 10 * DAY_MS);
  const periods = [
    parsePeriod({ periode: 'month', annee: '2026', mois: '11' }, reportAt),
    parsePeriod({ periode: 'custom', du: '2026-11-01', au: '2026-11-30' }, reportAt),
    parsePeriod({ periode: 'year', annee: '2026' }, reportAt),
  ];

  /** Everything a move may change: the file, its history, timeline and tasks, the stays counted, the Gers' reports. */
  async function state(db: Db, id: number) {
    const [file] = await db.select().from(candidates).where(eq(candidates.id, id));
    return {
      file: file!,
      history: await db.select().from(stageHistory).where(eq(stageHistory.candidateId, id)).orderBy(stageHistory.id),
      events: await db
        .select()
        .from(candidateEvents)
        .where(eq(candidateEvents.candidateId, id))
        .orderBy(candidateEvents.id),
      tasks: await db.select().from(tasks).where(eq(tasks.candidateId, id)).orderBy(tasks.id),
      // A count back to 0 may keep its row: reports read `stays > 0`.
      stays: await db.all(sql`SELECT * FROM stay_stats WHERE stays > 0 ORDER BY 1, 2, 3, 4`),
      totals: await db.all(sql`SELECT * FROM stay_totals WHERE stays > 0 ORDER BY 1, 2, 3`),
      reports: await Promise.all(periods.map((p) => buildReport(db, gers, p, reportAt))),
    };
  }

  it('puts the file, its history, its tasks and the reports back exactly as before the move', async () => {
    const { db, ctx, advance, people, file } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    // Two days unanswered in "enquiry", with a task waiting.
    advance(2 * DAY_MS);
    await db
      .insert(tasks)
      .values({ candidateId: file.id, title: 'Rappeler', dueDate: '2026-12-01', createdAt: file.createdAt });
    const before = await state(db, file.id);
    expect(before.file).toMatchObject({ stage: 'enquiry', firstResponseAt: null, reachedStages: 1 });

    advance(DAY_MS);
    const moved = await moveStage(ctx, agent, file.publicId, { to: 'qualified', version: before.file.version });
    // The move counts: a stay of 3 days in "enquiry", "qualified" reached, the first answer.
    const during = await state(db, file.id);
    expect(during.history.map((h) => [h.stage, h.days])).toEqual([
      ['enquiry', 3],
      ['qualified', null],
    ]);
    expect(during.reports).not.toEqual(before.reports);
    expect(during.stays).not.toEqual(before.stays);

    advance(90_000);
    const undone = await undoStageMove(ctx, agent, file.publicId, moved.version);
    // The days in the stage go on from the enquiry; the undo is a change of its own (version, date).
    expect(undone).toMatchObject({ stage: 'enquiry', stageEnteredAt: file.stageEnteredAt });
    expect(await state(db, file.id)).toEqual({
      ...before,
      file: { ...before.file, version: moved.version + 1, updatedAt: ctx.clock.now().toISOString() },
    });
  });

  it('goes back to a stage entered before, on its own date, and stays out of the stays counted', async () => {
    const { db, ctx, advance, people, file } = await gersFile('agent.gers@demo.test');
    const [agent] = people;
    advance(DAY_MS);
    const qualified = await moveStage(ctx, agent, file.publicId, { to: 'qualified', version: file.version });
    advance(4 * DAY_MS);
    const before = await state(db, file.id);
    advance(DAY_MS / 2);
    const moved = await moveStage(ctx, agent, file.publicId, { to: 'discovery', version: qualified.version });
    advance(60_000);
    await undoStageMove(ctx, agent, file.publicId, moved.version);
    const after = await state(db, file.id);
    expect(after.file).toMatchObject({ stage: 'qualified', stageEnteredAt: qualified.stageEnteredAt });
    expect({ ...after, file: before.file }).toEqual(before);
    // The board's card counts from there: 4 days and a half in "qualified".
    const { boardColumns } = await import('../../src/server/candidates/queries.ts');
    const column = (await boardColumns(db, agent, { q: file.email }, ctx.clock.now())).find(
      (c) => c.stage === 'qualified',
    );
    expect(column!.cards.map((c) => [c.publicId, c.days])).toEqual([[file.publicId, 4]]);
  });

  it('is refused to another agent, after another change, too late, twice, or for settling; nothing changes', async () => {
    const { db, ctx, advance, people, file } = await gersFile(
      'agent.gers@demo.test',
      'direction.gers@demo.test',
      'agent.manche@demo.test',
    );
    const [lucie, direction, manche] = people;
    /** The undo is refused with this error, and the file and the reports are as they were. */
    const refused = async (undo: () => Promise<unknown>, kind: typeof Conflict | typeof Invalid, key: string) => {
      const was = await state(db, file.id);
      const error = await undo().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(kind);
      if (error instanceof Invalid) expect(error.errors).toMatchObject([{ field: 'intent', key }]);
      else expect(error).toMatchObject({ status: 409, key });
      expect(await state(db, file.id)).toEqual(was);
    };

    advance(DAY_MS);
    let moved = await moveStage(ctx, lucie, file.publicId, { to: 'qualified', version: file.version });
    // Another agent of the territory, with the right version; another territory's: not found.
    await refused(() => undoStageMove(ctx, direction, file.publicId, moved.version), Invalid, 'errors.undo_not_yours');
    await expect(undoStageMove(ctx, manche, file.publicId, moved.version)).rejects.toBeInstanceOf(NotFound);
    // The page before the move (its version): a conflict in its own words.
    await refused(() => undoStageMove(ctx, lucie, file.publicId, file.version), Conflict, 'errors.undo_changed');
    // Another change since, even one that leaves the version: a note.
    await addNote(ctx, direction, file.publicId, 'Appelée ce matin');
    await refused(() => undoStageMove(ctx, lucie, file.publicId, moved.version), Conflict, 'errors.undo_changed');
    // Too late.
    moved = await moveStage(ctx, lucie, file.publicId, { to: 'discovery', version: moved.version });
    advance(UNDO_WINDOW_MS + 1000);
    await refused(() => undoStageMove(ctx, lucie, file.publicId, moved.version), Invalid, 'errors.undo_too_late');
    // Undone once; the undo is a change of its own: the move before it stays.
    moved = await moveStage(ctx, lucie, file.publicId, { to: 'settling', version: moved.version });
    const undone = await undoStageMove(ctx, lucie, file.publicId, moved.version);
    expect(undone.stage).toBe('discovery');
    await refused(() => undoStageMove(ctx, lucie, file.publicId, undone.version), Conflict, 'errors.undo_changed');
    // Settling is not undone (proposals closed, follow-ups started): the move back is its correction.
    advance(DAY_MS);
    moved = await moveStage(ctx, lucie, file.publicId, { to: 'settling', version: undone.version });
    moved = await moveStage(ctx, lucie, file.publicId, {
      to: 'settled',
      settledCommuneCode: '32013',
      settledAt: '2026-11-25',
      settledHouseholdSize: 4,
      version: moved.version,
    });
    await refused(() => undoStageMove(ctx, lucie, file.publicId, moved.version), Invalid, 'errors.undo_not_possible');
  });
});

describe('enquiries', () => {
  it('read a budget and a speed as the family types them', async () => {
    const { db } = await testDb();
    const { ctx } = ctxFor(db);
    const input = enquiry({ budgetMax: '1\u00a0200 €/mois', minDownloadMbps: '100 Mb/s' });
    const { publicId } = await createEnquiry(ctx, input, '9.9.9.10');
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    expect(file).toMatchObject({ budgetMax: 1200, minDownloadMbps: 100 });
    await expect(createEnquiry(ctx, enquiry({ budgetMax: 'mille euros' }), '9.9.9.11')).rejects.toMatchObject({
      errors: [{ field: 'budgetMax', key: 'errors.invalid_number' }],
    });
  });

  it('land in the wished territory, with a confirmation to the family and a notice to its staff', async () => {
    const { db } = await testDb();
    const { ctx } = ctxFor(db);
    const input = enquiry({ partnerProfession: 'Infirmière', partnerWish: 'local_job', partnerSought: 'infirmière' });
    const { publicId, territoryCode, duplicateOf } = await createEnquiry(ctx, input, '9.9.9.9');
    expect({ territoryCode, duplicateOf }).toEqual({ territoryCode: '32', duplicateOf: null });
    expect(publicId).toMatch(/^[\w-]{16}$/);
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    expect(file).toMatchObject({
      stage: 'enquiry',
      phone: '0612345678',
      consentTextVersion: '2026-11-v1',
      budgetMax: 900,
      transaction: 'rent',
      partnerWish: 'local_job',
      partnerSought: 'infirmière',
    });
    expect(file!.household).toEqual({ adults: 2, children: [4, 9] });
    const mails = await db.select().from(outbox);
    expect(mails.map((m) => [m.to, m.template]).sort()).toEqual(
      [
        [input.email, 'enquiry_received'],
        ['agent.gers@demo.test', 'new_enquiry'],
        ['direction.gers@demo.test', 'new_enquiry'],
      ].sort(),
    );
    expect(mails.find((m) => m.template === 'new_enquiry')!.text).toContain(
      `https://cc.test/agent/candidats/${publicId}`,
    );
  });

  it('wait in the dispatch queue when several territories are wished, visible to the staff of each', async () => {
    const { db } = await testDb();
    const file = await fileIn(db, '32', { wishedTerritories: ['32', '50'] });
    expect(file.territoryCode).toBeNull();
    expect((await findCandidate(db, await actor(db, 'agent.manche@demo.test'), file.publicId)).id).toBe(file.id);
    expect((await findCandidate(db, await actor(db, 'agent.gers@demo.test'), file.publicId)).id).toBe(file.id);
  });

  it('link a second enquiry with the same email or phone to the first, never drop it', async () => {
    const { db } = await testDb();
    const { ctx } = ctxFor(db);
    const before = (await db.select().from(candidates)).length;
    const first = await createEnquiry(ctx, enquiry({ email: 'meme@exemple.fr' }), '1.1.1.1');
    const second = await createEnquiry(ctx, enquiry({ email: 'MEME@exemple.fr', phone: '' }), '1.1.1.2');
    const third = await createEnquiry(ctx, enquiry({ email: 'autre@exemple.fr', phone: '06.12.34.56.78' }), '1.1.1.3');
    expect(second.duplicateOf).toBe(first.publicId);
    expect(third.duplicateOf).toBe(first.publicId);
    expect(await db.select().from(candidates)).toHaveLength(before + 3);
  });

  it('refuse invalid input field by field, and limit enquiries per address', async () => {
    const { db } = await testDb();
    const { ctx } = ctxFor(db);
    const before = await db.select().from(candidates);
    const error = await createEnquiry(
      ctx,
      {
        name: '',
        email: 'x',
        adults: '0',
        children: 'deux',
        wishedTerritories: '75',
        partnerWish: 'astronaut',
        consent: '',
      },
      '2.2.2.2',
    ).catch((e: Invalid) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).errors.map((e) => e.field).sort()).toEqual([
      'adults',
      'children',
      'consent',
      'email',
      'name',
      'partnerWish',
    ]);
    const unknownTerritory = await createEnquiry(ctx, enquiry({ wishedTerritories: '75' }), '2.2.2.3').catch(
      (e: Invalid) => e,
    );
    expect((unknownTerritory as Invalid).errors[0]).toMatchObject({
      field: 'wishedTerritories',
      key: 'errors.unknown_territory',
    });
    expect(await db.select().from(candidates)).toEqual(before);
    for (let i = 0; i < LIMITS.enquiryPerIp.max; i++) await createEnquiry(ctx, enquiry(), '3.3.3.3');
    await expect(createEnquiry(ctx, enquiry(), '3.3.3.3')).rejects.toBeInstanceOf(RateLimited);
  });
});

describe('pipeline queries', () => {
  it('page the list and the board by each part of the scope as the whole scope would: the territory’s files and the queue’s', async () => {
    const { db } = await testDb();
    const { BOARD_CLOSED_DAYS, BOARD_COLUMN_MAX, boardColumns, fileOrder, listCandidates, listFilter } =
      await import('../../src/server/candidates/queries.ts');
    const gers = await actor(db, 'agent.gers@demo.test');
    // Files waiting in the dispatch queue (several territories wished), between the Gers' own.
    for (let i = 0; i < 45; i++)
      await fileIn(db, '32', { name: `Famille File ${String(i).padStart(2, '0')}`, wishedTerritories: ['32', '50'] });
    const [queued] = await db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM candidates WHERE territory_code IS NULL`,
    );
    expect(queued!.n).toBeGreaterThanOrEqual(45);
    const now = new Date();
    for (const sort of ['recent', 'name', 'waiting', 'maturity'] as const)
      for (const extra of [{}, { stage: 'enquiry' as const }, { q: 'File' }])
        for (const page of [1, 2, 3]) {
          const query = { sort, page, ...extra };
          const got = await listCandidates(db, gers, query, now);
          const where = listFilter(gers, query, now);
          const want = await db
            .select({ publicId: candidates.publicId })
            .from(candidates)
            .where(where)
            .orderBy(...fileOrder(sort, candidates.createdAt))
            .limit(25)
            .offset((got.page - 1) * 25);
          const label = JSON.stringify(query);
          expect(
            got.rows.map((r) => r.publicId),
            label,
          ).toEqual(want.map((r) => r.publicId));
          expect(got.total, label).toBe((await db.select({ n: count() }).from(candidates).where(where))[0]!.n);
        }
    // The board's columns, each read the same way.
    const since = new Date(now.getTime() - BOARD_CLOSED_DAYS * 86_400_000).toISOString();
    let cut = false;
    for (const sort of ['recent', 'name', 'waiting', 'maturity'] as const)
      for (const extra of [{}, { q: 'File' }, { agent: 'none' as const }]) {
        const query = { sort, ...extra };
        for (const column of await boardColumns(db, gers, query, now)) {
          const where = and(
            listFilter(gers, query, now),
            eq(candidates.stage, column.stage),
            column.closed ? gte(candidates.stageEnteredAt, since) : undefined,
          );
          const want = await db
            .select({ publicId: candidates.publicId })
            .from(candidates)
            .where(where)
            .orderBy(...fileOrder(sort, candidates.stageEnteredAt))
            .limit(BOARD_COLUMN_MAX);
          const label = JSON.stringify({ query, stage: column.stage });
          expect(
            column.cards.map((c) => c.publicId),
            label,
          ).toEqual(want.map((r) => r.publicId));
          expect(column.count, label).toBe((await db.select({ n: count() }).from(candidates).where(where))[0]!.n);
          cut ||= column.count > BOARD_COLUMN_MAX;
        }
      }
    // At least one column holds more files than it shows: where a part left out would show.
    expect(cut).toBe(true);
  });

  it('read each part of the list and of a board column in order from an index, in every order', async () => {
    const { db } = await testDb();
    const { boardColumns, listCandidates } = await import('../../src/server/candidates/queries.ts');
    const { drizzle } = await import('drizzle-orm/libsql');
    const schema = await import('../../db/schema/index.ts');
    const gers = await actor(db, 'agent.gers@demo.test');
    // Every read of the list and the board recorded through a view of the same client.
    const recorded: Array<{ sql: string; args: unknown[] }> = [];
    const client = new Proxy(db.$client, {
      get(target, prop) {
        if (prop !== 'execute') return Reflect.get(target, prop, target);
        return (stmt: { sql: string; args?: unknown[] }) => {
          recorded.push({ sql: stmt.sql, args: stmt.args ?? [] });
          return target.execute(stmt as never);
        };
      },
    });
    const watched = drizzle(client, { schema }) as unknown as Db;
    for (const sort of ['recent', 'name', 'waiting', 'maturity'] as const) {
      recorded.length = 0;
      await listCandidates(watched, gers, { sort });
      await boardColumns(watched, gers, { sort });
      const paged = recorded.filter((r) => r.sql.includes(' UNION ALL ') && /^select/.test(r.sql));
      expect(paged.length, sort).toBeGreaterThan(0);
      for (const { sql: text, args } of paged) {
        const rows = (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: args as never })).rows;
        const detail = new Map(rows.map((r) => [Number(r.id), String(r.detail)]));
        // A closed column holds the last BOARD_CLOSED_DAYS only: read by that range, then sorted.
        if ([...detail.values()].some((d) => d.includes('stage_entered_at>?'))) continue;
        // A part is its own subquery (a co-routine): read in order, or sorted only among rows of
        // equal first keys ("RIGHT PART"), never sorted whole. The union of their first rows is.
        const sortedParts = rows.filter(
          (r) => r.detail === 'USE TEMP B-TREE FOR ORDER BY' && detail.get(Number(r.parent))?.startsWith('CO-ROUTINE'),
        );
        expect(sortedParts, `${sort}\n${[...detail.values()].join('\n')}`).toEqual([]);
        const parts = rows.filter(
          (r) => detail.get(Number(r.parent))?.startsWith('CO-ROUTINE') && /^SEARCH/.test(String(r.detail)),
        );
        expect(parts.length, sort).toBeGreaterThan(1);
        // A board column's part seeks its stage in the index, never reads other stages to skip them.
        if (text.includes('"candidates"."stage" = ?'))
          for (const part of parts) expect(String(part.detail), `${sort}: ${text}`).toMatch(/\bstage=\?/);
      }
    }
  });

  it('show a page out of range as the last page, like every paged list', async () => {
    const { db } = await testDb();
    const { listCandidates } = await import('../../src/server/candidates/queries.ts');
    const gers = await actor(db, 'agent.gers@demo.test');
    const first = await listCandidates(db, gers, {});
    expect(first.pages).toBeGreaterThan(1);
    const last = await listCandidates(db, gers, { page: first.pages });
    expect(last.rows.length).toBeGreaterThan(0);
    for (const page of [first.pages + 1, 9999]) {
      const got = await listCandidates(db, gers, { page });
      expect(got).toEqual(last);
    }
    // A search with fewer results: its own last page.
    const few = await listCandidates(db, gers, { q: 'zzz-nothing-matches', page: 4 });
    expect(few).toMatchObject({ rows: [], total: 0, page: 1, pages: 1 });
  });

  it('list only the actor’s files, with search, stage filter and counts per stage', async () => {
    const { db } = await testDb();
    const { agentHome, countByStage, listCandidates } = await import('../../src/server/candidates/queries.ts');
    const gers = await actor(db, 'agent.gers@demo.test');
    const manche = await actor(db, 'agent.manche@demo.test');
    const a = await fileIn(db, '32', { name: 'Famille Aubrac' });
    await fileIn(db, '50', { name: 'Famille Bocage' });
    const queued = await fileIn(db, '32', { name: 'Famille Partout', wishedTerritories: ['32', '50'] });
    const seenByGers = (await listCandidates(db, gers, {})).rows.map((r) => r.publicId);
    expect(seenByGers).toContain(a.publicId);
    expect(seenByGers).toContain(queued.publicId);
    expect((await listCandidates(db, gers, { q: 'Bocage' })).total).toBe(0);
    expect((await listCandidates(db, manche, { q: 'Bocage' })).total).toBe(1);
    expect((await listCandidates(db, manche, { territory: 'queue' })).rows.map((r) => r.publicId)).toContain(
      queued.publicId,
    );
    expect((await listCandidates(db, gers, { stage: 'settled', q: 'Aubrac' })).total).toBe(0);
    // Counted per part of the scope (the territories' files, the queue's), summed: the list's totals.
    const admin = await actor(db, 'admin@demo.test');
    for (const who of [gers, manche, admin]) {
      const counts = await countByStage(db, who);
      for (const stage of stages)
        expect(counts[stage], `${who.email} ${stage}`).toBe((await listCandidates(db, who, { stage })).total);
      expect(Object.values(counts).reduce((n, k) => n + k, 0)).toBe((await listCandidates(db, who, {})).total);
    }

    // The new enquiries are unanswered until a member of staff acts on them.
    const { ctx, advance } = ctxFor(db);
    let home = await agentHome(db, gers, ctx.clock);
    expect(home.unanswered.map((u) => u.publicId)).toContain(a.publicId);
    // Late once past the territory's first-answer promise (48 h by default, as set per territory).
    expect(home.unanswered.find((u) => u.publicId === a.publicId)).toMatchObject({ late: false, promiseHours: 48 });
    const later = { now: () => new Date(start + 49 * 3_600_000) };
    expect((await agentHome(db, gers, later)).unanswered.find((u) => u.publicId === a.publicId)?.late).toBe(true);
    await db.update(territories).set({ firstAnswerHours: 72 }).where(eq(territories.code, '32'));
    expect((await agentHome(db, gers, later)).unanswered.find((u) => u.publicId === a.publicId)).toMatchObject({
      late: false,
      promiseHours: 72,
    });
    // An enquiry stamped ahead of this clock (another machine's) has waited 0 hours, not -1.
    const early = { now: () => new Date(start - 90 * 60_000) };
    expect((await agentHome(db, gers, early)).unanswered.map((u) => u.waitingHours)).toContain(0);
    expect((await agentHome(db, gers, early)).unanswered.every((u) => u.waitingHours >= 0)).toBe(true);
    await moveStage(ctx, gers, a.publicId, { to: 'qualified', version: a.version });
    home = await agentHome(db, gers, ctx.clock);
    expect(home.unanswered.map((u) => u.publicId)).not.toContain(a.publicId);
    // Idle: 21 days in "qualified" without moving.
    advance(22 * DAY_MS);
    home = await agentHome(db, gers, ctx.clock);
    expect(home.idle.find((f) => f.publicId === a.publicId)).toMatchObject({ stage: 'qualified', days: 22 });
  });

  it('show each agent their tasks due today and overdue', async () => {
    const { db } = await testDb();
    const { agentHome } = await import('../../src/server/candidates/queries.ts');
    const { ctx, advance } = ctxFor(db);
    const gers = await actor(db, 'agent.gers@demo.test');
    let file = await fileIn(db);
    for (const to of ['qualified', 'discovery', 'settling'] as Stage[])
      file = await moveStage(ctx, gers, file.publicId, { to, version: file.version });
    await moveStage(ctx, gers, file.publicId, {
      to: 'settled',
      settledCommuneCode: '32013',
      settledAt: '2026-11-23',
      settledHouseholdSize: 3,
      version: file.version,
    });
    expect((await agentHome(db, gers, ctx.clock)).dueToday).toEqual([]);
    advance(182 * DAY_MS); // 2027-05-24: the 6-month follow-up is due since the 23rd
    const home = await agentHome(db, gers, ctx.clock);
    expect(home.overdue.filter((t) => t.publicId === file.publicId).map((t) => t.kind)).toEqual(['follow_up_6m']);
    expect([...home.overdue, ...home.dueToday].every((t) => t.dueDate <= '2027-05-24')).toBe(true);
  });

  it('count today as the day in Paris: for a settlement’s date and for the tasks due', async () => {
    const { db } = await testDb();
    const { agentHome } = await import('../../src/server/candidates/queries.ts');
    const { ctx } = ctxFor(db);
    const gers = await actor(db, 'agent.gers@demo.test');
    let file = await fileIn(db);
    for (const to of ['qualified', 'discovery', 'settling'] as Stage[])
      file = await moveStage(ctx, gers, file.publicId, { to, version: file.version });
    // 00:30 on 1 January in Paris, still 31 December in UTC: the 1st is no future date.
    const at = (iso: string) => ({ ...ctx, clock: { now: () => new Date(iso) } });
    await moveStage(at('2026-12-31T23:30:00Z'), gers, file.publicId, {
      to: 'settled',
      settledCommuneCode: '32013',
      settledAt: '2027-01-01',
      settledHouseholdSize: 3,
      version: file.version,
    });
    // The 6-month follow-up is due on 1 July: today's from midnight in Paris (22:00 UTC in summer).
    const mine = async (iso: string) => {
      const home = await agentHome(db, gers, at(iso).clock);
      const kinds = (list: typeof home.dueToday) => list.filter((t) => t.publicId === file.publicId).map((t) => t.kind);
      return { today: kinds(home.dueToday), late: kinds(home.overdue) };
    };
    expect(await mine('2027-06-30T21:30:00Z')).toEqual({ today: [], late: [] });
    expect(await mine('2027-06-30T22:30:00Z')).toEqual({ today: ['follow_up_6m'], late: [] });
    expect(await mine('2027-07-01T22:30:00Z')).toEqual({ today: [], late: ['follow_up_6m'] });
  });
});

describe('the family’s view', () => {
  it('shows a family its own newest file only', async () => {
    const { db } = await testDb();
    const { familyAccount } = await import('../../src/server/candidates/family.ts');
    await db.insert(users).values({
      email: 'famille.seule@exemple.fr',
      name: 'Famille Seule',
      role: 'family',
      emailVerifiedAt: new Date(start).toISOString(),
      createdAt: new Date(start).toISOString(),
    });
    const family = await actor(db, 'famille.seule@exemple.fr');
    expect(await familyAccount(db, family)).toBeNull();
    await fileIn(db, '50', { email: 'autre.famille@exemple.fr' });
    expect(await familyAccount(db, family)).toBeNull();
    const mine = await fileIn(db, '32', { email: 'famille.seule@exemple.fr' });
    expect((await familyAccount(db, family))?.summary).toMatchObject({
      publicId: mine.publicId,
      stage: 'enquiry',
      territoryName: 'Gers',
    });
    expect(await familyAccount(db, await actor(db, 'agent.gers@demo.test'))).toBeNull();
  });
});

describe('assignment', () => {
  it('gives a file to an agent of its territory, who gets an email; never to another territory’s agent', async () => {
    const { assignFile } = await import('../../src/server/candidates/commands.ts');
    const { db, ctx, people, file } = await gersFile(
      'direction.gers@demo.test',
      'agent.gers@demo.test',
      'agent.manche@demo.test',
    );
    const [direction, lucie, yann] = people;
    await expect(assignFile(ctx, direction, file.publicId, yann.id)).rejects.toBeInstanceOf(Invalid);
    await assignFile(ctx, direction, file.publicId, lucie.id);
    const [row] = await db.select().from(candidates).where(eq(candidates.id, file.id));
    expect(row).toMatchObject({ assignedAgentId: lucie.id, version: file.version + 1 });
    const mail = (await db.select().from(outbox)).filter((m) => m.template === 'file_assigned');
    expect(mail.map((m) => m.to)).toEqual(['agent.gers@demo.test']);
    expect(mail[0]!.text).toContain(`https://cc.test/agent/candidats/${file.publicId}`);
    const events = await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id));
    expect(events.some((e) => e.kind === 'assignment' && e.byUserId === direction.id)).toBe(true);
    await expect(assignFile(ctx, yann, file.publicId, yann.id)).rejects.toBeInstanceOf(NotFound);
  });
});
