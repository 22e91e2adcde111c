// GET /api/v1/communes?q=…&limit=… — commune autocomplete (accent-insensitive).
import type { APIRoute } from 'astro';
import { apiLocale, invalidResponse, json } from '../../../server/api/http.ts';
import { db } from '../../../server/db.ts';
import { AUTOCOMPLETE_MAX, findCommunes } from '../../../server/places/queries.ts';

export const GET: APIRoute = async ({ url }) => {
  const q = url.searchParams.get('q') ?? '';
  const limitParam = url.searchParams.get('limit') ?? '10';
  const locale = apiLocale(url);
  if (q.length > 100)
    return invalidResponse(locale, [{ field: 'q', key: 'errors.text_too_long', value: q.slice(0, 20) }]);
  if (!/^\d{1,2}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > AUTOCOMPLETE_MAX) {
    return invalidResponse(locale, [{ field: 'limit', key: 'errors.invalid_number', value: limitParam }]);
  }
  const communes = await findCommunes(db, q, Number(limitParam));
  return json({ communes }, { headers: { 'Cache-Control': 'public, max-age=3600' } });
};
