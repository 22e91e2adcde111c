import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { PreparedReader } from '../../db/prepared-reader.ts';
import type { Db } from '../../db/client.ts';
import { communes, offerPhotos, offers } from '../../db/schema/index.ts';
import { Invalid } from '../../src/server/errors.ts';
import {
  fullTextQuery,
  getKeyFigures,
  PAGE_SIZE,
  searchOffers,
  searchOfferPage,
} from '../../src/server/offers/queries.ts';
import { parseOfferSearch, searchParamNames, type OfferSearchInput } from '../../src/server/offers/schemas.ts';
import { dailyLife } from '../../src/server/places/daily-life.ts';
import { distanceKm } from '../../src/server/places/geo.ts';
import { getCommune } from '../../src/server/places/queries.ts';
import { typedIn } from '../../src/server/input.ts';
import { refreshAround } from '../../src/server/offers/manage.ts';
import { testDb } from '../helpers/db.ts';

const params = (qs: string) => new URLSearchParams(qs);

/** Every published offer with its commune, read straight from the table: the test's own truth. */
async function allPublished(db: Db) {
  return db
    .select({ offer: offers, communeName: communes.name })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(eq(offers.status, 'published'));
}

/** Runs a search through every page and returns the ids in order. */
async function allIds(db: Db, query: OfferSearchInput): Promise<number[]> {
  const first = await searchOffers(db, query);
  const ids = first.items.map((i) => i.id);
  for (let page = 2; page <= first.pages; page++)
    ids.push(...(await searchOffers(db, { ...query, page })).items.map((i) => i.id));
  expect(ids).toHaveLength(first.total);
  return ids;
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('parseOfferSearch', () => {
  it('accepts every public parameter', () => {
    const parsed = parseOfferSearch(
      params(
        'type=logement&transaction=vente&territoire=32&commune=32013&rayon=25&fibre=1&debit_min=100&upload_min=20&techno=ftth&mobile=4g&prix_min=100&prix_max=300000&surface_min=80&pieces_min=4&tl_km=15&ecole_km=5&q=grange&zone=-0.5,43.25,1.25,44&tri=distance&page=2&utm_source=x',
      ),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.query).toEqual({
      type: 'logement',
      transaction: 'vente',
      territoire: '32',
      commune: '32013',
      rayon: 25,
      fibre: '1',
      debit_min: 100,
      upload_min: 20,
      techno: 'ftth',
      mobile: '4g',
      prix_min: 100,
      prix_max: 300000,
      surface_min: 80,
      pieces_min: 4,
      tl_km: 15,
      ecole_km: 5,
      q: 'grange',
      zone: [-0.5, 43.25, 1.25, 44],
      tri: 'distance',
      page: 2,
    });
    expect(searchParamNames).toHaveLength(20);
  });

  it('reads amounts as people type them: spaces, thousands, euros, per month, units', () => {
    const typed = params(
      'prix_max=250%C2%A0000&prix_min=900+%E2%82%AC%2Fmois&surface_min=1.200&debit_min=100+Mb%2Fs&rayon=30+km&commune=32013',
    );
    expect(parseOfferSearch(typed)).toMatchObject({
      ok: true,
      query: { prix_max: 250_000, prix_min: 900, surface_min: 1_200, debit_min: 100, rayon: 30 },
    });
    // Out of range: the range is said, for the locale.
    expect(parseOfferSearch(params('pieces_min=60')).errors).toContainEqual(
      expect.objectContaining({ field: 'pieces_min', key: 'errors.number_range', params: { min: 0, max: 50 } }),
    );
    // A decimal, a word, a sign: still refused.
    for (const qs of ['prix_max=1,5', 'prix_max=250+000+ou+plus', 'prix_max=-250+000'])
      expect(parseOfferSearch(params(qs)).errors).toContainEqual(expect.objectContaining({ field: 'prix_max' }));
  });

  it('reads a comma as the page’s language writes it: a decimal in French, thousands in English', () => {
    const read = (typed: string) => {
      const parsed = parseOfferSearch(params(`prix_max=${encodeURIComponent(typed)}`));
      return parsed.query.prix_max ?? parsed.errors[0]?.key;
    };
    // French: dots and spaces group thousands; a comma is a decimal point, never thousands.
    for (const [typed, read_] of [
      ['1,500', 'errors.invalid_price'],
      ['1,5', 'errors.invalid_price'],
      ['250,000', 'errors.invalid_price'],
      ['650,50 €/mois', 'errors.invalid_price'],
      ['1 500', 1500],
      ['1.500', 1500],
      ['1 500 €', 1500],
      ['900,00 €', 900],
      ['250 000,00', 250_000],
      ['1.500,00', 1500],
      ['1,500,000', 1_500_000],
    ] as const)
      expect(
        typedIn('fr', () => read(typed)),
        typed,
      ).toBe(read_);
    // Outside a page (the API, scripts): French, the portal's language.
    expect(read('1,500')).toBe('errors.invalid_price');
    // English: commas (and dots, as many Europeans write them) group thousands; a dot is a decimal point.
    for (const [typed, read_] of [
      ['1,500', 1500],
      ['250,000', 250_000],
      ['1,500,000', 1_500_000],
      ['1.500', 1500],
      ['1 500', 1500],
      ['900.00', 900],
      ['1,500.00', 1500],
      ['€1,500', 1500],
      ['1.5', 'errors.invalid_price'],
      ['1,5', 'errors.invalid_price'],
      ['1,500.50', 'errors.invalid_price'],
    ] as const)
      expect(
        typedIn('en', () => read(typed)),
        `en ${typed}`,
      ).toBe(read_);
  });

  it('never names the page: the nearest one, the first for anything that is no page number', () => {
    for (const [qs, page] of [
      ['page=0', 1],
      ['page=-1', undefined],
      ['page=abc', undefined],
      ['page=1.5', undefined],
      ['page=1&page=2', undefined],
      ['page=3', 3],
      ['page=99999999999999999999', 10_000],
    ] as const) {
      const parsed = parseOfferSearch(params(qs));
      expect(parsed, qs).toMatchObject({ ok: true, errors: [] });
      expect(parsed.query.page, qs).toBe(page);
    }
    // Other parameters are still named.
    expect(parseOfferSearch(params('page=0&fibre=oui')).errors).toEqual([
      { field: 'fibre', key: 'errors.invalid_flag', value: 'oui' },
    ]);
  });

  it('treats empty values as absent', () => {
    expect(parseOfferSearch(params('type=&territoire=&fibre=&q=%20%20'))).toMatchObject({ ok: true, query: {} });
  });

  it.each([
    ['prix_min=-5', 'prix_min', 'errors.invalid_price'],
    ['prix_max=1e9', 'prix_max', 'errors.invalid_price'],
    ['rayon=10000&commune=32013', 'rayon', 'errors.invalid_radius'],
    ['rayon=0&commune=32013', 'rayon', 'errors.invalid_radius'],
    ['debit_min=abc', 'debit_min', 'errors.invalid_speed'],
    ['upload_min=12.5', 'upload_min', 'errors.invalid_speed'],
    ['techno=fibre', 'techno', 'errors.invalid_enum'],
    ['mobile=3g', 'mobile', 'errors.invalid_enum'],
    ['type=chateau', 'type', 'errors.invalid_enum'],
    ['territoire=Gers', 'territoire', 'errors.unknown_territory'],
    ['fibre=yes', 'fibre', 'errors.invalid_flag'],
    ['tl_km=500', 'tl_km', 'errors.invalid_tl_km'],
    ['ecole_km=51', 'ecole_km', 'errors.invalid_ecole_km'],
    ['surface_min=grand', 'surface_min', 'errors.invalid_number'],
    [`q=${'x'.repeat(201)}`, 'q', 'errors.text_too_long'],
    ['tri=hasard', 'tri', 'errors.invalid_enum'],
    ['rayon=10', 'rayon', 'errors.radius_needs_commune'],
    ['tri=distance', 'tri', 'errors.distance_needs_commune'],
    ['prix_min=500&prix_max=100', 'prix_max', 'errors.price_range'],
    ['type=tiers-lieu&tl_km=5', 'tl_km', 'errors.tl_km_homes_only'],
    ['type=tiers-lieu&ecole_km=5', 'ecole_km', 'errors.tl_km_homes_only'],
    ['type=tiers-lieu&transaction=vente', 'transaction', 'errors.transaction_homes_only'],
    ['type=logement&type=tiers-lieu', 'type', 'errors.too_many'],
    ['zone=1,43,0,44', 'zone', 'errors.invalid_zone'],
    ['zone=0,44,1,43', 'zone', 'errors.invalid_zone'],
    ['zone=0,43,1', 'zone', 'errors.invalid_zone'],
    ['zone=-200,43,1,44', 'zone', 'errors.invalid_zone'],
    ['zone=0,43,1,95', 'zone', 'errors.invalid_zone'],
    ['zone=0,43,1,4e1', 'zone', 'errors.invalid_zone'],
  ])('%s is refused with a message key, and the parameter is left out', (qs, field, key) => {
    const parsed = parseOfferSearch(params(qs));
    expect(parsed.ok).toBe(false);
    expect(parsed.errors).toContainEqual(expect.objectContaining({ field, key }));
    expect(parsed.query).not.toHaveProperty(field);
  });

  it('keeps what was typed, to refill the form', () => {
    expect(parseOfferSearch(params('prix_max=douze&q=grange')).raw).toEqual({ prix_max: 'douze', q: 'grange' });
  });
});

describe('fullTextQuery', () => {
  it('folds accents, quotes words and matches plurals as prefixes', () => {
    expect(fullTextQuery('Maisons Léguevin')).toBe('"maison"* AND "leguevin"*');
    expect(fullTextQuery('" OR 1=1 --')).toBe('"or"* AND "1"');
    expect(fullTextQuery('  ')).toBeNull();
  });

  it('splits, folds and keeps every word as the index does', async () => {
    expect(fullTextQuery('Infirmier·ère')).toBe('"infirmier"* AND "ere"*');
    expect(fullTextQuery('Cœur de Gascogne')).toBe('("coeur"* OR "cœur"*) AND "de"* AND "gascogne"*');
    // Every word counts: none is dropped past a number of them, so more words never find more.
    const many = 'un deux trois quatre cinq six sept huit neuf dix onze douze treize zzinconnu';
    expect(fullTextQuery(many)).toContain('"zzinconnu"*');
    const { db } = await testDb();
    await db.run(sql`CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')`);
    await db.run(sql`INSERT INTO t (rowid, x) VALUES (1, 'Au cœur du village'), (2, 'Infirmier·ère'), (3, 'MANŒUVRE')`);
    const found = async (typed: string) =>
      (
        await db.all<{ rowid: number }>(sql`SELECT rowid FROM t WHERE t MATCH ${fullTextQuery(typed)} ORDER BY rowid`)
      ).map((r) => r.rowid);
    expect(await found('coeur village')).toEqual([1]);
    expect(await found('Cœur')).toEqual([1]);
    expect(await found('Infirmier·ère')).toEqual([2]);
    expect(await found('infirmier')).toEqual([2]);
    expect(await found('manoeuvres')).toEqual([3]);
    expect(await found('au cœur du village zzinconnu')).toEqual([]);
  });
});

describe('searchOffers', () => {
  it('lists published offers only, newest first, with labels and photos', async () => {
    const { db } = await testDb();
    const published = await allPublished(db);
    const [hidden] = await db
      .select({ n: sql<number>`count(*)` })
      .from(offers)
      .where(sql`${offers.status} <> 'published'`);
    expect(hidden!.n).toBeGreaterThan(0);
    const result = await searchOffers(db, {});
    expect(result.total).toBe(published.length);
    expect(result.items).toHaveLength(PAGE_SIZE);
    const dates = result.items.map((i) => i.publishedAt!);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(result.items.every((i) => i.label !== null && i.photo !== null)).toBe(true);
  });

  it('shows the last page for a page past it (a link kept while offers went)', async () => {
    const { db } = await testDb();
    const query: OfferSearchInput = { territoire: '32' };
    const { pages, total } = await searchOffers(db, query);
    expect(pages).toBeGreaterThan(1);
    const last = await searchOffers(db, { ...query, page: pages });
    const past = await searchOffers(db, { ...query, page: 10_000 });
    expect(past).toMatchObject({ page: pages, pages, total });
    expect(past.items.map((i) => i.id)).toEqual(last.items.map((i) => i.id));
    expect(past.items.length).toBeGreaterThan(0);
  });

  // Each filter, checked against the offers filtered here in the test, not by the same SQL.
  type Row = Awaited<ReturnType<typeof allPublished>>[number]['offer'];
  const cases: Array<[string, OfferSearchInput, (o: Row) => boolean]> = [
    ['fibre', { fibre: '1' }, (o) => o.fibreStatus === 'available'],
    ['territory', { territoire: '50' }, (o) => o.territoryCode === '50'],
    ['kind home', { type: 'logement' }, (o) => o.kind === 'home'],
    ['kind tiers-lieu', { type: 'tiers-lieu' }, (o) => o.kind === 'tiers_lieu'],
    ['rent', { transaction: 'location' }, (o) => o.transaction === 'rent'],
    ['sale', { transaction: 'vente' }, (o) => o.transaction === 'sale'],
    ['download', { debit_min: 100 }, (o) => (o.downloadMbps ?? -1) >= 100],
    ['upload', { upload_min: 50 }, (o) => (o.uploadMbps ?? -1) >= 50],
    ['technology', { techno: 'vdsl2' }, (o) => o.bestTechnology === 'vdsl2'],
    ['mobile 4g', { mobile: '4g' }, (o) => o.mobileCoverage === '4g' || o.mobileCoverage === '5g'],
    ['mobile 5g', { mobile: '5g' }, (o) => o.mobileCoverage === '5g'],
    ['price range', { prix_min: 500, prix_max: 1000 }, (o) => o.price !== null && o.price >= 500 && o.price <= 1000],
    ['surface', { surface_min: 120 }, (o) => (o.surface ?? -1) >= 120],
    ['rooms', { pieces_min: 5 }, (o) => (o.rooms ?? -1) >= 5],
    [
      'combined',
      { type: 'logement', fibre: '1', territoire: '32', prix_max: 300000 },
      (o) =>
        o.kind === 'home' &&
        o.fibreStatus === 'available' &&
        o.territoryCode === '32' &&
        o.price !== null &&
        o.price <= 300000,
    ],
  ];
  it.each(cases)('filters on %s exactly', async (_name, query, keep) => {
    const { db } = await testDb();
    const expected = (await allPublished(db))
      .map((r) => r.offer)
      .filter(keep)
      .map((o) => o.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await allIds(db, query))).toEqual(sorted(expected));
  });

  it('finds offers within a radius of a commune, by great-circle distance, nearest first', async () => {
    const { db } = await testDb();
    const [auch] = await db.select().from(communes).where(eq(communes.code, '32013'));
    const center = { lat: auch!.lat!, lng: auch!.lng! };
    const expected = (await allPublished(db)).map((r) => r.offer).filter((o) => distanceKm(center, o) <= 25);
    expect(expected.length).toBeGreaterThan(3);
    const ids = await allIds(db, { commune: '32013', rayon: 25, tri: 'distance' });
    expect(sorted(ids)).toEqual(sorted(expected.map((o) => o.id)));
    const result = await searchOffers(db, { commune: '32013', rayon: 25, tri: 'distance' });
    const distances = result.items.map((i) => i.distanceKm!);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    // Distances come from the exact point (private), which the results do not carry.
    const exact = new Map(expected.map((o) => [o.id, o]));
    for (const item of result.items) expect(item.distanceKm!).toBeCloseTo(distanceKm(center, exact.get(item.id)!), 0);
    expect(result.commune?.name).toBe('Auch');
  });

  it('finds the offers whose public point is in a map area, alone or with a radius', async () => {
    const { db } = await testDb();
    const rows = (await allPublished(db)).map((r) => r.offer);
    const inZone = ([west, south, east, north]: number[]) =>
      rows
        .filter((o) => o.publicLat !== null && o.publicLat! >= south! && o.publicLat! <= north!)
        .filter((o) => o.publicLng! >= west! && o.publicLng! <= east!)
        .map((o) => o.id);
    // Half of the Gers: some offers in, some out.
    const zone: [number, number, number, number] = [0.3, 43.3, 0.75, 43.9];
    const expected = inZone(zone);
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(rows.filter((o) => o.territoryCode === '32').length);
    expect(sorted(await allIds(db, { zone }))).toEqual(sorted(expected));
    // A zone wider than a region scans the whole index: the same answer as no zone.
    expect((await searchOffers(db, { zone: [-10, 40, 10, 52] })).total).toBe(rows.length);
    // With a radius, both hold.
    const [auch] = await db.select().from(communes).where(eq(communes.code, '32013'));
    const center = { lat: auch!.lat!, lng: auch!.lng! };
    const both = rows
      .filter((o) => expected.includes(o.id))
      .filter((o) => o.publicLat !== null && distanceKm(center, { lat: o.publicLat!, lng: o.publicLng! }) <= 20)
      .map((o) => o.id);
    expect(sorted(await allIds(db, { zone, commune: '32013', rayon: 20 }))).toEqual(sorted(both));
    // An area far from every offer finds none.
    expect((await searchOffers(db, { zone: [5, 45, 5.1, 45.1] })).total).toBe(0);
  });

  it('resolves a commune typed by name, accent-insensitive, or with its postal code', async () => {
    const { db } = await testDb();
    const [row] = await db
      .select({ code: offers.communeCode, name: communes.name })
      .from(offers)
      .innerJoin(communes, eq(communes.code, offers.communeCode))
      .where(eq(offers.status, 'published'))
      .limit(1);
    const folded = row!.name
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toUpperCase();
    const byName = await searchOffers(db, { commune: folded });
    expect(byName.commune?.code).toBe(row!.code);
    expect(byName.items.every((i) => i.communeCode === row!.code)).toBe(true);
    await expect(searchOffers(db, { commune: 'Nulle-Part-Sur-Mer' })).rejects.toBeInstanceOf(Invalid);
    await expect(searchOffers(db, { commune: '99999' })).rejects.toBeInstanceOf(Invalid);
    const ambiguous = await searchOffers(db, { commune: 'Saint-Martin' }).catch((e: Invalid) => e);
    expect(ambiguous).toBeInstanceOf(Invalid);
    expect((ambiguous as Invalid).errors[0]).toMatchObject({
      key: 'errors.ambiguous_commune',
      params: { example: expect.stringMatching(/^Saint-Martin \(\d{5}\)$/) },
    });
  });

  it('finds homes with a fibre tiers-lieu within N km (checked by brute force)', async () => {
    const { db } = await testDb();
    const all = (await allPublished(db)).map((r) => r.offer);
    const fibreTl = all.filter((o) => o.kind === 'tiers_lieu' && o.fibreStatus === 'available');
    const expected = all
      .filter((o) => o.kind === 'home' && fibreTl.some((t) => distanceKm(o, t) <= 12))
      .map((o) => o.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(await allIds(db, { tl_km: 12 }))).toEqual(sorted(expected));
  });

  it('finds homes whose commune has an école within N km, as the daily life of their page says', async () => {
    const { db } = await testDb();
    const homes = (await allPublished(db)).map((r) => r.offer).filter((o) => o.kind === 'home');
    const schoolKm = new Map<string, number | null>();
    for (const code of new Set(homes.map((o) => o.communeCode))) {
      const school = (await dailyLife(db, (await getCommune(db, code))!))?.entries.find(
        (e) => e.kind === 'school_primary',
      );
      schoolKm.set(code, school && school.via !== 'none' ? school.km : null);
    }
    const within = (km: number) =>
      homes.filter((o) => schoolKm.get(o.communeCode) !== null && schoolKm.get(o.communeCode)! <= km).map((o) => o.id);
    const near = within(1);
    expect(near.length).toBeGreaterThan(0);
    expect(near.length).toBeLessThan(homes.length);
    expect(sorted(await allIds(db, { ecole_km: 1 }))).toEqual(sorted(near));
    expect(sorted(await allIds(db, { ecole_km: 5 }))).toEqual(sorted(within(5)));
    // The Manche has no school points: its communes' own counts say 0 km, or the nearest commune with one.
    expect(homes.some((o) => o.territoryCode === '50' && schoolKm.get(o.communeCode) !== null)).toBe(true);

    // A home moved to a commune without a near école: its distance follows, and the search with it.
    const moved = homes.find((o) => near.includes(o.id))!;
    const far = [...schoolKm].find(([code, km]) => km !== null && km > 1 && code.startsWith('32'))!;
    await db.update(offers).set({ communeCode: far[0] }).where(eq(offers.id, moved.id));
    await refreshAround(db, { id: moved.id, kind: 'home' }, null);
    const [row] = await db.select({ km: offers.schoolKm }).from(offers).where(eq(offers.id, moved.id));
    expect(row!.km).toBe(far[1]);
    expect(await allIds(db, { ecole_km: 1 })).not.toContain(moved.id);
  });

  it('searches free text, accent- and plural-insensitive, in title, description and commune', async () => {
    const { db } = await testDb();
    const all = await allPublished(db);
    const granges = all.filter((r) => /grange/i.test(r.offer.title + r.offer.description)).map((r) => r.offer.id);
    expect(granges.length).toBeGreaterThan(0);
    expect(sorted(await allIds(db, { q: 'GRANGÉS' }))).toEqual(sorted(granges));
    const target = all[0]!;
    const byCommune = await allIds(db, { q: target.communeName.normalize('NFD').replace(/\p{Diacritic}/gu, '') });
    expect(byCommune).toContain(target.offer.id);
    expect(await allIds(db, { q: 'zzzzqqq' })).toEqual([]);
  });

  it.each([
    ['prix', (a: number, b: number) => a <= b, 'price'],
    ['prix-desc', (a: number, b: number) => a >= b, 'price'],
    ['debit', (a: number, b: number) => a >= b, 'downloadMbps'],
  ] as const)('sorts by %s over every page, with a stable order', async (tri, ordered, field) => {
    const { db } = await testDb();
    const ids = await allIds(db, { tri });
    expect(new Set(ids).size).toBe(ids.length);
    const byId = new Map((await allPublished(db)).map((r) => [r.offer.id, r.offer]));
    // A price order puts monthly prices (rents, desks) first, then sales: each group in order.
    const sale = (id: number) => field === 'price' && byId.get(id)!.transaction === 'sale';
    const groups = [ids.filter((id) => !sale(id)), ids.filter(sale)];
    expect(groups.flat()).toEqual(ids);
    for (const group of groups) {
      const values = group.map((id) => byId.get(id)![field]).filter((v): v is number => v !== null);
      for (let i = 1; i < values.length; i++) expect(ordered(values[i - 1]!, values[i]!)).toBe(true);
    }
  });

  it('counts results per kind for the other filters', async () => {
    const { db } = await testDb();
    const result = await searchOffers(db, { territoire: '50', type: 'tiers-lieu' });
    expect(result.items.every((i) => i.territoryCode === '50' && i.kind === 'tiers_lieu')).toBe(true);
    expect(result.total).toBe(result.countsByKind.tiers_lieu);
    expect(result.countsByKind.home).toBeGreaterThanOrEqual(40);
  });

  it('reads a card once per catalogue version, and afresh once an offer or its photo changed', async () => {
    const { db } = await testDb();
    const reads = vi.spyOn(PreparedReader.prototype, 'execute');
    onTestFinished(() => reads.mockRestore());
    const cardReads = () => reads.mock.calls.filter(([text]) => text.includes('"offer_photos"')).length;
    const query = { territoire: '32', type: 'logement' } as const;
    const first = await searchOffers(db, query);
    const card = first.items.find((c) => c.photo)!;
    expect(cardReads()).toBe(1);
    // The same cards again, and in another search: nothing read.
    expect(await searchOffers(db, query)).toEqual(first);
    expect((await searchOfferPage(db, query, { after: null, limit: 5 })).items).toEqual(first.items.slice(0, 5));
    expect(cardReads()).toBe(1);
    await db.update(offers).set({ title: 'Maison renommée' }).where(eq(offers.id, card.id));
    await db.update(offerPhotos).set({ alt: 'Façade au soleil' }).where(eq(offerPhotos.id, card.photo!.id));
    const after = (await searchOffers(db, query)).items.find((c) => c.id === card.id)!;
    expect(after.title).toBe('Maison renommée');
    expect(after.photo!.alt).toBe('Façade au soleil');
    expect(cardReads()).toBe(2);
  });

  it('refuses a territory the portal does not serve', async () => {
    const { db } = await testDb();
    await expect(searchOffers(db, { territoire: '75' })).rejects.toBeInstanceOf(Invalid);
  });

  it('gives every result in one large page (the map), with its public point', async () => {
    const { db } = await testDb();
    const { items, next } = await searchOfferPage(db, { fibre: '1' }, { after: null, limit: 5000 });
    const list = await allIds(db, { fibre: '1' });
    expect(next).toBeNull();
    expect(sorted(items.map((p) => p.id))).toEqual(sorted(list));
    expect(items.every((p) => Number.isFinite(p.lat) && Number.isFinite(p.lng))).toBe(true);
  });

  it('computes key figures as the database counts them, also after the catalogue changed', async () => {
    const { db } = await testDb();
    const expectCounted = async () => {
      const figures = await getKeyFigures(db);
      const all = await allPublished(db);
      expect(figures.homes).toBe(all.filter((r) => r.offer.kind === 'home').length);
      expect(figures.tiersLieux).toBe(all.filter((r) => r.offer.kind === 'tiers_lieu').length);
      expect(figures.territories).toBe(2);
      expect(figures.fibreShare).toBeCloseTo(
        all.filter((r) => r.offer.fibreStatus === 'available').length / all.length,
        5,
      );
      return figures;
    };
    const before = await expectCounted();
    // A home with fibre archived, another's fibre gone: the figures follow at once.
    const homes = (await allPublished(db)).filter((r) => r.offer.kind === 'home');
    const withFibre = homes.filter((r) => r.offer.fibreStatus === 'available');
    expect(withFibre.length).toBeGreaterThanOrEqual(2);
    await db.update(offers).set({ status: 'archived' }).where(eq(offers.id, withFibre[0]!.offer.id));
    await db.update(offers).set({ fibreStatus: 'planned' }).where(eq(offers.id, withFibre[1]!.offer.id));
    const after = await expectCounted();
    expect(after.homes).toBe(before.homes - 1);
    expect(after.fibreShare).toBeLessThan(before.fibreShare);
  });
});
