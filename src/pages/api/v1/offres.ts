// GET /api/v1/offres — the same search as /offres, as JSON (same parameters).
import type { APIRoute } from 'astro';
import { apiLocale, invalidResponse, json } from '../../../server/api/http.ts';
import { parseOfferSearch } from '../../../server/offers/schemas.ts';
import { runSearch } from '../../../views/offers.ts';

export const GET: APIRoute = async ({ url }) => {
  const { errors, result } = await runSearch(parseOfferSearch(url.searchParams));
  if (errors.length) return invalidResponse(apiLocale(url), errors);
  const { items, ...rest } = result;
  return json({
    ...rest,
    items: items.map(({ photo, ...item }) => ({
      ...item,
      url: `/offres/${item.id}-${item.slug}`,
      photo: photo ? { ...photo, url: `/photos/${photo.id}-640.webp` } : null,
    })),
  });
};
