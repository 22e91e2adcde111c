// Read side of offers: the public search, the detail page, nearby offers, map points and
// key figures. Only published offers leave this module for visitors (the `published`
// condition below); drafts are filtered here, not in pages.
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../db/client.ts';
import { communes, offerPhotos, offers, territories } from '../../../db/schema/index.ts';
import { foldText } from '../../lib/text.ts';
import { Invalid, NotFound } from '../errors.ts';
import { boundingBox, distanceSql, type Point } from '../places/geo.ts';
import { resolveCommune, type CommuneSummary } from '../places/queries.ts';
import { connectivityLabel, type ConnectivityLabel } from './connectivity-label.ts';
import { kindParams, transactionParams, type OfferSearchInput } from './schemas.ts';

export const PAGE_SIZE = 20;

type OfferRow = typeof offers.$inferSelect;

export interface OfferCard {
  id: number;
  slug: string;
  kind: OfferRow['kind'];
  title: string;
  communeCode: string;
  communeName: string;
  territoryCode: string;
  price: number | null;
  transaction: OfferRow['transaction'];
  homeType: OfferRow['homeType'];
  typology: OfferRow['typology'];
  surface: number | null;
  rooms: number | null;
  desks: number | null;
  bestTechnology: OfferRow['bestTechnology'];
  downloadMbps: number | null;
  uploadMbps: number | null;
  fibreStatus: OfferRow['fibreStatus'];
  mobileCoverage: OfferRow['mobileCoverage'];
  nearestFibreTiersLieuKm: number | null;
  /** The public point (null: none drawn yet, so none shown). */
  lat: number | null;
  lng: number | null;
  label: ConnectivityLabel | null;
  publishedAt: string | null;
  /** Distance from the searched commune, when the search names one. */
  distanceKm: number | null;
  photo: { id: number; width: number; height: number; alt: string } | null;
}

export interface OfferSearchResult {
  items: OfferCard[];
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  /** Result counts per kind with every other filter, to show next to the kind choice. */
  countsByKind: { home: number; tiers_lieu: number };
  /** The commune the search is centred on, resolved from its code or name. */
  commune: CommuneSummary | null;
}

/** Every public read: published offers only. */
const published = eq(offers.status, 'published');

const cardColumns = {
  id: offers.id,
  slug: offers.slug,
  kind: offers.kind,
  title: offers.title,
  communeCode: offers.communeCode,
  communeName: communes.name,
  territoryCode: offers.territoryCode,
  price: offers.price,
  transaction: offers.transaction,
  homeType: offers.homeType,
  typology: offers.typology,
  surface: offers.surface,
  rooms: offers.rooms,
  desks: offers.desks,
  bestTechnology: offers.bestTechnology,
  downloadMbps: offers.downloadMbps,
  uploadMbps: offers.uploadMbps,
  fibreStatus: offers.fibreStatus,
  mobileCoverage: offers.mobileCoverage,
  nearestFibreTiersLieuKm: offers.nearestFibreTiersLieuKm,
  // The public point, never the exact one (src/server/offers/position.ts).
  lat: offers.publicLat,
  lng: offers.publicLng,
  publishedAt: offers.publishedAt,
};

/**
 * FTS5 query from free text: each word folded, quoted (no query syntax reaches FTS5),
 * French plural -s/-x dropped and matched as a prefix, so "maisons" finds "maison".
 */
export function fullTextQuery(text: string): string | null {
  const words = foldText(text)
    .split(' ')
    .filter((w) => w.length > 0)
    .slice(0, 12)
    .map((w) => (w.length > 3 ? w.replace(/[sx]$/, '') : w));
  return words.length ? words.map((w) => `"${w}"*`).join(' ') : null;
}

/** Offers published in (after, upTo]: what is new for a saved search's daily digest. */
export interface PublishedWindow {
  after: string;
  upTo: string;
}

interface Compiled {
  /** Every condition but the kind, for the counts per kind. */
  base: SQL[];
  kind?: SQL;
  distance?: SQL<number>;
  commune: CommuneSummary | null;
}

async function compile(db: Db, query: OfferSearchInput, window?: PublishedWindow): Promise<Compiled> {
  const base: SQL[] = [published];
  if (window) base.push(gt(offers.publishedAt, window.after), lte(offers.publishedAt, window.upTo));
  if (query.territoire !== undefined) {
    const [territory] = await db
      .select({ code: territories.code })
      .from(territories)
      .where(eq(territories.code, query.territoire));
    if (!territory)
      throw new Invalid([{ field: 'territoire', key: 'errors.unknown_territory', value: query.territoire }]);
    base.push(eq(offers.territoryCode, query.territoire));
  }
  let commune: CommuneSummary | null = null;
  let distance: SQL<number> | undefined;
  if (query.commune) {
    commune = await resolveCommune(db, query.commune);
    if (query.rayon === undefined) base.push(eq(offers.communeCode, commune.code));
    if (commune.lat !== null && commune.lng !== null) {
      const center: Point = { lat: commune.lat, lng: commune.lng };
      // From the public point only: distances measured from the exact one would give it
      // away to anyone who asks from three communes (decision 006).
      distance = distanceSql(offers.publicLat, offers.publicLng, center);
      if (query.rayon !== undefined) {
        const box = boundingBox(center, query.rayon);
        base.push(
          gte(offers.publicLat, box.minLat),
          lte(offers.publicLat, box.maxLat),
          gte(offers.publicLng, box.minLng),
          lte(offers.publicLng, box.maxLng),
        );
        base.push(sql`${distance} <= ${query.rayon}`);
      }
    } else if (query.rayon !== undefined) {
      throw new Invalid([{ field: 'rayon', key: 'errors.commune_without_position', value: String(query.rayon) }]);
    }
  }
  if (query.transaction) base.push(eq(offers.transaction, transactionParams[query.transaction]));
  if (query.fibre) base.push(eq(offers.fibreStatus, 'available'));
  if (query.debit_min !== undefined) base.push(gte(offers.downloadMbps, query.debit_min));
  if (query.upload_min !== undefined) base.push(gte(offers.uploadMbps, query.upload_min));
  if (query.techno) base.push(eq(offers.bestTechnology, query.techno));
  if (query.mobile) base.push(inArray(offers.mobileCoverage, query.mobile === '5g' ? ['5g'] : ['4g', '5g']));
  if (query.prix_min !== undefined) base.push(gte(offers.price, query.prix_min));
  if (query.prix_max !== undefined) base.push(lte(offers.price, query.prix_max));
  if (query.surface_min !== undefined) base.push(gte(offers.surface, query.surface_min));
  if (query.pieces_min !== undefined) base.push(gte(offers.rooms, query.pieces_min));
  if (query.tl_km !== undefined) base.push(lte(offers.nearestFibreTiersLieuKm, query.tl_km));
  if (query.q) {
    const match = fullTextQuery(query.q);
    if (match) base.push(sql`${offers.id} IN (SELECT rowid FROM offers_fts WHERE offers_fts MATCH ${match})`);
  }
  // "A tiers-lieu with fibre within N km" is a property of homes.
  const kind = query.type
    ? eq(offers.kind, kindParams[query.type])
    : query.tl_km !== undefined || query.transaction
      ? eq(offers.kind, 'home')
      : undefined;
  return { base, kind, distance, commune };
}

/** One key of a search's order; SQLite puts NULLs first going up, last going down. */
interface SortKey {
  expr: SQL;
  desc: boolean;
}

function sortKeys(query: OfferSearchInput, distance: SQL<number> | undefined): SortKey[] {
  const up = (expr: SQL | SQLiteColumn): SortKey => ({ expr: sql`${expr}`, desc: false });
  const down = (expr: SQL | SQLiteColumn): SortKey => ({ expr: sql`${expr}`, desc: true });
  // The id breaks ties so that paging is stable.
  switch (query.tri) {
    case 'prix':
      return [up(sql`${offers.price} IS NULL`), up(offers.price), up(offers.id)];
    case 'prix-desc':
      return [up(sql`${offers.price} IS NULL`), down(offers.price), down(offers.id)];
    case 'debit':
      return [
        up(sql`${offers.downloadMbps} IS NULL`),
        down(offers.downloadMbps),
        down(offers.uploadMbps),
        down(offers.id),
      ];
    case 'distance':
      // By the distance shown (100 m), so that a cursor holds nothing finer than the page.
      if (distance) return [up(sql`round(${distance}, 1)`), up(offers.id)];
      return [down(offers.publishedAt), down(offers.id)];
    default:
      return [down(offers.publishedAt), down(offers.id)];
  }
}

const ordering = (keys: SortKey[]) => keys.map((k) => (k.desc ? desc(k.expr) : asc(k.expr)));

/** A value of a sort key, as a cursor carries it. */
export type SortValue = string | number | null;

/** The rows strictly after `values` in the order of `keys` (keyset paging: stable under inserts). */
function after(keys: SortKey[], values: SortValue[]): SQL {
  const beyond = ({ expr, desc }: SortKey, v: SortValue): SQL =>
    v === null
      ? desc
        ? sql`0`
        : sql`${expr} IS NOT NULL`
      : desc
        ? sql`(${expr} < ${v} OR ${expr} IS NULL)`
        : sql`${expr} > ${v}`;
  return or(
    ...keys.map((key, i) =>
      and(...keys.slice(0, i).map((k, j) => sql`${k.expr} IS ${values[j]}`), beyond(key, values[i] ?? null)),
    ),
  )!;
}

function listQuery(db: Db, { base, kind, distance }: Compiled, query: OfferSearchInput) {
  const page = query.page ?? 1;
  return db
    .select({ ...cardColumns, distanceKm: distance ? sql<number>`round(${distance}, 1)` : sql<null>`NULL` })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(and(...base, kind))
    .orderBy(...ordering(sortKeys(query, distance)))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
}

/** Both kinds counted in one pass; no GROUP BY, which would lead SQLite to walk the kind index. */
function countQuery(db: Db, { base }: Compiled) {
  return db
    .select({
      home: sql<number>`coalesce(sum(${offers.kind} = 'home'), 0)`,
      tiers_lieu: sql<number>`coalesce(sum(${offers.kind} = 'tiers_lieu'), 0)`,
    })
    .from(offers)
    .where(and(...base));
}

/**
 * Runs a search. Throws Invalid when a parameter is well formed but names nothing real.
 * With a window, only the offers published in it (the saved searches' digest).
 */
export async function searchOffers(
  db: Db,
  query: OfferSearchInput,
  window?: PublishedWindow,
): Promise<OfferSearchResult> {
  const compiled = await compile(db, query, window);
  const page = query.page ?? 1;
  const [rows, [counts]] = await Promise.all([listQuery(db, compiled, query), countQuery(db, compiled)]);
  const countsByKind = { home: Number(counts?.home ?? 0), tiers_lieu: Number(counts?.tiers_lieu ?? 0) };
  const kindOnly = query.type ? kindParams[query.type] : compiled.kind ? 'home' : undefined;
  const total = kindOnly ? countsByKind[kindOnly] : countsByKind.home + countsByKind.tiers_lieu;
  const photos = await firstPhotos(
    db,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((r) => ({
      ...r,
      distanceKm: r.distanceKm === null ? null : Number(r.distanceKm),
      label: connectivityLabel(r.downloadMbps, r.uploadMbps),
      photo: photos.get(r.id) ?? null,
    })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    pageSize: PAGE_SIZE,
    countsByKind,
    commune: compiled.commune,
  };
}

export interface OfferPage {
  items: OfferCard[];
  total: number;
  /** The sort values of the last item when more follow (the next page's cursor), else null. */
  next: SortValue[] | null;
}

/**
 * A page of a search for the open-data API: `limit` offers after the sort values of the
 * previous page's last one (keyset paging: offers published meanwhile never shift a page).
 * Throws Invalid when a parameter names nothing real.
 */
export async function searchOfferPage(
  db: Db,
  query: OfferSearchInput,
  { after: from, limit }: { after: SortValue[] | null; limit: number },
): Promise<OfferPage> {
  const compiled = await compile(db, query);
  const keys = sortKeys(query, compiled.distance);
  // A cursor of another order (another `tri`, a distance sort without its commune) cannot continue.
  if (from && from.length !== keys.length) throw new Invalid([{ field: 'cursor', key: 'errors.invalid_cursor' }]);
  const { base, kind, distance } = compiled;
  const [rows, [counts]] = await Promise.all([
    db
      .select({
        ...cardColumns,
        distanceKm: distance ? sql<number>`round(${distance}, 1)` : sql<null>`NULL`,
        keys: sql<string>`json_array(${sql.join(
          keys.map((k) => k.expr),
          sql`, `,
        )})`,
      })
      .from(offers)
      .innerJoin(communes, eq(communes.code, offers.communeCode))
      .where(and(...base, kind, from ? after(keys, from) : undefined))
      .orderBy(...ordering(keys))
      .limit(limit + 1),
    countQuery(db, compiled),
  ]);
  const page = rows.slice(0, limit);
  const photos = await firstPhotos(
    db,
    page.map((r) => r.id),
  );
  const kindOnly = query.type ? kindParams[query.type] : kind ? 'home' : undefined;
  const total = kindOnly
    ? Number(counts?.[kindOnly] ?? 0)
    : Number(counts?.home ?? 0) + Number(counts?.tiers_lieu ?? 0);
  return {
    items: page.map(({ keys: _keys, ...r }) => ({
      ...r,
      distanceKm: r.distanceKm === null ? null : Number(r.distanceKm),
      label: connectivityLabel(r.downloadMbps, r.uploadMbps),
      photo: photos.get(r.id) ?? null,
    })),
    total,
    next: rows.length > limit ? (JSON.parse(page.at(-1)!.keys) as SortValue[]) : null,
  };
}

/** SQLite's plan for the two queries of a search, to check that indexes serve every filter. */
export async function explainSearch(db: Db, query: OfferSearchInput): Promise<{ list: string[]; count: string[] }> {
  const compiled = await compile(db, query);
  const plan = async (q: { sql: string; params: unknown[] }) =>
    (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.params as never })).rows.map((r) =>
      String(r.detail),
    );
  return {
    list: await plan(listQuery(db, compiled, query).toSQL()),
    count: await plan(countQuery(db, compiled).toSQL()),
  };
}

/** Cards of the published offers among `ids`, in the order of `ids` (a family's favourites). */
export async function listPublishedCards(db: Db, ids: number[]): Promise<OfferCard[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(cardColumns)
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(and(published, inArray(offers.id, ids)));
  const photos = await firstPhotos(
    db,
    rows.map((r) => r.id),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r
      ? [
          {
            ...r,
            distanceKm: null,
            label: connectivityLabel(r.downloadMbps, r.uploadMbps),
            photo: photos.get(r.id) ?? null,
          },
        ]
      : [];
  });
}

async function firstPhotos(db: Db, ids: number[]) {
  if (ids.length === 0) return new Map<number, OfferCard['photo']>();
  const rows = await db
    .select({
      offerId: offerPhotos.offerId,
      id: offerPhotos.id,
      width: offerPhotos.width,
      height: offerPhotos.height,
      alt: offerPhotos.alt,
    })
    .from(offerPhotos)
    .where(and(inArray(offerPhotos.offerId, ids), eq(offerPhotos.position, 0)));
  return new Map(rows.map(({ offerId, ...photo }) => [offerId, photo]));
}

export interface OfferDetail extends OfferRow {
  communeName: string;
  communePostalCodes: string;
  territoryName: string;
  label: ConnectivityLabel | null;
  photos: Array<{ id: number; width: number; height: number; alt: string }>;
}

/** What a public page may show of an offer: not its street address nor its exact point. */
export type PublicOfferDetail = Omit<OfferDetail, 'address' | 'lat' | 'lng'>;

export function publicDetail({ address: _address, lat: _lat, lng: _lng, ...rest }: OfferDetail): PublicOfferDetail {
  return rest;
}

/** A published offer with its commune, territory and photos; NotFound otherwise (drafts included). */
export async function getPublishedOffer(db: Db, id: number): Promise<OfferDetail> {
  if (!Number.isSafeInteger(id) || id < 1) throw new NotFound('offer');
  const [row] = await db
    .select({
      offer: offers,
      communeName: communes.name,
      communePostalCodes: communes.postalCodes,
      territoryName: territories.name,
    })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .innerJoin(territories, eq(territories.code, offers.territoryCode))
    .where(and(eq(offers.id, id), published));
  if (!row) throw new NotFound('offer');
  const photos = await db
    .select({ id: offerPhotos.id, width: offerPhotos.width, height: offerPhotos.height, alt: offerPhotos.alt })
    .from(offerPhotos)
    .where(eq(offerPhotos.offerId, id))
    .orderBy(asc(offerPhotos.position), asc(offerPhotos.id));
  return {
    ...row.offer,
    communeName: row.communeName,
    communePostalCodes: row.communePostalCodes,
    territoryName: row.territoryName,
    label: connectivityLabel(row.offer.downloadMbps, row.offer.uploadMbps),
    photos,
  };
}

export interface NearbyOffer {
  id: number;
  slug: string;
  title: string;
  communeName: string;
  kind: OfferRow['kind'];
  fibreStatus: OfferRow['fibreStatus'];
  label: ConnectivityLabel | null;
  distanceKm: number;
}

/** Published offers of a kind nearest to a point, within `km`, closest first (their public points). */
export async function findNearbyOffers(
  db: Db,
  from: Point | null,
  kind: OfferRow['kind'],
  { km = 30, limit = 5, excludeId }: { km?: number; limit?: number; excludeId?: number } = {},
): Promise<NearbyOffer[]> {
  if (!from) return [];
  const box = boundingBox(from, km);
  const distance = distanceSql(offers.publicLat, offers.publicLng, from);
  const rows = await db
    .select({
      id: offers.id,
      slug: offers.slug,
      title: offers.title,
      communeName: communes.name,
      kind: offers.kind,
      fibreStatus: offers.fibreStatus,
      downloadMbps: offers.downloadMbps,
      uploadMbps: offers.uploadMbps,
      distanceKm: sql<number>`round(${distance}, 1)`,
    })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(
      and(
        published,
        eq(offers.kind, kind),
        excludeId ? ne(offers.id, excludeId) : undefined,
        gte(offers.publicLat, box.minLat),
        lte(offers.publicLat, box.maxLat),
        gte(offers.publicLng, box.minLng),
        lte(offers.publicLng, box.maxLng),
        sql`${distance} <= ${km}`,
      ),
    )
    .orderBy(asc(distance), asc(offers.id))
    .limit(limit);
  return rows.map(({ downloadMbps, uploadMbps, ...r }) => ({
    ...r,
    distanceKm: Number(r.distanceKm),
    label: connectivityLabel(downloadMbps, uploadMbps),
  }));
}

export interface KeyFigures {
  homes: number;
  tiersLieux: number;
  /** Share of published offers with fibre available now, 0–1. */
  fibreShare: number;
  territories: number;
}

export async function getKeyFigures(db: Db): Promise<KeyFigures> {
  const [[row], [terr]] = await Promise.all([
    db
      .select({
        homes: sql<number>`coalesce(sum(${offers.kind} = 'home'), 0)`,
        tiersLieux: sql<number>`coalesce(sum(${offers.kind} = 'tiers_lieu'), 0)`,
        fibre: sql<number>`coalesce(sum(${offers.fibreStatus} = 'available'), 0)`,
      })
      .from(offers)
      .where(published),
    db.select({ n: count() }).from(territories),
  ]);
  const homes = Number(row?.homes ?? 0);
  const tiersLieux = Number(row?.tiersLieux ?? 0);
  const total = homes + tiersLieux;
  return { homes, tiersLieux, fibreShare: total ? Number(row?.fibre ?? 0) / total : 0, territories: terr?.n ?? 0 };
}

/** Published offers per territory code, for the home page's territory cards. */
export async function countPublishedByTerritory(db: Db, codes: string[]): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .select({ code: offers.territoryCode, n: count() })
    .from(offers)
    .where(and(published, inArray(offers.territoryCode, codes)))
    .groupBy(offers.territoryCode);
  return new Map(rows.map((r) => [r.code, r.n]));
}

/** Published offers for the sitemap: id, slug and last change. */
export function listPublishedForSitemap(db: Db) {
  return db
    .select({ id: offers.id, slug: offers.slug, updatedAt: offers.updatedAt })
    .from(offers)
    .where(and(published, isNotNull(offers.publishedAt)))
    .orderBy(asc(offers.id));
}
