import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communeCoverage, communes, offers } from '../../db/schema/index.ts';
import { boundingBox, distanceKm, distanceSql } from '../../src/server/places/geo.ts';
import {
  findCommunes,
  getTerritoryOverview,
  listTerritoryCommunes,
  listTerritoryFacts,
  resolveCommune,
} from '../../src/server/places/queries.ts';
import { NotFound } from '../../src/server/errors.ts';
import { testDb } from '../helpers/db.ts';

describe('geo', () => {
  it('measures great-circle distances', () => {
    const paris = { lat: 48.8566, lng: 2.3522 };
    const auch = { lat: 43.6465, lng: 0.5855 };
    expect(distanceKm(paris, auch)).toBeGreaterThan(590);
    expect(distanceKm(paris, auch)).toBeLessThan(600);
    expect(distanceKm(auch, auch)).toBe(0);
  });

  it('computes the same distance in SQL', async () => {
    const { db } = await testDb('referential');
    const auch = { lat: 43.6465, lng: 0.5855 };
    const rows = await db
      .select({ lat: communes.lat, lng: communes.lng, d: distanceSql(communes.lat, communes.lng, auch) })
      .from(communes)
      .where(eq(communes.departmentCode, '50'))
      .limit(20);
    for (const r of rows) expect(r.d).toBeCloseTo(distanceKm(auch, { lat: r.lat!, lng: r.lng! }), 6);
  });

  it('builds a bounding box that contains the whole circle', () => {
    const center = { lat: 49.1, lng: -1.1 };
    const box = boundingBox(center, 30);
    for (let deg = 0; deg < 360; deg += 15) {
      const r = (deg * Math.PI) / 180;
      // a point 29.9 km away in each direction
      const p = {
        lat: center.lat + (29.9 / 111.2) * Math.cos(r),
        lng: center.lng + ((29.9 / 111.2) * Math.sin(r)) / Math.cos((center.lat * Math.PI) / 180),
      };
      expect(distanceKm(center, p)).toBeLessThan(30.5);
      if (distanceKm(center, p) <= 30) {
        expect(p.lat).toBeGreaterThanOrEqual(box.minLat);
        expect(p.lat).toBeLessThanOrEqual(box.maxLat);
        expect(p.lng).toBeGreaterThanOrEqual(box.minLng);
        expect(p.lng).toBeLessThanOrEqual(box.maxLng);
      }
    }
  });
});

describe('communes', () => {
  it('autocompletes accent-insensitively, biggest first, and by postal code', async () => {
    const { db } = await testDb('referential');
    expect((await findCommunes(db, 'Leguevin'))[0]?.name).toBe('Léguevin');
    expect((await findCommunes(db, 'léguev'))[0]?.name).toBe('Léguevin');
    const saint = await findCommunes(db, 'saint', 5);
    expect(saint).toHaveLength(5);
    const pops = saint.map((c) => c.population ?? 0);
    expect([...pops].sort((a, b) => b - a)).toEqual(pops);
    expect((await findCommunes(db, '32000')).map((c) => c.name)).toContain('Auch');
    expect(await findCommunes(db, '   ')).toEqual([]);
    expect(await findCommunes(db, '%_')).toEqual([]);
  });

  it('resolves codes, names and "name (postal code)"', async () => {
    const { db } = await testDb('referential');
    expect((await resolveCommune(db, '32013')).name).toBe('Auch');
    expect((await resolveCommune(db, 'auch')).code).toBe('32013');
    expect((await resolveCommune(db, 'Saint-Martin (65360)')).departmentCode).toBe('65');
    expect((await resolveCommune(db, '2a004')).code).toBe('2A004');
  });
});

describe('territory overview', () => {
  it('adds up communes, coverage and offers of the territory', async () => {
    const { db } = await testDb('seeded');
    const overview = await getTerritoryOverview(db, '32');
    const [n] = await db
      .select({ n: sql<number>`count(*)` })
      .from(communes)
      .where(eq(communes.departmentCode, '32'));
    expect(overview.communes).toBe(n!.n);
    const cov = await db
      .select()
      .from(communeCoverage)
      .innerJoin(communes, eq(communes.code, communeCoverage.communeCode))
      .where(eq(communes.departmentCode, '32'));
    // The current national file gives rates, not premises: weighted by population.
    const rated = cov.filter((r) => r.commune_coverage.ftthShare !== null);
    const people = rated.reduce((s, r) => s + (r.communes.population ?? 0), 0);
    const covered = rated.reduce((s, r) => s + r.commune_coverage.ftthShare! * (r.communes.population ?? 0), 0);
    expect(overview.ftthShare).toBeCloseTo(covered / people, 6);
    // ARCEP's own figure for the Gers in June 2026: 94.9 % of premises.
    expect(overview.ftthShare).toBeGreaterThan(0.9);
    expect(overview.coverageDate).toBe('2026-02-21');
    const mine = await db.select().from(offers).where(eq(offers.territoryCode, '32'));
    expect(overview.publishedHomes).toBe(mine.filter((o) => o.status === 'published' && o.kind === 'home').length);
    await expect(getTerritoryOverview(db, '75')).rejects.toBeInstanceOf(NotFound);
  });

  it('counts every territory’s communes and published offers as SQL does, also after a change', async () => {
    const { db } = await testDb('seeded');
    const expectCounted = async () => {
      const facts = await listTerritoryFacts(db);
      const counted = await db.all<{ code: string; name: string; communes: number; homes: number; tl: number }>(sql`
        SELECT t.code, t.name,
          (SELECT count(*) FROM communes c WHERE c.department_code = t.code) AS communes,
          (SELECT count(*) FROM offers o WHERE o.territory_code = t.code AND o.status = 'published' AND o.kind = 'home') AS homes,
          (SELECT count(*) FROM offers o WHERE o.territory_code = t.code AND o.status = 'published' AND o.kind = 'tiers_lieu') AS tl
        FROM territories t ORDER BY t.code`);
      expect(facts).toEqual(
        counted.map((r) => ({
          code: r.code,
          name: r.name,
          communes: r.communes,
          publishedHomes: r.homes,
          publishedTiersLieux: r.tl,
        })),
      );
      return facts;
    };
    const before = await expectCounted();
    expect(before.every((t) => t.publishedHomes > 0 && t.publishedTiersLieux > 0)).toBe(true);
    const [home] = await db
      .select({ id: offers.id, territory: offers.territoryCode })
      .from(offers)
      .where(sql`${offers.status} = 'published' AND ${offers.kind} = 'home'`)
      .limit(1);
    await db.update(offers).set({ status: 'archived' }).where(eq(offers.id, home!.id));
    const after = await expectCounted();
    const homesOf = (facts: typeof before) => facts.find((t) => t.code === home!.territory)!.publishedHomes;
    expect(homesOf(after)).toBe(homesOf(before) - 1);
  });

  it('lists communes with offers first, then the most populated, in pages', async () => {
    const { db } = await testDb('seeded');
    const { rows, total } = await listTerritoryCommunes(db, '50');
    expect(rows).toHaveLength(50);
    expect(total).toBeGreaterThan(400);
    const withOffers = rows.filter((r) => r.publishedOffers > 0).length;
    expect(rows.slice(0, withOffers).every((r) => r.publishedOffers > 0)).toBe(true);
    const page2 = await listTerritoryCommunes(db, '50', 2);
    expect(page2.rows.map((r) => r.code)).not.toContain(rows[0]!.code);
  });
});
