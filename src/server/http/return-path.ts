// The one return-path sanitizer: where a visitor may be sent back after signing in or
// posting a form. Only a path of this site, whatever the encoding tricks
// (`//host`, `/\host`, `/%2F%2Fhost`, tabs, `javascript:`, `/../`).

const BASE = 'http://portal.invalid';

/** `value` as a same-site path with its query (fragment dropped), or `fallback`. */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 2000 || !value.startsWith('/')) return fallback;
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
