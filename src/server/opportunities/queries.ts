// What the public sees of jobs and businesses (only published ones, `/emplois`, `/reprises`,
// territory and commune pages) and what an agent's file matches for the partner. A list reads
// its page in SQL; a radius reads the items of its box's communes, and the exact distances
// from the communes' centres are computed here.
import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, opportunities, territories } from '../../../db/schema/index.ts';
import { businessSectors, contractTypes } from '../../../db/schema/work.ts';
import { foldText } from '../../lib/text.ts';
import { Invalid, NotFound } from '../errors.ts';
import { boundingBox, distanceKm, inBox, type Point } from '../places/geo.ts';
import { resolveCommune } from '../places/queries.ts';
import { fullTextCondition } from '../offers/queries.ts';
import type { WorkSearch } from './schemas.ts';

export type WorkKind = 'job' | 'business';
export const WORK_RESULTS_PAGE = 20;

const cardColumns = {
  id: opportunities.id,
  kind: opportunities.kind,
  title: opportunities.title,
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
/** Cards, with their status (only published ones leave this module). */
const cardQuery = (db: Db) =>
  db
    .select({ ...cardColumns, status: opportunities.status })
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .innerJoin(territories, eq(territories.code, opportunities.territoryCode));

const cardOf = ({ lat, lng, status: _, ...r }: Awaited<ReturnType<typeof cardQuery>>[number]) => ({
  ...r,
  point: lat !== null && lng !== null ? { lat, lng } : null,
});

/** Published items of a kind under `where`, newest first; a page of them when `page` is given. */
async function published(db: Db, kind: WorkKind, where?: SQL, page?: { limit: number; offset?: number }) {
  const query = cardQuery(db)
    .where(and(eq(opportunities.status, 'published'), eq(opportunities.kind, kind), where))
    .orderBy(desc(opportunities.publishedAt), desc(opportunities.id))
    .$dynamic();
  return (await (page ? query.limit(page.limit).offset(page.offset ?? 0) : query)).map(cardOf);
}
export type WorkCard = Awaited<ReturnType<typeof published>>[number] & { km?: number | null };
export type WorkItem = WorkCard & { description: string };

/** The texts of the published items of a kind under `where`, by id (the lists never read them). */
async function descriptions(db: Db, kind: WorkKind, where: SQL): Promise<Map<number, string>> {
  const rows = await db
    .select({ id: opportunities.id, description: opportunities.description })
    .from(opportunities)
    .where(and(eq(opportunities.status, 'published'), eq(opportunities.kind, kind), where));
  return new Map(rows.map((r) => [r.id, r.description]));
}

/**
 * The published items of a kind within `km` of `centre`, nearest first (newest first among
 * equals), as ids and distances: the communes of the box around the circle by their point's
 * index, each one's items by (status, commune) — a CROSS JOIN keeps SQLite to that order —,
 * the exact distances computed here. The work of the whole country is never read for one
 * commune's page, and only the cards shown are read (`cardsAround`).
 */
async function publishedAround(db: Db, kind: WorkKind, centre: Point, km: number, where?: SQL) {
  const box = boundingBox(centre, km);
  const points = await db
    .select({ id: opportunities.id, publishedAt: opportunities.publishedAt, lat: communes.lat, lng: communes.lng })
    .from(communes)
    .crossJoin(opportunities)
    .where(
      and(
        inBox(communes.lat, communes.lng, box),
        eq(opportunities.communeCode, communes.code),
        eq(opportunities.status, 'published'),
        // Not an index's term: without statistics SQLite would rank (status, kind) of the
        // newest index as good as (status, commune) and read every item for each commune.
        sql`+${opportunities.kind} = ${kind}`,
        where,
      ),
    );
  return points
    .map((p) => ({ id: p.id, publishedAt: p.publishedAt ?? '', km: distanceKm(centre, { lat: p.lat!, lng: p.lng! }) }))
    .filter((p) => p.km <= km)
    .sort((a, b) => a.km - b.km || b.publishedAt.localeCompare(a.publishedAt) || b.id - a.id);
}

/** The cards of some of `publishedAround`'s items, in their order, with their distance. */
async function cardsAround(db: Db, kind: WorkKind, shown: Array<{ id: number; km: number }>): Promise<WorkCard[]> {
  if (!shown.length) return [];
  // By id alone (the status and kind, checked here, would lead SQLite to read every item of a kind).
  const rows = await cardQuery(db).where(
    inArray(
      opportunities.id,
      shown.map((p) => p.id),
    ),
  );
  const byId = new Map(rows.filter((r) => r.status === 'published' && r.kind === kind).map((r) => [r.id, cardOf(r)]));
  return shown.flatMap((p) => {
    const card = byId.get(p.id);
    return card ? [{ ...card, km: p.km }] : [];
  });
}

/** The kinds of the `type` filter: contracts for jobs, sectors for businesses. */
export const workTypes = (kind: WorkKind): readonly string[] => (kind === 'job' ? contractTypes : businessSectors);

/**
 * /emplois and /reprises: published items of a kind, filtered by words (their title,
 * employer or commune, through `opportunities_fts`), territory, commune and
 * radius (from the commune's centre; without a radius, that commune only), type and
 * telework; the newest first, or the nearest first around a commune.
 */
export async function searchWork(db: Db, kind: WorkKind, search: WorkSearch) {
  if (search.type && !workTypes(kind).includes(search.type))
    throw new Invalid([{ field: 'type', key: 'errors.invalid_choice' }]);
  // A name several communes share means the chosen territory's one, when it has exactly one.
  const prefer = search.territoire ? [search.territoire] : [];
  const commune = search.commune ? await resolveCommune(db, search.commune, 'commune', prefer) : null;
  const type =
    search.type === undefined
      ? undefined
      : kind === 'job'
        ? eq(opportunities.contract, search.type as (typeof contractTypes)[number])
        : eq(opportunities.sector, search.type as (typeof businessSectors)[number]);
  const centre: Point | null =
    commune?.lat != null && commune.lng != null ? { lat: commune.lat, lng: commune.lng } : null;
  // A commune without a point (a few overseas ones) has no radius: its own items.
  const radius = centre ? search.rayon : undefined;
  const where = and(
    search.territoire ? eq(opportunities.territoryCode, search.territoire) : undefined,
    fullTextCondition(search.q, 'opportunities_fts', opportunities.id),
    type,
    kind === 'job' && search.teletravail ? eq(opportunities.teleworkable, true) : undefined,
    commune && !radius ? eq(opportunities.communeCode, commune.code) : undefined,
  );
  const pageOf = (total: number) => {
    const pages = Math.max(1, Math.ceil(total / WORK_RESULTS_PAGE));
    return { pages, page: Math.min(search.page ?? 1, pages) };
  };
  // Within a radius: the box's items, sorted by distance here, and the page's cards.
  if (radius && centre) {
    const around = await publishedAround(db, kind, centre, radius, where);
    const { page, pages } = pageOf(around.length);
    const cards = await cardsAround(db, kind, around.slice((page - 1) * WORK_RESULTS_PAGE, page * WORK_RESULTS_PAGE));
    return { total: around.length, page, pages, commune, cards };
  }
  const [{ n }] = (await db
    .select({ n: count() })
    .from(opportunities)
    .where(and(eq(opportunities.status, 'published'), eq(opportunities.kind, kind), where))) as [{ n: number }];
  const { page, pages } = pageOf(n);
  const rows = await published(db, kind, where, { limit: WORK_RESULTS_PAGE, offset: (page - 1) * WORK_RESULTS_PAGE });
  const cards: WorkCard[] = rows.map((r) => ({ ...r, km: centre && r.point ? distanceKm(centre, r.point) : null }));
  return { total: n, page, pages, commune, cards };
}

/** A published item's page; anything else is not found. */
export async function workDetail(db: Db, kind: WorkKind, id: number): Promise<WorkItem> {
  const [row] = await published(db, kind, eq(opportunities.id, id));
  if (!row) throw new NotFound('opportunity');
  return { ...row, description: (await descriptions(db, kind, eq(opportunities.id, id))).get(id) ?? '' };
}

/** The few nearest published jobs and businesses around a point (commune pages), or a territory's newest. */
export async function nearbyWork(
  db: Db,
  opts: { point?: Point | null; territory?: string; limit?: number; km?: number },
) {
  const limit = opts.limit ?? 3;
  const pick = async (kind: WorkKind): Promise<WorkCard[]> => {
    const where = opts.territory ? eq(opportunities.territoryCode, opts.territory) : undefined;
    if (opts.point)
      return cardsAround(db, kind, (await publishedAround(db, kind, opts.point, opts.km ?? 30, where)).slice(0, limit));
    return (await published(db, kind, where, { limit })).map((r) => ({ ...r, km: null }));
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
    const inTerritory = eq(opportunities.territoryCode, input.territory);
    const texts = await descriptions(db, kind, inTerritory);
    for (const r of await published(db, kind, inTerritory)) {
      const text = wordsOf(`${r.title} ${r.employer ?? ''} ${texts.get(r.id) ?? ''}`);
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
