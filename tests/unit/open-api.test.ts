// The open-data API on a real seeded database: the OpenAPI document validated by a
// validator package, every documented path answered as documented (contract), cursor
// paging, conditional requests, CORS, the rate limit, and problem+json for anything wrong.
import { Validator } from '@seriousme/openapi-schema-validator';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { endpoints } from '../../src/server/api/endpoints.ts';
import { openApiDocument } from '../../src/server/api/openapi.ts';
import { createApi } from '../../src/server/api/router.ts';
import { OfferListSchema, ProblemSchema } from '../../src/server/api/schemas.ts';
import { LIMITS } from '../../src/server/accounts/rate-limit.ts';
import { searchOffers } from '../../src/server/offers/queries.ts';
import { testDb } from '../helpers/db.ts';

const BASE = 'http://portal.test/api/v1';

function apiOn(db: Db, start = Date.parse('2026-12-05T10:00:00.400Z')) {
  const clock = { time: start, now: () => new Date(clock.time) };
  const api = createApi(db, clock);
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET', ip = '192.0.2.1') =>
    api.handle(new Request(`${BASE}${path}`, { method, headers }), ip);
  return { api, clock, get };
}

/** The example request of a documented operation. */
function exampleUrl(path: string, parameters: Array<{ name: string; in: string; example?: string }>): string {
  let url = path;
  const query = new URLSearchParams();
  for (const p of parameters) {
    if (p.example === undefined) continue;
    if (p.in === 'path') url = url.replace(`{${p.name}}`, p.example);
    else query.set(p.name, p.example);
  }
  return query.size ? `${url}?${query}` : url;
}

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  const body = ProblemSchema.parse(await response.json());
  expect(body.status).toBe(status);
  return body;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, in both languages', async () => {
    for (const locale of ['fr', 'en'] as const) {
      const doc = openApiDocument(locale);
      const result = await new Validator().validate(structuredClone(doc));
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info.license.name).toBe('Licence Ouverte 2.0');
    }
  });

  it('documents every endpoint with the search parameters of /offres', () => {
    const doc = openApiDocument('fr');
    expect(Object.keys(doc.paths).sort()).toEqual(endpoints.map((e) => e.path).sort());
    const names = doc.paths['/offres']!.get.parameters.map((p) => p.name);
    for (const name of ['type', 'territoire', 'commune', 'rayon', 'fibre', 'q', 'tri', 'cursor', 'limit', 'lang'])
      expect(names).toContain(name);
    expect(names).not.toContain('page');
  });

  it('is served at /api/v1/openapi.json', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const response = await get('/openapi.json?lang=en');
    expect(response.status).toBe(200);
    expect((await response.json()).info.title).toBe(openApiDocument('en').info.title);
  });
});

describe('contract: every documented path, with its example, against a seeded database', () => {
  it('answers each as documented', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const doc = openApiDocument('fr');
    for (const endpoint of endpoints) {
      const operation = doc.paths[endpoint.path as keyof typeof doc.paths]!.get;
      const response = await get(exampleUrl(endpoint.path, operation.parameters));
      expect(response.status, endpoint.path).toBe(200);
      const mediaType = Object.keys(operation.responses['200'].content)[0]!;
      expect(response.headers.get('Content-Type')).toMatch(new RegExp(`^${mediaType.replace('+', '\\+')}`));
      expect(response.headers.get('ETag')).toMatch(/^W\/"/);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      const text = await response.text();
      const body = mediaType === 'text/csv' ? text : JSON.parse(text);
      const parsed = endpoint.ok.schema.safeParse(body);
      expect(parsed.error?.issues ?? [], endpoint.path).toEqual([]);
      if (mediaType === 'text/csv') expect(text.split('\r\n')[0]).toMatch(/^\w+(,\w+)+$/);
      // A 400 problem for an invalid value of each documented query parameter.
      const bad = await get(`${endpoint.path.replace('{commune}', '32013')}?lang=zz`);
      const problem = await expectProblem(bad, 400);
      expect(problem.errors?.[0]?.parameter).toBe('lang');
      // And a 304 for the same request with the entity tag it got.
      const again = await get(exampleUrl(endpoint.path, operation.parameters), {
        'If-None-Match': response.headers.get('ETag')!,
      });
      expect(again.status, endpoint.path).toBe(304);
      expect(await again.text()).toBe('');
    }
  });

  it('never gives an exact point, only public ones', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const exact = new Map(
      (await db.all<{ id: number; lat: number; lng: number }>(sql`SELECT id, lat, lng FROM offers`)).map((o) => [
        o.id,
        o,
      ]),
    );
    const json = OfferListSchema.parse(await (await get('/offres?limit=100')).json());
    const geo = await (await get('/offres.geojson?limit=5000')).json();
    const csv = await (await get('/offres.csv?limit=5000')).text();
    for (const o of json.items) expect(o.lat === exact.get(o.id)!.lat && o.lng === exact.get(o.id)!.lng).toBe(false);
    for (const f of geo.features) {
      const e = exact.get(f.id)!;
      expect(f.geometry?.coordinates[0] === e.lng && f.geometry?.coordinates[1] === e.lat).toBe(false);
    }
    for (const e of exact.values()) expect(csv).not.toContain(`${e.lat},${e.lng}`);
  });
});

describe('cursor paging', () => {
  it('walks every result once, in every order, and stays stable when offers are published meanwhile', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    for (const tri of ['recent', 'prix', 'prix-desc', 'debit', 'distance']) {
      const filters = tri === 'distance' ? 'commune=32013&rayon=60' : 'territoire=32';
      const all = await searchOffers(db, {
        ...(tri === 'distance' ? { commune: '32013', rayon: 60 } : { territoire: '32' }),
        tri: tri as 'prix',
      });
      const seen: number[] = [];
      let next: string | null = `/offres?${filters}&tri=${tri}&limit=7`;
      let first = true;
      while (next) {
        const response = await get(next.replace('/api/v1', ''));
        expect(response.status).toBe(200);
        const page = OfferListSchema.parse(await response.json());
        seen.push(...page.items.map((i) => i.id));
        if (page.next) expect(response.headers.get('Link')).toBe(`<${page.next}>; rel="next"`);
        if (first) {
          // A newer offer published after the first page never shifts the following ones.
          await db.run(
            sql`UPDATE offers SET status = 'published', published_at = '2027-01-01T00:00:00.000Z' WHERE id = (SELECT min(id) FROM offers WHERE status <> 'published' AND territory_code = '32')`,
          );
          first = false;
        }
        next = page.next;
      }
      expect(new Set(seen).size, tri).toBe(seen.length);
      expect(seen.length, tri).toBeGreaterThanOrEqual(all.total);
      await db.run(sql`UPDATE offers SET status = 'draft' WHERE published_at = '2027-01-01T00:00:00.000Z'`);
    }
  });

  it('refuses a cursor it did not write, or written for another order', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const page = OfferListSchema.parse(await (await get('/offres?limit=1&tri=prix')).json());
    const cursor = new URL(page.next!, BASE).searchParams.get('cursor')!;
    expect((await get(`/offres?limit=1&tri=prix&cursor=${cursor}`)).status).toBe(200);
    for (const bad of [`tri=debit&cursor=${cursor}`, 'cursor=bm90LWpzb24', 'cursor=W10', 'cursor=%FF%FE'])
      expect((await expectProblem(await get(`/offres?${bad}`), 400)).errors?.[0]?.parameter).toBe('cursor');
    const coverage = await (await get('/couverture?departement=32&limit=2')).json();
    expect(coverage.next).toMatch(/cursor=/);
    expect((await get(coverage.next.replace('/api/v1', ''))).status).toBe(200);
    await expectProblem(await get('/couverture?cursor=Li4v'), 400);
  });
});

describe('conditional requests', () => {
  it('answers 304 to If-None-Match and If-Modified-Since until the catalogue changes', async () => {
    const { db } = await testDb();
    const { get, clock } = apiOn(db);
    const first = await get('/offres?limit=3');
    const etag = first.headers.get('ETag')!;
    // No date within the second the version was first seen: a change in it would keep that date.
    expect(first.headers.get('Last-Modified')).toBeNull();
    clock.time += 2000;
    const dated = await get('/offres?limit=3');
    expect(dated.headers.get('ETag')).toBe(etag);
    const lastModified = dated.headers.get('Last-Modified')!;
    expect(lastModified).toBe('Sat, 05 Dec 2026 10:00:00 GMT');
    expect((await get('/offres?limit=3', { 'If-None-Match': `"x", ${etag}` })).status).toBe(304);
    expect((await get('/offres?limit=3', { 'If-Modified-Since': lastModified })).status).toBe(304);
    expect((await get('/offres?limit=3', { 'If-Modified-Since': 'Sat, 05 Dec 2026 09:59:59 GMT' })).status).toBe(200);
    // A date in the future is invalid: ignored, the full answer goes.
    expect((await get('/offres?limit=3', { 'If-Modified-Since': 'Sat, 05 Dec 2099 00:00:00 GMT' })).status).toBe(200);
    // If-None-Match wins over If-Modified-Since.
    expect(
      (await get('/offres?limit=3', { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified })).status,
    ).toBe(200);
    await db.run(
      sql`UPDATE offers SET title = title || ' !' WHERE id = (SELECT min(id) FROM offers WHERE status = 'published')`,
    );
    clock.time += 2000;
    const changed = await get('/offres?limit=3', { 'If-None-Match': etag, 'If-Modified-Since': lastModified });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('ETag')).not.toBe(etag);
    expect((await get('/offres?limit=3', { 'If-Modified-Since': lastModified })).status).toBe(200);
  });

  it('tags answers the catalogue version does not follow by their content', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const first = await get('/installations');
    const etag = first.headers.get('ETag')!;
    expect((await get('/installations', { 'If-None-Match': etag })).status).toBe(304);
    await db.run(
      sql`UPDATE candidates SET first_settled_at = NULL WHERE id IN (SELECT id FROM candidates WHERE first_settled_at IS NOT NULL LIMIT 20)`,
    );
    expect((await get('/installations', { 'If-None-Match': etag })).status).toBe(200);
  });
});

describe('CORS, methods, rate limit, errors', () => {
  it('is open to every origin for GET, with a preflight', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const preflight = await get(
      '/offres',
      { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' },
      'OPTIONS',
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('GET');
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toContain('If-None-Match');
    const answer = await get('/territoires', { Origin: 'https://example.org' });
    expect(answer.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(answer.headers.get('Access-Control-Expose-Headers')).toContain('ETag');
    const post = await get('/offres', {}, 'POST');
    await expectProblem(post, 405);
    expect(post.headers.get('Allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('limits each address, with RateLimit headers and a 429 with Retry-After', async () => {
    const { db } = await testDb();
    const { api, get } = apiOn(db);
    const ok = await get('/territoires');
    expect(ok.headers.get('RateLimit-Policy')).toBe(`"api";q=${LIMITS.apiPerIp.max};w=60`);
    expect(ok.headers.get('RateLimit')).toBe(`"api";r=${LIMITS.apiPerIp.max - 1};t=60`);
    // Another process answered the address too: its hits reach this one at the next sync.
    await api.syncLimits();
    await db.run(sql`UPDATE rate_limits SET count = ${LIMITS.apiPerIp.max - 1} WHERE key = 'api:192.0.2.1'`);
    expect((await get('/territoires')).status).toBe(200);
    await api.syncLimits();
    const limited = await get('/territoires?lang=en');
    const body = await expectProblem(limited, 429);
    expect(body.title).toBe('Too many requests');
    expect(limited.headers.get('Retry-After')).toBe('60');
    expect(limited.headers.get('RateLimit')).toBe('"api";r=0;t=60');
    // Another address is not concerned.
    expect((await get('/territoires', {}, 'GET', '198.51.100.7')).status).toBe(200);
  });

  it('answers every odd query string with a problem or an answer, never a 500', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const odd = [
      '/offres?type=logement&type=tiers-lieu',
      `/offres?q=${'x'.repeat(20_000)}`,
      `/offres?prix_max=${'9'.repeat(500)}`,
      '/offres?commune=%FF%FE&territoire=%C0%AF',
      '/offres?limit=0',
      '/offres?limit=1e3',
      '/offres?territoire=75',
      '/offres?commune=Nulle-Part',
      '/offres.geojson?rayon=10',
      '/offres.csv?tri=distance',
      '/couverture?departement=999',
      '/couverture/ABCDE',
      '/couverture/',
      '/installations?territoire=75',
      '/communes?q=%00%FF&limit=99',
      '/offres?lang=en&lang=fr',
      '/offres?%FF=%FF&cursor=' + 'A'.repeat(1000),
    ];
    for (const path of odd) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      const body = await expectProblem(response, 400);
      expect(body.errors?.length, path).toBeGreaterThan(0);
      for (const e of body.errors ?? []) expect(e.value === null || e.value.length <= 100).toBe(true);
    }
    await expectProblem(await get('/couverture/32999'), 404);
  });

  it('says what is wrong in French by default, in English with lang=en', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    const fr = await expectProblem(await get('/offres?fibre=2'), 400);
    expect(fr.title).toBe('Paramètres invalides');
    expect(fr.errors?.[0]).toMatchObject({ parameter: 'fibre', code: 'invalid_flag', value: '2' });
    expect(fr.instance).toBe('/api/v1/offres?fibre=2');
    expect(fr.type).toBe('http://portal.test/api#invalid-parameters');
    const en = await expectProblem(await get('/offres?fibre=2&lang=en'), 400);
    expect(en.title).toBe('Invalid parameters');
    expect(en.errors?.[0]?.message).not.toBe(fr.errors?.[0]?.message);
  });

  it('answers an unknown path with a 404 problem', async () => {
    const { db } = await testDb();
    const { get } = apiOn(db);
    for (const path of ['', '/', '/nope', '/offres/12', '/openapi.yaml', '/couverture/32013/x'])
      await expectProblem(await get(path), 404);
  });
});
