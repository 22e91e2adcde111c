// The maturity score: each factor pinned, the facts read where the family wishes to live,
// the stored score kept by enquiries and the daily pass, the agent's override (with a reason,
// within their territories) and the order of the list and the board.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { candidateEvents, candidates, communeCoverage, offers } from '../../db/schema/index.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import {
  explainMaturity,
  maturityFactors,
  maturityFacts,
  maturityTotal,
  overrideMaturity,
  refreshMaturity,
  type MaturityFacts,
} from '../../src/server/candidates/maturity.ts';
import { boardColumns, listCandidates } from '../../src/server/candidates/queries.ts';
import { Invalid, NotFound } from '../../src/server/errors.ts';
import { actors, testDb } from '../helpers/db.ts';

const base: MaturityFacts = {
  timeFrame: null,
  remoteStatus: null,
  adults: 2,
  partnerStatus: null,
  partnerWish: null,
  budget: null,
  connectivity: null,
};
const points = (over: Partial<MaturityFacts>) =>
  Object.fromEntries(maturityFactors({ ...base, ...over }).map((f) => [f.key, f.points]));
const reason = (over: Partial<MaturityFacts>, key: string) =>
  maturityFactors({ ...base, ...over }).find((f) => f.key === key)!.reason;

describe('maturity factors', () => {
  it('add up to 100 at most, with nothing said worth 10 (an unknown need is half the connection)', () => {
    const factors = maturityFactors(base);
    expect(factors.map((f) => f.key)).toEqual(['timeFrame', 'work', 'partner', 'budget', 'connectivity']);
    expect(factors.reduce((s, f) => s + f.max, 0)).toBe(100);
    expect(maturityTotal(factors)).toBe(10);
  });

  it('time frame: sooner is riper', () => {
    expect(points({ timeFrame: 'lt3m' }).timeFrame).toBe(25);
    expect(points({ timeFrame: '3-6m' }).timeFrame).toBe(20);
    expect(points({ timeFrame: '6-12m' }).timeFrame).toBe(12);
    expect(points({ timeFrame: 'gt12m' }).timeFrame).toBe(5);
    expect(reason({}, 'timeFrame')).toBe('timeFrame.none');
  });

  it('work: an income that moves with the family counts most', () => {
    expect(points({ remoteStatus: 'employee' }).work).toBe(20);
    expect(points({ remoteStatus: 'freelancer' }).work).toBe(20);
    expect(points({ remoteStatus: 'founder' }).work).toBe(15);
    expect(points({ remoteStatus: 'job_seeker' }).work).toBe(5);
    expect(points({}).work).toBe(0);
  });

  it('partner: alone or settled in their work is ripe, a local job still to find is not', () => {
    expect(points({ adults: 1 }).partner).toBe(15);
    expect(points({ adults: 1, partnerWish: 'local_job' }).partner).toBe(15);
    expect(points({ partnerWish: 'remote' }).partner).toBe(15);
    expect(points({ partnerWish: 'not_seeking' }).partner).toBe(15);
    expect(points({ partnerWish: 'take_over' }).partner).toBe(10);
    expect(points({ partnerWish: 'create' }).partner).toBe(10);
    expect(points({ partnerWish: 'local_job' }).partner).toBe(5);
    // Without a wish, a partner who works remotely today.
    expect(points({ partnerStatus: 'freelancer' }).partner).toBe(15);
    expect(points({ partnerStatus: 'job_seeker' }).partner).toBe(0);
    expect(reason({}, 'partner')).toBe('partner.none');
  });

  it('budget: the share of the homes on offer it can pay', () => {
    const budget = (homes: number, within: number) =>
      points({ budget: { max: 900, transaction: 'rent', homes, within, area: 'communes' } }).budget;
    expect(budget(10, 5)).toBe(20);
    expect(budget(10, 2)).toBe(12);
    expect(budget(10, 1)).toBe(5);
    expect(budget(10, 0)).toBe(0);
    expect(budget(0, 0)).toBe(10);
    expect(points({}).budget).toBe(0);
    expect(
      reason({ budget: { max: 2e5, transaction: 'sale', homes: 8, within: 3, area: 'territory' } }, 'budget'),
    ).toBe('budget.sale.territory');
  });

  it('connectivity: a basic need is met anywhere, a fibre need by the share that can have it', () => {
    const need = (needMbps: number, share: number | null) =>
      points({ connectivity: { needMbps, share, area: 'territory' } }).connectivity;
    expect(need(8, 0)).toBe(20);
    expect(need(300, 0.5)).toBe(10);
    expect(need(300, 0.93)).toBe(19);
    expect(need(300, null)).toBe(10);
    expect(reason({ connectivity: { needMbps: 300, share: 0.5, area: 'communes' } }, 'connectivity')).toBe(
      'connectivity.ftth.communes',
    );
    expect(reason({ connectivity: { needMbps: 30, share: 0.5, area: 'territory' } }, 'connectivity')).toBe(
      'connectivity.thd.territory',
    );
  });
});

const enquiry = (over: Record<string, unknown> = {}) => ({
  name: 'Famille Morel',
  email: `morel.${Math.random().toString(36).slice(2)}@exemple.fr`,
  adults: '2',
  children: '',
  wishedTerritories: '32',
  consent: 'yes',
  locale: 'fr',
  ...over,
});
const clock = { now: () => new Date('2026-11-20T09:00:00Z') };
async function file(db: Db, over: Record<string, unknown> = {}) {
  const { publicId } = await createEnquiry(
    { db, clock, siteUrl: 'https://cc.test' },
    enquiry(over),
    `ip-${Math.random()}`,
  );
  const [row] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
  return row!;
}

describe('maturity of a file', () => {
  it('reads the homes and the coverage of the wished communes, else of the territory', async () => {
    const { db } = await testDb();
    // Auch has enough homes to rent on the demo to be read alone; a commune with none falls back to the Gers.
    const [auch] = await db
      .select({ homes: sql<number>`count(*)` })
      .from(offers)
      .where(and(eq(offers.communeCode, '32013'), eq(offers.status, 'published'), eq(offers.transaction, 'rent')));
    const facts = await maturityFacts(
      db,
      await file(db, { budgetMax: '800', transaction: 'rent', minDownloadMbps: '300', wishedCommunes: '32013' }),
    );
    const [gers] = await db
      .select({ homes: sql<number>`count(*)`, within: sql<number>`sum(${offers.price} <= 800)` })
      .from(offers)
      .where(
        and(
          eq(offers.territoryCode, '32'),
          eq(offers.status, 'published'),
          eq(offers.kind, 'home'),
          eq(offers.transaction, 'rent'),
        ),
      );
    if (Number(auch!.homes) >= 5) expect(facts.budget!.area).toBe('communes');
    else expect(facts.budget).toMatchObject({ area: 'territory', homes: gers!.homes, within: gers!.within });
    const [coverage] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, '32013'));
    expect(facts.connectivity).toEqual({ needMbps: 300, share: coverage!.ftthShare, area: 'communes' });

    // No commune wished: the territory's homes and its premises weighted by population.
    const wide = await maturityFacts(
      db,
      await file(db, { budgetMax: '800', transaction: 'rent', minDownloadMbps: '300' }),
    );
    expect(wide.budget).toMatchObject({ area: 'territory', homes: gers!.homes, within: gers!.within });
    expect(wide.connectivity!.area).toBe('territory');
    expect(wide.connectivity!.share).toBeGreaterThan(0);
    expect(wide.connectivity!.share).toBeLessThanOrEqual(1);
    // A budget without a transaction: a small one is a rent, a large one a purchase.
    expect((await maturityFacts(db, await file(db, { budgetMax: '900' }))).budget!.transaction).toBe('rent');
    expect((await maturityFacts(db, await file(db, { budgetMax: '250000' }))).budget!.transaction).toBe('sale');
  });

  it('is stored by the enquiry and kept by the daily pass', async () => {
    const { db } = await testDb();
    const f = await file(db, {
      timeFrame: 'lt3m',
      remoteStatus: 'employee',
      partnerWish: 'local_job',
      minDownloadMbps: '8',
    });
    // 25 + 20 + 5 + 0 (no budget) + 20 (a basic need).
    expect(f.maturityScore).toBe(70);
    await db.update(candidates).set({ maturityScore: null, timeFrame: 'gt12m' }).where(eq(candidates.id, f.id));
    expect(await refreshMaturity(db)).toBeGreaterThanOrEqual(1);
    const [after] = await db.select().from(candidates).where(eq(candidates.id, f.id));
    expect(after!.maturityScore).toBe(50);
    // The demo seed scores every open file.
    const [unscored] = await db
      .select({ n: sql<number>`count(*)` })
      .from(candidates)
      .where(sql`${candidates.maturityScore} IS NULL AND ${candidates.stage} NOT IN ('settled', 'withdrawn')`);
    expect(unscored!.n).toBe(0);
  });

  it('rescores every open file a batch at a time, and leaves closed files alone', async () => {
    const { db } = await testDb();
    const open = sql`${candidates.stage} NOT IN ('settled', 'withdrawn') AND ${candidates.mergedIntoId} IS NULL AND ${candidates.anonymisedAt} IS NULL`;
    const count = async (where: ReturnType<typeof sql>) =>
      (
        await db
          .select({ n: sql<number>`count(*)` })
          .from(candidates)
          .where(where)
      )[0]!.n;
    const openFiles = await count(open);
    expect(openFiles).toBeGreaterThan(3 * 3);
    await db.update(candidates).set({ maturityScore: null });
    // Batches of 3: the pass reads on past each batch, to the last open file.
    expect(await refreshMaturity(db, undefined, 3)).toBe(openFiles);
    expect(await count(sql`${open} AND ${candidates.maturityScore} IS NULL`)).toBe(0);
    expect(await count(sql`NOT (${open}) AND ${candidates.maturityScore} IS NOT NULL`)).toBe(0);
  });

  it("is overridden by an agent of the file's territory with a reason, and cleared", async () => {
    const { db } = await testDb();
    const [gers, manche] = await actors(db, 'agent.gers@demo.test', 'agent.manche@demo.test');
    const f = await file(db, { timeFrame: '6-12m' });
    const ctx = { db, clock };
    const refused = await overrideMaturity(ctx, gers, f.publicId, { score: '140', reason: '' }).catch((e) => e);
    expect(refused).toBeInstanceOf(Invalid);
    expect((refused as Invalid).errors.map((e) => e.key).sort()).toEqual([
      'errors.maturity_reason',
      'errors.maturity_score',
    ]);
    await expect(
      overrideMaturity(ctx, manche, f.publicId, { score: '90', reason: 'Appel très positif' }),
    ).rejects.toBeInstanceOf(NotFound);
    const [untouched] = await db.select().from(candidates).where(eq(candidates.id, f.id));
    expect(untouched!.maturityOverride).toBeNull();

    await overrideMaturity(ctx, gers, f.publicId, { score: '90', reason: 'Maison déjà repérée, employeur d’accord' });
    const [row] = await db.select().from(candidates).where(eq(candidates.id, f.id));
    const explained = await explainMaturity(db, row!);
    expect(explained).toMatchObject({
      computed: row!.maturityScore,
      score: 90,
      override: { score: 90, reason: 'Maison déjà repérée, employeur d’accord' },
    });
    const events = await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, f.id));
    expect(events.find((e) => e.kind === 'maturity')!.data).toEqual({
      score: 90,
      text: 'Maison déjà repérée, employeur d’accord',
    });

    await overrideMaturity(ctx, gers, f.publicId, {}, true);
    const [cleared] = await db.select().from(candidates).where(eq(candidates.id, f.id));
    expect(cleared).toMatchObject({ maturityOverride: null, maturityReason: null });
    expect((await explainMaturity(db, cleared!)).score).toBe(cleared!.maturityScore);
  });

  it('sorts the list and the board, the override winning and unscored files last', async () => {
    const { db } = await testDb();
    const [gers] = await actors(db, 'agent.gers@demo.test');
    const low = await file(db, { name: 'Famille Basse' });
    const high = await file(db, { name: 'Famille Haute', timeFrame: 'lt3m', remoteStatus: 'employee' });
    await overrideMaturity({ db, clock }, gers, low.publicId, { score: '100', reason: 'Tout est prêt' });
    const unscored = await file(db, { name: 'Famille Inconnue' });
    await db.update(candidates).set({ maturityScore: null }).where(eq(candidates.id, unscored.id));
    const list = await listCandidates(db, gers, { sort: 'maturity', stage: 'enquiry' }, clock.now());
    const scores = list.rows.map((r) => r.maturity);
    expect(list.rows[0]!.publicId).toBe(low.publicId);
    expect(list.rows.at(-1)).toMatchObject({ publicId: unscored.publicId, maturity: null });
    expect(scores).toEqual([...scores].sort((a, b) => (b ?? -1) - (a ?? -1)));
    expect(list.rows.findIndex((r) => r.publicId === high.publicId)).toBeGreaterThan(0);

    const board = await boardColumns(db, gers, { sort: 'maturity' }, clock.now());
    const enquiries = board.find((c) => c.stage === 'enquiry')!.cards;
    expect(enquiries[0]!.publicId).toBe(low.publicId);
    expect(enquiries.at(-1)!.publicId).toBe(unscored.publicId);
    const boardScores = enquiries.map((c) => c.maturity ?? -1);
    expect(boardScores).toEqual([...boardScores].sort((a, b) => b - a));
  });
});
