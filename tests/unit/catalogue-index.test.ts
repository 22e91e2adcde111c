// The in-memory catalogue index against brute force: random catalogues, random searches
// (the bench's generator), every count, order, page and distance equal to a plain filter
// and sort of the table's rows, written here with SQL's rules — also after publishing,
// editing, archiving, deleting and importing offers, in this process and in another one.
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/client.ts';
import { communes, offers } from '../../db/schema/index.ts';
import { placedCommunes } from '../../db/seed/demo.ts';
import { createRandom, type Random } from '../../db/seed/random.ts';
import { insertBenchOffers } from '../../scripts/lib/bench-offers.ts';
import { randomSearch, type SearchContext } from '../../scripts/lib/searches.ts';
import { catalogueIndex, pruneCatalogueChanges } from '../../src/server/offers/catalogue-index.ts';
import { catalogueVersion, withCatalogueVersion } from '../../src/server/cache/page-cache.ts';
import {
  countOffers,
  findNearbyOffers,
  fullTextQuery,
  PAGE_SIZE,
  searchOfferPage,
  searchOffers,
} from '../../src/server/offers/queries.ts';
import {
  kindParams,
  parseOfferSearch,
  transactionParams,
  type OfferSearchInput,
} from '../../src/server/offers/schemas.ts';
import { resolveCommune } from '../../src/server/places/queries.ts';
import { distanceKm, type Point } from '../../src/server/places/geo.ts';
import { testDb } from '../helpers/db.ts';

type Row = typeof offers.$inferSelect;

/** NULL first, as SQLite orders. */
const cmp = (a: number | string | null, b: number | string | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

const round1 = (d: number) => Math.round(d * 10) / 10;

/** The whole answer of a search, by brute force over every row of the table. */
async function bruteForce(db: Db, query: OfferSearchInput) {
  const rows = await db.select().from(offers).where(eq(offers.status, 'published'));
  let center: Point | null = null;
  let commune: string | null = null;
  if (query.commune) {
    const c = await resolveCommune(db, query.commune);
    commune = c.code;
    if (c.lat !== null && c.lng !== null) center = { lat: c.lat, lng: c.lng };
  }
  let text: Set<number> | null = null;
  const match = query.q ? fullTextQuery(query.q) : null;
  if (match)
    text = new Set(
      (
        await db.$client.execute({ sql: 'SELECT rowid FROM offers_fts WHERE offers_fts MATCH ?', args: [match] })
      ).rows.map((r) => Number(r[0])),
    );
  const dist = (o: Row) =>
    center && o.publicLat !== null && o.publicLng !== null
      ? distanceKm(center, { lat: o.publicLat, lng: o.publicLng })
      : null;
  const atLeast = (v: number | null, min: number | undefined) => min === undefined || (v !== null && v >= min);
  const atMost = (v: number | null, max: number | undefined) => max === undefined || (v !== null && v <= max);
  const base = rows.filter(
    (o) =>
      (query.territoire === undefined || o.territoryCode === query.territoire) &&
      (commune === null || query.rayon !== undefined || o.communeCode === commune) &&
      (query.rayon === undefined || (dist(o) !== null && dist(o)! <= query.rayon)) &&
      (!query.transaction || o.transaction === transactionParams[query.transaction]) &&
      (!query.fibre || o.fibreStatus === 'available') &&
      atLeast(o.downloadMbps, query.debit_min) &&
      atLeast(o.uploadMbps, query.upload_min) &&
      (!query.techno || o.bestTechnology === query.techno) &&
      (!query.mobile || (query.mobile === '5g' ? ['5g'] : ['4g', '5g']).includes(o.mobileCoverage)) &&
      atLeast(o.price, query.prix_min) &&
      atMost(o.price, query.prix_max) &&
      atLeast(o.surface, query.surface_min) &&
      atLeast(o.rooms, query.pieces_min) &&
      atMost(o.nearestFibreTiersLieuKm, query.tl_km) &&
      atMost(o.schoolKm, query.ecole_km) &&
      (text === null || text.has(o.id)),
  );
  const counts = {
    home: base.filter((o) => o.kind === 'home').length,
    tiers_lieu: base.filter((o) => o.kind === 'tiers_lieu').length,
  };
  const kind = query.type
    ? kindParams[query.type]
    : query.tl_km !== undefined || query.ecole_km !== undefined || query.transaction
      ? 'home'
      : undefined;
  const listed = base.filter((o) => !kind || o.kind === kind);
  const isNull = (v: unknown) => (v === null ? 1 : 0);
  const sale = (o: Row) => (o.transaction === 'sale' ? 1 : 0);
  const rd = (o: Row) => (dist(o) === null ? null : round1(dist(o)!));
  const order: Record<string, (a: Row, b: Row) => number> = {
    recent: (a, b) => -cmp(a.publishedAt, b.publishedAt) || b.id - a.id,
    // Monthly prices (rents, desks) first, then sales: a price order never mixes them.
    prix: (a, b) => sale(a) - sale(b) || isNull(a.price) - isNull(b.price) || cmp(a.price, b.price) || a.id - b.id,
    'prix-desc': (a, b) =>
      sale(a) - sale(b) || isNull(a.price) - isNull(b.price) || -cmp(a.price, b.price) || b.id - a.id,
    debit: (a, b) =>
      isNull(a.downloadMbps) - isNull(b.downloadMbps) ||
      -cmp(a.downloadMbps, b.downloadMbps) ||
      -cmp(a.uploadMbps, b.uploadMbps) ||
      b.id - a.id,
    distance: center
      ? (a, b) => cmp(rd(a), rd(b)) || a.id - b.id
      : (a, b) => -cmp(a.publishedAt, b.publishedAt) || b.id - a.id,
  };
  listed.sort(order[query.tri ?? 'recent']!);
  return { counts, listed, distanceOf: rd };
}

async function context(db: Db): Promise<SearchContext> {
  const placed = await placedCommunes(db, '32');
  return {
    territories: ['32', '50'],
    communes: placed.map((p) => p.code),
    words: ['maison', 'grange', 'fibre', 'jardin', 'lumineuse', 'Auch', 'coworking', 'introuvable'],
  };
}

/** Every search agrees with brute force: totals, counts per kind, the page's ids and distances. */
async function checkSearches(dbs: Db[], random: Random, ctx: SearchContext, n: number) {
  for (let i = 0; i < n; i++) {
    const parsed = parseOfferSearch(randomSearch(random, ctx));
    expect(parsed.errors).toEqual([]);
    const query = parsed.query;
    const truth = await bruteForce(dbs[0]!, query);
    // Past the last page, the last (a kept link while offers went).
    const page = Math.min(query.page ?? 1, Math.max(1, Math.ceil(truth.listed.length / PAGE_SIZE)));
    const expected = truth.listed.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    for (const db of dbs) {
      const result = await searchOffers(db, query);
      const label = JSON.stringify(query);
      expect(result.countsByKind, label).toEqual(truth.counts);
      expect(result.total, label).toBe(truth.listed.length);
      expect(result.page, label).toBe(page);
      // Counted without a page (the wider search of an empty result): the same total.
      expect(await countOffers(db, query), label).toBe(truth.listed.length);
      expect(
        result.items.map((c) => [c.id, c.distanceKm]),
        label,
      ).toEqual(expected.map((o) => [o.id, query.commune ? truth.distanceOf(o) : null]));
    }
  }
}

async function catalogue(seed: number) {
  const { db, path } = await testDb();
  const places = await placedCommunes(db, '32');
  const [{ last }] = (await db.select({ last: sql<number>`max(${offers.id})` }).from(offers)) as [{ last: number }];
  await insertBenchOffers(db, { count: 300, seed, places, territory: '32' });
  // Some NULLs where an owner left a field empty, and ties on prices.
  const random = createRandom(seed);
  // The generated offers (no photo nor favourite refers to them: they can be deleted).
  const ids = (
    await db
      .select({ id: offers.id })
      .from(offers)
      .where(sql`${offers.id} > ${last}`)
  ).map((r) => r.id);
  for (let i = 0; i < 40; i++) {
    const id = random.pick(ids);
    await db
      .update(offers)
      .set(
        random.pick([
          { price: null },
          { downloadMbps: null, uploadMbps: null },
          { publicLat: null, publicLng: null },
          { price: 500 },
          { surface: null, rooms: null },
        ]),
      )
      .where(eq(offers.id, id));
  }
  return { db, path, random, ids };
}

describe('catalogue index', () => {
  it('gives exactly the results of brute force for 300 random searches', async () => {
    const { db, random } = await catalogue(7);
    await checkSearches([db], random, await context(db), 300);
  });

  it('stays exact through publishing, editing, archiving, deleting and importing, in two processes', async () => {
    const { db, path, random, ids } = await catalogue(11);
    const ctx = await context(db);
    await checkSearches([db], random, ctx, 20);
    // Another process on the same file: its own index, built from the database.
    const other = await createDb(`file:${path}`);
    try {
      const drafts = (await db.select({ id: offers.id }).from(offers).where(eq(offers.status, 'draft'))).map(
        (r) => r.id,
      );
      expect(drafts.length).toBeGreaterThan(0);
      await db
        .update(offers)
        .set({ status: 'published', publishedAt: '2026-11-30T10:00:00.000Z' })
        .where(inArray(offers.id, drafts.slice(0, 3)));
      await db
        .update(offers)
        .set({ price: 123, fibreStatus: 'available' })
        .where(inArray(offers.id, ids.slice(0, 30)));
      await db
        .update(offers)
        .set({ status: 'archived' })
        .where(inArray(offers.id, ids.slice(30, 50)));
      await db.delete(offers).where(inArray(offers.id, ids.slice(50, 55)));
      // Offers moved to another territory (each territory's slots are kept apart).
      await db
        .update(offers)
        .set({ territoryCode: '50' })
        .where(inArray(offers.id, ids.slice(80, 95)));
      // And public points moved by tens of kilometres (each map cell's slots too).
      await db
        .update(offers)
        .set({ publicLat: sql`${offers.publicLat} + 0.6`, publicLng: sql`${offers.publicLng} - 0.4` })
        .where(inArray(offers.id, ids.slice(95, 130)));
      // And offers moved from commune to commune (each commune's slots too), searched there.
      const movedTo = random.pick(ctx.communes);
      await db
        .update(offers)
        .set({ communeCode: movedTo })
        .where(inArray(offers.id, ids.slice(130, 150)));
      for (const db2 of [db, other]) {
        const truth = await bruteForce(db, { commune: movedTo });
        expect(truth.listed.length).toBeGreaterThanOrEqual(20);
        const result = await searchOffers(db2, { commune: movedTo, page: 1 });
        expect(result.countsByKind).toEqual(truth.counts);
        expect(result.items.map((c) => c.id)).toEqual(truth.listed.slice(0, PAGE_SIZE).map((o) => o.id));
      }
      await checkSearches([db, other], random, ctx, 40);
      // An import: many offers at once, more than are reloaded one by one.
      await insertBenchOffers(db, { count: 200, seed: 99, places: await placedCommunes(db, '32'), territory: '32' });
      await checkSearches([other, db], random, ctx, 40);
      // Changes pruned while a process was behind: it rebuilds rather than miss them.
      await db
        .update(offers)
        .set({ status: 'archived' })
        .where(inArray(offers.id, ids.slice(60, 70)));
      await db
        .update(offers)
        .set({ price: 1 })
        .where(inArray(offers.id, ids.slice(70, 80)));
      expect(await pruneCatalogueChanges(db, 1)).toBeGreaterThan(0);
      await checkSearches([other, db], random, ctx, 30);
    } finally {
      other.$client.close();
    }
  });

  it('never goes back to the older version a slower request read', async () => {
    const { db, ids } = await catalogue(12);
    const match = fullTextQuery('zzmotrare')!;
    const older = await catalogueVersion(db);
    const index = await catalogueIndex(db);
    expect(await index.textMatches(db, match)).toHaveLength(0);
    await db.update(offers).set({ title: 'Maison zzmotrare' }).where(eq(offers.id, ids[0]!));
    await catalogueIndex(db);
    // A request that read the version before that change syncs the index after another did.
    await withCatalogueVersion(db, older, () => catalogueIndex(db));
    expect([...(await index.textMatches(db, match))]).toEqual([ids[0]]);
  });

  it('pages by cursor through exactly the brute-force order', async () => {
    const { db, random } = await catalogue(13);
    const ctx = await context(db);
    for (let i = 0; i < 40; i++) {
      const { query } = parseOfferSearch(randomSearch(random, ctx));
      delete query.page;
      const truth = await bruteForce(db, query);
      const seen: number[] = [];
      let after = null;
      for (;;) {
        const page = await searchOfferPage(db, query, { after, limit: 17 });
        expect(page.total, JSON.stringify({ query, after })).toBe(truth.listed.length);
        seen.push(...page.items.map((c) => c.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(seen, JSON.stringify(query)).toEqual(truth.listed.map((o) => o.id));
    }
  });

  it('finds the nearest offers of a kind as brute force does, from offers and from anywhere', async () => {
    const { db, random } = await catalogue(17);
    const rows = await db
      .select({ offer: offers })
      .from(offers)
      .innerJoin(communes, eq(communes.code, offers.communeCode))
      .where(sql`${offers.status} = 'published' AND ${offers.publicLat} IS NOT NULL`);
    const lats = rows.map((r) => r.offer.publicLat!);
    const lngs = rows.map((r) => r.offer.publicLng!);
    const around = (values: number[]) =>
      Math.min(...values) - 0.3 + random.next() * (Math.max(...values) - Math.min(...values) + 0.6);
    for (let i = 0; i < 80; i++) {
      // Half from an offer (its page), half from any point in and around the catalogue:
      // the walk by rings of cells must stop neither too early nor miss a cell's edge.
      const from = i % 2 === 0 ? random.pick(rows).offer : null;
      const point = from ? { lat: from.publicLat!, lng: from.publicLng! } : { lat: around(lats), lng: around(lngs) };
      const kind = random.pick(['home', 'tiers_lieu'] as const);
      const km = random.pick([1, 5, 15, 30, 80]);
      const limit = random.pick([1, 3, 5, 12]);
      const expected = rows
        .map((r) => r.offer)
        .filter((o) => o.kind === kind && o.id !== from?.id)
        .map((o) => ({ id: o.id, exact: distanceKm(point, { lat: o.publicLat!, lng: o.publicLng! }) }))
        .filter((o) => o.exact <= km)
        .map((o) => ({ id: o.id, d: round1(o.exact) }))
        .sort((a, b) => a.d - b.d || a.id - b.id)
        .slice(0, limit);
      const found = await findNearbyOffers(db, point, kind, { km, limit, excludeId: from?.id });
      expect(
        found.map((o) => [o.id, o.distanceKm]),
        JSON.stringify({ point, kind, km, limit }),
      ).toEqual(expected.map((o) => [o.id, o.d]));
    }
  });
});
