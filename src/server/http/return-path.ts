// The one return-path sanitizer: where a visitor may be sent back after signing in or
// posting a form. Only a path of this site, whatever the encoding tricks
// (`//host`, `/\host`, `/%2F%2Fhost`, tabs, `javascript:`, `/../`).

const BASE = 'http://portal.invalid';
/** The longest return path kept (a URL in a query parameter: browsers and proxies limit headers). */
const MAX_RETURN_PATH = 2000;

/**
 * A path short enough to come back to (what `safeReturnPath` accepts): a longer one — a
 * search with a huge query — comes back to its page without the query, so that no
 * redirect carries a header browsers and proxies refuse.
 */
export function returnable(path: string): string {
  if (path.length <= MAX_RETURN_PATH) return path;
  const page = path.split('?')[0]!;
  return page.length <= MAX_RETURN_PATH ? page : '/';
}

/** `value` as a same-site path with its query (fragment dropped), or `fallback`. */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > MAX_RETURN_PATH || !value.startsWith('/')) return fallback;
  // Browsers drop tabs and newlines in URLs and read "\" as "/": judge what they would.
  const seen = value.replace(/[\t\n\r]/g, '').replace(/\\/g, '/');
  if (seen.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(seen, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search;
  // A path whose decoded form starts with "//" could be re-read as a host later on.
  let decoded = path;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return fallback;
  }
  if (decoded.startsWith('//') || decoded.startsWith('/\\') || path.startsWith('//')) return fallback;
  return path;
}

const SEARCH_PAGE = /^(?:\/en)?\/offres$/;

/**
 * The catalogue search a page was opened from — its `Referer`, when it is `/offres` of this
 * site —, as a path with its query (page included), for "back to the results"; else null.
 * The host alone is compared: behind a proxy that ends TLS the scheme differs.
 */
export function searchReferrer(request: Request, here: URL): string | null {
  const raw = request.headers.get('Referer');
  if (!raw || raw.length > MAX_RETURN_PATH * 2) return null;
  let from: URL;
  try {
    from = new URL(raw);
  } catch {
    return null;
  }
  if (from.host !== here.host || !SEARCH_PAGE.test(from.pathname)) return null;
  const path = from.pathname + from.search;
  return safeReturnPath(path, '') === path ? path : null;
}
