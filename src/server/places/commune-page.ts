// What a commune page says: the commune, its fibre coverage now and over the imports, mobile
// sites around it, daily life (schools, station, shops…), the offers and tiers-lieux there and around, and the families settled
// there when they are enough not to be recognised (the open-data API's cells, so no page
// reveals by subtraction what another hides).
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { departments, mobileSites, territories } from '../../../db/schema/index.ts';
import { NotFound } from '../errors.ts';
import { searchOffers, type OfferSearchResult } from '../offers/queries.ts';
import type { Shown } from '../reports/impact.ts';
import { settlementsPerCommune } from '../reports/settlements.ts';
import { dailyLife, type DailyLife } from './daily-life.ts';
import { boundingBox, distanceKm, inBox } from './geo.ts';
import { communeCoverageHistory, currentCommuneCode, getCommune, type CommuneSummary } from './queries.ts';

/** Offers and tiers-lieux "around": within this distance of the commune's centre. */
export const AROUND_KM = 15;
/** Mobile sites counted around the commune's centre. */
export const SITES_KM = 10;

export interface CommunePage {
  commune: CommuneSummary & { departmentName: string; territory: { code: string; name: string } | null };
  coverage: Awaited<ReturnType<typeof communeCoverageHistory>>['current'];
  /** One point per date of data, oldest first (the newest import of each date). */
  history: Array<{ dataDate: string; ftthShare: number | null; source: string | null }>;
  /** 4G sites within SITES_KM per operator, or null when the département's sites are not loaded. */
  sites: { dataDate: string; operators: Array<{ operator: string; count: number; nearestKm: number }> } | null;
  /** Nearest schools, station, shops… from the centre, or null when nothing is loaded here. */
  dailyLife: DailyLife | null;
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
  const [[place], { current, history }, sites, life, homes, tiersLieux, settledFamilies] = await Promise.all([
    db
      .select({ departmentName: departments.name, territoryCode: territories.code, territoryName: territories.name })
      .from(departments)
      .leftJoin(territories, eq(territories.code, departments.code))
      .where(eq(departments.code, commune.departmentCode)),
    communeCoverageHistory(db, commune.code),
    sitesAround(db, commune),
    dailyLife(db, commune),
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
    coverage: current,
    // One point per date of data: the newest import of that date.
    history: [...new Map(history.map((h) => [h.dataDate, h])).values()],
    sites,
    dailyLife: life,
    homes,
    tiersLieux,
    settledFamilies,
  };
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
    .where(and(inBox(mobileSites.lat, mobileSites.lng, box), eq(mobileSites.has4g, true)));
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
 * Families settled here, all years: the sum of this commune's cells in the open-data API's
 * settlements (the same suppression, so this page reveals nothing the API hides: null when
 * any of its cells, or its territory's figure, is hidden).
 */
export async function settledIn(db: Db, commune: Pick<CommuneSummary, 'code' | 'departmentCode'>): Promise<Shown> {
  const [territory] = await db
    .select({ code: territories.code })
    .from(territories)
    .where(eq(territories.code, commune.departmentCode));
  if (!territory) return 0;
  const [t] = (await settlementsPerCommune(db, territory.code)).territories;
  if (!t || t.families === null) return null;
  if (t.families > 0 && t.cells.length === 0) return null;
  const cells = t.cells.filter((c) => c.commune === commune.code);
  if (cells.some((c) => c.families === null)) return null;
  return cells.reduce((n, c) => n + (c.families ?? 0), 0);
}
