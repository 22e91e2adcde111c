// The headers every page carries, whoever writes it: the app's middleware (src/middleware.ts)
// and our server's own pages (scripts/lib/server.ts: an address that cannot be decoded).

/** nosniff, the referrer policy, no framing; HSTS when the public site is served over https. */
export function pageSecurityHeaders(publicSiteUrl: string | undefined): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
    ...(publicSiteUrl?.startsWith('https:') && { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' }),
  };
}
