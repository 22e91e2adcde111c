// What a commune page says: the commune, its fibre coverage now and over the imports, mobile
// sites around it, the offers and tiers-lieux there and around, and the families settled
// there when they are enough not to be recognised (complementary suppression across the
// communes of the département, so no hidden figure comes back by subtraction).
import { and, asc, between, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  communeCoverage,
  communes,
  coverageHistory,
  departments,
  imports,
  mobileSites,
  territories,
} from '../../../db/schema/index.ts';
import { NotFound } from '../errors.ts';
import { searchOffers, type OfferSearchResult } from '../offers/queries.ts';
import { hiddenTerritories } from '../reports/impact.ts';
import { boundingBox, distanceKm } from './geo.ts';
import { currentCommuneCode, getCommune, type CommuneSummary } from './queries.ts';

/** Offers and tiers-lieux "around": within this distance of the commune's centre. */
export const AROUND_KM = 15;
/** Mobile sites counted around the commune's centre. */
export const SITES_KM = 10;

export interface CommunePage {
  commune: CommuneSummary & { departmentName: string; territory: { code: string; name: string } | null };
  coverage: { ftthShare: number | null; premises: number | null; dataDate: string; source: string } | null;
  /** One point per date of data, oldest first (the newest import of each date). */
  history: Array<{ dataDate: string; ftthShare: number | null; source: string | null }>;
  /** 4G sites within SITES_KM per operator, or null when the département's sites are not loaded. */
  sites: { dataDate: string; operators: Array<{ operator: string; count: number; nearestKm: number }> } | null;
  homes: OfferSearchResult;
  tiersLieux: OfferSearchResult;
  /** Families settled here (all years), or null when fewer than 5 or needed to protect another cell. */
  settledFamilies: number | null;
}

/** The commune a code names: its own, or the current one of a former commune (redirect). */
export async function resolveCommunePage(db: Db, code: string): Promise<CommuneSummary> {
  const current = /^(\d{5}|2[AB]\d{3})$/.test(code) ? await currentCommuneCode(db, code) : undefined;
  const commune = current && (await getCommune(db, current));
  if (!commune) throw new NotFound('commune');
  return commune;
}

export async function communePage(db: Db, commune: CommuneSummary): Promise<CommunePage> {
  const around = { commune: commune.code, rayon: AROUND_KM };
  const [[place], [coverage], history, sites, homes, tiersLieux, settledFamilies] = await Promise.all([
    db
      .select({ departmentName: departments.name, territoryCode: territories.code, territoryName: territories.name })
      .from(departments)
      .leftJoin(territories, eq(territories.code, departments.code))
      .where(eq(departments.code, commune.departmentCode)),
    db
      .select({
        ftthShare: communeCoverage.ftthShare,
        premises: communeCoverage.premises,
        dataDate: communeCoverage.dataDate,
        source: communeCoverage.source,
      })
      .from(communeCoverage)
      .where(eq(communeCoverage.communeCode, commune.code)),
    coverageHistoryOf(db, commune.code),
    sitesAround(db, commune),
    searchOffers(db, { ...around, type: 'logement' }),
    searchOffers(db, { ...around, type: 'tiers-lieu' }),
    settledIn(db, commune),
  ]);
  return {
    commune: {
      ...commune,
      departmentName: place?.departmentName ?? commune.departmentCode,
      territory: place?.territoryCode ? { code: place.territoryCode, name: place.territoryName! } : null,
    },
    coverage: coverage ?? null,
    history,
    sites,
    homes,
    tiersLieux,
    settledFamilies,
  };
}

/** What each finished import said of the commune; for one date of data, the newest import. */
export async function coverageHistoryOf(db: Db, code: string) {
  const rows = await db
    .select({ dataDate: coverageHistory.dataDate, ftthShare: coverageHistory.ftthShare, source: imports.source })
    .from(coverageHistory)
    .innerJoin(imports, eq(imports.id, coverageHistory.importId))
    .where(and(eq(coverageHistory.communeCode, code), eq(imports.status, 'done')))
    .orderBy(asc(coverageHistory.dataDate), asc(coverageHistory.importId));
  const byDate = new Map(rows.map((r) => [r.dataDate, r]));
  return [...byDate.values()];
}

async function sitesAround(db: Db, commune: CommuneSummary): Promise<CommunePage['sites']> {
  if (commune.lat === null || commune.lng === null) return null;
  const [loaded] = await db
    .select({ dataDate: mobileSites.dataDate })
    .from(mobileSites)
    .where(eq(mobileSites.departmentCode, commune.departmentCode))
    .limit(1);
  if (!loaded) return null;
  const centre = { lat: commune.lat, lng: commune.lng };
  const box = boundingBox(centre, SITES_KM);
  const rows = await db
    .select({ operator: mobileSites.operator, lat: mobileSites.lat, lng: mobileSites.lng })
    .from(mobileSites)
    .where(
      and(
        between(mobileSites.lat, box.minLat, box.maxLat),
        between(mobileSites.lng, box.minLng, box.maxLng),
        eq(mobileSites.has4g, true),
      ),
    );
  const operators = new Map<string, { operator: string; count: number; nearestKm: number }>();
  for (const r of rows) {
    const km = distanceKm(centre, r);
    if (km > SITES_KM) continue;
    const o = operators.get(r.operator) ?? { operator: r.operator, count: 0, nearestKm: Infinity };
    o.count++;
    o.nearestKm = Math.min(o.nearestKm, Math.round(km * 10) / 10);
    operators.set(r.operator, o);
  }
  return {
    dataDate: loaded.dataDate,
    operators: [...operators.values()].sort((a, b) => a.operator.localeCompare(b.operator)),
  };
}

/**
 * Families settled in each commune of the département, with small cells and their
 * complements hidden; this commune's figure, or null when it is hidden.
 */
export async function settledIn(db: Db, commune: Pick<CommuneSummary, 'code' | 'departmentCode'>) {
  const rows = await db.all<{ code: string; families: number }>(sql`
    SELECT c.settled_commune_code AS code, count(*) AS families
    FROM candidates c JOIN ${communes} m ON m.code = c.settled_commune_code
    WHERE m.department_code = ${commune.departmentCode}
      AND c.first_settled_at IS NOT NULL AND c.merged_into_id IS NULL
    GROUP BY c.settled_commune_code`);
  const hidden = hiddenTerritories(rows.map((r) => ({ code: r.code, families: Number(r.families) })));
  if (hidden.codes.has(commune.code)) return null;
  return Number(rows.find((r) => r.code === commune.code)?.families ?? 0);
}
