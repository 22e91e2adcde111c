// Keeps offers.nearest_fibre_tiers_lieu_km true: for each home, the distance to the
// nearest published tiers-lieu with fibre, up to NEAREST_MAX_KM. Run after any change to
// offers (seed, import, publication, move); `around` limits the work to homes near a change.
import { and, eq, gte, lte } from 'drizzle-orm';
import { runBatch } from '../../../db/batch.ts';
import type { Db } from '../../../db/client.ts';
import { offers } from '../../../db/schema/index.ts';
import { boundingBox, distanceKm, type Point } from '../places/geo.ts';

export const NEAREST_MAX_KM = 100;
const CELL_DEG = 0.5;

/**
 * `around`: the homes within NEAREST_MAX_KM of a point (a tiers-lieu changed there);
 * `home`: that home only (a home changed: no other home's distance moves).
 */
export type NearestScope = { around: Point } | { home: number };

export async function refreshNearestTiersLieux(db: Db, scope?: NearestScope): Promise<{ homes: number }> {
  let around: Point | undefined;
  if (scope && 'home' in scope) {
    [around] = await db.select({ lat: offers.lat, lng: offers.lng }).from(offers).where(eq(offers.id, scope.home));
    if (!around) return { homes: 0 };
  } else around = scope?.around;
  // Only the tiers-lieux that can be nearest to a home of the scope.
  const reach = around ? boundingBox(around, 2 * NEAREST_MAX_KM) : undefined;
  const tiersLieux = await db
    .select({ lat: offers.lat, lng: offers.lng })
    .from(offers)
    .where(
      and(
        eq(offers.kind, 'tiers_lieu'),
        eq(offers.status, 'published'),
        eq(offers.fibreStatus, 'available'),
        reach ? gte(offers.lat, reach.minLat) : undefined,
        reach ? lte(offers.lat, reach.maxLat) : undefined,
        reach ? gte(offers.lng, reach.minLng) : undefined,
        reach ? lte(offers.lng, reach.maxLng) : undefined,
      ),
    );

  // A coarse grid, so that each home only looks at tiers-lieux of nearby cells.
  const grid = new Map<string, Point[]>();
  const cell = (lat: number, lng: number) => `${Math.floor(lat / CELL_DEG)}:${Math.floor(lng / CELL_DEG)}`;
  for (const t of tiersLieux) {
    const key = cell(t.lat, t.lng);
    const list = grid.get(key);
    if (list) list.push(t);
    else grid.set(key, [t]);
  }

  const area = scope && 'around' in scope ? boundingBox(scope.around, NEAREST_MAX_KM) : undefined;
  const homes = await db
    .select({ id: offers.id, lat: offers.lat, lng: offers.lng, current: offers.nearestFibreTiersLieuKm })
    .from(offers)
    .where(
      and(
        eq(offers.kind, 'home'),
        scope && 'home' in scope ? eq(offers.id, scope.home) : undefined,
        area ? gte(offers.lat, area.minLat) : undefined,
        area ? lte(offers.lat, area.maxLat) : undefined,
        area ? gte(offers.lng, area.minLng) : undefined,
        area ? lte(offers.lng, area.maxLng) : undefined,
      ),
    );

  const updates: Array<{ id: number; km: number | null }> = [];
  for (const home of homes) {
    const box = boundingBox(home, NEAREST_MAX_KM);
    let best = Number.POSITIVE_INFINITY;
    for (let la = Math.floor(box.minLat / CELL_DEG); la <= Math.floor(box.maxLat / CELL_DEG); la++) {
      for (let ln = Math.floor(box.minLng / CELL_DEG); ln <= Math.floor(box.maxLng / CELL_DEG); ln++) {
        for (const t of grid.get(`${la}:${ln}`) ?? []) best = Math.min(best, distanceKm(home, t));
      }
    }
    const km = best <= NEAREST_MAX_KM ? Math.round(best * 10) / 10 : null;
    if (km !== home.current) updates.push({ id: home.id, km });
  }

  for (let i = 0; i < updates.length; i += 500) {
    const chunk = updates
      .slice(i, i + 500)
      .map((u) => db.update(offers).set({ nearestFibreTiersLieuKm: u.km }).where(eq(offers.id, u.id)));
    await runBatch(db, chunk);
  }
  return { homes: updates.length };
}
