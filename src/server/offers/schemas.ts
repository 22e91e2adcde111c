// Validation of the /offres search query string (and /api/v1/offres). Parameter names
// are a public promise (SPEC "Search parameters"): shareable URLs rely on them.
import { z } from 'astro/zod';
import { pageNumber, parseQuery, territoryCode, typedWhole } from '../input.ts';
import { technologies } from '../../../db/schema/offers.ts';

export { technologies };
import type { MessageKey } from '../../i18n/index.ts';
import type { FieldError } from '../errors.ts';

export const kindParams = { logement: 'home', 'tiers-lieu': 'tiers_lieu' } as const;
export const transactionParams = { location: 'rent', vente: 'sale' } as const;
/** The search's word for a transaction (`rent` → `location`), for links to /offres. */
export const transactionParam = (transaction: 'rent' | 'sale'): keyof typeof transactionParams =>
  transaction === 'rent' ? 'location' : 'vente';
export const sortParams = ['recent', 'prix', 'prix-desc', 'debit', 'distance'] as const;
export type SortParam = (typeof sortParams)[number];

export const LIMITS = {
  page: 10_000,
  radiusKm: 200,
  tiersLieuKm: 100,
  schoolKm: 50,
  mbps: 100_000,
  price: 100_000_000,
  surface: 100_000,
  rooms: 50,
  text: 200,
} as const;

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/**
 * A whole number from min to max, as people type it ("250 000 €": `typedWhole`); out of range,
 * the range is said (`errors.number_range`) unless the parameter has a message of its own.
 */
const whole = (min: number, max: number, key: MessageKey = 'errors.invalid_number') =>
  z
    .string()
    .transform(typedWhole)
    .pipe(z.string().regex(/^\d{1,12}$/, { error: key }))
    .transform(Number)
    .refine(
      (n) => n >= min && n <= max,
      key === 'errors.invalid_number' ? { error: 'errors.number_range', params: { min, max } } : { error: key },
    );

export const OfferSearchSchema = z.object({
  type: z.enum(keys(kindParams), { error: 'errors.invalid_enum' }),
  transaction: z.enum(keys(transactionParams), { error: 'errors.invalid_enum' }),
  territoire: territoryCode(),
  /** INSEE code, or a commune name that the domain resolves (forms without JavaScript). */
  commune: z.string().trim().max(LIMITS.text, { error: 'errors.unknown_commune' }),
  rayon: whole(1, LIMITS.radiusKm, 'errors.invalid_radius'),
  fibre: z.literal('1', { error: 'errors.invalid_flag' }),
  debit_min: whole(0, LIMITS.mbps, 'errors.invalid_speed'),
  upload_min: whole(0, LIMITS.mbps, 'errors.invalid_speed'),
  techno: z.enum(technologies, { error: 'errors.invalid_enum' }),
  mobile: z.enum(['4g', '5g'], { error: 'errors.invalid_enum' }),
  prix_min: whole(0, LIMITS.price, 'errors.invalid_price'),
  prix_max: whole(0, LIMITS.price, 'errors.invalid_price'),
  surface_min: whole(0, LIMITS.surface),
  pieces_min: whole(0, LIMITS.rooms),
  tl_km: whole(1, LIMITS.tiersLieuKm, 'errors.invalid_tl_km'),
  /** Homes whose commune has an école within N km of its centre (daily life). */
  ecole_km: whole(1, LIMITS.schoolKm, 'errors.invalid_ecole_km'),
  q: z.string().trim().max(LIMITS.text, { error: 'errors.text_too_long' }),
  /** The map's visible area, "west,south,east,north" in degrees (GeoJSON's bbox order). */
  zone: z
    .string()
    .regex(/^-?\d{1,3}(\.\d{1,7})?(,-?\d{1,3}(\.\d{1,7})?){3}$/, { error: 'errors.invalid_zone' })
    .transform((s) => s.split(',').map(Number) as [number, number, number, number])
    .refine(
      ([west, south, east, north]) =>
        west >= -180 && east <= 180 && south >= -90 && north <= 90 && west < east && south < north,
      { error: 'errors.invalid_zone' },
    ),
  tri: z.enum(sortParams, { error: 'errors.invalid_enum' }),
  /** The nearest page, past the last the last (`searchOffers`): never an error. */
  page: pageNumber(LIMITS.page),
});

export type OfferSearchInput = Partial<z.output<typeof OfferSearchSchema>>;
export type SearchParamName = keyof typeof OfferSearchSchema.shape;
export const searchParamNames = Object.keys(OfferSearchSchema.shape) as SearchParamName[];

export type ParsedSearch = {
  ok: boolean;
  /** The valid filters (invalid ones are left out and named in `errors`). */
  query: OfferSearchInput;
  /** What was typed, to refill the form. */
  raw: Partial<Record<SearchParamName, string>>;
  errors: FieldError[];
};

/**
 * Parses a query string (`parseQuery`), then checks the rules across parameters once each
 * parameter is valid. The page is never named, even repeated (the first page then), as in
 * every paged list. The API reads the same filters without `page` (it pages by cursor).
 */
export function parseOfferSearch(
  params: URLSearchParams,
  names: readonly SearchParamName[] = searchParamNames,
): ParsedSearch {
  const parsed = parseQuery(OfferSearchSchema.shape, params, names);
  const { query, raw } = parsed;
  const errors = parsed.errors.filter((e) => e.field !== 'page');
  const q = query as OfferSearchInput;
  const drop = (field: SearchParamName, key: MessageKey) => {
    errors.push({ field, key, value: raw[field] });
    delete q[field];
  };
  if (q.prix_min !== undefined && q.prix_max !== undefined && q.prix_min > q.prix_max)
    drop('prix_max', 'errors.price_range');
  if (q.rayon !== undefined && !q.commune) drop('rayon', 'errors.radius_needs_commune');
  if (q.tri === 'distance' && !q.commune) drop('tri', 'errors.distance_needs_commune');
  if (q.tl_km !== undefined && q.type === 'tiers-lieu') drop('tl_km', 'errors.tl_km_homes_only');
  if (q.ecole_km !== undefined && q.type === 'tiers-lieu') drop('ecole_km', 'errors.tl_km_homes_only');
  if (q.transaction !== undefined && q.type === 'tiers-lieu') drop('transaction', 'errors.transaction_homes_only');
  return { ok: errors.length === 0, query: q, raw, errors };
}
