// Read side of places: territories, communes (autocomplete, resolution) and coverage.
import { and, asc, count, desc, eq, gt, gte, like, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  communeAliases,
  communeCoverage,
  communes,
  coverageHistory,
  imports,
  offers,
  territories,
} from '../../../db/schema/index.ts';
import { communeLabel, foldText } from '../../lib/text.ts';
import { Invalid, NotFound, type FieldError } from '../errors.ts';
import { INSEE_CODE } from '../input.ts';
import { perCatalogueVersion } from '../cache/page-cache.ts';
import { catalogueIndex } from '../offers/catalogue-index.ts';

export interface TerritorySummary {
  code: string;
  name: string;
  accentColor: string;
}

/** The territories, read again only when the catalogue changed (territories bump its version). */
export const listTerritories: (db: Db) => Promise<TerritorySummary[]> = perCatalogueVersion((db) =>
  db
    .select({ code: territories.code, name: territories.name, accentColor: territories.accentColor })
    .from(territories)
    .orderBy(asc(territories.code)),
);

export interface CommuneSummary {
  code: string;
  name: string;
  departmentCode: string;
  postalCodes: string;
  population: number | null;
  lat: number | null;
  lng: number | null;
}

/** A commune's summary, as every query selects it. */
export const communeColumns = {
  code: communes.code,
  name: communes.name,
  departmentCode: communes.departmentCode,
  postalCodes: communes.postalCodes,
  population: communes.population,
  lat: communes.lat,
  lng: communes.lng,
};

export const AUTOCOMPLETE_MAX = 20;

/**
 * Autocomplete: communes whose accent-free name starts with the text ("leguevin" finds
 * Léguevin), or whose postal code starts with the digits; the most populated first.
 * A range on the indexed search_name rather than LIKE, so that the index serves it.
 */
export async function findCommunes(db: Db, text: string, limit = 10, department?: string): Promise<CommuneSummary[]> {
  const folded = foldText(text);
  if (folded === '') return [];
  const n = Math.min(Math.max(1, limit), AUTOCOMPLETE_MAX);
  const where = and(
    /^\d{2,5}$/.test(folded)
      ? like(communes.postalCodes, `%${folded}%`)
      : and(gte(communes.searchName, folded), lt(communes.searchName, `${folded}\u{10FFFF}`)),
    department ? eq(communes.departmentCode, department) : undefined,
  );
  return db
    .select(communeColumns)
    .from(communes)
    .where(where)
    .orderBy(desc(communes.population), asc(communes.code))
    .limit(n);
}

export async function getCommune(db: Db, code: string): Promise<CommuneSummary | undefined> {
  const [row] = await db.select(communeColumns).from(communes).where(eq(communes.code, code));
  return row;
}

/** The current commune a code names: a commune's own, or a former commune's or a district's (aliases). */
export async function currentCommuneCode(db: Db, code: string): Promise<string | undefined> {
  const [own] = await db.select({ code: communes.code }).from(communes).where(eq(communes.code, code));
  if (own) return own.code;
  return aliasOf(db, code);
}

/** The current commune a former commune's or a district's code stands for. */
async function aliasOf(db: Db, code: string): Promise<string | undefined> {
  const [alias] = await db
    .select({ code: communeAliases.communeCode })
    .from(communeAliases)
    .where(eq(communeAliases.code, code));
  return alias?.code;
}

/**
 * The commune a search names: an INSEE code (what the autocomplete sends), or a name
 * typed in a form without JavaScript, optionally with its postal code: "Auch (32000)".
 * Throws Invalid when no commune, or several, match.
 */
export async function resolveCommune(
  db: Db,
  input: string,
  field = 'commune',
  preferDepartments: string[] = [],
): Promise<CommuneSummary> {
  const value = input.trim();
  if (INSEE_CODE.test(value.toUpperCase())) {
    // A current commune's own code first (one read); a former one's through its alias.
    const own = await getCommune(db, value.toUpperCase());
    if (own) return own;
    const code = await aliasOf(db, value.toUpperCase());
    const commune = code && (await getCommune(db, code));
    if (commune) return commune;
    throw new Invalid([{ field, key: 'errors.unknown_commune', value }]);
  }
  const match = /^(.*?)\s*\((\d{5})\)\s*$/.exec(value);
  const name = foldText(match?.[1] ?? value);
  const postal = match?.[2];
  const rows = name
    ? await db.select(communeColumns).from(communes).where(eq(communes.searchName, name)).limit(50)
    : [];
  let candidates = postal ? rows.filter((r) => r.postalCodes.split(' ').includes(postal)) : rows;
  // Several communes share the name: the one in the departments the person wishes wins.
  const preferred = candidates.filter((c) => preferDepartments.includes(c.departmentCode));
  if (candidates.length > 1 && preferred.length === 1) candidates = preferred;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    const example = communeLabel(candidates[0]!);
    throw new Invalid([
      { field, key: 'errors.ambiguous_commune', value, params: { count: String(candidates.length), example } },
    ]);
  }
  throw new Invalid([{ field, key: 'errors.unknown_commune', value }]);
}

/**
 * Communes typed as a list ("Auch, Mauvezin (32120)", at most `max`), each resolved as
 * `resolveCommune` does: their INSEE codes, once each, and the first problem as a field
 * error. A `known` code typed as it is stays (a file's commune the referential has lost).
 */
export async function resolveCommuneList(
  db: Db,
  input: string,
  field: string,
  { prefer = [], known = [], max = 10 }: { prefer?: string[]; known?: string[]; max?: number } = {},
): Promise<{ codes: string[]; error: FieldError | null }> {
  // A name typed twice ("Auch, auch") is one commune, before counting.
  const typed = new Map<string, string>();
  for (const name of input.split(',').map((c) => c.trim())) {
    const key = foldText(name);
    if (name && !typed.has(key)) typed.set(key, name);
  }
  const names = [...typed.values()];
  // The limit is of communes, not of ways to write one ("Aignan", "Aignan (32190)", "32001"):
  // counted once resolved; far more names than that is refused before any lookup.
  const tooMany = {
    codes: [],
    error: { field, key: 'errors.communes_too_many', params: { max: String(max) } } satisfies FieldError,
  };
  if (names.length > 3 * max) return tooMany;
  const codes = new Set<string>();
  for (const name of names) {
    if (known.includes(name)) {
      codes.add(name);
      continue;
    }
    try {
      codes.add((await resolveCommune(db, name, field, prefer)).code);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return { codes: [...codes], error: error.errors[0]! };
    }
  }
  if (codes.size > max) return tooMany;
  return { codes: [...codes], error: null };
}

export interface TerritoryOverview extends TerritorySummary {
  communes: number;
  population: number;
  /**
   * Share of premises eligible to FttH over the communes with data: weighted by premises
   * when the source counts them, else by population (ARCEP's national file gives rates only).
   */
  ftthShare: number | null;
  coverageDate: string | null;
  publishedHomes: number;
  publishedTiersLieux: number;
  fibreOffers: number;
}

export async function getTerritoryOverview(db: Db, code: string): Promise<TerritoryOverview> {
  const [territory] = await db
    .select({ code: territories.code, name: territories.name, accentColor: territories.accentColor })
    .from(territories)
    .where(eq(territories.code, code));
  if (!territory) throw new NotFound('territory');
  const [[place], [coverage], index] = await Promise.all([
    db
      .select({ n: count(), population: sql<number>`coalesce(sum(${communes.population}), 0)` })
      .from(communes)
      .where(eq(communes.departmentCode, code)),
    db
      .select({
        premises: sql<number>`sum(${communeCoverage.premises})`,
        ftth: sql<number>`sum(${communeCoverage.ftthPremises})`,
        uncounted: sql<number>`sum(${communeCoverage.ftthShare} IS NOT NULL AND ${communeCoverage.premises} IS NULL)`,
        byPopulation: sql<
          number | null
        >`sum(${communeCoverage.ftthShare} * ${communes.population}) / nullif(sum(CASE WHEN ${communeCoverage.ftthShare} IS NOT NULL THEN ${communes.population} END), 0)`,
        date: sql<string | null>`max(${communeCoverage.dataDate})`,
      })
      .from(communeCoverage)
      .innerJoin(communes, eq(communes.code, communeCoverage.communeCode))
      .where(eq(communes.departmentCode, code)),
    // Its published offers counted by the search index (the territory's slots).
    catalogueIndex(db),
  ]);
  const offerCounts = index.counts({ territory: code });
  const fibre = index.counts({ territory: code, fibre: true });
  return {
    ...territory,
    communes: place?.n ?? 0,
    population: Number(place?.population ?? 0),
    ftthShare:
      coverage?.premises && !Number(coverage.uncounted)
        ? Number(coverage.ftth) / Number(coverage.premises)
        : coverage?.byPopulation == null
          ? null
          : Number(coverage.byPopulation),
    coverageDate: coverage?.date ?? null,
    publishedHomes: offerCounts.home,
    publishedTiersLieux: offerCounts.tiers_lieu,
    fibreOffers: fibre.home + fibre.tiers_lieu,
  };
}

export interface CommuneCoverageRow {
  code: string;
  name: string;
  population: number | null;
  premises: number | null;
  ftthShare: number | null;
  dataDate: string | null;
  publishedOffers: number;
}

export const COMMUNES_PAGE_SIZE = 50;

/** Communes of a territory with their fibre coverage and offers, most offers then most populated first. */
export async function listTerritoryCommunes(
  db: Db,
  code: string,
  page = 1,
): Promise<{ rows: CommuneCoverageRow[]; total: number }> {
  const offerCount = db
    .select({ communeCode: offers.communeCode, n: count().as('n') })
    .from(offers)
    .where(and(eq(offers.status, 'published'), eq(offers.territoryCode, code)))
    .groupBy(offers.communeCode)
    .as('offer_count');
  const [rows, [total]] = await Promise.all([
    db
      .select({
        code: communes.code,
        name: communes.name,
        population: communes.population,
        premises: communeCoverage.premises,
        ftthShare: communeCoverage.ftthShare,
        dataDate: communeCoverage.dataDate,
        publishedOffers: sql<number>`coalesce(${offerCount.n}, 0)`,
      })
      .from(communes)
      .leftJoin(communeCoverage, eq(communeCoverage.communeCode, communes.code))
      .leftJoin(offerCount, eq(offerCount.communeCode, communes.code))
      .where(eq(communes.departmentCode, code))
      .orderBy(sql`coalesce(${offerCount.n}, 0) desc`, desc(communes.population), asc(communes.code))
      .limit(COMMUNES_PAGE_SIZE)
      .offset((Math.max(1, page) - 1) * COMMUNES_PAGE_SIZE),
    db.select({ n: count() }).from(communes).where(eq(communes.departmentCode, code)),
  ]);
  return { rows: rows.map((r) => ({ ...r, publishedOffers: Number(r.publishedOffers) })), total: total?.n ?? 0 };
}

/** The communes of the territories (their pages are in the sitemap). */
/** How many communes the sitemap lists: those of the territories. */
export async function countTerritoryCommunesForSitemap(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(communes)
    .innerJoin(territories, eq(territories.code, communes.departmentCode));
  return row?.n ?? 0;
}

/** The territories' communes for the sitemap, `limit` from `offset` by code. */
export function listTerritoryCommunesForSitemap(db: Db, offset: number, limit: number) {
  return db
    .select({ code: communes.code, name: communes.name })
    .from(communes)
    .innerJoin(territories, eq(territories.code, communes.departmentCode))
    .orderBy(asc(communes.code))
    .limit(limit)
    .offset(offset);
}

export async function getCommuneCoverage(db: Db, communeCode: string) {
  const [row] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, communeCode));
  return row;
}

export interface CommuneCoverage {
  code: string;
  name: string;
  departmentCode: string;
  premises: number | null;
  ftthPremises: number | null;
  ftthShare: number | null;
  thdShare: number | null;
  dataDate: string;
  source: string;
}

const coverageColumns = {
  code: communes.code,
  name: communes.name,
  departmentCode: communes.departmentCode,
  premises: communeCoverage.premises,
  ftthPremises: communeCoverage.ftthPremises,
  ftthShare: communeCoverage.ftthShare,
  thdShare: communeCoverage.thdShare,
  dataDate: communeCoverage.dataDate,
  source: communeCoverage.source,
};

/** The current coverage of communes by code, `limit` after the code `after` (keyset paging). */
export async function listCoverage(
  db: Db,
  { department, after, limit }: { department?: string; after?: string; limit: number },
): Promise<{ items: CommuneCoverage[]; next: string | null }> {
  const rows = await db
    .select(coverageColumns)
    .from(communeCoverage)
    .innerJoin(communes, eq(communes.code, communeCoverage.communeCode))
    .where(
      and(
        department ? eq(communes.departmentCode, department) : undefined,
        after ? gt(communeCoverage.communeCode, after) : undefined,
      ),
    )
    .orderBy(asc(communeCoverage.communeCode))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items.at(-1)!.code : null };
}

/** A commune's coverage now and what every finished import said of it, oldest data first. */
export async function communeCoverageHistory(db: Db, asked: string) {
  // A former commune's code gives the commune that holds it today.
  const known = await currentCommuneCode(db, asked);
  const commune = known && (await getCommune(db, known));
  if (!commune) throw new NotFound('commune');
  const code = commune.code;
  const [[current], history] = await Promise.all([
    db
      .select(coverageColumns)
      .from(communeCoverage)
      .innerJoin(communes, eq(communes.code, communeCoverage.communeCode))
      .where(eq(communeCoverage.communeCode, code)),
    db
      .select({
        dataDate: coverageHistory.dataDate,
        ftthShare: coverageHistory.ftthShare,
        source: imports.source,
        fileName: imports.fileName,
        importedAt: imports.finishedAt,
      })
      .from(coverageHistory)
      .innerJoin(imports, eq(imports.id, coverageHistory.importId))
      .where(and(eq(coverageHistory.communeCode, code), eq(imports.status, 'done')))
      .orderBy(asc(coverageHistory.dataDate), asc(imports.id)),
  ]);
  return {
    commune: { code: commune.code, name: commune.name, departmentCode: commune.departmentCode },
    current: current ?? null,
    history,
  };
}

export interface TerritoryFacts {
  code: string;
  name: string;
  communes: number;
  publishedHomes: number;
  publishedTiersLieux: number;
}

/**
 * Every territory with its communes and published offers counted; the offers by the search
 * index (a territory's slots), where SQL read each published row twice (0.6 s at 100 000).
 */
export async function listTerritoryFacts(db: Db): Promise<TerritoryFacts[]> {
  const [index, rows] = await Promise.all([
    catalogueIndex(db),
    db.all<Pick<TerritoryFacts, 'code' | 'name' | 'communes'>>(sql`
      SELECT t.code AS code, t.name AS name,
        (SELECT count(*) FROM communes c WHERE c.department_code = t.code) AS communes
      FROM territories t ORDER BY t.code`),
  ]);
  return rows.map((t) => {
    const counts = index.counts({ territory: t.code });
    return { ...t, publishedHomes: counts.home, publishedTiersLieux: counts.tiers_lieu };
  });
}
