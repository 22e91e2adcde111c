// GET /api/v1/offres.geojson — the points of a search (same parameters as /offres), for the map.
import type { APIRoute } from 'astro';
import { apiLocale, invalidResponse, json } from '../../../server/api/http.ts';
import { db } from '../../../server/db.ts';
import { Invalid } from '../../../server/errors.ts';
import { searchOfferPoints } from '../../../server/offers/queries.ts';
import { parseOfferSearch } from '../../../server/offers/schemas.ts';
import { formatPrice, localizedPath } from '../../../i18n/index.ts';

export const GET: APIRoute = async ({ url }) => {
  const locale = apiLocale(url);
  const parsed = parseOfferSearch(url.searchParams);
  if (parsed.errors.length) return invalidResponse(locale, parsed.errors);
  try {
    const { points, truncated } = await searchOfferPoints(db, parsed.query);
    return json(
      {
        type: 'FeatureCollection',
        truncated,
        features: points.map((p) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
          properties: {
            id: p.id,
            title: p.title,
            kind: p.kind,
            label: p.label,
            price: p.price === null ? null : formatPrice(locale, p.price),
            url: localizedPath(`/offres/${p.id}-${p.slug}`, locale),
          },
        })),
      },
      { headers: { 'Content-Type': 'application/geo+json; charset=utf-8' } },
    );
  } catch (error) {
    if (error instanceof Invalid) return invalidResponse(locale, error.errors);
    throw error;
  }
};
