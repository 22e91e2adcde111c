// The open-data API's shapes, as zod schemas: the query parameters each endpoint reads and
// every answer it gives. The OpenAPI document is generated from them (openapi.ts) and the
// contract test checks the answers against them: no hand-written copy.
import { z } from 'astro/zod';
import {
  fibreStatuses,
  homeTypes,
  mobileCoverages,
  offerKinds,
  technologies,
  tiersLieuTypologies,
  transactions,
} from '../../../db/schema/offers.ts';
import { locales } from '../../i18n/index.ts';
import { INSEE_CODE, TERRITORY_CODE, territoryCode } from '../input.ts';
import { OfferSearchSchema, searchParamNames } from '../offers/schemas.ts';

// ── Query parameters (strings in, as the query string gives them) ─────────────────────────

const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, { error: 'errors.invalid_number' })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: 'errors.invalid_number' })
    .meta({ description: `${min}–${max}` });

export const LangParam = {
  lang: z.enum(locales, { error: 'errors.invalid_enum' }).meta({ description: 'fr (default) or en' }),
};

/** Paging by an opaque cursor: the `next` link of the previous page. */
export const pagingParams = (max: number) => ({
  cursor: z
    .string()
    .max(400, { error: 'errors.invalid_cursor' })
    .regex(/^[\w-]+$/, { error: 'errors.invalid_cursor' })
    .meta({ description: 'opaque' }),
  limit: whole(1, max),
});

/** The filters of /offres, less its page (the API pages by cursor). */
export const offerFilterNames = searchParamNames.filter((n) => n !== 'page');
export const OfferFilterParams = Object.fromEntries(offerFilterNames.map((n) => [n, OfferSearchSchema.shape[n]]));

export const CommuneSearchParams = {
  q: z.string().max(100, { error: 'errors.text_too_long' }),
  limit: whole(1, 20),
  /** Only the communes of this département (a territory's: the back office's commune fields). */
  departement: z.string().regex(TERRITORY_CODE, { error: 'errors.invalid_value' }),
};

export const CoverageParams = {
  departement: z.string().regex(TERRITORY_CODE, { error: 'errors.invalid_value' }),
};

export const CommuneCodeParam = z.string().regex(INSEE_CODE, { error: 'errors.unknown_commune' });

export const SettlementParams = { territoire: territoryCode() };

// ── Answers ───────────────────────────────────────────────────────────────────────────────

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string(),
    errors: z
      .array(
        z.object({
          parameter: z.string(),
          code: z.string(),
          message: z.string(),
          value: z.string().nullable(),
        }),
      )
      .optional(),
  })
  .meta({ description: 'RFC 9457 problem details' });

const nullableInt = z.int().nullable();
const share = z.number().min(0).max(1).nullable();

export const OfferSchema = z.object({
  id: z.int(),
  slug: z.string(),
  kind: z.enum(offerKinds),
  title: z.string(),
  titleEn: z.string().nullable().meta({ description: 'the title in English, when the offer has one' }),
  communeCode: z.string(),
  communeName: z.string(),
  territoryCode: z.string(),
  price: nullableInt,
  transaction: z.enum(transactions).nullable(),
  homeType: z.enum(homeTypes).nullable(),
  typology: z.enum(tiersLieuTypologies).nullable(),
  surface: z.number().nullable(),
  rooms: nullableInt,
  desks: nullableInt,
  bestTechnology: z.enum(technologies).nullable(),
  downloadMbps: z.number().nullable(),
  uploadMbps: z.number().nullable(),
  fibreStatus: z.enum(fibreStatuses),
  mobileCoverage: z.enum(mobileCoverages),
  nearestFibreTiersLieuKm: z.number().nullable(),
  lat: z.number().nullable().meta({ description: 'public point: a few hundred metres off, or the commune centre' }),
  lng: z.number().nullable(),
  label: z.enum(['A', 'B', 'C', 'D', 'E', 'F', 'G']).nullable(),
  publishedAt: z.string().nullable(),
  distanceKm: z.number().nullable(),
  url: z.string(),
  photo: z.object({ id: z.int(), width: z.int(), height: z.int(), alt: z.string(), url: z.string() }).nullable(),
});

export const OfferListSchema = z.object({ items: z.array(OfferSchema), total: z.int(), next: z.string().nullable() });

export const OfferFeatureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.int(),
      geometry: z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) }).nullable(),
      properties: OfferSchema.omit({ lat: true, lng: true }),
    }),
  ),
  total: z.int(),
  next: z.string().nullable(),
});

export const CsvSchema = z.string().meta({ description: 'CSV, UTF-8, comma-separated, header row' });

export const CommuneListSchema = z.object({
  communes: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      departmentCode: z.string(),
      postalCodes: z.string(),
      population: nullableInt,
      lat: z.number().nullable(),
      lng: z.number().nullable(),
    }),
  ),
});

export const TerritoryListSchema = z.object({
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      communes: z.int(),
      publishedHomes: z.int(),
      publishedTiersLieux: z.int(),
    }),
  ),
});

export const CoverageSchema = z.object({
  code: z.string(),
  name: z.string(),
  departmentCode: z.string(),
  premises: nullableInt,
  ftthPremises: nullableInt,
  ftthShare: share,
  thdShare: share,
  dataDate: z.string(),
  source: z.string(),
});

export const CoverageListSchema = z.object({ items: z.array(CoverageSchema), next: z.string().nullable() });

export const CoverageHistorySchema = z.object({
  commune: z.object({ code: z.string(), name: z.string(), departmentCode: z.string() }),
  current: CoverageSchema.nullable(),
  history: z.array(
    z.object({
      dataDate: z.string(),
      ftthShare: share,
      source: z.string().nullable(),
      fileName: z.string(),
      importedAt: z.string().nullable(),
    }),
  ),
});

const shown = nullableInt.meta({
  description: 'null: fewer than 5 families, or hidden so that none can be worked out',
});

export const SettlementsSchema = z.object({
  minFamilies: z.int(),
  total: shown,
  territories: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      families: shown,
      cells: z.array(
        z.object({
          commune: z.string().nullable(),
          communeName: z.string().nullable(),
          year: z.int(),
          families: shown,
        }),
      ),
    }),
  ),
});

/** The shapes the document names (components), by name. */
export const components = {
  Problem: ProblemSchema,
  Offer: OfferSchema,
  OfferList: OfferListSchema,
  OfferFeatureCollection: OfferFeatureCollectionSchema,
  CommuneList: CommuneListSchema,
  TerritoryList: TerritoryListSchema,
  Coverage: CoverageSchema,
  CoverageList: CoverageListSchema,
  CoverageHistory: CoverageHistorySchema,
  Settlements: SettlementsSchema,
};
