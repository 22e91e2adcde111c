// Loads what the /offres view shows: parses the query string, runs the search, and
// collects every invalid parameter with its localized message. Shared by both locales
// and by an agent's proposal search.
import { db } from '../server/db.ts';
import { Invalid, type FieldError } from '../server/errors.ts';
import { searchOffers, type OfferSearchResult } from '../server/offers/queries.ts';
import { parseOfferSearch, type OfferSearchInput, type ParsedSearch } from '../server/offers/schemas.ts';
import { listTerritories, type TerritorySummary } from '../server/places/queries.ts';
import type { RequestContext } from '../server/http/context.ts';
import { render } from '../server/http/respond.ts';

export interface OffersViewData {
  raw: ParsedSearch['raw'];
  query: OfferSearchInput;
  errors: FieldError[];
  result: OfferSearchResult;
  territories: TerritorySummary[];
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
  const view: OffersViewData = { raw: parsed.raw, query, errors, result, territories };
  return render(view, errors.length ? 400 : 200);
}
