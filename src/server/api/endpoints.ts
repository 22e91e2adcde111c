// The endpoints of /api/v1: for each, its path, documentation, parameters, answer's shape
// and handler. The router (router.ts) runs them; the OpenAPI document (openapi.ts) is
// written from this same table.
import { z } from 'astro/zod';
import type { Db } from '../../../db/client.ts';
import { csvText } from '../../lib/csv.ts';
import type { Locale, MessageKey } from '../../i18n/index.ts';
import { Invalid, type FieldError } from '../errors.ts';
import { parseQuery } from '../input.ts';
import { searchOfferPage, type OfferCard, type SortValue } from '../offers/queries.ts';
import { parseOfferSearch, type OfferSearchInput } from '../offers/schemas.ts';
import { communeCoverageHistory, findCommunes, listCoverage, listTerritoryFacts } from '../places/queries.ts';
import { MIN_FAMILIES } from '../reports/impact.ts';
import { settlementsPerCommune } from '../reports/settlements.ts';
import {
  CommuneCodeParam,
  CommuneListSchema,
  CommuneSearchParams,
  CoverageHistorySchema,
  CoverageListSchema,
  CoverageParams,
  CsvSchema,
  LangParam,
  OfferFeatureCollectionSchema,
  OfferFilterParams,
  offerFilterNames,
  OfferListSchema,
  OfferSchema,
  pagingParams,
  SettlementParams,
  SettlementsSchema,
  TerritoryListSchema,
} from './schemas.ts';

export interface EndpointContext {
  db: Db;
  url: URL;
  locale: Locale;
  query: Record<string, unknown>;
  /** The path's own parameter ({commune}), already valid. */
  pathParam?: string;
}

export interface Answer {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export interface Endpoint {
  /** The path under /api/v1, as OpenAPI writes it. */
  path: string;
  operationId: string;
  summary: MessageKey;
  description: MessageKey;
  /** The documented query parameters (besides `lang`), each a string schema. */
  params: z.ZodRawShape;
  pathParam?: { name: string; schema: z.ZodType; example: string };
  ok: { contentType: string; schema: z.ZodType };
  /**
   * `catalogue`: validators from the catalogue's data version, checked before any query;
   * `content`: an entity tag of the answer itself (data the catalogue version does not follow).
   */
  validators: 'catalogue' | 'content';
  /** Parameters of a documented example, also what the contract test asks. */
  example: Record<string, string>;
  /** Reads the query string; the default reads `params` and `lang` one by one. */
  parse?: (params: URLSearchParams) => { query: Record<string, unknown>; errors: FieldError[] };
  handle(ctx: EndpointContext): Promise<Answer>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const json = (body: unknown): Answer => ({ body: JSON.stringify(body), contentType: JSON_TYPE });

/** Rows as CSV (header first), every text cell through csvText; null is an empty cell. */
function csv(columns: string[], rows: Array<Record<string, unknown>>): string {
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : csvText(String(v));
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

// ── Offers: one search, three formats, keyset paging behind an opaque cursor ──────────────

const encodeCursor = (sort: string, values: SortValue[]) =>
  Buffer.from(JSON.stringify([sort, ...values])).toString('base64url');

const CursorSchema = z.tuple([z.string()], z.union([z.string(), z.number(), z.null()])).refine((c) => c.length <= 8);

function decodeCursor(cursor: string, sort: string): SortValue[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const parsed = CursorSchema.safeParse(decoded);
  // A cursor belongs to its order: another `tri` cannot continue it.
  if (!parsed.success || parsed.data[0] !== sort)
    throw new Invalid([{ field: 'cursor', key: 'errors.invalid_cursor', value: cursor }]);
  return parsed.data.slice(1) as SortValue[];
}

/** The same URL with another cursor: the next page. */
function nextLink(url: URL, cursor: string): string {
  const next = new URL(url);
  next.searchParams.set('cursor', cursor);
  return next.pathname + next.search;
}

const offerParams = (max: number) => ({ ...OfferFilterParams, ...pagingParams(max) });

function parseOffers(max: number) {
  const paging = { ...LangParam, ...pagingParams(max) };
  return (params: URLSearchParams) => {
    const filters = parseOfferSearch(params, offerFilterNames);
    const rest = parseQuery(paging, params);
    return { query: { ...filters.query, ...rest.query }, errors: [...filters.errors, ...rest.errors] };
  };
}

async function offerPage(ctx: EndpointContext, defaultLimit: number) {
  const query = ctx.query as OfferSearchInput & { cursor?: string; limit?: number };
  const sort = query.tri ?? 'recent';
  const after = query.cursor ? decodeCursor(query.cursor, sort) : null;
  const page = await searchOfferPage(ctx.db, query, { after, limit: query.limit ?? defaultLimit });
  const next = page.next ? nextLink(ctx.url, encodeCursor(sort, page.next)) : null;
  return {
    items: page.items.map(apiOffer),
    total: page.total,
    next,
    headers: next ? { Link: `<${next}>; rel="next"` } : undefined,
  };
}

function apiOffer({ photo, ...card }: OfferCard): z.output<typeof OfferSchema> {
  return {
    ...card,
    titleEn: card.titleEn ?? null,
    url: `/offres/${card.id}-${card.slug}`,
    // The original's key stays private; the API keeps its photo address without a version.
    photo: photo
      ? { id: photo.id, width: photo.width, height: photo.height, alt: photo.alt, url: `/photos/${photo.id}-640.webp` }
      : null,
  };
}

const offerColumns = Object.keys(OfferSchema.shape).filter((k) => k !== 'photo');

const example = { type: 'logement', fibre: '1', limit: '2' };

const offerList: Endpoint = {
  path: '/offres',
  operationId: 'listOffers',
  summary: 'api.doc.offers.summary',
  description: 'api.doc.offers.description',
  params: offerParams(100),
  ok: { contentType: JSON_TYPE, schema: OfferListSchema },
  validators: 'catalogue',
  example,
  parse: parseOffers(100),
  async handle(ctx) {
    const { headers, ...page } = await offerPage(ctx, 20);
    return { ...json(page), headers };
  },
};

const offerGeoJson: Endpoint = {
  path: '/offres.geojson',
  operationId: 'listOffersGeoJson',
  summary: 'api.doc.geojson.summary',
  description: 'api.doc.geojson.description',
  params: offerParams(5000),
  ok: { contentType: 'application/geo+json; charset=utf-8', schema: OfferFeatureCollectionSchema },
  validators: 'catalogue',
  example,
  parse: parseOffers(5000),
  async handle(ctx) {
    const { items, total, next, headers } = await offerPage(ctx, 1000);
    const features = items.map(({ lat, lng, ...properties }) => ({
      type: 'Feature' as const,
      id: properties.id,
      // An offer without a public point has no geometry, never its exact point.
      geometry: lat === null || lng === null ? null : { type: 'Point' as const, coordinates: [lng, lat] },
      properties,
    }));
    return {
      body: JSON.stringify({ type: 'FeatureCollection', features, total, next }),
      contentType: offerGeoJson.ok.contentType,
      headers,
    };
  },
};

const offerCsv: Endpoint = {
  path: '/offres.csv',
  operationId: 'listOffersCsv',
  summary: 'api.doc.csv.summary',
  description: 'api.doc.csv.description',
  params: offerParams(5000),
  ok: { contentType: 'text/csv; charset=utf-8', schema: CsvSchema },
  validators: 'catalogue',
  example,
  parse: parseOffers(5000),
  async handle(ctx) {
    const { items, headers } = await offerPage(ctx, 1000);
    return { body: csv(offerColumns, items), contentType: offerCsv.ok.contentType, headers };
  },
};

// ── Places ─────────────────────────────────────────────────────────────────────────────────

const communeSearch: Endpoint = {
  path: '/communes',
  operationId: 'findCommunes',
  summary: 'api.doc.communes.summary',
  description: 'api.doc.communes.description',
  params: CommuneSearchParams,
  ok: { contentType: JSON_TYPE, schema: CommuneListSchema },
  validators: 'catalogue',
  example: { q: 'auch', limit: '5' },
  async handle({ db, query }) {
    const { q = '', limit = 10, departement } = query as { q?: string; limit?: number; departement?: string };
    return json({ communes: await findCommunes(db, q, limit, departement) });
  },
};

const territoryList: Endpoint = {
  path: '/territoires',
  operationId: 'listTerritories',
  summary: 'api.doc.territories.summary',
  description: 'api.doc.territories.description',
  params: {},
  ok: { contentType: JSON_TYPE, schema: TerritoryListSchema },
  validators: 'catalogue',
  example: {},
  async handle({ db }) {
    return json({ items: await listTerritoryFacts(db) });
  },
};

const coverageList: Endpoint = {
  path: '/couverture',
  operationId: 'listCoverage',
  summary: 'api.doc.coverage.summary',
  description: 'api.doc.coverage.description',
  params: { ...CoverageParams, ...pagingParams(1000) },
  ok: { contentType: JSON_TYPE, schema: CoverageListSchema },
  validators: 'catalogue',
  example: { departement: '32', limit: '3' },
  async handle({ db, url, query }) {
    const { departement, cursor, limit = 100 } = query as { departement?: string; cursor?: string; limit?: number };
    let after: string | undefined;
    if (cursor) {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!/^[\dAB]{5}$/.test(after))
        throw new Invalid([{ field: 'cursor', key: 'errors.invalid_cursor', value: cursor }]);
    }
    const page = await listCoverage(db, { department: departement, after, limit });
    const next = page.next ? nextLink(url, Buffer.from(page.next).toString('base64url')) : null;
    return { ...json({ items: page.items, next }), headers: next ? { Link: `<${next}>; rel="next"` } : undefined };
  },
};

const communeCoverage: Endpoint = {
  path: '/couverture/{commune}',
  operationId: 'getCommuneCoverage',
  summary: 'api.doc.coverage_history.summary',
  description: 'api.doc.coverage_history.description',
  params: {},
  pathParam: { name: 'commune', schema: CommuneCodeParam, example: '32013' },
  ok: { contentType: JSON_TYPE, schema: CoverageHistorySchema },
  // The history grows with imports that may not change the figures shown.
  validators: 'content',
  example: {},
  async handle({ db, pathParam }) {
    return json(await communeCoverageHistory(db, pathParam!));
  },
};

// ── Settled families (k ≥ 5) ───────────────────────────────────────────────────────────────

const settlementColumns = ['territory', 'territoryName', 'commune', 'communeName', 'year', 'families'];

const settlements: Endpoint = {
  path: '/installations',
  operationId: 'listSettlements',
  summary: 'api.doc.settlements.summary',
  description: 'api.doc.settlements.description',
  params: SettlementParams,
  ok: { contentType: JSON_TYPE, schema: SettlementsSchema },
  validators: 'content',
  example: { territoire: '32' },
  async handle({ db, query }) {
    const { territoire } = query as { territoire?: string };
    return json({ minFamilies: MIN_FAMILIES, ...(await settlementsPerCommune(db, territoire)) });
  },
};

const settlementsCsv: Endpoint = {
  ...settlements,
  path: '/installations.csv',
  operationId: 'listSettlementsCsv',
  summary: 'api.doc.settlements_csv.summary',
  description: 'api.doc.settlements_csv.description',
  ok: { contentType: 'text/csv; charset=utf-8', schema: CsvSchema },
  async handle({ db, query }) {
    const { territoire } = query as { territoire?: string };
    const { total, territories } = await settlementsPerCommune(db, territoire);
    const rows = [
      { families: total },
      ...territories.flatMap((t) => [
        { territory: t.code, territoryName: t.name, families: t.families },
        ...t.cells.map((c) => ({ territory: t.code, territoryName: t.name, ...c })),
      ]),
    ];
    return { body: csv(settlementColumns, rows), contentType: settlementsCsv.ok.contentType };
  },
};

export const endpoints: Endpoint[] = [
  offerList,
  offerGeoJson,
  offerCsv,
  territoryList,
  communeSearch,
  coverageList,
  communeCoverage,
  settlements,
  settlementsCsv,
];
