import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { offers } from '../../db/schema/index.ts';
import { offsetPoint, publicPoint } from '../../src/server/offers/position.ts';
import {
  findNearbyOffers,
  getPublishedOffer,
  publicDetail,
  searchOfferPage,
  searchOffers,
} from '../../src/server/offers/queries.ts';
import { distanceKm } from '../../src/server/places/geo.ts';
import { testDb } from '../helpers/db.ts';

/** "A few hundred metres": what the public point may be off by, in km. */
const NEAR = [0.15, 0.5] as const;
const auch = { lat: 43.6465, lng: 0.5855 };

describe('an offer’s public point', () => {
  it('is a few hundred metres off the exact point, in any direction, or the commune’s centre', () => {
    const quadrants = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = offsetPoint(auch);
      const km = distanceKm(auch, p);
      expect(km).toBeGreaterThanOrEqual(NEAR[0]);
      expect(km).toBeLessThanOrEqual(NEAR[1]);
      quadrants.add(`${Math.sign(p.lat - auch.lat)}${Math.sign(p.lng - auch.lng)}`);
    }
    expect(quadrants.size).toBe(4);
    const centre = { lat: 43.65, lng: 0.59 };
    expect(publicPoint(auch, 'commune', centre)).toEqual({ publicLat: 43.65, publicLng: 0.59 });
  });

  it('is what every public output gives: search results, map points, the offer page — never the exact point', async () => {
    const { db } = await testDb();
    const exact = new Map((await db.select().from(offers)).map((o) => [o.id, o]));
    const { items } = await searchOffers(db, { territoire: '32' });
    const { items: points } = await searchOfferPage(db, { territoire: '32' }, { after: null, limit: 5000 });
    expect(items.length).toBeGreaterThan(5);
    expect(points.length).toBeGreaterThan(5);
    for (const shown of [...items, ...points]) {
      const o = exact.get(shown.id)!;
      expect(shown.lat === o.lat && shown.lng === o.lng).toBe(false);
      const km = distanceKm(o, { lat: shown.lat!, lng: shown.lng! });
      expect(km).toBeGreaterThanOrEqual(NEAR[0]);
      expect(km).toBeLessThanOrEqual(NEAR[1]);
    }
    const detail = publicDetail(await getPublishedOffer(db, items[0]!.id));
    expect(detail).not.toHaveProperty('lat');
    expect(detail).not.toHaveProperty('lng');
    expect(detail).not.toHaveProperty('address');
    expect(detail.publicLat).toBe(items[0]!.lat);
  });

  it('is what distances, radii and nearby lists measure from: three centres cannot find the exact point', async () => {
    const { db } = await testDb();
    for (const commune of ['32013', '32208', '32107']) {
      const centre = (
        await db.$client.execute({ sql: 'SELECT lat, lng FROM communes WHERE code = ?', args: [commune] })
      ).rows[0]!;
      const { items } = await searchOffers(db, { commune, rayon: 40, tri: 'distance' });
      expect(items.length).toBeGreaterThan(3);
      for (const item of items) {
        const from = { lat: Number(centre.lat), lng: Number(centre.lng) };
        expect(item.distanceKm).toBeCloseTo(distanceKm(from, { lat: item.lat!, lng: item.lng! }), 1);
        expect(distanceKm(from, { lat: item.lat!, lng: item.lng! })).toBeLessThanOrEqual(40);
      }
    }
    const home = (await searchOffers(db, { territoire: '32', type: 'logement' })).items[0]!;
    const nearby = await findNearbyOffers(db, { lat: home.lat!, lng: home.lng! }, 'tiers_lieu', { km: 30 });
    for (const n of nearby) {
      const tl = (await searchOffers(db, { territoire: '32', type: 'tiers-lieu' })).items.find((t) => t.id === n.id);
      if (tl)
        expect(n.distanceKm).toBeCloseTo(
          distanceKm(home as { lat: number; lng: number }, tl as { lat: number; lng: number }),
          1,
        );
    }
  });

  it('is drawn for every existing offer by migration 0020, a few hundred metres off', async () => {
    const { db } = await testDb();
    await db.run(sql`UPDATE offers SET public_lat = NULL, public_lng = NULL`);
    const migration = readFileSync(
      fileURLToPath(new URL('../../db/migrations/0020_offer_public_point_backfill.sql', import.meta.url)),
      'utf8',
    );
    await db.$client.executeMultiple(migration);
    const rows = await db.select().from(offers);
    expect(rows.length).toBeGreaterThan(50);
    for (const o of rows) {
      expect(o.publicLat).not.toBeNull();
      const km = distanceKm(o, { lat: o.publicLat!, lng: o.publicLng! });
      expect(km).toBeGreaterThanOrEqual(NEAR[0]);
      expect(km).toBeLessThanOrEqual(NEAR[1]);
    }
  });
});
