// Daily life around a commune (issue 16): from the commune's centre, the nearest école,
// collège, lycée, health centre, pharmacy, station, supermarket and post office, with the
// great-circle distance. Schools, post offices and stations are points (where the
// département's points are loaded); the rest — and schools where the points are missing, as
// the Manche's écoles — come from INSEE's counts per commune (BPE 2020): "N in the commune",
// or the nearest commune that has one, centre to centre. Decision 022.
import { and, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communeFacilities, communes, pointsOfInterest, stations, type PointKind } from '../../../db/schema/index.ts';
import { boundingBox, distanceKm, distanceSql, inBox, type Point } from './geo.ts';
import type { CommuneSummary } from './queries.ts';

export const DAILY_LIFE_KINDS = [
  'school_primary',
  'college',
  'lycee',
  'health',
  'pharmacy',
  'station',
  'supermarket',
  'post_office',
] as const;
export type DailyLifeKind = (typeof DAILY_LIFE_KINDS)[number];

/** Points and counts are first looked for within this distance of the centre. */
export const SEARCH_KM = 40;

/** What BPE counts stand in for a kind (the columns of commune_facilities). */
const COUNT_OF = {
  school_primary: 'primarySchools',
  health: 'healthCentres',
  pharmacy: 'pharmacies',
  supermarket: 'supermarkets',
  station: 'stations',
} as const satisfies Partial<Record<DailyLifeKind, keyof typeof communeFacilities.$inferSelect>>;
type CountKind = keyof typeof COUNT_OF;

export const SOURCES = ['education', 'laposte', 'sncf', 'bpe'] as const;
export type DailyLifeSource = (typeof SOURCES)[number];

export type DailyLifeEntry =
  /** The nearest point: a named school, post office or station. */
  | { kind: DailyLifeKind; via: 'point'; name: string; communeName: string; km: number; source: DailyLifeSource }
  /** From BPE counts: `count` in `communeName` — the commune itself when `km` is 0 —, centre to centre. */
  | { kind: DailyLifeKind; via: 'count'; count: number; communeName: string; km: number; source: 'bpe' }
  /** Nothing known (no point loaded and no count for this kind, or none within reach). */
  | { kind: DailyLifeKind; via: 'none' };

export interface DailyLife {
  entries: DailyLifeEntry[];
  /** The sources the entries use, for the attribution line. */
  sources: DailyLifeSource[];
}

const round = (km: number) => Math.round(km * 10) / 10;
const POINT_SOURCE: Record<PointKind, DailyLifeSource> = {
  school_primary: 'education',
  college: 'education',
  lycee: 'education',
  post_office: 'laposte',
};

interface Candidate {
  name: string;
  communeName: string;
  lat: number;
  lng: number;
}

/** What a point of interest gives a daily-life entry (joined with its commune). */
const pointColumns = {
  name: pointsOfInterest.name,
  communeName: communes.name,
  lat: pointsOfInterest.lat,
  lng: pointsOfInterest.lng,
};

function nearest(centre: Point, rows: Candidate[]) {
  let best: (Candidate & { km: number }) | undefined;
  for (const r of rows) {
    const km = distanceKm(centre, r);
    if (!best || km < best.km || (km === best.km && r.name < best.name)) best = { ...r, km };
  }
  return best;
}

/**
 * Daily life from a commune's centre, or null when the commune has no centre or nothing is
 * loaded for its département (the section is then left out).
 */
export async function dailyLife(
  db: Db,
  commune: Pick<CommuneSummary, 'code' | 'name' | 'departmentCode' | 'lat' | 'lng'>,
): Promise<DailyLife | null> {
  if (commune.lat === null || commune.lng === null) return null;
  const centre = { lat: commune.lat, lng: commune.lng };
  const dep = commune.departmentCode;
  // What is loaded for the département, in one read (every offer page asks).
  const [loaded] = await db.all<{ kinds: string | null; station: number; counts: number }>(sql`
    SELECT
      (SELECT group_concat(DISTINCT ${pointsOfInterest.kind}) FROM ${pointsOfInterest}
        WHERE ${pointsOfInterest.departmentCode} = ${dep}) AS kinds,
      EXISTS (SELECT 1 FROM ${stations} WHERE ${stations.departmentCode} = ${dep}) AS station,
      EXISTS (SELECT 1 FROM ${communeFacilities} WHERE ${communeFacilities.departmentCode} = ${dep}) AS counts`);
  const covered = new Set<DailyLifeKind>(loaded?.kinds ? (loaded.kinds.split(',') as PointKind[]) : []);
  if (loaded?.station) covered.add('station');
  const countsLoaded = Boolean(loaded?.counts);
  if (covered.size === 0 && !countsLoaded) return null;

  const box = boundingBox(centre, SEARCH_KM);
  const coveredPoints = [...covered].filter((k): k is PointKind => k !== 'station');

  const [pointRows, stationRows, countRows] = await Promise.all([
    coveredPoints.length
      ? db
          .select({ kind: pointsOfInterest.kind, ...pointColumns })
          .from(pointsOfInterest)
          .innerJoin(communes, eq(communes.code, pointsOfInterest.communeCode))
          .where(
            and(inArray(pointsOfInterest.kind, coveredPoints), inBox(pointsOfInterest.lat, pointsOfInterest.lng, box)),
          )
      : [],
    covered.has('station') ? stationsNear(db, centre, inBox(stations.lat, stations.lng, box)) : [],
    countsLoaded
      ? db
          .select({
            communeName: communes.name,
            code: communes.code,
            lat: communes.lat,
            lng: communes.lng,
            f: communeFacilities,
          })
          .from(communeFacilities)
          .innerJoin(communes, eq(communes.code, communeFacilities.communeCode))
          .where(
            or(
              eq(communes.code, commune.code),
              and(
                inBox(communes.lat, communes.lng, box),
                or(...Object.values(COUNT_OF).map((c) => gt(communeFacilities[c], 0))),
              ),
            ),
          )
      : [],
  ]);

  const entries: DailyLifeEntry[] = [];
  for (const kind of DAILY_LIFE_KINDS) {
    if (covered.has(kind)) {
      let rows: Candidate[] = kind === 'station' ? stationRows : pointRows.filter((r) => r.kind === kind);
      // None within reach: the nearest of the whole table (a few hundred rows per département).
      if (rows.length === 0)
        rows = kind === 'station' ? await stationsNear(db, centre) : await pointsNear(db, centre, kind as PointKind);
      const best = nearest(centre, rows);
      if (best) {
        entries.push({
          kind,
          via: 'point',
          name: best.name,
          communeName: best.communeName,
          km: round(best.km),
          source: kind === 'station' ? 'sncf' : POINT_SOURCE[kind as PointKind],
        });
        continue;
      }
    }
    const column = COUNT_OF[kind as CountKind] as (typeof COUNT_OF)[CountKind] | undefined;
    if (column && countRows.length) {
      const own = countRows.find((r) => r.code === commune.code);
      if (own && own.f[column] > 0) {
        entries.push({ kind, via: 'count', count: own.f[column], communeName: own.communeName, km: 0, source: 'bpe' });
        continue;
      }
      let best: { count: number; communeName: string; km: number } | undefined;
      for (const r of countRows) {
        if (r.f[column] <= 0 || r.lat === null || r.lng === null) continue;
        const km = distanceKm(centre, { lat: r.lat, lng: r.lng });
        if (!best || km < best.km) best = { count: r.f[column], communeName: r.communeName, km };
      }
      if (best && best.km <= SEARCH_KM) {
        entries.push({
          kind,
          via: 'count',
          count: best.count,
          communeName: best.communeName,
          km: round(best.km),
          source: 'bpe',
        });
        continue;
      }
    }
    entries.push({ kind, via: 'none' });
  }
  const used = new Set(entries.flatMap((e) => (e.via === 'none' ? [] : [e.source])));
  const sources = SOURCES.filter((s) => used.has(s));
  return { entries, sources };
}

async function stationsNear(db: Db, centre: Point, where?: SQL): Promise<Candidate[]> {
  const q = db
    .select({ name: stations.name, communeName: communes.name, lat: stations.lat, lng: stations.lng })
    .from(stations)
    .innerJoin(communes, eq(communes.code, stations.communeCode));
  return where ? q.where(where) : q.orderBy(distanceSql(stations.lat, stations.lng, centre)).limit(1);
}

async function pointsNear(db: Db, centre: Point, kind: PointKind): Promise<Candidate[]> {
  return db
    .select(pointColumns)
    .from(pointsOfInterest)
    .innerJoin(communes, eq(communes.code, pointsOfInterest.communeCode))
    .where(eq(pointsOfInterest.kind, kind))
    .orderBy(distanceSql(pointsOfInterest.lat, pointsOfInterest.lng, centre), pointsOfInterest.name)
    .limit(1);
}
