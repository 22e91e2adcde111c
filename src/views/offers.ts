// Loads what the /offres view shows: parses the query string, runs the search, and
// collects every invalid parameter with its localized message. Shared by both locales
// and by an agent's proposal search.
import { db } from '../server/db.ts';
import { Invalid, type FieldError } from '../server/errors.ts';
import { countOffers, searchOffers, type OfferSearchResult } from '../server/offers/queries.ts';
import { parseOfferSearch, technologies, type OfferSearchInput, type ParsedSearch } from '../server/offers/schemas.ts';
import { t, type Locale, type MessageKey } from '../i18n/index.ts';
import { listTerritories, type TerritorySummary } from '../server/places/queries.ts';
import type { RequestContext } from '../server/http/context.ts';
import { render } from '../server/http/respond.ts';

export interface OffersViewData {
  raw: ParsedSearch['raw'];
  query: OfferSearchInput;
  errors: FieldError[];
  result: OfferSearchResult;
  territories: TerritorySummary[];
  /** For a search that finds nothing: the filter whose removal finds the most, if any does. */
  wider: WiderSearch | null;
  /** With one kind chosen: the other kind's results, as a link (null when there are none). */
  other: OtherKind | null;
}

export interface OtherKind {
  type: 'logement' | 'tiers-lieu';
  total: number;
  /** The same search of the other kind, without the filters only homes have. */
  query: string;
}

/** Filters that only homes have (a tiers-lieu is neither let nor sold, nor counted in rooms). */
const homeOnly = ['transaction', 'tl_km', 'ecole_km', 'surface_min', 'pieces_min'] as const;

/** The other kind's search, counted as it is linked (one pass over the index). */
async function otherKind(params: URLSearchParams, query: OfferSearchInput): Promise<OtherKind | null> {
  if (!query.type) return null;
  const type = query.type === 'logement' ? 'tiers-lieu' : 'logement';
  const next = new URLSearchParams(params);
  next.set('type', type);
  next.delete('page');
  const rest: OfferSearchInput = { ...query, type };
  if (type === 'tiers-lieu')
    for (const field of homeOnly) {
      next.delete(field);
      delete rest[field];
    }
  const total = await countOffers(db, rest);
  return total > 0 ? { type, total, query: next.toString() } : null;
}

export interface WiderSearch {
  /** The filter to drop (a commune drops its radius with it). */
  field: string;
  total: number;
  /** The same search without it. */
  query: string;
}

/** Query parameters that are not filters. */
const notFilters = new Set(['page', 'tri']);

/** The query string of `params` without `field` (a commune's radius and distance order go with it) nor the page. */
export function withoutFilter(params: URLSearchParams, field: string): string {
  const next = new URLSearchParams(params);
  next.delete(field);
  next.delete('page');
  if (field === 'commune') {
    next.delete('rayon');
    if (next.get('tri') === 'distance') next.delete('tri');
  }
  return next.toString();
}

/**
 * The filter whose removal finds the most offers, for an empty result (one count per
 * active filter, each a pass over the index).
 */
async function widerSearch(params: URLSearchParams, query: OfferSearchInput): Promise<WiderSearch | null> {
  const fields = Object.keys(query).filter((k) => !notFilters.has(k) && !(k === 'rayon' && 'commune' in query));
  let best: WiderSearch | null = null;
  for (const field of fields) {
    const rest = Object.fromEntries(
      Object.entries(query).filter(([k]) => k !== field && !(field === 'commune' && (k === 'rayon' || k === 'tri'))),
    ) as OfferSearchInput;
    const total = await countOffers(db, rest);
    if (total > 0 && (!best || total > best.total)) best = { field, total, query: withoutFilter(params, field) };
  }
  return best;
}

/**
 * Runs a parsed search; parameters the domain finds invalid (unknown territory or
 * commune…) are added to the errors and the search runs again without them.
 */
export async function runSearch(
  parsed: ParsedSearch,
): Promise<{ query: OfferSearchInput; errors: FieldError[]; result: OfferSearchResult }> {
  const errors = [...parsed.errors];
  let query = { ...parsed.query };
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return { query, errors, result: await searchOffers(db, query) };
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors.push(...error.errors);
      const bad = new Set(error.errors.map((e) => e.field));
      // A radius or a distance sort means nothing without its commune.
      if (bad.has('commune')) bad.add('rayon').add('tri');
      query = Object.fromEntries(Object.entries(query).filter(([k]) => !bad.has(k))) as OfferSearchInput;
    }
  }
  return { query, errors, result: await searchOffers(db, {}) };
}

/** /offres: the search of the query string; invalid parameters make it a 400 that still shows results. */
export async function offersPage(rc: Pick<RequestContext, 'url'>) {
  const parsed = parseOfferSearch(rc.url.searchParams);
  const [{ query, errors, result }, territories] = await Promise.all([runSearch(parsed), listTerritories(db)]);
  const fine = errors.length === 0;
  const [wider, other] = await Promise.all([
    result.total === 0 && fine ? widerSearch(rc.url.searchParams, query) : null,
    fine ? otherKind(rc.url.searchParams, query) : null,
  ]);
  const view: OffersViewData = { raw: parsed.raw, query, errors, result, territories, wider, other };
  return render(view, errors.length ? 400 : 200);
}

export interface FilterChip {
  field: string;
  text: string;
  /** The search without this filter. */
  query: string;
}

const chipMessages: Record<string, MessageKey> = {
  rayon: 'search.chip.rayon',
  debit_min: 'search.chip.debit_min',
  upload_min: 'search.chip.upload_min',
  prix_min: 'search.chip.prix_min',
  prix_max: 'search.chip.prix_max',
  surface_min: 'search.chip.surface_min',
  pieces_min: 'search.chip.pieces_min',
  tl_km: 'search.chip.tl_km',
  ecole_km: 'search.chip.ecole_km',
};

/** The applied filters of a valid search, each in words with the search without it. */
export function filterChips(
  locale: Locale,
  params: URLSearchParams,
  query: OfferSearchInput,
  names: { territory?: string; commune?: string },
): FilterChip[] {
  const text = (field: string, value: string | number | readonly number[]): string => {
    if (field in chipMessages) return t(locale, chipMessages[field]!, { value: Number(value) });
    switch (field) {
      case 'type':
        return t(locale, `search.kind.${value as 'logement' | 'tiers-lieu'}`);
      case 'transaction':
        return t(locale, `search.transaction.${value as 'location' | 'vente'}`);
      case 'territoire':
        return names.territory ? `${names.territory} (${value})` : String(value);
      case 'commune':
        return names.commune ?? String(value);
      case 'fibre':
        return t(locale, 'search.fibre');
      case 'techno':
        return t(locale, `tech.${value as (typeof technologies)[number]}`);
      case 'mobile':
        return t(locale, `search.mobile.${value as '4g' | '5g'}`);
      case 'q':
        return t(locale, 'search.chip.q', { value: String(value) });
      case 'zone':
        return t(locale, 'search.chip.zone');
      default:
        return String(value);
    }
  };
  return Object.entries(query)
    .filter(([field, value]) => !notFilters.has(field) && value !== undefined)
    .map(([field, value]) => ({ field, text: text(field, value), query: withoutFilter(params, field) }));
}
