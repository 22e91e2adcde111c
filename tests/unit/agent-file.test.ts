// The agent's file and board (issue 15): the file's summary, the timeline's filters, the
// board under the list's filters, settlement closing what the family had left to answer,
// and where each role lands after signing in.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { candidates, discoveryStays, offers, proposals } from '../../db/schema/index.ts';
import { addNote, assignFile, moveStage } from '../../src/server/candidates/commands.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { answerProposal, proposeOffers } from '../../src/server/candidates/proposals.ts';
import {
  BOARD_CLOSED_DAYS,
  boardColumns,
  getCandidateFile,
  initials,
  listCandidates,
} from '../../src/server/candidates/queries.ts';
import { parseListQuery, parseTimelineFilter } from '../../src/server/candidates/schemas.ts';
import { listStays, planStay, stayCancelled, stayNotCancelled } from '../../src/server/candidates/stays.ts';
import { createTask } from '../../src/server/candidates/tasks.ts';
import { homePath } from '../../src/server/policy.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { actor, actors, testDb } from '../helpers/db.ts';

const start = Date.UTC(2026, 10, 23, 9);
function clockFor(db: Db) {
  let now = start;
  return {
    ctx: { db, clock: { now: () => new Date(now) }, siteUrl: 'https://cc.test' },
    advance: (ms: number) => (now += ms),
    now: () => new Date(now),
  };
}

async function firstPublished(db: Db, territory = '32') {
  const [row] = await db
    .select({ id: offers.id, title: offers.title })
    .from(offers)
    .where(sql`${offers.status} = 'published' AND ${offers.territoryCode} = ${territory} AND ${offers.kind} = 'home'`)
    .orderBy(offers.id)
    .limit(2);
  return row!;
}

async function setup() {
  const { db } = await testDb();
  const clock = clockFor(db);
  const [agent, other] = await actors(db, 'agent.gers@demo.test', 'agent.manche@demo.test');
  const offer = await firstPublished(db);
  const name = `Famille Zéphyr ${Math.random().toString(36).slice(2, 8)}`;
  const { publicId } = await createEnquiry(
    clock.ctx,
    {
      name,
      email: `zephyr.${Math.random().toString(36).slice(2)}@exemple.fr`,
      adults: '2',
      children: '3, 8',
      wishedTerritories: '32',
      wishedCommunes: ['32013'],
      budgetMax: '900',
      transaction: 'rent',
      timeFrame: '3-6m',
      minDownloadMbps: '100',
      heardFrom: 'Le journal local',
      offer: String(offer.id),
      consent: 'yes',
      locale: 'fr',
    },
    `ip-${Math.random()}`,
  );
  return { db, ...clock, agent: agent!, other: other!, offer, publicId, name };
}

describe("a file's summary", () => {
  it('names the territories, communes, agent and the offer that started the enquiry', async () => {
    const { db, ctx, advance, now, agent, offer, publicId } = await setup();
    advance(3 * DAY_MS + 3600_000);
    let { summary, file } = await getCandidateFile(db, agent, publicId, { now: now() });
    expect(summary.territories).toEqual([{ code: '32', name: 'Gers' }]);
    expect(summary.communes).toEqual([{ code: '32013', name: 'Auch', label: 'Auch (32000)' }]);
    expect(summary.originOffer).toMatchObject({ id: offer.id, title: offer.title });
    expect(summary.agent).toBeNull();
    expect(summary.daysInStage).toBe(3);
    expect(file).toMatchObject({ timeFrame: '3-6m', heardFrom: 'Le journal local', transaction: 'rent' });
    await assignFile(ctx, agent, publicId, agent.id);
    ({ summary } = await getCandidateFile(db, agent, publicId, { now: now() }));
    expect(summary.agent).toBe(agent.name);
  });

  it('keeps no offer that is not published (a stale or forged id)', async () => {
    const { db } = await testDb();
    const { ctx } = clockFor(db);
    const [agent] = await actors(db, 'agent.gers@demo.test');
    const { publicId } = await createEnquiry(
      ctx,
      {
        name: 'Famille Sans Offre',
        email: 'sans.offre@exemple.fr',
        adults: '1',
        children: '',
        wishedTerritories: '32',
        offer: '999999',
        consent: 'yes',
        locale: 'fr',
      },
      'ip-x',
    );
    const { summary } = await getCandidateFile(db, agent!, publicId);
    expect(summary.originOffer).toBeNull();
  });
});

describe("the timeline's filters", () => {
  it('show one kind of event; an unknown filter shows every event', async () => {
    const { db, ctx, advance, agent, publicId } = await setup();
    advance(1000);
    await addNote(ctx, agent, publicId, 'Appelée ce matin');
    advance(1000);
    await createTask(ctx, agent, publicId, { title: 'Rappeler', dueDate: '2026-11-30', assigneeId: String(agent.id) });
    advance(1000);
    const file = await getCandidateFile(db, agent, publicId);
    await moveStage(ctx, agent, publicId, { to: 'qualified', version: file.file.version });
    const kinds = async (filter: string | null) =>
      (await getCandidateFile(db, agent, publicId, { timeline: parseTimelineFilter(filter) })).events.map(
        (e) => e.kind,
      );
    expect(await kinds('notes')).toEqual(['note']);
    expect(await kinds('tasks')).toEqual(['task']);
    expect(await kinds('stages')).toEqual(['stage_change', 'created']);
    expect((await kinds('emails')).every((k) => k === 'email' || k === 'message')).toBe(true);
    expect(await kinds('emails')).not.toHaveLength(0);
    const all = await kinds('__proto__');
    expect(all).toEqual(expect.arrayContaining(['note', 'task', 'stage_change', 'created', 'email']));
    expect(parseTimelineFilter('constructor')).toBeUndefined();
  });
});

describe('the board', () => {
  it('uses the list’s filters and carries household, days in stage, next task and the agent', async () => {
    const { db, ctx, advance, now, agent, publicId, name } = await setup();
    await assignFile(ctx, agent, publicId, agent.id);
    await createTask(ctx, agent, publicId, { title: 'Appeler', dueDate: '2026-11-25', assigneeId: String(agent.id) });
    await createTask(ctx, agent, publicId, { title: 'Plus tard', dueDate: '2026-12-25', assigneeId: String(agent.id) });
    advance(2 * DAY_MS);
    const query = { ...parseListQuery({ q: name, agent: 'me' }), communeCode: '32013' };
    const columns = await boardColumns(db, agent, query, now());
    const enquiry = columns.find((c) => c.stage === 'enquiry')!;
    expect(enquiry.count).toBe(1);
    expect(enquiry.cards[0]).toMatchObject({
      publicId,
      persons: 4,
      days: 2,
      nextTask: { title: 'Appeler', due: '2026-11-25' },
      agent: { name: agent.name, initials: initials(agent.name) },
    });
    expect(columns.filter((c) => c.stage !== 'enquiry').every((c) => c.count === 0)).toBe(true);
    // The list under the same filters finds the same file.
    const list = await listCandidates(db, agent, query, now());
    expect(list.rows.map((r) => r.publicId)).toEqual([publicId]);
    // Another commune, another agent, a longer wait: not there.
    for (const other of [
      { ...query, communeCode: '32107' },
      { ...query, agent: 'none' as const },
      { ...query, waiting: 7 as const },
    ]) {
      expect((await boardColumns(db, agent, other, now())).find((c) => c.stage === 'enquiry')!.count).toBe(0);
      expect((await listCandidates(db, agent, other, now())).total).toBe(0);
    }
  });

  it('shows the settled and withdrawn of the last 30 days only', async () => {
    const { db, agent } = await setup();
    const now = new Date(start);
    const columns = await boardColumns(db, agent, {}, now);
    const since = new Date(start - BOARD_CLOSED_DAYS * DAY_MS).toISOString();
    for (const stage of ['settled', 'withdrawn'] as const) {
      const column = columns.find((c) => c.stage === stage)!;
      expect(column.closed).toBe(true);
      const [row] = (await db.all(
        sql`SELECT count(*) AS n FROM candidates WHERE stage = ${stage} AND territory_code = '32'
            AND stage_entered_at >= ${since} AND merged_into_id IS NULL AND anonymised_at IS NULL`,
      )) as Array<{ n: number }>;
      expect(column.count).toBe(row!.n);
      expect(column.cards.every((c) => c.stageEnteredAt >= since)).toBe(true);
    }
    expect(columns.find((c) => c.stage === 'enquiry')!.closed).toBe(false);
  });

  it('writes initials of one or two words', () => {
    expect(initials('Lucie Agent (Gers)')).toBe('LA');
    expect(initials('camille')).toBe('C');
  });
});

describe('settlement', () => {
  it('closes the proposals still open and cancels the stays that had not started', async () => {
    const { db, ctx, advance, agent, publicId } = await setup();
    const homes = await db
      .select({ id: offers.id })
      .from(offers)
      .where(sql`${offers.status} = 'published' AND ${offers.territoryCode} = '32'`)
      .orderBy(offers.id)
      .limit(2);
    await proposeOffers(
      ctx,
      agent,
      publicId,
      homes.map((h) => String(h.id)),
    );
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    const family = await actor(db, 'famille@demo.test');
    const [first] = await db
      .select()
      .from(proposals)
      .where(and(eq(proposals.candidateId, file!.id), eq(proposals.offerId, homes[0]!.id)));
    await answerProposal(ctx, family, file!, { proposal: String(first!.id), answer: 'accepted' });
    await planStay(ctx, agent, publicId, { startDate: '2026-12-10', endDate: '2026-12-12', places: 'Auch' });
    for (const to of ['qualified', 'discovery', 'settling'] as const) {
      const { file: f } = await getCandidateFile(db, agent, publicId);
      advance(1000);
      await moveStage(ctx, agent, publicId, { to, version: f.version });
    }
    const { file: before } = await getCandidateFile(db, agent, publicId);
    await moveStage(ctx, agent, publicId, {
      to: 'settled',
      version: before.version,
      settledCommuneCode: '32013',
      settledAt: '2026-11-23',
      settledHouseholdSize: 4,
    });
    const rows = await db
      .select()
      .from(proposals)
      .where(eq(proposals.candidateId, file!.id))
      .orderBy(proposals.offerId);
    expect(rows.map((r) => r.status)).toEqual(['accepted', 'closed']);
    // Nothing is left to answer: a closed proposal refuses an answer and stays closed.
    const closed = rows[1]!;
    await expect(
      answerProposal(ctx, family, file!, { proposal: String(closed.id), answer: 'accepted' }),
    ).rejects.toMatchObject({ status: 409, key: 'errors.proposal_closed' });
    const [still] = await db.select().from(proposals).where(eq(proposals.id, closed.id));
    expect(still!.status).toBe('closed');
    const { file: settled } = await getCandidateFile(db, agent, publicId);
    const [stay] = await listStays(db, file!.id);
    expect(stayCancelled(stay!, settled)).toBe('settled');
    expect(stayCancelled({ startDate: '2026-11-01' }, settled)).toBeNull();
    expect(
      stayCancelled(stay!, { stage: 'settling', settledAt: null, stageEnteredAt: settled.stageEnteredAt }),
    ).toBeNull();
  });
});

describe('withdrawal', () => {
  it('cancels the stays that had not started, as settling does: the pages’ rule and the calendar’s and brief’s SQL', async () => {
    const { db, ctx, advance, agent, publicId } = await setup();
    for (const [startDate, endDate] of [
      ['2026-11-20', '2026-11-21'],
      ['2026-11-23', '2026-11-25'],
      ['2026-12-10', '2026-12-12'],
    ])
      await planStay(ctx, agent, publicId, { startDate, endDate, places: 'Auch' });
    const { file: open } = await getCandidateFile(db, agent, publicId);
    const still = async () =>
      (
        await db
          .select({ start: discoveryStays.startDate })
          .from(discoveryStays)
          .innerJoin(candidates, eq(candidates.id, discoveryStays.candidateId))
          .where(and(eq(candidates.id, open.id), stayNotCancelled()))
          .orderBy(discoveryStays.startDate)
      ).map((s) => s.start);
    expect(await still()).toEqual(['2026-11-20', '2026-11-23', '2026-12-10']);
    // Withdrawn on the 23rd: the stay begun that day or before took place; the one ahead will not.
    advance(1000);
    await moveStage(ctx, agent, publicId, { to: 'withdrawn', withdrawalReason: 'housing', version: open.version });
    const { file: withdrawn } = await getCandidateFile(db, agent, publicId);
    expect((await listStays(db, open.id)).map((s) => [s.startDate, stayCancelled(s, withdrawn)])).toEqual([
      ['2026-11-20', null],
      ['2026-11-23', null],
      ['2026-12-10', 'withdrawn'],
    ]);
    expect(await still()).toEqual(['2026-11-20', '2026-11-23']);
  });
});

describe('landing after sign-in', () => {
  it('sends each role to its own home', () => {
    expect(homePath({ role: 'family' })).toBe('/compte');
    expect(homePath({ role: 'owner' })).toBe('/compte');
    expect(homePath({ role: 'agent' })).toBe('/agent');
    expect(homePath({ role: 'territory_admin' })).toBe('/agent/rapports');
    expect(homePath({ role: 'platform_admin' })).toBe('/admin');
    expect(homePath(null)).toBe('/compte');
  });
});
