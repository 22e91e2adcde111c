// What a request handler may read: a narrow slice of Astro's context, so that handlers take
// `Astro` in pages and a plain object in unit tests.
import type { AstroCookies } from 'astro';
import { visitorPath as localizedVisitorPath } from '../../i18n/index.ts';
import { clientAddressStore } from './client-address.ts';

export interface RequestContext {
  request: Request;
  url: URL;
  locals: App.Locals;
  cookies: AstroCookies;
  /** The path the visitor asked for, before the locale rewrite ("/en/compte"). */
  originPathname?: string;
  /** A getter that throws where the address is unknown (prerendering). */
  readonly clientAddress?: string;
}

/** The visitor's own URL path and query, as they typed it (with its /en prefix). */
export const visitorPath = (ctx: Pick<RequestContext, 'url' | 'locals'>): string =>
  localizedVisitorPath(ctx.url, ctx.locals.locale);

/**
 * The client's address for rate limits, or "unknown": the one our server resolved (the
 * socket's peer, or behind a trusted proxy the address it forwarded: scripts/lib/server.ts),
 * else Astro's `clientAddress` (astro dev, unit tests). Never a header a client could write.
 */
export function clientIp(ctx: Pick<RequestContext, 'clientAddress'>): string {
  const resolved = clientAddressStore.getStore();
  if (resolved) return resolved;
  try {
    return ctx.clientAddress ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const isPost = (ctx: Pick<RequestContext, 'request'>) => ctx.request.method === 'POST';

/**
 * A script's post (the hearts, the board) asks for an answer rather than a page: it must tell
 * a change made from a redirect to sign in, which a `fetch` cannot read.
 */
export const asksJson = (ctx: Pick<RequestContext, 'request'>) =>
  (ctx.request.headers.get('Accept') ?? '').includes('application/json');

/**
 * What the redirect after a successful post says (`?ok=…`), to show as the page's notice.
 * A refused post is answered at the same address: its `ok` was about the post before.
 */
export const okAfterRedirect = (ctx: Pick<RequestContext, 'request' | 'url'>): string | null =>
  isPost(ctx) ? null : ctx.url.searchParams.get('ok');
