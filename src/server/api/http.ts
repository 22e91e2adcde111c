// HTTP of the open-data API: JSON and CSV answers open to every origin, one error shape
// (RFC 9457 problem+json, messages in the API's language), and conditional requests.
import { t, toLocale, type Locale, type MessageKey } from '../../i18n/index.ts';
import type { FieldError } from '../errors.ts';

/** Every answer may be read from any origin (open data); these headers too. */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Last-Modified, Link, RateLimit, RateLimit-Policy, Retry-After',
};

/** A preflight's answer: GET from anywhere, with the conditional headers. */
export const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, Accept, Accept-Language',
  'Access-Control-Max-Age': '86400',
};

export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

export function json(body: unknown, init: ResponseInit & { headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...CORS_HEADERS, ...init.headers },
  });
}

/** The API's language: `?lang=en`, else French (an invalid value is refused by the endpoint). */
export const apiLocale = (url: URL): Locale => toLocale(url.searchParams.getAll('lang')[0]);

export type ProblemKind = 'invalid' | 'not_found' | 'rate_limited' | 'method';

const statuses: Record<ProblemKind, number> = { invalid: 400, not_found: 404, rate_limited: 429, method: 405 };
/** The type URIs name a section of the /api page. */
const anchors: Record<ProblemKind, string> = {
  invalid: 'invalid-parameters',
  not_found: 'not-found',
  rate_limited: 'rate-limited',
  method: 'method-not-allowed',
};

/** A value echoed in an error stays short (a query string can be long). */
const echo = (value: string | undefined) => (value === undefined ? null : value.slice(0, 100));

/** An RFC 9457 problem: `type` a page that explains it, `instance` the request's own path. */
export function problem(
  request: Request,
  locale: Locale,
  kind: ProblemKind,
  {
    errors,
    params,
    headers,
  }: { errors?: FieldError[]; params?: Record<string, number>; headers?: Record<string, string> } = {},
): Response {
  const url = new URL(request.url);
  const status = statuses[kind];
  const body = {
    type: new URL(`/api#${anchors[kind]}`, url).href,
    title: t(locale, `api.problem.${kind}.title` as MessageKey),
    status,
    detail: t(locale, `api.problem.${kind}.detail` as MessageKey, params),
    instance: url.pathname + url.search,
    ...(errors && {
      errors: errors.map((e) => ({
        parameter: e.field,
        code: e.key.replace(/^errors\./, ''),
        message: t(locale, e.key, { value: echo(e.value) ?? '', ...e.params }),
        value: echo(e.value),
      })),
    }),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Content-Language': locale,
      ...CORS_HEADERS,
      ...headers,
    },
  });
}

/** What identifies a version of an answer: an entity tag, and when known a date. */
export interface Validators {
  etag: string;
  lastModified?: Date;
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/**
 * Whether the client's copy is still current (RFC 9110 § 13.1): If-None-Match by weak
 * comparison when present, else If-Modified-Since against the date at one-second precision.
 */
export function notModified(request: Request, { etag, lastModified }: Validators): boolean {
  const inm = request.headers.get('If-None-Match');
  if (inm !== null) return inm.trim() === '*' || inm.split(',').some((tag) => opaque(tag) === opaque(etag));
  const ims = request.headers.get('If-Modified-Since');
  if (ims === null || !lastModified) return false;
  const since = Date.parse(ims);
  // A date in the future is invalid and ignored (RFC 9110 § 13.1.3): the full answer goes.
  if (Number.isNaN(since) || since > Date.now()) return false;
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}
