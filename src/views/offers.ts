// Loads what the /offres view shows: parses the query string, runs the search, and
// collects every invalid parameter with its localized message. Shared by both locales.
import { db } from '../server/db.ts';
import { Invalid, type FieldError } from '../server/errors.ts';
import { searchOffers, type OfferSearchResult } from '../server/offers/queries.ts';
import { parseOfferSearch, type OfferSearchInput } from '../server/offers/schemas.ts';
import { listTerritories, type TerritorySummary } from '../server/places/queries.ts';

export interface OffersViewData {
  raw: Record<string, string>;
  errors: FieldError[];
  result: OfferSearchResult;
  territories: TerritorySummary[];
}

export async function loadOffers(url: URL): Promise<OffersViewData> {
  const parsed = parseOfferSearch(url.searchParams);
  const errors: FieldError[] = parsed.ok ? [] : [...parsed.errors];
  let query: OfferSearchInput = parsed.query;
  let result: OfferSearchResult;
  try {
    result = await searchOffers(db, query);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    errors.push(...error.errors);
    // The valid filters still apply; the invalid ones are named next to the form.
    query = Object.fromEntries(Object.entries(query).filter(([k]) => !error.errors.some((e) => e.field === k)));
    result = await searchOffers(db, query);
  }
  return { raw: parsed.raw, errors, result, territories: await listTerritories(db) };
}
