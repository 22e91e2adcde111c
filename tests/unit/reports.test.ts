// Report figures against a history built by hand, in years the demo seed does not touch
// (2020–2021). Every expected number below is worked out from the dates in this file, not
// by the report code.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import {
  candidateEvents,
  candidates,
  offers,
  stageBit,
  stageHistory,
  tasks,
  territories as territoriesTable,
  users,
  type Stage,
  type Profession,
} from '../../db/schema/index.ts';
import { buildReport, originOf } from '../../src/server/reports/queries.ts';
import { parsePeriod, previousPeriod } from '../../src/server/reports/period.ts';
import { quantileFromHistogram } from '../../src/server/reports/quantile.ts';
import { reportScope } from '../../src/server/reports/scope.ts';
import { Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { testDb } from '../helpers/db.ts';

const now = new Date('2026-11-23T09:00:00Z');
let n = 0;

async function file(
  db: Db,
  o: {
    territory: string;
    created: string;
    stages: Array<[Stage, string]>;
    size?: number;
    children?: number[];
    commune?: string;
    place?: string;
    professions?: Profession[];
    reason?: string;
    merged?: boolean;
  },
) {
  const at = (d: string) => `${d}T10:00:00.000Z`;
  const history: Array<[Stage, string]> = [['enquiry', o.created], ...o.stages];
  const [last, lastAt] = history.at(-1)!;
  const [row] = await db
    .insert(candidates)
    .values({
      publicId: `report-test-${++n}`,
      territoryCode: o.territory,
      stage: last,
      stageEnteredAt: at(lastAt),
      name: `Famille ${n}`,
      email: `report${n}@exemple.fr`,
      household: { adults: 2, children: o.children ?? [] },
      professions: o.professions ?? [],
      currentPlace: o.place ?? null,
      wishedTerritories: [o.territory],
      consentTextVersion: 'test',
      consentAt: at(o.created),
      settledCommuneCode: o.commune ?? null,
      settledHouseholdSize: o.size ?? null,
      withdrawalReason: (o.reason ?? null) as 'job' | null,
      mergedIntoId: o.merged ? 1 : null,
      // The facts the pipeline keeps as it writes the history (commands.ts).
      reachedStages: [['enquiry', o.created] as [Stage, string], ...o.stages].reduce(
        (bits, [stage]) => bits | stageBit(stage),
        0,
      ),
      firstSettledAt: o.stages.find(([stage]) => stage === 'settled')
        ? at(o.stages.find(([stage]) => stage === 'settled')![1])
        : null,
      lastContactAt: at(o.created),
      createdAt: at(o.created),
      updatedAt: at(o.created),
    })
    .returning({ id: candidates.id });
  const id = row!.id;
  await db.insert(stageHistory).values(
    history.map(([stage, d], i) => ({
      candidateId: id,
      stage,
      enteredAt: at(d),
      leftAt: history[i + 1] ? at(history[i + 1]![1]) : null,
      days: history[i + 1] ? (Date.parse(history[i + 1]![1]) - Date.parse(d)) / 86_400_000 : null,
      territoryCode: o.merged ? null : o.territory,
    })),
  );
  return id;
}

/** The four steps of a file that settles, on these dates. */
function toSettled(qualified: string, discovery: string, settling: string, settled: string): Array<[Stage, string]> {
  return [
    ['qualified', qualified],
    ['discovery', discovery],
    ['settling', settling],
    ['settled', settled],
  ];
}

async function scenario(db: Db) {
  const [agent] = await db.select().from(users).where(eq(users.email, 'agent.gers@demo.test'));
  const f1 = await file(db, {
    territory: '32',
    created: '2021-01-10',
    stages: [...toSettled('2021-01-20', '2021-02-10', '2021-03-01', '2021-03-15'), ['withdrawn', '2021-06-20']],
    size: 4,
    children: [3, 7],
    commune: '32249',
    place: 'Paris (75)',
    professions: [
      { profession: 'Développeuse', status: 'employee' },
      { profession: 'Graphiste', status: 'freelancer' },
    ],
    reason: 'job',
  });
  const f2 = await file(db, {
    territory: '32',
    created: '2021-02-01',
    stages: toSettled('2021-02-05', '2021-03-01', '2021-04-01', '2021-05-10'),
    size: 3,
    children: [1],
    commune: '32013',
    place: 'Bruxelles (Belgique)',
    professions: [{ profession: 'Traductrice', status: 'freelancer' }],
  });
  await file(db, { territory: '32', created: '2021-03-01', stages: [['withdrawn', '2021-03-11']], reason: 'housing' });
  await file(db, { territory: '32', created: '2021-12-20', stages: [] });
  const f5 = await file(db, {
    territory: '32',
    created: '2020-06-01',
    stages: toSettled('2020-06-11', '2020-07-01', '2020-08-01', '2020-09-01'),
    size: 2,
    commune: '32013',
    place: '33000 Bordeaux',
  });
  // Another territory, and a merged duplicate: never in the Gers figures.
  await file(db, {
    territory: '50',
    created: '2021-01-05',
    stages: toSettled('2021-02-01', '2021-02-15', '2021-03-01', '2021-04-01'),
    size: 5,
    commune: '50129',
  });
  await file(db, { territory: '32', created: '2021-02-01', stages: [['qualified', '2021-02-02']], merged: true });
  await db.insert(tasks).values([
    {
      candidateId: f2,
      kind: 'follow_up_6m',
      title: 'Suivi',
      dueDate: '2021-11-10',
      outcome: 'stayed',
      doneAt: '2021-11-10T10:00:00.000Z',
      createdAt: '2021-05-10T10:00:00.000Z',
    },
    {
      candidateId: f5,
      kind: 'follow_up_6m',
      title: 'Suivi',
      dueDate: '2021-03-01',
      outcome: 'left',
      doneAt: '2021-03-01T10:00:00.000Z',
      createdAt: '2020-09-01T10:00:00.000Z',
    },
  ]);
  // Staff answered F1 after 2 hours and F2 after 26; F3 and F4 never.
  await db.insert(candidateEvents).values([
    { candidateId: f1, kind: 'note', data: {}, byUserId: agent!.id, at: '2021-01-10T12:00:00.000Z' },
    { candidateId: f2, kind: 'note', data: {}, byUserId: agent!.id, at: '2021-02-02T12:00:00.000Z' },
    { candidateId: f1, kind: 'created', data: {}, byUserId: null, at: '2021-01-10T10:00:00.000Z' },
  ]);
  await db
    .update(candidates)
    .set({ firstResponseAt: '2021-01-10T12:00:00.000Z', responseHours: 2 })
    .where(eq(candidates.id, f1));
  await db
    .update(candidates)
    .set({ firstResponseAt: '2021-02-02T12:00:00.000Z', responseHours: 26 })
    .where(eq(candidates.id, f2));
  // Two offers of the Gers published in 2021: one A, one D.
  const some = await db.select({ id: offers.id }).from(offers).where(eq(offers.territoryCode, '32')).limit(2);
  await db
    .update(offers)
    .set({ status: 'published', publishedAt: '2021-04-01T00:00:00.000Z', downloadMbps: 1000, uploadMbps: 500 })
    .where(eq(offers.id, some[0]!.id));
  await db
    .update(offers)
    .set({ status: 'published', publishedAt: '2021-08-01T00:00:00.000Z', downloadMbps: 50, uploadMbps: 10 })
    .where(eq(offers.id, some[1]!.id));
  return { f1, f2, f5 };
}

const gers = { territories: ['32'], label: 'Gers' };

describe('reports', () => {
  it('count from the stage history: a family settled then gone counts as settled, and as a departure', async () => {
    const { db } = await testDb();
    await scenario(db);
    const r = await buildReport(db, gers, parsePeriod({ periode: 'year', annee: '2021' }, now), now);
    expect(r.summary).toEqual({ enquiries: 4, families: 2, persons: 7, children: 3, communes: 2 });
    expect(r.previousSummary).toEqual({ enquiries: 1, families: 1, persons: 2, children: 0, communes: 1 });
    expect(r.byMonth.filter((m) => m.families)).toEqual([
      { month: '2021-03', families: 1, persons: 4 },
      { month: '2021-05', families: 1, persons: 3 },
    ]);
    expect(r.byMonth).toHaveLength(12);
    expect(r.byCommune.map((c) => [c.code, c.families, c.persons])).toEqual([
      ['32013', 1, 3],
      ['32249', 1, 4],
    ]);
    expect(r.origins.map((o) => [o.origin, o.families])).toEqual([
      ['Belgique', 1],
      ['Paris (75)', 1],
    ]);
    expect(Object.fromEntries(r.remoteWork.map((w) => [w.status, w.persons]))).toEqual({
      employee: 1,
      freelancer: 2,
      founder: 0,
      job_seeker: 0,
    });
    expect(r.funnel).toEqual([
      { stage: 'enquiry', files: 4, conversion: null },
      { stage: 'qualified', files: 2, conversion: 0.5 },
      { stage: 'discovery', files: 2, conversion: 1 },
      { stage: 'settling', files: 2, conversion: 1 },
      { stage: 'settled', files: 2, conversion: 1 },
    ]);
    expect(r.timeInStage).toEqual([
      { stage: 'enquiry', count: 3, median: 10, p90: 10 },
      { stage: 'qualified', count: 2, median: 21, p90: 24 },
      { stage: 'discovery', count: 2, median: 19, p90: 31 },
      { stage: 'settling', count: 2, median: 14, p90: 39 },
      { stage: 'enquiry_to_settled', count: 2, median: 64, p90: 98 },
    ]);
    // The same year as custom dates reads the history itself instead of the monthly counts: same figures.
    const custom = await buildReport(
      db,
      gers,
      parsePeriod({ periode: 'custom', du: '2021-01-01', au: '2021-12-31' }, now),
      now,
    );
    expect(custom.timeInStage).toEqual(r.timeInStage);
    expect(r.withdrawals.filter((w) => w.files)).toEqual([
      { reason: 'housing', files: 1 },
      { reason: 'job', files: 1 },
    ]);
    expect(r.retention).toEqual([
      { months: 6, eligible: 3, stayed: 1, left: 2, rate: 1 / 3 },
      { months: 12, eligible: 1, stayed: 0, left: 1, rate: 0 },
    ]);
    expect(r.responseTime).toEqual({ enquiries: 4, answered: 2, medianHours: 2, p90Hours: 26 });
    // Per agent following the files: the same enquiries, both answers within the 48 h target.
    const perAgent = r.responseByAgent;
    expect(perAgent.reduce((n, a) => n + a.enquiries, 0)).toBe(4);
    expect(perAgent.reduce((n, a) => n + a.answered, 0)).toBe(2);
    expect(perAgent.reduce((n, a) => n + (a.withinTarget ?? 0) * a.enquiries, 0)).toBeCloseTo(2);
    expect(Object.fromEntries(r.offersByLabel.filter((o) => o.offers).map((o) => [o.label, o.offers]))).toEqual({
      A: 1,
      D: 1,
    });
  });

  it('give each agent’s files, answers, median and share within the territory’s target', async () => {
    const { db } = await testDb();
    await scenario(db);
    const files = (await db.select().from(candidates).where(eq(candidates.territoryCode, '32')))
      .filter((c) => c.mergedIntoId === null && c.createdAt >= '2021-01-01' && c.createdAt < '2022-01-01')
      .map((c) => c.id);
    expect(files).toHaveLength(4);
    const [zoe, adele] = await db
      .insert(users)
      .values(
        ['Zoé Martin', 'Adèle Roux'].map((name, i) => ({
          email: `agent.reponse.${i}@demo.test`,
          name,
          role: 'agent' as const,
          createdAt: now.toISOString(),
        })),
      )
      .returning({ id: users.id });
    await db.update(territoriesTable).set({ firstAnswerHours: 24 }).where(eq(territoriesTable.code, '32'));
    const answer = [
      { id: files[0]!, agent: zoe!.id, hours: 10 },
      { id: files[1]!, agent: zoe!.id, hours: 30 },
      { id: files[2]!, agent: adele!.id, hours: null },
      { id: files[3]!, agent: null, hours: 5 },
    ];
    for (const a of answer)
      await db
        .update(candidates)
        .set({ assignedAgentId: a.agent, responseHours: a.hours })
        .where(eq(candidates.id, a.id));
    const r = await buildReport(db, gers, parsePeriod({ periode: 'year', annee: '2021' }, now), now);
    expect(r.responseByAgent).toEqual([
      { agent: 'Adèle Roux', enquiries: 1, answered: 0, medianHours: null, withinTarget: 0 },
      { agent: 'Zoé Martin', enquiries: 2, answered: 2, medianHours: 10, withinTarget: 0.5 },
      { agent: null, enquiries: 1, answered: 1, medianHours: 5, withinTarget: 1 },
    ]);
  });

  it('follow a file that moved to another territory, and leave merged duplicates out of the total', async () => {
    const { db } = await testDb();
    const { f2 } = await scenario(db);
    const { moveTerritory } = await import('../../src/server/candidates/transfer.ts');
    const [row] = await db.select().from(candidates).where(eq(candidates.id, f2));
    const admin = {
      id: 1,
      email: 'admin@demo.test',
      name: 'Admin',
      role: 'platform_admin' as const,
      locale: 'fr' as const,
      territories: [],
    };
    await moveTerritory({ db, clock: { now: () => now }, siteUrl: 'https://cc.test' }, admin, row!.publicId, {
      territory: '50',
      consent: 'yes',
    });
    const year = parsePeriod({ periode: 'year', annee: '2021' }, now);
    expect((await buildReport(db, gers, year, now)).summary.families).toBe(1);
    expect((await buildReport(db, { territories: ['50'], label: 'Manche' }, year, now)).summary.families).toBe(2);
    const all = await buildReport(db, { territories: null, label: 'all' }, year, now);
    expect(all.summary).toMatchObject({ families: 3, enquiries: 5 });
  });

  it('take months, quarters, years and custom dates, with the period before', () => {
    expect(parsePeriod({ periode: 'month', annee: '2026', mois: '3' }, now)).toMatchObject({
      from: '2026-03-01',
      to: '2026-04-01',
    });
    expect(parsePeriod({ periode: 'quarter', annee: '2026', trimestre: '4' }, now)).toMatchObject({
      from: '2026-10-01',
      to: '2027-01-01',
    });
    expect(parsePeriod({}, now)).toMatchObject({ kind: 'year', from: '2026-01-01', to: '2027-01-01' });
    expect(parsePeriod({ periode: 'custom', du: '2026-02-10', au: '2026-02-19' }, now)).toMatchObject({
      from: '2026-02-10',
      to: '2026-02-20',
    });
    expect(previousPeriod(parsePeriod({ periode: 'month', annee: '2026', mois: '1' }, now))).toMatchObject({
      from: '2025-12-01',
      to: '2026-01-01',
    });
    expect(previousPeriod(parsePeriod({ periode: 'quarter', annee: '2026', trimestre: '1' }, now))).toMatchObject({
      from: '2025-10-01',
      to: '2026-01-01',
    });
    expect(previousPeriod(parsePeriod({ periode: 'custom', du: '2026-02-10', au: '2026-02-19' }, now))).toMatchObject({
      from: '2026-01-31',
      to: '2026-02-10',
    });
    for (const bad of [
      { periode: 'week' },
      { periode: 'month', mois: '13' },
      { annee: '1850' },
      { periode: 'custom', du: '2026-02-10' },
      { periode: 'custom', du: '2026-02-10', au: '2026-02-01' },
      { periode: 'custom', du: '2026-02-30', au: '2026-03-01' },
    ]) {
      expect(() => parsePeriod(bad, now), JSON.stringify(bad)).toThrow(Invalid);
    }
  });

  it('quantiles by nearest rank, and origins read from the place typed', () => {
    const h = (values: number[]) => values.map((value) => ({ value, count: 1 }));
    expect(quantileFromHistogram(h([4, 10, 10]), 0.5)).toBe(10);
    expect(quantileFromHistogram(h([1, 2, 3, 4]), 0.5)).toBe(2);
    expect(quantileFromHistogram(h([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.9)).toBe(9);
    expect(quantileFromHistogram([], 0.5)).toBeNull();
    expect(originOf('Lyon (69)')).toEqual({ kind: 'department', code: '69' });
    expect(originOf('97400 Saint-Denis')).toEqual({ kind: 'department', code: '974' });
    expect(originOf('Genève (Suisse)')).toEqual({ kind: 'country', name: 'Suisse' });
    expect(originOf('quelque part')).toBeNull();
  });

  it('are for territory admins of their territories and the platform admin; agents get none', () => {
    const known = [
      { code: '32', name: 'Gers' },
      { code: '50', name: 'Manche' },
    ];
    const base = { id: 1, email: 'x@y.fr', name: 'X', locale: 'fr' as const };
    expect(() => reportScope({ ...base, role: 'agent', territories: ['32'] }, '32', known)).toThrow(Forbidden);
    expect(() => reportScope({ ...base, role: 'family', territories: [] }, undefined, known)).toThrow(Forbidden);
    expect(reportScope({ ...base, role: 'territory_admin', territories: ['32'] }, '32', known)).toEqual({
      territories: ['32'],
      label: 'Gers',
    });
    expect(reportScope({ ...base, role: 'territory_admin', territories: ['32'] }, undefined, known)).toEqual({
      territories: ['32'],
      label: 'Gers',
    });
    expect(() => reportScope({ ...base, role: 'territory_admin', territories: ['32'] }, '50', known)).toThrow(NotFound);
    expect(reportScope({ ...base, role: 'platform_admin', territories: [] }, 'tous', known)).toEqual({
      territories: null,
      label: 'all',
    });
    expect(reportScope({ ...base, role: 'platform_admin', territories: [] }, '50', known).territories).toEqual(['50']);
  });
});

describe('the public impact page', () => {
  it('never lets a hidden figure be worked out by subtraction (random territories)', async () => {
    const { hiddenCells, MIN_FAMILIES } = await import('../../src/server/reports/impact.ts');
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 500; round++) {
      const rows = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => ({
        key: String(i),
        families: next() < 0.4 ? Math.floor(next() * 5) : Math.floor(next() * 40),
      }));
      const { keys: codes, total } = hiddenCells(rows);
      const small = rows.filter((r) => r.families > 0 && r.families < MIN_FAMILIES);
      for (const r of small) expect(codes.has(r.key)).toBe(true);
      const hiddenSum = rows.filter((r) => codes.has(r.key)).reduce((n, r) => n + r.families, 0);
      // What a reader gets by subtraction is the hidden ones' sum: never one small figure.
      if (!total && codes.size) {
        expect(codes.size).toBeGreaterThanOrEqual(2);
        expect(hiddenSum).toBeGreaterThanOrEqual(MIN_FAMILIES);
      }
      const all = rows.reduce((n, r) => n + r.families, 0);
      if (all > 0 && all < MIN_FAMILIES) expect(total).toBe(true);
    }
  });

  it('never shows a figure about fewer than 5 families', async () => {
    const { impactFigures } = await import('../../src/server/reports/impact.ts');
    const { db } = await testDb();
    const before = await impactFigures(db);
    // The demo seed's settled families, counted independently: files with a settled stay.
    const settledGers = (await db.select().from(stageHistory).where(eq(stageHistory.stage, 'settled'))).filter(
      (h) => h.territoryCode === '32',
    );
    expect(before.territories.find((r) => r.code === '32')!.families).toBe(
      new Set(settledGers.map((h) => h.candidateId)).size,
    );
    // A territory with only 4 settled families shows none of its family figures.
    await db
      .insert(territoriesTable)
      .values({ code: '46', name: 'Lot', accentColor: '#123456', createdAt: now.toISOString() });
    const settledInLot = (size: number) =>
      file(db, {
        territory: '46',
        created: '2021-01-10',
        stages: toSettled('2021-01-20', '2021-02-10', '2021-03-01', '2021-03-15'),
        size,
        commune: '46042',
      });
    for (let i = 0; i < 4; i++) await settledInLot(3);
    const lot = () => impactFigures(db).then((r) => r.territories.find((x) => x.code === '46')!);
    expect(await lot()).toMatchObject({ families: null, persons: null, children: null, communes: null });
    // Nor can the total minus the other territories give it back: another one is hidden too.
    const shownNow = await impactFigures(db);
    const hiddenNow = shownNow.territories.filter((r) => r.families === null);
    expect(hiddenNow.length).toBeGreaterThanOrEqual(2);
    expect(
      shownNow.total.families! - shownNow.territories.reduce((n, r) => n + (r.families ?? 0), 0),
    ).toBeGreaterThanOrEqual(5);
    await settledInLot(2);
    expect(await lot()).toMatchObject({ families: 5, persons: 14, children: 0, communes: 1 });
    expect((await impactFigures(db)).total.families).toBe(before.total.families! + 5);
  });
});
