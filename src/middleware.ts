// Request pipeline: locale and request id into locals, then security headers on every response;
// the page cache and the session; last, English addresses rewritten to the French route files.
import { PAGE_CACHE, PUBLIC_SITE_URL } from 'astro:env/server';
import { defineMiddleware, sequence } from 'astro:middleware';
import { defaultLocale, localizedPath, pathLocale } from './i18n/index.ts';
import { SESSION_COOKIE_NAME } from './server/accounts/session-cookie.ts';
import {
  cachedResponse,
  pageVersions,
  withCatalogueVersion,
  gzipPage,
  isCacheablePath,
  KEPT_HEADERS,
  PageCache,
} from './server/cache/page-cache.ts';
import { db } from './server/db.ts';
import { sessions } from './server/auth.ts';
import { searchReferrer } from './server/http/return-path.ts';
import { pageSecurityHeaders } from './server/http/security-headers.ts';

/** Sets headers, copying the response first when its headers are immutable (Response.redirect). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
    return copy;
  }
}

const context = defineMiddleware(async (ctx, next) => {
  // Once per request: Astro.rewrite('/404') runs the chain again on a path without /en.
  ctx.locals.locale ??= pathLocale(ctx.url.pathname);
  ctx.locals.requestId = crypto.randomUUID();
  // The error page exists for failures only; asked for directly, it is not found.
  if (ctx.url.pathname === '/500' || ctx.url.pathname === '/500/')
    return withHeaders(await ctx.rewrite('/404'), { 'X-Request-Id': ctx.locals.requestId });
  return withHeaders(await next(), { 'X-Request-Id': ctx.locals.requestId });
});

/**
 * The session cookie → locals.user; a refreshed cookie when lucia extends the session. A
 * session still waiting for its second step signs nobody in: it is only `locals.secondStep`.
 */
const session = defineMiddleware(async (ctx, next) => {
  ctx.locals.user = null;
  ctx.locals.sessionId = null;
  ctx.locals.secondStep = null;
  const id = ctx.cookies.get(SESSION_COOKIE_NAME)?.value;
  if (id) {
    const result = await sessions.validateSession(id);
    if (result) {
      if (result.secondStep) ctx.locals.secondStep = { user: result.user, need: result.secondStep };
      else ctx.locals.user = result.user;
      ctx.locals.sessionId = result.sessionId;
      if (result.cookie) ctx.cookies.set(result.cookie.name, result.cookie.value, result.cookie.attributes);
    } else {
      const blank = sessions.blankCookie();
      ctx.cookies.set(blank.name, blank.value, blank.attributes);
    }
  }
  return next();
});

/** Pages that show personal data whoever asks (accounts, back office, forms echoing what was typed). */
const PRIVATE =
  /^(?:\/en)?\/(?:compte|agent|admin|dev|connexion|inscription|mot-de-passe-oublie|invitation|alertes|deconnexion|projet)(?:\/|$|\.)/;
const PAGE_HEADERS = pageSecurityHeaders(PUBLIC_SITE_URL);

const securityHeaders = defineMiddleware(async (ctx, next) => {
  const response = await next();
  const headers: Record<string, string> = { ...PAGE_HEADERS };
  // Personal pages, and anything answered to a signed-in user, stay out of every cache
  // (browser history, proxies); responses that set their own policy (photos) keep it.
  if (
    (PRIVATE.test(ctx.url.pathname) || ctx.locals.user || ctx.locals.secondStep) &&
    !response.headers.has('Cache-Control')
  )
    headers['Cache-Control'] = 'no-store';
  return withHeaders(response, headers);
});

const pages = new PageCache();
const OFFER_PAGE = /^(?:\/en)?\/offres\/\d/;

/** Serves anonymous GETs of catalogue pages from the exact page cache (see page-cache.ts). */
const pageCache = defineMiddleware(async (ctx, next) => {
  if (
    PAGE_CACHE !== 'on' ||
    ctx.request.method !== 'GET' ||
    ctx.cookies.has(SESSION_COOKIE_NAME) ||
    !isCacheablePath(ctx.url.pathname)
  ) {
    return next();
  }
  // The visitor's URL (before the /en rewrite, further in): each locale has its own entries.
  const { catalogue: version, settlements } = await pageVersions(db);
  // An offer's page opened from a search leads back to it: one entry per search too.
  const from = OFFER_PAGE.test(ctx.url.pathname) ? searchReferrer(ctx.request, ctx.url) : null;
  const key = `${version}.${settlements}|${ctx.url.pathname}${ctx.url.search}${from ? `|${from}` : ''}`;
  const hit = pages.get(key);
  if (hit) return cachedResponse(hit, ctx.request, { 'X-Cache': 'hit' });
  // Rendered from the version of its key, read once.
  const render = () => withCatalogueVersion(db, version, next);
  // Asked for the first time: sent as rendered (the proxy compresses it, docs/deployment.md).
  if (!pages.admits(key)) return withHeaders(await render(), { 'X-Cache': 'miss' });
  const response = await render();
  const contentType = response.headers.get('Content-Type') ?? '';
  // Only plain, complete pages: not redirects, not pages that set cookies.
  if (
    ![200, 400, 404].includes(response.status) ||
    !contentType.startsWith('text/html') ||
    response.headers.has('Set-Cookie')
  )
    return response;
  const body = new Uint8Array(await response.arrayBuffer());
  const headers = Object.fromEntries(
    KEPT_HEADERS.flatMap((h) => (response.headers.has(h) ? [[h, response.headers.get(h)!]] : [])),
  );
  const page = { status: response.status, contentType, body, gzip: await gzipPage(body), headers };
  pages.set(key, page);
  return cachedResponse(page, ctx.request, { 'X-Cache': 'miss' });
});

/** The back office exists in French only. */
const FRENCH_ONLY = /^\/(?:agent|admin|dev)(?:\/|$)/;
/** Endpoints (a file name, the API — not its page /api —, photos) and technical pages have one address, without /en. */
const UNTRANSLATED = /^\/(?:api\/|(?:photos|healthz|ping|404|500)(?:\/|$))|\.\w+$/;

/**
 * An English address is its French route file rendered in English (locals.locale): /en/… is
 * rewritten to the French path, query kept, for the page only. Innermost, so that the page
 * cache and the session see the visitor's own URL; pages get it back with visitorPath().
 */
const locale = defineMiddleware((ctx, next) => {
  if (ctx.locals.locale === defaultLocale) return next();
  const path = localizedPath(ctx.url.pathname, defaultLocale);
  if (FRENCH_ONLY.test(path)) {
    // 307 for other methods: the French page gets the same form post (303 would turn it into a GET).
    const method = ctx.request.method;
    return ctx.redirect(path + ctx.url.search, method === 'GET' || method === 'HEAD' ? 302 : 307);
  }
  // No route file has an /en path: not rewritten, an untranslated one is the (English) 404 page.
  if (UNTRANSLATED.test(path)) return next();
  return next(path + ctx.url.search);
});

export const onRequest = sequence(context, securityHeaders, pageCache, session, locale);
