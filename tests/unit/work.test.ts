// Jobs and businesses for partners (issue 16): the back office's commands, territory scope,
// freshness, the public search, owners' proposals and their moderation.
import { and, desc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { describe, expect, it, onTestFinished } from 'vitest';
import { candidates, communes, opportunities, opportunityEvents, outbox } from '../../db/schema/index.ts';
import { familyAccount, familyFile } from '../../src/server/candidates/family.ts';
import { answerProposal } from '../../src/server/candidates/proposals.ts';
import { fileWorkMatches, listWorkProposals, proposeWork } from '../../src/server/opportunities/proposals.ts';
import { Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { expireUnconfirmedWork, HIDE_DAYS, runFreshness } from '../../src/server/offers/freshness.ts';
import { historyOf } from '../../src/server/offers/manage.ts';
import {
  changeWorkStatus,
  confirmWork,
  createWork,
  getManagedWork,
  listManagedWork,
  updateWork,
  workQueueCounts,
} from '../../src/server/opportunities/manage.ts';
import {
  editOwnBusiness,
  getOwnBusiness,
  moderateWork,
  proposeBusiness,
  withdrawOwnBusiness,
  workModerationOf,
} from '../../src/server/opportunities/owners.ts';
import { nearbyWork, searchWork, workDetail } from '../../src/server/opportunities/queries.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { seededWith } from '../helpers/db.ts';
import { createDb, type Db } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { distanceKm } from '../../src/server/places/geo.ts';

let nowMs = Date.parse('2026-12-05T10:00:00Z');
const clock = { now: () => new Date(nowMs) };
const jobForm = (over: Record<string, unknown> = {}) => ({
  title: 'Menuisier·ère agenceur',
  description: 'Fabrication et pose de cuisines et d’escaliers sur mesure.',
  commune: '32013',
  employer: 'Menuiserie Dupuy',
  contract: 'permanent',
  hoursPerWeek: '39',
  ...over,
});
const businessForm = (over: Record<string, unknown> = {}) => ({
  title: 'Épicerie fine',
  description: 'Épicerie de produits locaux, 70 m², bail récent.',
  commune: '32107',
  sector: 'food',
  priceMin: '40000',
  priceMax: '60000',
  turnoverBand: '100k_300k',
  reason: 'Départ à la retraite',
  wantedBy: '2027-06-30',
  ...over,
});

async function world() {
  nowMs = Date.parse('2026-12-05T10:00:00Z');
  const { db, people } = await seededWith(
    'agent.gers@demo.test',
    'agent.manche@demo.test',
    'famille@demo.test',
    'proprietaire@demo.test',
  );
  const [gers, manche, family, owner] = people;
  return { db, ctx: { db, clock, siteUrl: 'https://portail.example' }, gers, manche, family, owner };
}

describe('the back office of jobs and businesses', () => {
  it('creates a draft, edits it, publishes it only when complete, archives it, with its history', async () => {
    const { db, gers } = await world();
    const id = await createWork(db, clock, gers, 'job', jobForm({ employer: '', description: '' }));
    let item = await getManagedWork(db, gers, id, 'job');
    expect(item).toMatchObject({ status: 'draft', territoryCode: '32', communeCode: '32013', teleworkable: false });
    await expect(changeWorkStatus(db, clock, gers, id, 'publish')).rejects.toMatchObject({
      errors: expect.arrayContaining([
        expect.objectContaining({ field: 'employer', key: 'errors.required_to_publish' }),
      ]),
    });
    await updateWork(db, clock, gers, id, jobForm({ teleworkable: 'yes' }));
    // Territory pages show them: a change moves the catalogue version that keys the page cache.
    const version = async () =>
      Number((await db.$client.execute("SELECT version FROM data_versions WHERE name = 'catalogue'")).rows[0]![0]);
    const before = await version();
    await changeWorkStatus(db, clock, gers, id, 'publish');
    expect(await version()).toBeGreaterThan(before);
    item = await getManagedWork(db, gers, id);
    expect(item).toMatchObject({ status: 'published', teleworkable: true });
    const { rows: events } = await historyOf(db, 'work', id);
    expect(events.map((e) => e.kind)).toEqual(['published', 'updated', 'created']);
    expect(events[1]!.fields).toEqual(expect.arrayContaining(['description', 'employer', 'teleworkable']));
    // Published: an edit that empties what publishing needs is refused.
    await expect(updateWork(db, clock, gers, id, jobForm({ contract: '' }))).rejects.toBeInstanceOf(Invalid);
    await changeWorkStatus(db, clock, gers, id, 'archive');
    await expect(changeWorkStatus(db, clock, gers, id, 'archive')).rejects.toBeInstanceOf(Invalid);
    expect((await getManagedWork(db, gers, id)).status).toBe('archived');
  });

  it('refuses bad input with field errors and changes nothing', async () => {
    const { db, gers } = await world();
    const before = (await db.select().from(opportunities)).length;
    await expect(createWork(db, clock, gers, 'job', jobForm({ title: '' }))).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'title' })],
    });
    await expect(createWork(db, clock, gers, 'job', jobForm({ contract: 'cdi-à-vie' }))).rejects.toBeInstanceOf(
      Invalid,
    );
    await expect(createWork(db, clock, gers, 'job', jobForm({ hoursPerWeek: '200' }))).rejects.toBeInstanceOf(Invalid);
    await expect(
      createWork(db, clock, gers, 'business', businessForm({ priceMin: '90000', priceMax: '10000' })),
    ).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'priceMax', key: 'errors.work_price_range' })],
    });
    // A commune of another territory than the agent's.
    await expect(createWork(db, clock, gers, 'job', jobForm({ commune: '50502' }))).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'commune', key: 'errors.offer_commune_outside' })],
    });
    expect((await db.select().from(opportunities)).length).toBe(before);
  });

  it('keeps each territory to its own staff: another territory’s item is not found', async () => {
    const { db, gers, manche, family } = await world();
    const id = await createWork(db, clock, gers, 'business', businessForm());
    await expect(getManagedWork(db, manche, id)).rejects.toBeInstanceOf(NotFound);
    await expect(updateWork(db, clock, manche, id, businessForm())).rejects.toBeInstanceOf(NotFound);
    await expect(changeWorkStatus(db, clock, manche, id, 'publish')).rejects.toBeInstanceOf(NotFound);
    await expect(confirmWork(db, clock, manche, id)).rejects.toBeInstanceOf(NotFound);
    // The kind is part of the address: a business is not a job.
    await expect(getManagedWork(db, gers, id, 'job')).rejects.toBeInstanceOf(NotFound);
    await expect(createWork(db, clock, family, 'job', jobForm())).rejects.toBeInstanceOf(Forbidden);
    const list = await listManagedWork(db, clock, manche, { kind: 'business' });
    expect(list.rows.every((r) => r.territoryCode === '50')).toBe(true);
    expect((await listManagedWork(db, clock, gers, { kind: 'business', q: 'epicerie' })).rows.map((r) => r.id)).toEqual(
      [id],
    );
  });

  it('searches its list in the database: every word, accents folded, in title, employer or commune; a page at a time', async () => {
    const { db, gers, manche } = await world();
    const made: Array<{ id: number; title: string; employer: string; commune: string }> = [];
    for (let i = 0; i < 30; i++) {
      nowMs += 60_000;
      const form = {
        title: i % 3 === 0 ? 'Torréfactrice de nuit' : `Poste n° ${i}`,
        employer: i % 5 === 0 ? 'Brûlerie d’Éauze' : 'Mairie',
        commune: i % 2 ? '32160' : '32013',
      };
      made.push({ id: await createWork(db, clock, gers, 'job', jobForm(form)), ...form });
    }
    const ids = async (q: string, who = gers) =>
      (await listManagedWork(db, clock, who, { kind: 'job', q })).rows.map((r) => r.id).sort((a, b) => a - b);
    const where = (keep: (m: (typeof made)[number]) => boolean) => made.filter(keep).map((m) => m.id);
    const roasters = where((m) => m.title.startsWith('Torréfactrice'));
    expect(roasters.length).toBe(10);
    expect(await ids('torrefactrice')).toEqual(roasters);
    expect(await ids('TORRÉF')).toEqual(roasters);
    expect(await ids('brulerie eauze')).toEqual(where((m) => m.employer.startsWith('Brûlerie')));
    // Words may sit in different fields: a title's and a commune's.
    expect(await ids('torrefactrice jourdain')).toEqual(
      where((m) => m.title.startsWith('Torr') && m.commune === '32160'),
    );
    const isle = await listManagedWork(db, clock, gers, { kind: 'job', q: 'isle-jou' });
    const inIsle = await db
      .select({ id: opportunities.id })
      .from(opportunities)
      .where(and(eq(opportunities.communeCode, '32160'), eq(opportunities.kind, 'job')));
    expect(isle.total).toBe(inIsle.length);
    expect(isle.rows.every((r) => r.communeName === "L'Isle-Jourdain")).toBe(true);
    // Punctuation alone matches nothing, and % or _ are no wildcards.
    expect(await ids('%')).toEqual([]);
    expect(await ids('_')).toEqual([]);
    expect(await ids('torrefactrice', manche)).toEqual([]);
    // Pages of 25, latest change first, as the whole territory's list sorted here.
    const all = await db
      .select({ id: opportunities.id })
      .from(opportunities)
      .where(and(eq(opportunities.territoryCode, '32'), eq(opportunities.kind, 'job')))
      .orderBy(desc(opportunities.updatedAt), desc(opportunities.id));
    const second = await listManagedWork(db, clock, gers, { kind: 'job', page: 2 });
    expect(second.total).toBe(all.length);
    expect(second.pages).toBe(Math.ceil(all.length / 25));
    expect(second.rows.map((r) => r.id)).toEqual(all.slice(25, 50).map((r) => r.id));
    const beyond = await listManagedWork(db, clock, gers, { kind: 'job', page: 99 });
    expect(beyond.page).toBe(second.pages);
    // An edit's words replace the former ones in the search.
    nowMs += 60_000;
    await updateWork(db, clock, gers, roasters[0]!, jobForm({ title: 'Chocolatière', commune: '32013' }));
    expect(await ids('torrefactrice')).toEqual(roasters.slice(1));
    expect(await ids('chocolatiere')).toEqual([roasters[0]]);
    // Inclusive writing: the title as written, or the feminine typed whole.
    const cheese = await createWork(db, clock, gers, 'job', jobForm({ title: 'Fromager·ère affineur', employer: '' }));
    expect(await ids('Fromager·ère')).toEqual([cheese]);
    expect(await ids('fromagère')).toEqual([cheese]);
    // The index follows a commune's new name, and forgets a deleted item.
    const inFts = async (match: string) =>
      (await db.all<{ rowid: number }>(sql`SELECT rowid FROM opportunities_fts WHERE opportunities_fts MATCH ${match}`))
        .map((r) => r.rowid)
        .sort((a, b) => a - b);
    await db.run(sql`UPDATE communes SET name = 'Zzbourg' WHERE code = '32160'`);
    expect(await inFts('commune:zzbourg')).toEqual(
      (await db.select({ id: opportunities.id }).from(opportunities).where(eq(opportunities.communeCode, '32160')))
        .map((r) => r.id)
        .sort((a, b) => a - b),
    );
    await db.delete(opportunities).where(eq(opportunities.id, cheese));
    expect(await inFts('fromager')).toEqual([]);
  });

  it('hides what is unconfirmed for 90 days in the hourly pass, and a confirmation brings it back', async () => {
    const { db, gers, ctx } = await world();
    const id = await createWork(db, clock, gers, 'job', jobForm());
    await changeWorkStatus(db, clock, gers, id, 'publish');
    nowMs += 61 * DAY_MS;
    expect((await workQueueCounts(db, clock, gers, 'job')).stale).toBeGreaterThanOrEqual(1);
    expect((await listManagedWork(db, clock, gers, { kind: 'job', queue: 'stale' })).rows.map((r) => r.id)).toContain(
      id,
    );
    nowMs += (HIDE_DAYS + 1 - 61) * DAY_MS;
    await runFreshness(ctx);
    expect((await getManagedWork(db, gers, id)).status).toBe('expired');
    await expect(workDetail(db, 'job', id)).rejects.toBeInstanceOf(NotFound);
    expect(await expireUnconfirmedWork(db, clock)).toBe(0);
    await confirmWork(db, clock, gers, id);
    expect((await workDetail(db, 'job', id)).id).toBe(id);
  });
});

describe('the public search', () => {
  it('shows published items only, by territory, commune and radius, type and telework', async () => {
    const { db, gers } = await world();
    const all = await searchWork(db, 'job', { teletravail: false });
    expect(all.total).toBeGreaterThan(5);
    const draft = await createWork(db, clock, gers, 'job', jobForm());
    expect((await searchWork(db, 'job', { teletravail: false })).total).toBe(all.total);
    await expect(workDetail(db, 'job', draft)).rejects.toBeInstanceOf(NotFound);
    const manche = await searchWork(db, 'job', { territoire: '50', teletravail: false });
    expect(manche.cards.every((c) => c.territoryCode === '50')).toBe(true);
    const near = await searchWork(db, 'job', { commune: 'Auch', rayon: 30, teletravail: false });
    expect(near.cards.length).toBeGreaterThan(0);
    expect(near.cards.every((c) => c.km !== null && c.km! <= 30)).toBe(true);
    expect(near.cards.map((c) => c.km)).toEqual([...near.cards.map((c) => c.km)].sort((a, b) => a! - b!));
    const remote = await searchWork(db, 'job', { teletravail: true });
    expect(remote.cards.every((c) => c.teleworkable)).toBe(true);
    const cdd = await searchWork(db, 'job', { type: 'fixed_term', teletravail: false });
    expect(cdd.cards.every((c) => c.contract === 'fixed_term')).toBe(true);
    await expect(searchWork(db, 'job', { type: 'retail', teletravail: false })).rejects.toBeInstanceOf(Invalid);
    await expect(searchWork(db, 'business', { commune: 'Nullepartville', teletravail: false })).rejects.toBeInstanceOf(
      Invalid,
    );
    const shops = await searchWork(db, 'business', { type: 'retail', teletravail: false });
    expect(shops.cards.every((c) => c.kind === 'business' && c.sector === 'retail')).toBe(true);
    // Words: of the title, the employer or the commune, as typed, published items only.
    const nurses = await searchWork(db, 'job', { q: 'infirmière', teletravail: false });
    expect(nurses.total).toBeGreaterThan(0);
    expect(nurses.cards.every((c) => /infirmier/i.test(c.title))).toBe(true);
    expect((await searchWork(db, 'job', { q: 'menuiserie dupuy', teletravail: false })).total).toBe(0);
    await changeWorkStatus(db, clock, gers, draft, 'publish');
    const byEmployer = await searchWork(db, 'job', { q: 'menuiserie dupuy', teletravail: false });
    expect(byEmployer.cards.map((c) => c.id)).toEqual([draft]);
    expect((await searchWork(db, 'job', { q: 'infirmière zzinconnu', teletravail: false })).total).toBe(0);
    expect((await searchWork(db, 'job', { q: 'infirmière', territoire: '50', teletravail: false })).cards).toEqual(
      (await searchWork(db, 'job', { q: 'infirmière', teletravail: false })).cards.filter(
        (c) => c.territoryCode === '50',
      ),
    );
    // Punctuation alone searches nothing: every item (the draft published since, included).
    expect((await searchWork(db, 'job', { q: '!!', teletravail: false })).total).toBe(all.total + 1);
    const near2 = await searchWork(db, 'job', { q: 'auch', commune: 'Auch', rayon: 100, teletravail: false });
    expect(near2.total).toBeGreaterThan(0);
    expect(near2.cards.every((c) => c.communeName === 'Auch' || /auch/i.test(`${c.title} ${c.employer}`))).toBe(true);
    const cards = await nearbyWork(db, { point: { lat: 43.6602, lng: 0.5673 } });
    expect(cards.jobs.length).toBeGreaterThan(0);
    expect(cards.jobs.every((c) => c.territoryCode === '32')).toBe(true);
  });
});

describe('the public search at scale', () => {
  it('reads a radius by the communes of its box, and gives what a search of every item gives', async () => {
    const { db } = await world();
    // 2 000 published items over the communes of the Gers, its neighbours and the Manche.
    await db.run(sql`
      INSERT INTO opportunities (kind, status, title, description, territory_code, commune_code, employer,
        contract, teleworkable, sector, published_at, confirmed_at, created_at, updated_at)
      SELECT iif(n % 3 = 0, 'business', 'job'), iif(n % 10 = 0, 'archived', 'published'), 'Poste ' || n, 'Texte',
        iif(department_code = '50', '50', '32'), code, 'Employeur', iif(n % 3 = 0, NULL, 'permanent'),
        n % 2, iif(n % 3 = 0, 'food', NULL), printf('2026-%02d-%02dT10:00:00Z', 1 + n % 11, 1 + n % 28),
        '2026-11-30T10:00:00Z', '2026-01-01T10:00:00Z', '2026-11-30T10:00:00Z'
      FROM (SELECT code, department_code, row_number() OVER (ORDER BY code) AS n FROM communes
        WHERE lat IS NOT NULL AND department_code IN ('32', '31', '47', '65', '40', '82', '64', '50'))
      WHERE n <= 2000`);
    // Ties: a second item in 50 of those communes, published the same day as the first.
    await db.run(sql`
      INSERT INTO opportunities (kind, status, title, description, territory_code, commune_code, employer,
        contract, teleworkable, sector, published_at, confirmed_at, created_at, updated_at)
      SELECT kind, status, title || ' bis', description, territory_code, commune_code, employer, contract,
        teleworkable, sector, published_at, confirmed_at, created_at, updated_at
      FROM opportunities WHERE title LIKE 'Poste %' AND status = 'published' ORDER BY id LIMIT 50`);
    await db.run(sql`ANALYZE`);
    // Plans are read on a connection opened after ANALYZE: one opened before keeps the
    // statistics it loaded (the template's few items) and plans for them.
    const [{ file }] = (await db.all<{ file: string }>(
      sql`SELECT file FROM pragma_database_list WHERE name = 'main'`,
    )) as [{ file: string }];
    const planner = await createDb(`file:${file}`);
    onTestFinished(() => planner.$client.close());
    // Every published item of a kind with its point, in the lists' order: newest first.
    const every = async (kind: 'job' | 'business') =>
      (
        await db
          .select({ id: opportunities.id, lat: communes.lat, lng: communes.lng, tele: opportunities.teleworkable })
          .from(opportunities)
          .innerJoin(communes, eq(communes.code, opportunities.communeCode))
          .where(and(eq(opportunities.status, 'published'), eq(opportunities.kind, kind)))
          .orderBy(desc(opportunities.publishedAt), desc(opportunities.id))
      ).map((r) => ({ ...r, km: distanceKm(centre, { lat: r.lat!, lng: r.lng! }) }));
    const [auch] = await db.select().from(communes).where(eq(communes.code, '32013'));
    const centre = { lat: auch!.lat!, lng: auch!.lng! };
    const jobs = await every('job');
    expect(jobs.length).toBeGreaterThan(1000);
    const within = (km: number, keep = (_: (typeof jobs)[number]) => true) =>
      jobs
        .filter((j) => j.km <= km && keep(j))
        .sort((a, b) => a.km - b.km)
        .map((j) => j.id);
    for (const rayon of [5, 30, 80]) {
      const expected = within(rayon);
      const pages = Math.max(1, Math.ceil(expected.length / 20));
      for (const page of [1, 2, pages]) {
        const r = await searchWork(db, 'job', { commune: 'Auch', rayon, page, teletravail: false });
        expect(r.total, `${rayon} km`).toBe(expected.length);
        expect(r.cards.map((c) => c.id)).toEqual(expected.slice((r.page - 1) * 20, r.page * 20));
      }
    }
    const remote = await searchWork(db, 'job', { commune: 'Auch', rayon: 50, teletravail: true });
    expect(remote.total).toBe(within(50, (j) => j.tele === true).length);
    const near = await nearbyWork(db, { point: centre, km: 30 });
    expect(near.jobs.map((j) => j.id)).toEqual(within(30).slice(0, 3));
    expect(near.businesses.map((b) => b.id)).toEqual(
      (await every('business'))
        .filter((b) => b.km <= 30)
        .sort((a, b) => a.km - b.km)
        .slice(0, 3)
        .map((b) => b.id),
    );
    // Without a radius: the page is read in the database, and the count beside it.
    const third = await searchWork(db, 'job', { page: 3, teletravail: false });
    expect(third.total).toBe(jobs.length);
    expect(third.cards.map((c) => c.id)).toEqual(jobs.slice(40, 60).map((j) => j.id));

    // The statements of a commune's page and of a radius: no read of every item.
    const recorded: Array<{ sql: string; params: unknown[] }> = [];
    const watched = drizzle(db.$client, {
      schema,
      logger: { logQuery: (text, params) => void recorded.push({ sql: text, params }) },
    }) as unknown as Db;
    const plansOf = async (call: () => Promise<unknown>) => {
      recorded.length = 0;
      await call();
      const plans: string[] = [];
      for (const { sql: text, params } of recorded.filter((r) => r.sql.includes('"opportunities"'))) {
        const plan = await planner.$client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: params as never });
        plans.push(plan.rows.map((r) => String(r.detail)).join('\n'));
      }
      return plans;
    };
    const plans = [
      ...(await plansOf(() => nearbyWork(watched, { point: centre, km: 30 }))),
      ...(await plansOf(() => searchWork(watched, 'job', { commune: 'Auch', rayon: 30, teletravail: false }))),
      ...(await plansOf(() => searchWork(watched, 'business', { territoire: '32', page: 2, teletravail: false }))),
    ];
    expect(plans.length).toBe(8);
    // Never every item, nor every item of a kind: a radius starts from its box's communes.
    for (const plan of plans) expect(plan).not.toMatch(/^SCAN (opportunities|communes)\b|\(status=\? AND kind=\?\)/m);
    const around = plans.filter((p) => /^SEARCH communes USING (COVERING )?INDEX communes_point_idx/.test(p));
    expect(around.length).toBe(3);
    for (const plan of around) expect(plan).toMatch(/^SEARCH opportunities USING INDEX opportunities_commune_idx/m);
    // The country's newest: read in order from an index, never every item sorted.
    const newest = await plansOf(() => searchWork(watched, 'job', { page: 3, teletravail: false }));
    expect(newest.length).toBe(2);
    for (const plan of newest) expect(plan).not.toMatch(/^SCAN opportunities|TEMP B-TREE/m);
    // Without statistics for the items (a database analysed while it had none), the same.
    await db.run(sql`DELETE FROM sqlite_stat1 WHERE tbl = 'opportunities'`);
    const blind = await createDb(`file:${file}`);
    onTestFinished(() => blind.$client.close());
    recorded.length = 0;
    await nearbyWork(watched, { point: centre, km: 30 });
    const boxes = recorded.filter((r) => r.sql.includes('cross join'));
    expect(boxes.length).toBe(2);
    for (const { sql: text, params } of boxes) {
      const plan = await blind.$client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: params as never });
      expect(plan.rows.map((r) => String(r.detail)).join('\n')).toMatch(
        /^SEARCH opportunities USING INDEX opportunities_commune_idx/m,
      );
    }
  });
});

describe('owners’ businesses', () => {
  it('an owner proposes, the agent asks for changes, the owner edits, the agent approves; the owner is emailed', async () => {
    const { db, ctx, gers, manche, owner, family } = await world();
    const id = await proposeBusiness(ctx, owner, businessForm());
    expect(await getOwnBusiness(db, owner, id)).toMatchObject({ status: 'pending', moderation: 'pending' });
    const staffMail = await db.select().from(outbox).where(eq(outbox.to, 'agent.gers@demo.test'));
    expect(staffMail.some((m) => m.template === 'offer_submitted' && m.text.includes(`/agent/reprises/${id}`))).toBe(
      true,
    );
    await expect(moderateWork(ctx, manche, id, 'approve', {})).rejects.toBeInstanceOf(NotFound);
    await expect(moderateWork(ctx, gers, id, 'changes', {})).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'note' })],
    });
    await moderateWork(ctx, gers, id, 'changes', { note: 'Précisez le loyer du local.' });
    expect(await getOwnBusiness(db, owner, id)).toMatchObject({
      moderation: 'changes_requested',
      note: 'Précisez le loyer du local.',
    });
    await editOwnBusiness(ctx, owner, id, businessForm({ description: 'Loyer de 650 € par mois.' }));
    await moderateWork(ctx, gers, id, 'approve', {});
    expect((await workDetail(db, 'business', id)).description).toBe('Loyer de 650 € par mois.');
    const mails = (await db.select().from(outbox).where(eq(outbox.to, 'proprietaire@demo.test'))).map(
      (m) => m.template,
    );
    expect(mails).toEqual(expect.arrayContaining(['offer_changes_requested', 'offer_approved']));
    // Nobody else proposes or sees it as theirs.
    await expect(proposeBusiness(ctx, family, businessForm())).rejects.toBeInstanceOf(Forbidden);
    await expect(getOwnBusiness(db, family, id)).rejects.toBeInstanceOf(Forbidden);
    const events = await db
      .select({ kind: opportunityEvents.kind })
      .from(opportunityEvents)
      .where(and(eq(opportunityEvents.opportunityId, id)));
    expect(events.map((e) => e.kind)).toEqual(['proposed', 'changes_requested', 'updated', 'approved']);
  });

  it('an edit of a published business waits for the agent while the current version stays online', async () => {
    const { db, ctx, gers, manche, owner } = await world();
    const id = await proposeBusiness(ctx, owner, businessForm());
    await moderateWork(ctx, gers, id, 'approve', {});
    const staffMails = async () =>
      (await db.select().from(outbox).where(eq(outbox.to, 'agent.gers@demo.test'))).filter(
        (m) => m.template === 'offer_submitted',
      ).length;
    const mailsBefore = await staffMails();
    const queued = (await workQueueCounts(db, clock, gers, 'business')).moderation;
    nowMs += DAY_MS;
    await editOwnBusiness(ctx, owner, id, businessForm({ priceMax: '55000', sector: 'retail' }));
    // Online as it was; the owner's form shows the edit; the agent is told.
    expect(await workDetail(db, 'business', id)).toMatchObject({ priceMax: 60000, sector: 'food' });
    const own = await getOwnBusiness(db, owner, id);
    expect(own).toMatchObject({ status: 'published', moderation: 'pending' });
    expect(own.current).toMatchObject({ priceMax: 55000, sector: 'retail' });
    expect(await staffMails()).toBe(mailsBefore + 1);
    const [told] = await db
      .select({ text: outbox.text })
      .from(outbox)
      .where(eq(outbox.to, 'agent.gers@demo.test'))
      .orderBy(desc(outbox.id))
      .limit(1);
    const [place] = await db.select({ name: communes.name }).from(communes).where(eq(communes.code, '32107'));
    expect(told!.text).toContain(`(${place!.name})`);
    expect(await workQueueCounts(db, clock, gers, 'business')).toMatchObject({ moderation: queued + 1 });
    expect((await workModerationOf(db, await getManagedWork(db, gers, id)))!.changes).toEqual([
      { field: 'priceMax', before: 60000, after: 55000 },
      { field: 'sector', before: 'food', after: 'retail' },
    ]);
    // The agent can neither archive it meanwhile nor act from another territory.
    await expect(changeWorkStatus(db, clock, gers, id, 'archive')).rejects.toBeInstanceOf(Invalid);
    await expect(moderateWork(ctx, manche, id, 'approve', {})).rejects.toBeInstanceOf(NotFound);
    // The agent's own edit meanwhile stays under the owner's fields.
    await updateWork(db, clock, gers, id, { ...businessForm(), reason: 'Retraite en 2027' });
    await moderateWork(ctx, gers, id, 'approve', {});
    expect(await workDetail(db, 'business', id)).toMatchObject({
      priceMax: 55000,
      sector: 'retail',
      reason: 'Retraite en 2027',
    });
    expect(await getOwnBusiness(db, owner, id)).toMatchObject({
      status: 'published',
      moderation: null,
      proposedChanges: null,
    });

    // The owner's form now starts from the online version (the agent's reason included).
    // A rejected edit leaves it online as it was, with the agents' word; the owner may try again.
    await editOwnBusiness(
      ctx,
      owner,
      id,
      businessForm({ priceMax: '90000', sector: 'retail', reason: 'Retraite en 2027' }),
    );
    await moderateWork(ctx, gers, id, 'reject', { note: 'Le prix doit suivre l’estimation de la CCI.' });
    expect(await workDetail(db, 'business', id)).toMatchObject({ priceMax: 55000 });
    expect(await getOwnBusiness(db, owner, id)).toMatchObject({
      status: 'published',
      moderation: 'rejected',
      note: 'Le prix doit suivre l’estimation de la CCI.',
    });
    // Undoing an edit withdraws it from the queue.
    await editOwnBusiness(
      ctx,
      owner,
      id,
      businessForm({ priceMax: '70000', sector: 'retail', reason: 'Retraite en 2027' }),
    );
    await editOwnBusiness(
      ctx,
      owner,
      id,
      businessForm({ priceMax: '55000', sector: 'retail', reason: 'Retraite en 2027' }),
    );
    expect(await getOwnBusiness(db, owner, id)).toMatchObject({ moderation: null, proposedChanges: null });
    // It stays in its territory.
    await expect(editOwnBusiness(ctx, owner, id, businessForm({ commune: '50502' }))).rejects.toMatchObject({
      errors: [expect.objectContaining({ key: 'errors.offer_territory_change' })],
    });
    const events = await db
      .select({ kind: opportunityEvents.kind, fields: opportunityEvents.fields })
      .from(opportunityEvents)
      .where(eq(opportunityEvents.opportunityId, id));
    expect(events).toContainEqual({ kind: 'approved', fields: ['priceMax', 'sector'] });
  });

  it('the owner withdraws a business: off the site and the queue, closed to edits; nobody else can', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeBusiness(ctx, owner, businessForm());
    await moderateWork(ctx, gers, id, 'approve', {});
    const queued = (await workQueueCounts(db, clock, gers, 'business')).moderation;
    await editOwnBusiness(ctx, owner, id, businessForm({ priceMax: '55000' }));
    await expect(withdrawOwnBusiness(ctx, { ...owner, id: owner.id + 10_000 }, id)).rejects.toBeInstanceOf(NotFound);
    await withdrawOwnBusiness(ctx, owner, id);
    expect(await getOwnBusiness(db, owner, id)).toMatchObject({
      status: 'archived',
      moderation: null,
      proposedChanges: null,
    });
    await expect(workDetail(db, 'business', id)).rejects.toBeInstanceOf(NotFound);
    expect(await workQueueCounts(db, clock, gers, 'business')).toMatchObject({ moderation: queued });
    await expect(editOwnBusiness(ctx, owner, id, businessForm())).rejects.toMatchObject({
      errors: [expect.objectContaining({ key: 'errors.work_owner_locked' })],
    });
  });

  it('reminds the owner once at 60 days with the link to confirm; the owner confirms, and it stays online', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeBusiness(ctx, owner, businessForm());
    await moderateWork(ctx, gers, id, 'approve', {});
    const reminders = async () =>
      (await db.select().from(outbox).where(eq(outbox.to, 'proprietaire@demo.test'))).filter(
        (m) => m.template === 'offer_confirm_reminder' && m.text.includes(`/compte/reprises/${id}`),
      );
    nowMs += 59 * DAY_MS;
    await runFreshness(ctx);
    expect(await reminders()).toHaveLength(0);
    nowMs += 2 * DAY_MS;
    await runFreshness(ctx);
    await runFreshness(ctx);
    expect(await reminders()).toHaveLength(1);
    // Only its owner confirms it from their page; anyone else's "still available" is not found.
    await expect(confirmWork(db, clock, { ...owner, id: owner.id + 10_000 }, id)).rejects.toBeInstanceOf(NotFound);
    await confirmWork(db, clock, owner, id);
    nowMs += 40 * DAY_MS;
    await runFreshness(ctx);
    expect((await getOwnBusiness(db, owner, id)).status).toBe('published');
    // A new unconfirmed period: a new reminder.
    nowMs += 25 * DAY_MS;
    await runFreshness(ctx);
    expect(await reminders()).toHaveLength(2);
  });

  it('refuses a proposal in a territory that does not accept them, and a rejection archives it', async () => {
    const { ctx, gers, owner } = await world();
    await expect(proposeBusiness(ctx, owner, businessForm({ commune: '50502' }))).rejects.toMatchObject({
      errors: [expect.objectContaining({ key: 'errors.offer_territory_closed' })],
    });
    const id = await proposeBusiness(ctx, owner, businessForm());
    await moderateWork(ctx, gers, id, 'reject', { note: 'Hors du périmètre du programme.' });
    expect(await getOwnBusiness(ctx.db, owner, id)).toMatchObject({ status: 'archived', moderation: 'rejected' });
  });
});

describe('matching the partner and proposing to the family', () => {
  it('matches the partner’s trade, proposes once, the family answers', async () => {
    const { db, ctx, gers, manche, family } = await world();
    const file = (await familyFile(db, family))!;
    await db
      .update(candidates)
      .set({ partnerWish: 'local_job', partnerSought: 'graphisme, communication' })
      .where(eq(candidates.id, file.id));
    const fresh = (await familyFile(db, family))!;
    const { matches } = await fileWorkMatches(db, fresh);
    expect(matches[0]!.title).toMatch(/Graphiste/);
    expect(matches.every((m) => m.kind === 'job' && m.territoryCode === '32')).toBe(true);
    // Taking over: businesses only; not seeking: nothing.
    await db
      .update(candidates)
      .set({ partnerWish: 'take_over', partnerSought: null })
      .where(eq(candidates.id, file.id));
    expect(
      (await fileWorkMatches(db, (await familyFile(db, family))!)).matches.every((m) => m.kind === 'business'),
    ).toBe(true);
    await db.update(candidates).set({ partnerWish: 'not_seeking' }).where(eq(candidates.id, file.id));
    expect((await fileWorkMatches(db, (await familyFile(db, family))!)).matches).toEqual([]);

    const job = matches[0]!.id;
    await expect(proposeWork(ctx, manche, file.publicId, { opportunity: String(job) })).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(proposeWork(ctx, gers, file.publicId, { opportunity: 'x' })).rejects.toBeInstanceOf(Invalid);
    // Another territory's item is as unknown as a missing one.
    const [manche50] = await db
      .select({ id: opportunities.id })
      .from(opportunities)
      .where(and(eq(opportunities.territoryCode, '50'), eq(opportunities.status, 'published')));
    await expect(proposeWork(ctx, gers, file.publicId, { opportunity: String(manche50!.id) })).rejects.toMatchObject({
      errors: [expect.objectContaining({ key: 'errors.work_unknown' })],
    });
    expect(await proposeWork(ctx, gers, file.publicId, { opportunity: String(job) })).toBe(true);
    expect(await proposeWork(ctx, gers, file.publicId, { opportunity: String(job) })).toBe(false);
    const mails = await db.select().from(outbox).where(eq(outbox.to, 'famille@demo.test'));
    expect(mails.filter((m) => m.template === 'offers_proposed').length).toBe(1);
    const [proposal] = await listWorkProposals(db, file.id);
    expect(proposal).toMatchObject({ opportunityId: job, status: 'proposed' });
    expect((await fileWorkMatches(db, { ...fresh })).matches.find((m) => m.id === job)?.proposed).toBe(true);

    await expect(answerProposal(ctx, family, fresh, { proposal: String(proposal!.id) }, 'work')).rejects.toBeInstanceOf(
      Invalid,
    );
    await answerProposal(
      ctx,
      family,
      fresh,
      {
        proposal: String(proposal!.id),
        answer: 'accepted',
        comment: 'Mon conjoint postule volontiers.',
      },
      'work',
    );
    expect((await listWorkProposals(db, file.id))[0]).toMatchObject({
      status: 'accepted',
      comment: 'Mon conjoint postule volontiers.',
    });
    const staffMails = await db.select().from(outbox).where(eq(outbox.to, 'agent.gers@demo.test'));
    expect(staffMails.some((m) => m.template === 'proposal_answered')).toBe(true);
    // Another file's proposal is not found for this family.
    await expect(
      answerProposal(ctx, family, fresh, { proposal: '999999', answer: 'declined' }, 'work'),
    ).rejects.toBeInstanceOf(NotFound);
    // No longer online (its text may since be an unread owner's edit): the family sees its kind and commune.
    await db.update(opportunities).set({ status: 'archived' }).where(eq(opportunities.id, job));
    const [gone] = (await familyAccount(db, family))!.workProposals;
    expect(gone).toMatchObject({ opportunityId: job, title: null, employer: null, status: 'accepted' });
    expect(gone!.communeName).toBeTruthy();
  });
});
