// What the public sees of jobs and businesses (only published ones, `/emplois`, `/reprises`,
// territory and commune pages) and what an agent's file matches for the partner. A territory
// holds dozens of items: a query reads the published ones of a kind (index on status, kind,
// territory) and distances are computed here from the communes' centres.
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, opportunities, territories } from '../../../db/schema/index.ts';
import { businessSectors, contractTypes } from '../../../db/schema/work.ts';
import { foldText } from '../../lib/text.ts';
import { Invalid, NotFound } from '../errors.ts';
import { distanceKm, type Point } from '../places/geo.ts';
import { resolveCommune } from '../places/queries.ts';
import type { WorkSearch } from './schemas.ts';

export type WorkKind = 'job' | 'business';
export const WORK_RESULTS_PAGE = 20;

const cardColumns = {
  id: opportunities.id,
  kind: opportunities.kind,
  title: opportunities.title,
  description: opportunities.description,
  employer: opportunities.employer,
  contract: opportunities.contract,
  hoursPerWeek: opportunities.hoursPerWeek,
  teleworkable: opportunities.teleworkable,
  sector: opportunities.sector,
  priceMin: opportunities.priceMin,
  priceMax: opportunities.priceMax,
  turnoverBand: opportunities.turnoverBand,
  reason: opportunities.reason,
  wantedBy: opportunities.wantedBy,
  publishedAt: opportunities.publishedAt,
  territoryCode: opportunities.territoryCode,
  territoryName: territories.name,
  communeCode: opportunities.communeCode,
  communeName: communes.name,
  lat: communes.lat,
  lng: communes.lng,
};

async function published(db: Db, kind: WorkKind, where?: SQL) {
  const rows = await db
    .select(cardColumns)
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .innerJoin(territories, eq(territories.code, opportunities.territoryCode))
    .where(and(eq(opportunities.status, 'published'), eq(opportunities.kind, kind), where))
    .orderBy(desc(opportunities.publishedAt), desc(opportunities.id));
  return rows.map(({ lat, lng, ...r }) => ({ ...r, point: lat !== null && lng !== null ? { lat, lng } : null }));
}
export type WorkCard = Awaited<ReturnType<typeof published>>[number] & { km?: number | null };

/** The kinds of the `type` filter: contracts for jobs, sectors for businesses. */
export const workTypes = (kind: WorkKind): readonly string[] => (kind === 'job' ? contractTypes : businessSectors);

/**
 * /emplois and /reprises: published items of a kind, filtered by territory, commune and
 * radius (from the commune's centre; without a radius, that commune only), type and
 * telework; the newest first, or the nearest first around a commune.
 */
export async function searchWork(db: Db, kind: WorkKind, search: WorkSearch) {
  if (search.type && !workTypes(kind).includes(search.type))
    throw new Invalid([{ field: 'type', key: 'errors.invalid_choice' }]);
  const commune = search.commune ? await resolveCommune(db, search.commune, 'commune') : null;
  const type =
    search.type === undefined
      ? undefined
      : kind === 'job'
        ? eq(opportunities.contract, search.type as (typeof contractTypes)[number])
        : eq(opportunities.sector, search.type as (typeof businessSectors)[number]);
  const rows = await published(
    db,
    kind,
    and(
      search.territoire ? eq(opportunities.territoryCode, search.territoire) : undefined,
      type,
      kind === 'job' && search.teletravail ? eq(opportunities.teleworkable, true) : undefined,
      commune && !search.rayon ? eq(opportunities.communeCode, commune.code) : undefined,
    ),
  );
  const centre: Point | null =
    commune?.lat != null && commune.lng != null ? { lat: commune.lat, lng: commune.lng } : null;
  let cards: WorkCard[] = rows.map((r) => ({ ...r, km: centre && r.point ? distanceKm(centre, r.point) : null }));
  if (centre && search.rayon) {
    cards = cards.filter((c) => c.km !== null && c.km! <= search.rayon!);
    cards.sort((a, b) => (a.km ?? 0) - (b.km ?? 0));
  }
  const pages = Math.max(1, Math.ceil(cards.length / WORK_RESULTS_PAGE));
  const page = Math.min(search.page ?? 1, pages);
  return {
    total: cards.length,
    page,
    pages,
    commune,
    cards: cards.slice((page - 1) * WORK_RESULTS_PAGE, page * WORK_RESULTS_PAGE),
  };
}

/** A published item's page; anything else is not found. */
export async function workDetail(db: Db, kind: WorkKind, id: number) {
  const [row] = await published(db, kind, eq(opportunities.id, id));
  if (!row) throw new NotFound('opportunity');
  return row;
}

/** The few nearest published jobs and businesses around a point (commune pages), or a territory's newest. */
export async function nearbyWork(
  db: Db,
  opts: { point?: Point | null; territory?: string; limit?: number; km?: number },
) {
  const limit = opts.limit ?? 3;
  const pick = async (kind: WorkKind) => {
    const rows = await published(
      db,
      kind,
      opts.territory ? eq(opportunities.territoryCode, opts.territory) : undefined,
    );
    if (!opts.point) return rows.slice(0, limit).map((r) => ({ ...r, km: null }));
    return rows
      .map((r) => ({ ...r, km: r.point ? distanceKm(opts.point!, r.point) : null }))
      .filter((r) => r.km !== null && r.km <= (opts.km ?? 30))
      .sort((a, b) => a.km! - b.km!)
      .slice(0, limit);
  };
  return { jobs: await pick('job'), businesses: await pick('business') };
}

/** Published item ids that exist (a proposal's check). */
export async function publishedIds(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db
    .select({ id: opportunities.id, title: opportunities.title, territoryCode: opportunities.territoryCode })
    .from(opportunities)
    .where(and(inArray(opportunities.id, ids), eq(opportunities.status, 'published')));
}

/** Words that say nothing about a trade. */
const STOP = new Set(
  'le la les de des du un une et en au aux pour par sur avec dans a the of and in for to or chez'.split(' '),
);
export const wordsOf = (text: string | null | undefined) =>
  foldText(text ?? '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !STOP.has(w))
    // "infirmière" and "infirmier", "boulangerie" and "boulanger": compared on a stem.
    .map((w) => w.slice(0, 6));

/**
 * The partner's matches in a file's territory: their wish decides the kind (a local job →
 * jobs, taking over → businesses; no wish yet → both), words of the profession and of what
 * they seek score the title, employer and description, and nearness to a wished commune adds.
 */
export async function workMatches(
  db: Db,
  input: {
    territory: string;
    wish: string | null;
    sought: string | null;
    profession: string | null;
    communes: Point[];
    limit?: number;
  },
) {
  const kinds: WorkKind[] =
    input.wish === 'local_job'
      ? ['job']
      : input.wish === 'take_over' || input.wish === 'create'
        ? ['business']
        : input.wish
          ? []
          : ['job', 'business'];
  const words = [...new Set([...wordsOf(input.sought), ...wordsOf(input.profession)])];
  const out: Array<WorkCard & { score: number; km: number | null }> = [];
  for (const kind of kinds) {
    for (const r of await published(db, kind, eq(opportunities.territoryCode, input.territory))) {
      const text = wordsOf(`${r.title} ${r.employer ?? ''} ${r.description}`);
      const hits = words.filter((w) => text.includes(w)).length;
      const km =
        r.point && input.communes.length ? Math.min(...input.communes.map((c) => distanceKm(c, r.point!))) : null;
      const score = hits * 10 + (km === null ? 0 : Math.max(0, 5 - km / 10));
      if (words.length && hits === 0) continue;
      out.push({ ...r, km, score });
    }
  }
  return out.sort((a, b) => b.score - a.score || (a.km ?? 99) - (b.km ?? 99)).slice(0, input.limit ?? 8);
}

/** Every published job and business, for the sitemap. */
export function listWorkForSitemap(db: Db) {
  return db
    .select({
      id: opportunities.id,
      kind: opportunities.kind,
      title: opportunities.title,
      updatedAt: opportunities.updatedAt,
    })
    .from(opportunities)
    .where(eq(opportunities.status, 'published'));
}
