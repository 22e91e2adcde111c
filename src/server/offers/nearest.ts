// Keeps offers.nearest_fibre_tiers_lieu_km true: for each home, the distance to the
// nearest published tiers-lieu with fibre, up to NEAREST_MAX_KM (null beyond).
// `refreshNearestTiersLieux` recomputes every home (seed, imports); after one change,
// `homeChanged` and `tiersLieuChanged` touch only the homes the change can affect, so that
// publishing in a territory of 100 000 offers stays a matter of milliseconds.
import { and, eq, gt, gte, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { runBatch } from '../../../db/batch.ts';
import type { Db } from '../../../db/client.ts';
import { offers } from '../../../db/schema/index.ts';
import { boundingBox, distanceKm, type Point } from '../places/geo.ts';
import { dailyLife } from '../places/daily-life.ts';
import { getCommune } from '../places/queries.ts';

export const NEAREST_MAX_KM = 100;
const CELL_DEG = 0.5;
/** The radius of the first look around a point; wider looks only when nothing is that near. */
const NEAR_KM = 5;

const rounded = (km: number) => (km <= NEAREST_MAX_KM ? Math.round(km * 10) / 10 : null);

const inBox = (p: Point, km: number) => {
  const box = boundingBox(p, km);
  return and(
    gte(offers.lat, box.minLat),
    lte(offers.lat, box.maxLat),
    gte(offers.lng, box.minLng),
    lte(offers.lng, box.maxLng),
  );
};

/** The same box as a mere filter (`+column` keeps SQLite from choosing the position's index). */
const filteredToBox = (p: Point, km: number) => {
  const box = boundingBox(p, km);
  return sql`+${offers.lat} BETWEEN ${box.minLat} AND ${box.maxLat} AND +${offers.lng} BETWEEN ${box.minLng} AND ${box.maxLng}`;
};

/** What counts as a home's nearest: a published tiers-lieu with fibre (index offers_fibre_tl_idx). */
const countingTiersLieux = and(
  eq(offers.kind, 'tiers_lieu'),
  eq(offers.status, 'published'),
  eq(offers.fibreStatus, 'available'),
);

async function writeNearest(db: Db, updates: Array<{ id: number; km: number | null }>): Promise<void> {
  for (let i = 0; i < updates.length; i += 500) {
    const chunk = updates
      .slice(i, i + 500)
      .map((u) => db.update(offers).set({ nearestFibreTiersLieuKm: u.km }).where(eq(offers.id, u.id)));
    await runBatch(db, chunk);
  }
}

/** Every home, from every counting tiers-lieu (a coarse grid, so that each home looks only nearby). */
export async function refreshNearestTiersLieux(db: Db): Promise<{ homes: number }> {
  const tiersLieux = await db.select({ lat: offers.lat, lng: offers.lng }).from(offers).where(countingTiersLieux);
  const grid = new Map<string, Point[]>();
  const cell = (lat: number, lng: number) => `${Math.floor(lat / CELL_DEG)}:${Math.floor(lng / CELL_DEG)}`;
  for (const t of tiersLieux) {
    const key = cell(t.lat, t.lng);
    const list = grid.get(key);
    if (list) list.push(t);
    else grid.set(key, [t]);
  }
  const homes = await db
    .select({ id: offers.id, lat: offers.lat, lng: offers.lng, current: offers.nearestFibreTiersLieuKm })
    .from(offers)
    .where(eq(offers.kind, 'home'));
  const updates: Array<{ id: number; km: number | null }> = [];
  for (const home of homes) {
    const box = boundingBox(home, NEAREST_MAX_KM);
    let best = Number.POSITIVE_INFINITY;
    for (let la = Math.floor(box.minLat / CELL_DEG); la <= Math.floor(box.maxLat / CELL_DEG); la++) {
      for (let ln = Math.floor(box.minLng / CELL_DEG); ln <= Math.floor(box.maxLng / CELL_DEG); ln++) {
        for (const t of grid.get(`${la}:${ln}`) ?? []) best = Math.min(best, distanceKm(home, t));
      }
    }
    const km = rounded(best);
    if (km !== home.current) updates.push({ id: home.id, km });
  }
  await writeNearest(db, updates);
  return { homes: updates.length };
}

/** The distance from `p` to its nearest counting tiers-lieu (rounded; null beyond reach), looking wider only when needed. */
async function nearestFrom(db: Db, p: Point): Promise<number | null> {
  for (const km of [NEAR_KM, 25, NEAREST_MAX_KM]) {
    const found = await db
      .select({ lat: offers.lat, lng: offers.lng })
      .from(offers)
      .where(and(countingTiersLieux, inBox(p, km)));
    const best = Math.min(...found.map((t) => distanceKm(p, t)));
    // Within the circle the box contains, nothing outside the box can be nearer.
    if (best <= km) return rounded(best);
  }
  return null;
}

/** Homes computed again, one by one (a few: those a change may have moved). */
async function recompute(db: Db, homes: Array<Point & { id: number; current: number | null }>): Promise<void> {
  const updates: Array<{ id: number; km: number | null }> = [];
  for (const home of homes) {
    const km = await nearestFrom(db, home);
    if (km !== home.current) updates.push({ id: home.id, km });
  }
  await writeNearest(db, updates);
}

/** A home changed (moved, created): its own distance again; no other home's moves. */
export async function homeChanged(db: Db, id: number): Promise<void> {
  const homes = await db
    .select({ id: offers.id, lat: offers.lat, lng: offers.lng, current: offers.nearestFibreTiersLieuKm })
    .from(offers)
    .where(and(eq(offers.id, id), eq(offers.kind, 'home')));
  await recompute(db, homes);
}

/**
 * The homes whose relation to a tiers-lieu at `p` may matter: any home within NEAR_KM of `p`,
 * and any home within reach whose nearest is farther than NEAR_KM (or none) — a home whose
 * nearest is within NEAR_KM and that is farther than NEAR_KM from `p` can neither take `p`
 * as nearer nor have had it as its nearest (indexes offers_kind_lat_idx and offers_home_nearest_idx).
 */
async function homesConcerned(db: Db, p: Point) {
  const columns = { id: offers.id, lat: offers.lat, lng: offers.lng, current: offers.nearestFibreTiersLieuKm };
  const [near, far] = await Promise.all([
    db
      .select(columns)
      .from(offers)
      .where(and(eq(offers.kind, 'home'), inBox(p, NEAR_KM))),
    db
      .select(columns)
      .from(offers)
      .where(
        and(
          eq(offers.kind, 'home'),
          or(isNull(offers.nearestFibreTiersLieuKm), gt(offers.nearestFibreTiersLieuKm, NEAR_KM)),
          // Few homes are that far from a tiers-lieu: the index on the distance finds them.
          filteredToBox(p, NEAREST_MAX_KM),
        ),
      ),
  ]);
  const byId = new Map([...near, ...far].map((h) => [h.id, h]));
  return [...byId.values()];
}

/**
 * A tiers-lieu changed (published, archived, moved, fibre on or off). `before`: where it
 * was, when it counted before the change (null otherwise). The homes it was the nearest of
 * are computed again; if it counts now, the homes it is nearer to take it.
 */
export async function tiersLieuChanged(db: Db, id: number, before: Point | null): Promise<void> {
  if (before) {
    const concerned = await homesConcerned(db, before);
    // Its distance equals the home's nearest: it may have been that one (a tie costs a recomputation).
    await recompute(
      db,
      concerned.filter((h) => h.current !== null && rounded(distanceKm(h, before)) === h.current),
    );
  }
  const [now] = await db
    .select({ lat: offers.lat, lng: offers.lng })
    .from(offers)
    .where(and(eq(offers.id, id), countingTiersLieux));
  if (!now) return;
  const updates: Array<{ id: number; km: number | null }> = [];
  for (const home of await homesConcerned(db, now)) {
    const km = rounded(distanceKm(home, now));
    if (km !== null && (home.current === null || km < home.current)) updates.push({ id: home.id, km });
  }
  await writeNearest(db, updates);
}

/**
 * Keeps homes' `school_km` true: the nearest école from their commune's centre, as the daily
 * life of their page says it (a school's point, or INSEE's counts where no point is loaded).
 * For the homes of `communeCodes`, or of every commune with a home; a row changes only when
 * its distance does (the search index replays changed rows). Returns the homes changed.
 */
export async function refreshNearestSchools(db: Db, communeCodes?: string[]): Promise<number> {
  const homes = and(eq(offers.kind, 'home'), communeCodes ? inArray(offers.communeCode, communeCodes) : undefined);
  const codes = await db.selectDistinct({ code: offers.communeCode }).from(offers).where(homes);
  let changed = 0;
  for (const { code } of codes) {
    const commune = await getCommune(db, code);
    const school = commune && (await dailyLife(db, commune))?.entries.find((e) => e.kind === 'school_primary');
    const km = school && school.via !== 'none' ? school.km : null;
    const result = await db
      .update(offers)
      .set({ schoolKm: km })
      .where(
        and(
          eq(offers.kind, 'home'),
          eq(offers.communeCode, code),
          km === null ? isNotNull(offers.schoolKm) : or(isNull(offers.schoolKm), ne(offers.schoolKm, km)),
        ),
      );
    changed += result.rowsAffected;
  }
  return changed;
}
