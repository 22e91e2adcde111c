// /api/v1 as one function from a request to a response, so that tests run it on a real
// database without a server: CORS preflight, methods, the per-address rate limit with its
// RateLimit headers, the endpoint's parameters, conditional requests (ETag, Last-Modified,
// 304) and every error as problem+json. Nothing it is asked ends in a 500 of its making.
import { createHash } from 'node:crypto';
import type { Db } from '../../../db/client.ts';
import { LIMITS, sharedLimiter } from '../accounts/rate-limit.ts';
import { catalogueVersion, withCatalogueVersion } from '../cache/page-cache.ts';
import type { Clock } from '../clock.ts';
import { Invalid, NotFound } from '../errors.ts';
import { parseQuery } from '../input.ts';
import { endpoints, type Endpoint } from './endpoints.ts';
import {
  ALLOWED_METHODS,
  apiLocale,
  CORS_HEADERS,
  notModified,
  PREFLIGHT_HEADERS,
  problem,
  type Validators,
} from './http.ts';
import { openApiDocument } from './openapi.ts';
import { LangParam } from './schemas.ts';

export const API_PREFIX = '/api/v1';

const POLICY = `"api";q=${LIMITS.apiPerIp.max};w=${LIMITS.apiPerIp.windowMs / 1000}`;

/** The endpoint of a path under /api/v1, with its path parameter. */
function route(path: string): { endpoint: Endpoint; pathParam?: string } | 'openapi' | null {
  if (path === '/openapi.json') return 'openapi';
  for (const endpoint of endpoints) {
    if (!endpoint.pathParam) {
      if (endpoint.path === path) return { endpoint };
      continue;
    }
    const [prefix] = endpoint.path.split('{');
    if (path.startsWith(prefix!) && !path.slice(prefix!.length).includes('/'))
      return { endpoint, pathParam: path.slice(prefix!.length) };
  }
  return null;
}

const sha = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

export function createApi(db: Db, clock: Clock) {
  // The catalogue version → when this process first saw it: the Last-Modified of answers
  // made from it (a restart only makes it later, never a stale 304).
  const firstSeen = new Map<number, number>();
  // Answers change with the code too: the document's hash tells revisions apart.
  const revision = sha(JSON.stringify(openApiDocument('fr')));
  // Every answer counts against its address: counted here, shared with other processes each second.
  const limiter = sharedLimiter(db, LIMITS.apiPerIp, clock);

  function catalogueValidators(version: number): Validators {
    const now = clock.now().getTime();
    if (!firstSeen.has(version)) firstSeen.set(version, now);
    const seen = firstSeen.get(version)!;
    // A date is only given once its second is over: a change later in that same second
    // would otherwise carry the same date.
    const lastModified = Math.floor(seen / 1000) * 1000 + 1000 <= now ? new Date(seen) : undefined;
    return { etag: `W/"c${version}-${revision}"`, lastModified };
  }

  function validatorHeaders(v: Validators): Record<string, string> {
    return { ETag: v.etag, ...(v.lastModified && { 'Last-Modified': v.lastModified.toUTCString() }) };
  }

  async function handle(request: Request, clientIp: string): Promise<Response> {
    const url = new URL(request.url);
    const locale = apiLocale(url);
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const found = route(path);
    if (!found) return problem(request, locale, 'not_found');
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: PREFLIGHT_HEADERS });
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return problem(request, locale, 'method', { headers: { Allow: ALLOWED_METHODS } });

    const limit = limiter.hit(`api:${clientIp}`);
    const limitHeaders = { 'RateLimit-Policy': POLICY, RateLimit: `"api";r=${limit.remaining};t=${limit.retryAfter}` };
    if (!limit.allowed)
      return problem(request, locale, 'rate_limited', {
        params: { max: LIMITS.apiPerIp.max, seconds: LIMITS.apiPerIp.windowMs / 1000, retry: limit.retryAfter },
        headers: { ...limitHeaders, 'Retry-After': String(limit.retryAfter) },
      });

    const common = {
      ...CORS_HEADERS,
      ...limitHeaders,
      'Cache-Control': 'public, no-cache',
      'Content-Language': locale,
    };
    const answer = (status: number, body: string | null, headers: Record<string, string>) =>
      new Response(request.method === 'HEAD' ? null : body, { status, headers: { ...common, ...headers } });

    if (found === 'openapi') {
      const body = JSON.stringify(openApiDocument(locale));
      const validators = { etag: `W/"d${sha(body)}"` };
      if (notModified(request, validators)) return answer(304, null, validatorHeaders(validators));
      return answer(200, body, { 'Content-Type': 'application/json; charset=utf-8', ...validatorHeaders(validators) });
    }

    const { endpoint, pathParam } = found;
    try {
      const parsed = endpoint.parse
        ? endpoint.parse(url.searchParams)
        : parseQuery({ ...LangParam, ...endpoint.params }, url.searchParams);
      if (endpoint.pathParam && !endpoint.pathParam.schema.safeParse(pathParam).success)
        parsed.errors.push({ field: endpoint.pathParam.name, key: 'errors.unknown_commune', value: pathParam });
      if (parsed.errors.length)
        return problem(request, locale, 'invalid', { errors: parsed.errors, headers: limitHeaders });

      // An answer of the catalogue is made from the version its validators name, read once.
      const version = endpoint.validators === 'catalogue' ? await catalogueVersion(db) : undefined;
      let validators = version === undefined ? undefined : catalogueValidators(version);
      if (validators && notModified(request, validators)) return answer(304, null, validatorHeaders(validators));
      const run = () => endpoint.handle({ db, url, locale, query: parsed.query, pathParam });
      const result = await (version === undefined ? run() : withCatalogueVersion(db, version, run));
      validators ??= { etag: `W/"a${sha(result.body)}"` };
      if (notModified(request, validators)) return answer(304, null, validatorHeaders(validators));
      return answer(200, result.body, {
        'Content-Type': result.contentType,
        ...validatorHeaders(validators),
        ...result.headers,
      });
    } catch (error) {
      if (error instanceof Invalid)
        return problem(request, locale, 'invalid', { errors: error.errors, headers: limitHeaders });
      if (error instanceof NotFound) return problem(request, locale, 'not_found', { headers: limitHeaders });
      throw error;
    }
  }

  return { handle, syncLimits: limiter.sync };
}
