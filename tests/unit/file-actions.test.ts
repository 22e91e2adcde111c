// The file's actions beyond stage moves: tasks, proposals and the family's answers,
// discovery stays, messages, duplicates and merges, territory moves with consent, and the
// family's data (export, erase). Real temporary databases, the demo seed's accounts.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import {
  ambassadors,
  candidateEvents,
  candidates,
  discoveryStays,
  introductions,
  messages,
  offers,
  opportunities,
  outbox,
  proposals,
  stageHistory,
  tasks,
  users,
  workProposals,
} from '../../db/schema/index.ts';
import { fileIntroductions, introduce } from '../../src/server/ambassadors/introductions.ts';
import { listWorkProposals, proposeWork } from '../../src/server/opportunities/proposals.ts';
import type { SessionUser } from '../../src/server/accounts/session.ts';
import { findCandidate, moveStage } from '../../src/server/candidates/commands.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { exportFamilyData, familyAccount, familyFile } from '../../src/server/candidates/family.ts';
import { eraseFamily } from '../../src/server/family/erase.ts';
import { markRead, sendAgentMessage, sendFamilyMessage } from '../../src/server/candidates/messages.ts';
import { answerProposal, proposeOffers, searchFromNeeds } from '../../src/server/candidates/proposals.ts';
import { agentHome, getCandidateFile, listCandidates } from '../../src/server/candidates/queries.ts';
import { fileListSizes, parseFileLists } from '../../src/server/candidates/schemas.ts';
import { editProject } from '../../src/server/candidates/project.ts';
import { planStay } from '../../src/server/candidates/stays.ts';
import { completeTask, createTask } from '../../src/server/candidates/tasks.ts';
import { markDuplicate, mergeDuplicate, mergedTarget, moveTerritory } from '../../src/server/candidates/transfer.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { actor, actors, testDb } from '../helpers/db.ts';

const start = Date.UTC(2026, 10, 23, 9);
const ctxFor = (db: Db) => ({ db, clock: { now: () => new Date(start) }, siteUrl: 'https://cc.test' });

async function newFile(db: Db, over: Record<string, unknown> = {}) {
  const input = {
    name: 'Famille Durand',
    email: `durand.${Math.random().toString(36).slice(2)}@exemple.fr`,
    adults: '2',
    children: '4',
    wishedTerritories: '32',
    budgetMax: '900',
    transaction: 'rent',
    minDownloadMbps: '100',
    consent: 'yes',
    locale: 'fr',
    ...over,
  };
  const { publicId } = await createEnquiry(ctxFor(db), input, `ip-${Math.random()}`);
  const [row] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
  return row!;
}

/** A family account of its own, so that the demo family's seeded file stays out of the way. */
async function newFamily(db: Db): Promise<SessionUser> {
  const email = `famille.${Math.random().toString(36).slice(2)}@exemple.fr`;
  await db.insert(users).values({
    email,
    name: 'Famille Test',
    role: 'family',
    emailVerifiedAt: new Date(start).toISOString(),
    createdAt: new Date(start).toISOString(),
  });
  return actor(db, email);
}

/** A fresh database, its context (a clock at `start` that `advance` moves on), and Lucie, agent of the Gers. */
async function withLucie() {
  const { db } = await testDb();
  let now = start;
  const ctx = { db, clock: { now: () => new Date(now) }, siteUrl: 'https://cc.test' };
  return { db, ctx, advance: (ms: number) => (now += ms), lucie: await actor(db, 'agent.gers@demo.test') };
}

/** The same, with a family account of its own and its new file in the Gers (`over`: its enquiry). */
async function withFamilyFile(over: Record<string, unknown> = {}) {
  const setup = await withLucie();
  const family = await newFamily(setup.db);
  return { ...setup, family, file: await newFile(setup.db, { email: family.email, ...over }) };
}

const mailsTo = async (db: Db, to: string) =>
  (await db.select().from(outbox).where(eq(outbox.to, to))).map((m) => m.template);
const publishedIn = async (db: Db, territory: string, n: number) =>
  await db
    .select({ id: offers.id, title: offers.title })
    .from(offers)
    .where(and(eq(offers.status, 'published'), eq(offers.territoryCode, territory)))
    .limit(n);

async function expectInvalid(promise: Promise<unknown>, field: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  expect((error as Invalid).errors.map((e) => e.field)).toContain(field);
}

describe('tasks', () => {
  it('are created with a due date for staff of the territory, and closed once', async () => {
    const { db, ctx, lucie } = await withLucie();
    const [direction, yann] = await actors(db, 'direction.gers@demo.test', 'agent.manche@demo.test');
    const file = await newFile(db);
    await expectInvalid(
      createTask(ctx, lucie, file.publicId, { title: ' ', dueDate: '2026-11-30', assigneeId: String(lucie.id) }),
      'title',
    );
    await expectInvalid(
      createTask(ctx, lucie, file.publicId, { title: 'Appeler', dueDate: '2026-02-30', assigneeId: String(lucie.id) }),
      'dueDate',
    );
    await expectInvalid(
      createTask(ctx, lucie, file.publicId, { title: 'Appeler', dueDate: '2026-11-30', assigneeId: String(yann.id) }),
      'assigneeId',
    );
    await expect(
      createTask(ctx, yann, file.publicId, { title: 'Appeler', dueDate: '2026-11-30', assigneeId: String(yann.id) }),
    ).rejects.toBeInstanceOf(NotFound);
    expect(await db.select().from(tasks).where(eq(tasks.candidateId, file.id))).toEqual([]);

    await createTask(ctx, lucie, file.publicId, {
      title: 'Appeler la famille',
      dueDate: '2026-11-23',
      assigneeId: String(direction.id),
    });
    const [task] = await db.select().from(tasks).where(eq(tasks.candidateId, file.id));
    expect(task).toMatchObject({
      kind: 'manual',
      title: 'Appeler la famille',
      dueDate: '2026-11-23',
      assigneeId: direction.id,
      doneAt: null,
    });
    const home = await agentHome(db, direction, ctx.clock);
    expect(home.dueToday.map((t) => t.title)).toContain('Appeler la famille');
    await completeTask(ctx, direction, file.publicId, task!.id);
    await expect(completeTask(ctx, direction, file.publicId, task!.id)).rejects.toBeInstanceOf(Conflict);
    const kinds = (await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id))).map((e) => [
      e.kind,
      e.data.done ?? false,
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['task', false],
        ['task', true],
      ]),
    );
  });
});

describe('proposals', () => {
  it('start from the family’s needs, propose published offers once, and email the family', async () => {
    const { db, ctx, lucie } = await withLucie();
    const file = await newFile(db);
    expect(Object.fromEntries(searchFromNeeds(file))).toEqual({
      territoire: '32',
      type: 'logement',
      transaction: 'location',
      prix_max: '900',
      debit_min: '100',
    });

    const [a, b] = await publishedIn(db, '32', 2);
    await expectInvalid(proposeOffers(ctx, lucie, file.publicId, []), 'offers');
    await expectInvalid(proposeOffers(ctx, lucie, file.publicId, ['999999999']), 'offers');
    const [draft] = await db.select({ id: offers.id }).from(offers).where(eq(offers.status, 'draft')).limit(1);
    await expectInvalid(proposeOffers(ctx, lucie, file.publicId, [String(a!.id), String(draft!.id)]), 'offers');
    expect(await db.select().from(proposals).where(eq(proposals.candidateId, file.id))).toEqual([]);

    expect(await proposeOffers(ctx, lucie, file.publicId, [String(a!.id), String(b!.id)])).toBe(2);
    expect(await proposeOffers(ctx, lucie, file.publicId, [String(a!.id)])).toBe(0);
    expect(await db.select().from(proposals).where(eq(proposals.candidateId, file.id))).toHaveLength(2);
    expect(await mailsTo(db, file.email)).toEqual(['enquiry_received', 'offers_proposed']);
    const [mail] = await db
      .select()
      .from(outbox)
      .where(and(eq(outbox.to, file.email), eq(outbox.template, 'offers_proposed')));
    expect(mail!.subject).toBe('Votre agent vous propose 2 offres');
    expect(mail!.text).toContain(a!.title);
    expect(mail!.text).toContain('https://cc.test/compte');
  });

  it('are answered by the family of the file only, with a comment, and the agent is told', async () => {
    const { db, ctx, lucie, family, file } = await withFamilyFile();
    const other = await newFile(db);
    const { assignFile } = await import('../../src/server/candidates/commands.ts');
    await assignFile(ctx, lucie, file.publicId, lucie.id);
    const [a, b] = await publishedIn(db, '32', 2);
    await proposeOffers(ctx, lucie, file.publicId, [String(a!.id), String(b!.id)]);
    await proposeOffers(ctx, lucie, other.publicId, [String(a!.id)]);
    const own = await familyFile(db, family);
    const [pa, pb] = await db.select().from(proposals).where(eq(proposals.candidateId, file.id));
    const [theirs] = await db.select().from(proposals).where(eq(proposals.candidateId, other.id));

    await expectInvalid(answerProposal(ctx, family, own!, { proposal: String(pa!.id), answer: 'maybe' }), 'answer');
    await expect(
      answerProposal(ctx, family, own!, { proposal: String(theirs!.id), answer: 'accepted' }),
    ).rejects.toBeInstanceOf(NotFound);
    await answerProposal(ctx, family, own!, {
      proposal: String(pa!.id),
      answer: 'accepted',
      comment: 'Le jardin nous plaît',
    });
    await answerProposal(ctx, family, own!, { proposal: String(pb!.id), answer: 'declined', comment: '' });
    const rows = await db.select().from(proposals).where(eq(proposals.candidateId, file.id));
    expect(rows.map((r) => [r.status, r.comment])).toEqual([
      ['accepted', 'Le jardin nous plaît'],
      ['declined', null],
    ]);
    expect((await db.select().from(proposals).where(eq(proposals.id, theirs!.id)))[0]!.status).toBe('proposed');
    const toLucie = await db
      .select()
      .from(outbox)
      .where(and(eq(outbox.to, lucie.email), eq(outbox.template, 'proposal_answered')));
    expect(toLucie).toHaveLength(2);
    expect(toLucie[0]!.text).toContain('Le jardin nous plaît');
    expect((await familyAccount(db, family))!.proposals.map((p) => p.status).sort()).toEqual(['accepted', 'declined']);

    // Withdrawn, then edited by its owner with no agent reading it: the family sees where and
    // what kind, never the new text nor a photo or a price.
    await db
      .update(offers)
      .set({ status: 'pending', title: 'Appelez le 0899 avant tout virement' })
      .where(eq(offers.id, pa!.offerId));
    const shown = (await familyAccount(db, family))!.proposals.find((p) => p.offerId === pa!.offerId)!;
    expect([shown.title, shown.photo, shown.price]).toEqual([null, null, null]);
    expect(shown.communeName).toBeTruthy();
    expect((await familyAccount(db, family))!.proposals.find((p) => p.offerId === pb!.offerId)!.title).toBeTruthy();
    // Nor can it be answered any more: the answer stays as it was, nobody is emailed.
    await expect(
      answerProposal(ctx, family, own!, { proposal: String(pa!.id), answer: 'declined' }),
    ).rejects.toMatchObject({ status: 409, key: 'errors.proposal_offline' });
    expect((await db.select().from(proposals).where(eq(proposals.id, pa!.id)))[0]!.status).toBe('accepted');
    expect(
      await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.to, lucie.email), eq(outbox.template, 'proposal_answered'))),
    ).toHaveLength(2);
  });
});

describe('discovery stays and messages', () => {
  it('plan a stay with dates, places and hosts, refusing an end before the start', async () => {
    const { db, ctx, lucie } = await withLucie();
    const file = await newFile(db);
    await expectInvalid(
      planStay(ctx, lucie, file.publicId, { startDate: '2026-12-10', endDate: '2026-12-09', places: 'Mauvezin' }),
      'endDate',
    );
    await expectInvalid(
      planStay(ctx, lucie, file.publicId, { startDate: '2026-12-10', endDate: '2026-12-12', places: '  ' }),
      'places',
    );
    await planStay(ctx, lucie, file.publicId, {
      startDate: '2026-12-10',
      endDate: '2026-12-12',
      places: 'Mauvezin\nTiers-lieu de Lectoure',
      hosts: 'Gîte des Tilleuls',
    });
    expect(
      await db
        .select({ s: discoveryStays.startDate, e: discoveryStays.endDate, h: discoveryStays.hosts })
        .from(discoveryStays)
        .where(eq(discoveryStays.candidateId, file.id)),
    ).toEqual([{ s: '2026-12-10', e: '2026-12-12', h: 'Gîte des Tilleuls' }]);
    const [mail] = await db
      .select()
      .from(outbox)
      .where(and(eq(outbox.to, file.email), eq(outbox.template, 'stay_planned')));
    expect(mail!.text).toContain('Mauvezin, Tiers-lieu de Lectoure');
    expect(mail!.subject).toContain('10 décembre 2026');
  });

  it('are refused on a closed file (settled or withdrawn): the action itself, no stay, no event, no email', async () => {
    const { db, ctx, lucie } = await withLucie();
    const settled = await newFile(db);
    let version = settled.version;
    for (const to of ['qualified', 'discovery', 'settling'] as const)
      version = (await moveStage(ctx, lucie, settled.publicId, { to, version })).version;
    await moveStage(ctx, lucie, settled.publicId, {
      to: 'settled',
      version,
      settledCommuneCode: '32013',
      settledAt: '2026-11-20',
      settledHouseholdSize: 4,
    });
    const withdrawn = await newFile(db);
    await moveStage(ctx, lucie, withdrawn.publicId, {
      to: 'withdrawn',
      withdrawalReason: 'no_answer',
      version: withdrawn.version,
    });
    for (const file of [settled, withdrawn]) {
      // Even with dates to correct: there is nothing to correct on a closed file.
      for (const input of [
        { startDate: '2027-01-10', endDate: '2027-01-12', places: 'Auch' },
        { startDate: '2027-01-10', endDate: '2027-01-09', places: '' },
      ]) {
        const error = await planStay(ctx, lucie, file.publicId, input).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Invalid);
        expect((error as Invalid).errors).toEqual([{ field: 'intent', key: 'errors.stay_file_closed' }]);
      }
      expect(await db.select().from(discoveryStays).where(eq(discoveryStays.candidateId, file.id))).toEqual([]);
      const visits = await db
        .select()
        .from(candidateEvents)
        .where(and(eq(candidateEvents.candidateId, file.id), eq(candidateEvents.kind, 'visit')));
      expect(visits).toEqual([]);
      expect(await mailsTo(db, file.email)).not.toContain('stay_planned');
    }
  });

  it('go both ways, each side emailed, and are read when the other side opens the file', async () => {
    const { db, ctx, lucie, family, file } = await withFamilyFile();
    await expectInvalid(sendAgentMessage(ctx, lucie, file.publicId, { body: '' }), 'body');
    await sendAgentMessage(ctx, lucie, file.publicId, { body: 'Bonjour, quand pouvez-vous venir ?' });
    await sendFamilyMessage(ctx, family, (await familyFile(db, family))!, { body: 'En décembre !' });
    expect(await mailsTo(db, family.email)).toContain('message_for_family');
    // Nobody has the file yet: every agent of the Gers is told.
    expect(await mailsTo(db, 'agent.gers@demo.test')).toContain('message_for_agent');
    expect(await mailsTo(db, 'direction.gers@demo.test')).toContain('message_for_agent');
    expect(await mailsTo(db, 'agent.manche@demo.test')).not.toContain('message_for_agent');
    const account = await familyAccount(db, family);
    // /compte marks the agent's messages read as the family sees them, the file page the family's.
    await markRead(db, account!.file.id, true, new Date(start).toISOString());
    expect(account!.messages.map((m) => [m.fromFamily, m.body])).toEqual([
      [false, 'Bonjour, quand pouvez-vous venir ?'],
      [true, 'En décembre !'],
    ]);
    const read = await db
      .select({ fromFamily: messages.fromFamily, readAt: messages.readAt })
      .from(messages)
      .where(eq(messages.candidateId, file.id));
    expect(read).toEqual([
      { fromFamily: false, readAt: new Date(start).toISOString() },
      { fromFamily: true, readAt: null },
    ]);
    await getCandidateFile(db, lucie, file.publicId);
    await markRead(db, file.id, false, new Date(start).toISOString());
    expect((await db.select().from(messages).where(eq(messages.candidateId, file.id))).every((m) => m.readAt)).toBe(
      true,
    );
  });
});

describe('the project, corrected by an agent', () => {
  /** The project form as the file page fills it, then `over`. */
  const form = (file: { version: number }, over: Record<string, string> = {}) => ({
    name: 'Famille Durand',
    adults: '2',
    children: '4',
    wishedCommunes: '',
    budgetMax: '900',
    transaction: 'rent',
    minDownloadMbps: '100',
    version: String(file.version),
    ...over,
  });
  const reload = async (db: Db, id: number) => (await db.select().from(candidates).where(eq(candidates.id, id)))[0]!;

  it('saves what a call taught, names the fields on the timeline and scores the file again', async () => {
    const { db, ctx, lucie, file } = await withFamilyFile();
    const before = await reload(db, file.id);
    const changed = await editProject(
      ctx,
      lucie,
      file.publicId,
      form(file, {
        children: '4, 9',
        wishedCommunes: 'Auch, Mauvezin (32120)',
        budgetMax: '1200',
        profession: 'Développeuse',
        remoteStatus: 'employee',
        partnerWish: 'local_job',
        timeFrame: 'lt3m',
        housingNeeds: 'Une maison avec jardin',
      }),
    );
    expect(changed).toBe(true);
    const after = await reload(db, file.id);
    expect(after.household).toEqual({ adults: 2, children: [4, 9] });
    expect(after.wishedCommunes).toEqual(['32013', '32249']);
    expect(after.budgetMax).toBe(1200);
    expect(after.professions).toEqual([{ profession: 'Développeuse', status: 'employee' }]);
    expect(after.partnerWish).toBe('local_job');
    expect(after.timeFrame).toBe('lt3m');
    expect(after.housingNeeds).toBe('Une maison avec jardin');
    // Unchanged: the address, the territories, the stage.
    expect([after.email, after.wishedTerritories, after.stage]).toEqual([
      before.email,
      before.wishedTerritories,
      before.stage,
    ]);
    expect(after.version).toBe(before.version + 1);
    // A time frame under three months and a profession: the score moves.
    expect(after.maturityScore).not.toBe(before.maturityScore);
    const [event] = await db
      .select()
      .from(candidateEvents)
      .where(and(eq(candidateEvents.candidateId, file.id), eq(candidateEvents.kind, 'project_edited')));
    expect(event!.byUserId).toBe(lucie.id);
    expect(event!.data).toEqual({
      fields: ['household', 'professions', 'partnerWish', 'wishedCommunes', 'budgetMax', 'housingNeeds', 'timeFrame'],
    });
    // The same form again: nothing to write, no event.
    expect(
      await editProject(ctx, lucie, file.publicId, {
        ...form(after),
        children: '4, 9',
        wishedCommunes: 'Auch (32000), Mauvezin (32120)',
        budgetMax: '1200',
        profession: 'Développeuse',
        remoteStatus: 'employee',
        partnerWish: 'local_job',
        timeFrame: 'lt3m',
        housingNeeds: 'Une maison avec jardin',
      }),
    ).toBe(false);
    expect((await reload(db, file.id)).version).toBe(after.version);
  });

  it('refuses bad input with every error at once, a stale version, another territory and families; nothing changes', async () => {
    const { db, ctx, lucie, family, file } = await withFamilyFile();
    const before = await reload(db, file.id);
    const error = await editProject(
      ctx,
      lucie,
      file.publicId,
      form(file, {
        adults: '0',
        children: 'deux',
        wishedCommunes: 'Nullepart-sur-Mer',
        budgetMax: '-5',
        timeFrame: 'demain',
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).errors.map((e) => e.field).sort()).toEqual(
      ['adults', 'budgetMax', 'children', 'timeFrame', 'wishedCommunes'].sort(),
    );
    await expectInvalid(editProject(ctx, lucie, file.publicId, form(file, { name: '' })), 'name');
    // Someone else changed the file since the page was drawn.
    await expect(
      editProject(ctx, lucie, file.publicId, form({ version: before.version - 1 }, { budgetMax: '1' })),
    ).rejects.toBeInstanceOf(Conflict);
    const yann = await actor(db, 'agent.manche@demo.test');
    await expect(editProject(ctx, yann, file.publicId, form(file, { budgetMax: '1' }))).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(editProject(ctx, family, file.publicId, form(file, { budgetMax: '1' }))).rejects.toBeInstanceOf(
      Forbidden,
    );
    // A repeated communes field is not the form's: refused, never read as "no commune".
    await db
      .update(candidates)
      .set({ wishedCommunes: ['32013'] })
      .where(eq(candidates.id, file.id));
    const withAuch = await reload(db, file.id);
    await expectInvalid(
      editProject(ctx, lucie, file.publicId, { ...form(withAuch), wishedCommunes: ['Auch', 'Condom'] }),
      'wishedCommunes',
    );
    await expectInvalid(
      editProject(
        ctx,
        lucie,
        file.publicId,
        // Eleven different names (Auch typed eleven times is one commune).
        form(withAuch, { wishedCommunes: Array.from({ length: 11 }, (_, i) => `Commune ${i + 1}`).join(', ') }),
      ),
      'wishedCommunes',
    );
    expect(await reload(db, file.id)).toEqual(withAuch);
  });

  it('keeps a commune the referential lost, each commune once, the partner’s profession second, a name without NUL', async () => {
    const { db, ctx, lucie, file } = await withFamilyFile();
    await db
      .update(candidates)
      .set({ wishedCommunes: ['32999'] })
      .where(eq(candidates.id, file.id));
    const lost = await reload(db, file.id);
    expect(
      await editProject(
        ctx,
        lucie,
        file.publicId,
        form(lost, {
          name: 'Famille\u0000 Durand',
          wishedCommunes: '32999, Auch, Auch (32000)',
          partnerProfession: 'Boulanger',
          partnerRemoteStatus: 'job_seeker',
        }),
      ),
    ).toBe(true);
    const after = await reload(db, file.id);
    expect(after.name).toBe('Famille Durand');
    expect(after.wishedCommunes).toEqual(['32999', '32013']);
    expect(after.professions).toEqual([
      { profession: null, status: null },
      { profession: 'Boulanger', status: 'job_seeker' },
    ]);
  });
});

describe('a long file', () => {
  it('shows its latest events, messages and open tasks first, with how many there are in all', async () => {
    const { db, lucie, family, file } = await withFamilyFile();
    const at = (i: number) => new Date(start + i * 60_000).toISOString();
    const n = 130;
    await db.insert(candidateEvents).values(
      Array.from({ length: n }, (_, i) => ({
        candidateId: file.id,
        kind: 'note' as const,
        data: { text: `note ${i}` },
        at: at(i),
      })),
    );
    await db.insert(messages).values(
      Array.from({ length: n }, (_, i) => ({
        candidateId: file.id,
        fromFamily: i % 2 === 0,
        body: `message ${i}`,
        at: at(i),
      })),
    );
    await db.insert(tasks).values(
      Array.from({ length: n }, (_, i) => ({
        candidateId: file.id,
        title: `tâche ${i}`,
        dueDate: `2027-01-${String(1 + (i % 28)).padStart(2, '0')}`,
        doneAt: i % 3 === 0 ? at(i) : null,
        createdAt: at(0),
      })),
    );
    const allEvents = await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id));

    const first = await getCandidateFile(db, lucie, file.publicId);
    expect(first.totals).toEqual({ historique: allEvents.length, messages: n, taches: n });
    // The latest events, newest first.
    expect(first.events).toHaveLength(fileListSizes.historique);
    expect(first.events[0]!.data).toEqual({ text: `note ${n - 1}` });
    // The last messages, oldest first, as a thread reads.
    expect(first.messages.map((m) => m.body)).toEqual(
      Array.from({ length: fileListSizes.messages }, (_, i) => `message ${n - fileListSizes.messages + i}`),
    );
    // Open tasks before done ones, by due date.
    expect(first.tasks).toHaveLength(fileListSizes.taches);
    expect(first.tasks.every((t) => t.doneAt === null)).toBe(true);
    const dues = first.tasks.map((t) => t.dueDate);
    expect(dues).toEqual([...dues].sort());

    // "Show more", as the page's links ask it; past the end, all of them.
    const more = await getCandidateFile(db, lucie, file.publicId, {
      shown: parseFileLists(new URLSearchParams('historique=100&messages=1000&taches=abc')),
    });
    expect(more.events).toHaveLength(100);
    expect(more.messages).toHaveLength(n);
    expect(more.messages[0]!.body).toBe('message 0');
    expect(more.tasks).toHaveLength(fileListSizes.taches);
    const everything = await getCandidateFile(db, lucie, file.publicId, {
      shown: parseFileLists(new URLSearchParams(`historique=${allEvents.length}&taches=${n}`)),
    });
    expect(everything.events).toHaveLength(allEvents.length);
    expect(everything.tasks.map((t) => t.doneAt === null)).toEqual(
      Array.from({ length: n }, (_, i) => i < n - Math.ceil(n / 3)),
    );

    // The family's side reads the same thread.
    const account = await familyAccount(db, family);
    expect(account!.messageTotal).toBe(n);
    expect(account!.messages.map((m) => m.body)).toEqual(first.messages.map((m) => m.body));
  });

  it('reads a bad "show more" parameter as the first page', () => {
    for (const bad of ['', 'x', '-5', '1e400', '1e2', '10.5', '0x40', ' 60', '__proto__'])
      expect(parseFileLists(new URLSearchParams({ historique: bad, messages: bad, taches: bad }))).toEqual(
        fileListSizes,
      );
    expect(parseFileLists(new URLSearchParams('historique=99999999999999999999')).historique).toBe(2_000);
    expect(parseFileLists(new URLSearchParams('historique=1&messages=60')).messages).toBe(60);
  });
});

describe('duplicates', () => {
  it('are linked at enquiry, then merged: the timeline, proposals and messages move; the duplicate disappears', async () => {
    const { db, ctx, lucie } = await withLucie();
    const yann = await actor(db, 'agent.manche@demo.test');
    const original = await newFile(db, { email: 'double@exemple.fr' });
    const dup = await newFile(db, { email: 'double@exemple.fr', phone: '0612345678' });
    expect(dup.duplicateOfId).toBe(original.id);
    const [a, b] = await publishedIn(db, '32', 2);
    await proposeOffers(ctx, lucie, original.publicId, [String(a!.id)]);
    await proposeOffers(ctx, lucie, dup.publicId, [String(a!.id), String(b!.id)]);
    await sendAgentMessage(ctx, lucie, dup.publicId, { body: 'Sur le second dossier' });

    await expect(mergeDuplicate(ctx, yann, dup.publicId, dup.version)).rejects.toBeInstanceOf(NotFound);
    await expect(mergeDuplicate(ctx, lucie, dup.publicId, dup.version - 1)).rejects.toBeInstanceOf(Conflict);
    expect(await mergeDuplicate(ctx, lucie, dup.publicId, dup.version)).toBe(original.publicId);

    await expect(findCandidate(db, lucie, dup.publicId)).rejects.toBeInstanceOf(NotFound);
    expect(await mergedTarget(db, lucie, dup.publicId)).toBe(original.publicId);
    expect(await mergedTarget(db, yann, dup.publicId)).toBeNull();
    const merged = await getCandidateFile(db, lucie, original.publicId);
    expect(merged.proposals.map((p) => p.offerId).sort()).toEqual([a!.id, b!.id].sort());
    expect(merged.messages.map((m) => m.body)).toEqual(['Sur le second dossier']);
    expect(merged.file.phone).toBe('0612345678');
    expect(merged.events.some((e) => e.kind === 'duplicate' && e.data.merged === dup.publicId)).toBe(true);
    const list = await listCandidates(db, lucie, { q: 'double@exemple.fr' });
    expect(list.rows.map((r) => r.publicId)).toEqual([original.publicId]);
    const history = await db.select().from(stageHistory).where(eq(stageHistory.candidateId, dup.id));
    expect(history.every((h) => h.leftAt !== null)).toBe(true);
  });

  it('keep the family’s latest answer to an item proposed to both, and into a settled file leave nothing to answer', async () => {
    const { db, ctx, lucie } = await withLucie();
    const original = await newFile(db, { email: 'tard@exemple.fr' });
    const dup = await newFile(db, { email: 'tard@exemple.fr' });
    const [home, other] = await publishedIn(db, '32', 2);
    for (const file of [original, dup]) await proposeOffers(ctx, lucie, file.publicId, [String(home!.id)]);
    await proposeOffers(ctx, lucie, dup.publicId, [String(other!.id)]);
    // Accepted on the original, then declined on the duplicate a day later: the decline is the family's word.
    await db
      .update(proposals)
      .set({ status: 'accepted', answeredAt: new Date(start).toISOString() })
      .where(eq(proposals.candidateId, original.id));
    await db
      .update(proposals)
      .set({ status: 'declined', answeredAt: new Date(start + DAY_MS).toISOString() })
      .where(and(eq(proposals.candidateId, dup.id), eq(proposals.offerId, home!.id)));
    await db.update(candidates).set({ stage: 'settled' }).where(eq(candidates.id, original.id));
    const { version } = await findCandidate(db, lucie, dup.publicId);
    await mergeDuplicate(ctx, lucie, dup.publicId, version);
    const kept = await db.select().from(proposals).where(eq(proposals.candidateId, original.id));
    expect(kept.map((p) => [p.offerId, p.status]).sort()).toEqual(
      [
        [home!.id, 'declined'],
        [other!.id, 'closed'],
      ].sort(),
    );
  });

  it('move every row that names the duplicate: jobs and introductions too, one per item and ambassador, the answer that went furthest', async () => {
    const { db, ctx, lucie } = await withLucie();
    const original = await newFile(db, { email: 'meme@exemple.fr' });
    const dup = await newFile(db, { email: 'meme@exemple.fr' });
    expect(dup.duplicateOfId).toBe(original.id);
    const answer = { status: 'accepted' as const, answeredAt: new Date(start).toISOString() };
    // Homes: the same one proposed to both, answered on the duplicate only.
    const [home] = await publishedIn(db, '32', 1);
    await proposeOffers(ctx, lucie, original.publicId, [String(home!.id)]);
    await proposeOffers(ctx, lucie, dup.publicId, [String(home!.id)]);
    await db
      .update(proposals)
      .set(answer)
      .where(and(eq(proposals.candidateId, dup.id), eq(proposals.offerId, home!.id)));
    // Jobs: j1 to both (accepted on the duplicate), j2 to the duplicate only, j3 to both (declined on the original).
    const [j1, j2, j3] = await db
      .select({ id: opportunities.id })
      .from(opportunities)
      .where(and(eq(opportunities.territoryCode, '32'), eq(opportunities.status, 'published')))
      .orderBy(opportunities.id)
      .limit(3);
    expect(j3).toBeDefined();
    for (const [file, job] of [
      [original, j1],
      [dup, j1],
      [dup, j2],
      [original, j3],
      [dup, j3],
    ] as const)
      expect(await proposeWork(ctx, lucie, file.publicId, { opportunity: String(job!.id) })).toBe(true);
    await db
      .update(workProposals)
      .set(answer)
      .where(and(eq(workProposals.candidateId, dup.id), eq(workProposals.opportunityId, j1!.id)));
    await db
      .update(workProposals)
      .set({ ...answer, status: 'declined' })
      .where(and(eq(workProposals.candidateId, original.id), eq(workProposals.opportunityId, j3!.id)));
    // Introductions to the Gers ambassador: an ended one on the duplicate (history), then one
    // open on each file, the duplicate's already accepted by the ambassador.
    const [gersAmbassador] = await db.select().from(ambassadors).where(eq(ambassadors.territoryCode, '32'));
    const introduceTo = (file: { publicId: string }) =>
      introduce(ctx, lucie, file.publicId, { ambassador: String(gersAmbassador!.id) });
    await introduceTo(dup);
    await db
      .update(introductions)
      .set({ status: 'declined', familyAnswer: 'declined', familyTokenHash: null })
      .where(eq(introductions.candidateId, dup.id));
    await introduceTo(dup);
    await introduceTo(original);
    const [accepted] = await db
      .update(introductions)
      .set({ ambassadorAnswer: 'accepted' })
      .where(and(eq(introductions.candidateId, dup.id), eq(introductions.status, 'pending')))
      .returning();
    // An ambassador profile opted in from the duplicate (a settled family's).
    const [owner] = await db
      .insert(users)
      .values({ email: 'ambassadrice@exemple.fr', name: 'Ambre Test', role: 'family', createdAt: '2026-01-01' })
      .returning();
    const [profile] = await db
      .insert(ambassadors)
      .values({
        userId: owner!.id,
        candidateId: dup.id,
        territoryCode: '32',
        communeCode: '32013',
        status: 'paused',
        languages: ['fr'],
        presentation: 'Installée à Auch.',
        createdAt: '2026-01-01',
        updatedAt: '2026-01-01',
      })
      .returning();
    // A file marked as a duplicate of the duplicate; another merged into it before.
    const third = await newFile(db, { email: 'troisieme@exemple.fr' });
    await markDuplicate(ctx, lucie, third.publicId, dup.publicId);
    const earlier = await newFile(db, { email: 'ancien@exemple.fr' });
    await markDuplicate(ctx, lucie, earlier.publicId, dup.publicId);
    await mergeDuplicate(ctx, lucie, earlier.publicId, (await findCandidate(db, lucie, earlier.publicId)).version);
    expect(await db.select().from(outbox).where(eq(outbox.candidateId, dup.id))).not.toEqual([]);

    const { version } = await findCandidate(db, lucie, dup.publicId);
    await mergeDuplicate(ctx, lucie, dup.publicId, version);

    // Nothing names the duplicate any more but its own stage history.
    for (const table of [proposals, workProposals, introductions, tasks, messages, discoveryStays, candidateEvents])
      expect(await db.select().from(table).where(eq(table.candidateId, dup.id))).toEqual([]);
    expect(await db.select().from(outbox).where(eq(outbox.candidateId, dup.id))).toEqual([]);
    expect((await db.select().from(ambassadors).where(eq(ambassadors.id, profile!.id)))[0]!.candidateId).toBe(
      original.id,
    );
    const merged = await getCandidateFile(db, lucie, original.publicId);
    expect(merged.proposals.map((p) => [p.offerId, p.status])).toEqual([[home!.id, 'accepted']]);
    const work = await listWorkProposals(db, original.id);
    expect(work.map((w) => [w.opportunityId, w.status]).sort()).toEqual(
      [
        [j1!.id, 'accepted'],
        [j2!.id, 'proposed'],
        [j3!.id, 'declined'],
      ].sort(),
    );
    // The same job is not proposed again; the box knows it was.
    expect(await proposeWork(ctx, lucie, original.publicId, { opportunity: String(j2!.id) })).toBe(false);
    const intros = await fileIntroductions(db, original.id);
    expect(intros.map((i) => [i.id, i.status, i.ambassadorAnswer]).sort()).toEqual(
      [
        [accepted!.id, 'pending', 'accepted'],
        [intros.find((i) => i.status === 'declined')!.id, 'declined', null],
      ].sort(),
    );
    await expectInvalid(introduceTo(original), 'ambassador');
    // The files that named the duplicate name the original.
    const [thirdNow] = await db.select().from(candidates).where(eq(candidates.id, third.id));
    expect(thirdNow!.duplicateOfId).toBe(original.id);
    expect(thirdNow!.version).toBeGreaterThan(third.version);
    const [earlierNow] = await db.select().from(candidates).where(eq(candidates.id, earlier.id));
    expect(earlierNow!.mergedIntoId).toBe(original.id);
    expect(await mergedTarget(db, lucie, earlier.publicId)).toBe(original.publicId);
  });

  it('of two settled files leave one set of follow-ups, the original’s, with recorded outcomes and tasks typed by hand', async () => {
    const { db, ctx, advance, lucie } = await withLucie();
    const { recordFollowUp } = await import('../../src/server/candidates/commands.ts');
    const settle = async (file: { publicId: string }, settledAt: string) => {
      for (const to of ['qualified', 'discovery', 'settling', 'settled'] as const) {
        const { version } = await findCandidate(db, lucie, file.publicId);
        advance(1000);
        await moveStage(ctx, lucie, file.publicId, {
          to,
          version,
          settledCommuneCode: '32013',
          settledAt,
          settledHouseholdSize: 3,
        });
      }
    };
    const tasksOf = (id: number) =>
      db
        .select({ id: tasks.id, kind: tasks.kind, due: tasks.dueDate, outcome: tasks.outcome })
        .from(tasks)
        .where(eq(tasks.candidateId, id))
        .orderBy(tasks.id);
    const pair = async (email: string) => {
      const original = await newFile(db, { email });
      const dup = await newFile(db, { email });
      expect(dup.duplicateOfId).toBe(original.id);
      await settle(original, '2026-11-20');
      await settle(dup, '2026-11-21');
      for (const file of [original, dup])
        await createTask(ctx, lucie, file.publicId, {
          title: `Rappeler ${file.publicId}`,
          dueDate: '2026-12-01',
          assigneeId: String(lucie.id),
        });
      return { original, dup };
    };
    const merge = async (dup: { publicId: string }) =>
      mergeDuplicate(ctx, lucie, dup.publicId, (await findCandidate(db, lucie, dup.publicId)).version);

    // Both sets open: the original's stays, the duplicate's goes; both hand-typed tasks move.
    const first = await pair('suivis@exemple.fr');
    const own = await tasksOf(first.original.id);
    const dupTasks = await tasksOf(first.dup.id);
    await merge(first.dup);
    const kept = await tasksOf(first.original.id);
    expect(kept).toEqual([...own, dupTasks.find((t) => t.kind === 'manual')!]);
    expect(kept.map((t) => [t.kind, t.due])).toEqual([
      ['follow_up_6m', '2027-05-20'],
      ['follow_up_12m', '2027-11-20'],
      ['manual', '2026-12-01'],
      ['manual', '2026-12-01'],
    ]);

    // The duplicate's 6-month follow-up already recorded: it is the one kept (never a recorded
    // outcome dropped, nor the question asked again); the 12-month one is the original's.
    const second = await pair('suivi-fait@exemple.fr');
    const recorded = (await tasksOf(second.dup.id)).find((t) => t.kind === 'follow_up_6m')!;
    await recordFollowUp(ctx, lucie, second.dup.publicId, recorded.id, 'left');
    const original12 = (await tasksOf(second.original.id)).find((t) => t.kind === 'follow_up_12m')!;
    await merge(second.dup);
    const followUps = (await tasksOf(second.original.id)).filter((t) => t.kind !== 'manual');
    expect(followUps).toEqual([original12, { ...recorded, outcome: 'left' }].sort((a, b) => a.id - b.id));
    expect((await tasksOf(second.original.id)).filter((t) => t.kind === 'manual')).toHaveLength(2);
  });

  it('can be marked by hand (by email or id, in the agent’s territories only) and cleared', async () => {
    const { db, ctx, lucie } = await withLucie();
    const a = await newFile(db, { email: 'premier@exemple.fr' });
    const b = await newFile(db, { email: 'second@exemple.fr' });
    const manche = await newFile(db, { email: 'manche@exemple.fr', wishedTerritories: '50' });
    await expectInvalid(markDuplicate(ctx, lucie, b.publicId, 'manche@exemple.fr'), 'other');
    await expectInvalid(markDuplicate(ctx, lucie, b.publicId, b.publicId), 'other');
    await expectInvalid(markDuplicate(ctx, lucie, b.publicId, ''), 'other');
    await markDuplicate(ctx, lucie, b.publicId, 'PREMIER@exemple.fr');
    expect((await findCandidate(db, lucie, b.publicId)).duplicateOfId).toBe(a.id);
    await expectInvalid(markDuplicate(ctx, lucie, a.publicId, b.publicId), 'other');
    await markDuplicate(ctx, lucie, b.publicId, undefined, true);
    expect((await findCandidate(db, lucie, b.publicId)).duplicateOfId).toBeNull();
    void manche;
  });
});

describe('territory moves', () => {
  it('need the family’s consent for a territory it did not wish, keep the history, and tell the new territory', async () => {
    const { db, ctx, lucie } = await withLucie();
    const yann = await actor(db, 'agent.manche@demo.test');
    const file = await newFile(db);
    await moveStage(ctx, lucie, file.publicId, { to: 'qualified', version: file.version });
    await expectInvalid(moveTerritory(ctx, lucie, file.publicId, { territory: '50' }), 'consent');
    await expectInvalid(moveTerritory(ctx, lucie, file.publicId, { territory: '32', consent: 'yes' }), 'territory');
    await expectInvalid(moveTerritory(ctx, lucie, file.publicId, { territory: '99', consent: 'yes' }), 'territory');
    expect((await findCandidate(db, lucie, file.publicId)).territoryCode).toBe('32');

    await moveTerritory(ctx, lucie, file.publicId, {
      territory: '50',
      consent: 'yes',
      consentNote: 'Au téléphone le 22/11',
    });
    await expect(findCandidate(db, lucie, file.publicId)).rejects.toBeInstanceOf(NotFound);
    const moved = await getCandidateFile(db, yann, file.publicId);
    expect(moved.file).toMatchObject({ territoryCode: '50', stage: 'qualified', assignedAgentId: null });
    expect(moved.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['created', 'stage_change', 'territory_move']),
    );
    expect(moved.events.find((e) => e.kind === 'territory_move')!.data).toMatchObject({
      from: '32',
      to: '50',
      consent: true,
      consentNote: 'Au téléphone le 22/11',
    });
    expect(await mailsTo(db, yann.email)).toContain('file_transferred');
    expect(await db.select().from(stageHistory).where(eq(stageHistory.candidateId, file.id))).toHaveLength(2);
  });

  it('dispatch a queued file to one of its wished territories without a consent box', async () => {
    const { db, ctx, lucie } = await withLucie();
    const file = await newFile(db, { wishedTerritories: ['32', '50'] });
    expect(file.territoryCode).toBeNull();
    await moveTerritory(ctx, lucie, file.publicId, { territory: '32' });
    expect((await findCandidate(db, lucie, file.publicId)).territoryCode).toBe('32');
  });
});

describe('stage history for reports', () => {
  it('closes a stay with its length in days and the territory of the file', async () => {
    const { db, ctx, advance, lucie } = await withLucie();
    const file = await newFile(db);
    advance(3.5 * 86_400_000);
    await moveStage(ctx, lucie, file.publicId, { to: 'qualified', version: file.version });
    const rows = await db
      .select()
      .from(stageHistory)
      .where(eq(stageHistory.candidateId, file.id))
      .orderBy(stageHistory.id);
    expect(rows.map((r) => [r.stage, r.days, r.territoryCode])).toEqual([
      ['enquiry', 3.5, '32'],
      ['qualified', null, '32'],
    ]);
  });

  it('keeps the file’s facts: stages reached, first settlement, first answer of staff (not of the family)', async () => {
    const { db, ctx, advance, lucie, family, file } = await withFamilyFile();
    const facts = async () =>
      (
        await db
          .select({ r: candidates.reachedStages, s: candidates.firstSettledAt, a: candidates.firstResponseAt })
          .from(candidates)
          .where(eq(candidates.id, file.id))
      )[0]!;
    expect(await facts()).toEqual({ r: 1, s: null, a: null });
    advance(3_600_000);
    await sendFamilyMessage(ctx, family, (await familyFile(db, family))!, { body: 'Bonjour ?' });
    expect((await facts()).a).toBeNull();
    advance(3_600_000);
    await sendAgentMessage(ctx, lucie, file.publicId, { body: 'Bonjour !' });
    const answered = ctx.clock.now().toISOString();
    expect((await facts()).a).toBe(answered);
    let version = file.version;
    for (const to of ['qualified', 'discovery', 'settling', 'settled', 'settling', 'settled'] as const) {
      advance(86_400_000);
      const moved = await moveStage(ctx, lucie, file.publicId, {
        to,
        version,
        settledCommuneCode: '32013',
        settledAt: '2026-11-24',
        settledHouseholdSize: 3,
      });
      version = moved.version;
      if (to === 'settled' && !(await facts()).s) throw new Error('first settlement not kept');
    }
    expect(await facts()).toEqual({
      r: 1 | 2 | 4 | 8 | 16,
      s: new Date(start + 2 * 3_600_000 + 4 * 86_400_000).toISOString(),
      a: answered,
    });
  });
});

describe('stay counts for reports', () => {
  it('stay in step with the history through moves, a territory move and a merge', async () => {
    const { db, ctx, advance, lucie } = await withLucie();
    const a = await newFile(db, { email: 'compte@exemple.fr' });
    const b = await newFile(db, { email: 'compte@exemple.fr' });
    let version = a.version;
    for (const to of ['qualified', 'discovery', 'qualified'] as const) {
      advance(2.25 * 86_400_000);
      version = (await moveStage(ctx, lucie, a.publicId, { to, version })).version;
    }
    advance(86_400_000);
    await moveStage(ctx, lucie, b.publicId, { to: 'qualified', version: b.version });
    await mergeDuplicate(ctx, lucie, b.publicId, b.version + 1);
    await moveTerritory(ctx, lucie, a.publicId, { territory: '50', consent: 'yes' });
    const counted = await db.all<{ t: string; m: string; s: string; d: number; n: number }>(
      sql`SELECT territory_code AS t, month AS m, stage AS s, days AS d, sum(stays) AS n FROM stay_stats GROUP BY 1, 2, 3, 4 HAVING sum(stays) > 0 ORDER BY 1, 2, 3, 4`,
    );
    const raw = await db.all<{ t: string; m: string; s: string; d: number; n: number }>(
      sql`SELECT territory_code AS t, substr(left_at, 1, 7) AS m, stage AS s, days AS d, count(*) AS n FROM stage_history
          WHERE left_at IS NOT NULL AND territory_code IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    );
    expect(counted).toEqual(raw);
    // Every territory's counts (stay_totals, kept from stay_stats) are their sum.
    const totals = await db.all<{ m: string; s: string; d: number; n: number }>(
      sql`SELECT month AS m, stage AS s, days AS d, stays AS n FROM stay_totals WHERE stays > 0 ORDER BY 1, 2, 3`,
    );
    const summed = await db.all<{ m: string; s: string; d: number; n: number }>(
      sql`SELECT substr(left_at, 1, 7) AS m, stage AS s, days AS d, count(*) AS n FROM stage_history
          WHERE left_at IS NOT NULL AND territory_code IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(totals).toEqual(summed);
    // The moved file's stays are counted in the Manche now (2.25 days in qualified, to a tenth).
    expect(raw).toContainEqual(expect.objectContaining({ t: '50', m: '2026-11', s: 'qualified', d: 2.3 }));
    expect(raw).not.toContainEqual(expect.objectContaining({ t: '32', m: '2026-11', s: 'qualified', d: 2.3 }));
  });
});

describe('the family’s data', () => {
  it('downloads as JSON with its file, timeline, proposals and messages — nobody else’s', async () => {
    const { db, ctx, lucie, family, file } = await withFamilyFile();
    await newFile(db, { email: 'quelquun@exemple.fr' });
    const [a] = await publishedIn(db, '32', 1);
    await proposeOffers(ctx, lucie, file.publicId, [String(a!.id)]);
    await sendAgentMessage(ctx, lucie, file.publicId, { body: 'Bienvenue' });
    const data = await exportFamilyData(db, family, new Date(start));
    expect(data.account).toMatchObject({ email: family.email, name: 'Famille Test' });
    expect(data.files).toHaveLength(1);
    expect(data.files[0]).toMatchObject({
      publicId: file.publicId,
      email: family.email,
      household: { adults: 2, children: [4] },
    });
    expect(data.files[0]!.proposals.map((p) => p.offer)).toEqual([a!.title]);
    expect(data.files[0]!.messages.map((m) => m.body)).toEqual(['Bienvenue']);
    expect(data.files[0]!.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['created', 'proposal', 'message', 'email']),
    );
    expect(JSON.stringify(data)).not.toContain('quelquun@exemple.fr');
  });

  it('is erased on request: identity and writing gone, anonymous stage history kept for reports', async () => {
    const { db, ctx, lucie, family, file } = await withFamilyFile({
      phone: '0611223344',
      housingNeeds: 'Une maison avec jardin',
    });
    await moveStage(ctx, lucie, file.publicId, { to: 'qualified', version: file.version });
    await sendFamilyMessage(ctx, family, (await familyFile(db, family))!, { body: 'Notre secret' });
    await expectInvalid(eraseFamily(ctx, family, {}), 'confirm');
    expect(await familyFile(db, family)).not.toBeNull();

    expect(await eraseFamily(ctx, family, { confirm: 'yes' })).toBe(1);
    expect(await familyFile(db, family)).toBeNull();
    await expect(findCandidate(db, lucie, file.publicId)).rejects.toBeInstanceOf(NotFound);
    const [row] = await db.select().from(candidates).where(eq(candidates.id, file.id));
    expect(row).toMatchObject({ name: '—', phone: null, housingNeeds: null, stage: 'qualified', territoryCode: '32' });
    expect(row!.email).not.toContain(family.email);
    expect(row!.anonymisedAt).not.toBeNull();
    expect(await db.select().from(messages).where(eq(messages.candidateId, file.id))).toEqual([]);
    const events = await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file.id));
    expect(JSON.stringify(events)).not.toContain('Notre secret');
    expect(
      (await db.select().from(stageHistory).where(eq(stageHistory.candidateId, file.id))).map((h) => h.stage),
    ).toEqual(['enquiry', 'qualified']);
  });
});
