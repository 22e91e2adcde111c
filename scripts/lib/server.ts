// The HTTP server in front of the built Astro handler (the adapter's middleware mode). It
// answers the methods no page handles before they reach Astro: Node's fetch refuses to build
// a Request for TRACE or CONNECT, which would end as a 500. The open-data API's answer to
// those, and to an address that cannot be decoded (a malformed percent-encoding), is its
// problem+json; elsewhere such an address is a small page of ours (400), in the visitor's
// language, since no page of the app can be routed at it. It serves the built client
// files itself (scripts/lib/static-assets.ts), and the pages' requests take turns on the
// event loop (scripts/lib/turns.ts).
// It resolves the client's address (behind trusted proxies: scripts/lib/proxies.ts) for the
// app's rate limits, and lets a form posted from the public site through when TLS ends at a
// proxy (below).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { log } from '../../src/lib/log.ts';
import { localizedPath, t, type Locale, type MessageKey } from '../../src/i18n/index.ts';
import { apiLocale, problem } from '../../src/server/api/http.ts';
import { escapeHtml } from '../../src/server/mail/templates.ts';
import { pageSecurityHeaders } from '../../src/server/http/security-headers.ts';
import { clientAddressStore } from '../../src/server/http/client-address.ts';
import { clientAddress, type Trust } from './proxies.ts';
import { staticFiles } from './static-assets.ts';
import { takingTurns } from './turns.ts';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;
const allowed = new Set<string>(ALLOWED_METHODS);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const decodable = (url: string) => {
  try {
    decodeURI(url);
    return true;
  } catch {
    return false;
  }
};

/** Writes a problem of the API (a fetch Response) to the Node response. */
function urlOf(req: IncomingMessage): URL {
  try {
    return new URL(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`);
  } catch {
    return new URL(req.url ?? '/', 'http://localhost');
  }
}

async function sendProblem(req: IncomingMessage, res: ServerResponse, kind: 'invalid' | 'method'): Promise<void> {
  // The Host header is the client's word: a malformed one must not keep the answer from leaving.
  const request = new Request(urlOf(req));
  const locale = apiLocale(new URL(request.url));
  const response =
    kind === 'method'
      ? problem(request, locale, 'method', { headers: { Allow: 'GET, HEAD, OPTIONS' } })
      : problem(request, locale, 'invalid', { errors: [{ field: 'url', key: 'errors.invalid_encoding' }] });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(await response.text());
}

/** The app's page headers, for the pages written here: nothing to load but the page itself. */
function pageHeaders(publicOrigin: URL | null): Record<string, string> {
  return {
    ...pageSecurityHeaders(publicOrigin?.href),
    'Content-Security-Policy':
      "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'Cache-Control': 'no-store',
  };
}

/**
 * The page of an address that cannot be decoded (a link cut short by a mail client: `%E0%A4%A`,
 * `?q=%`): in English under /en, else in French; what happened, and the way home.
 */
export function malformedAddressPage(url: string): { locale: Locale; html: string } {
  const locale: Locale = /^\/en(?:[/?#]|$)/.test(url) ? 'en' : 'fr';
  const text = (key: MessageKey) => escapeHtml(t(locale, key));
  const title = text('badAddress.title');
  const html = `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${text('site.name')}</title>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${text('badAddress.body')}</p>
<p><a href="${localizedPath('/', locale)}">${text('notFound.back')}</a></p>
</main>
</body>
</html>
`;
  return { locale, html };
}

/** Answers an address that cannot be decoded with its page (400). */
function sendMalformedAddress(req: IncomingMessage, res: ServerResponse, publicOrigin: URL | null): void {
  const { locale, html } = malformedAddressPage(req.url ?? '/');
  const body = Buffer.from(html);
  res.writeHead(400, {
    ...pageHeaders(publicOrigin),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Language': locale,
    'Content-Length': body.byteLength,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface PortalServerOptions {
  /** Which socket peers may tell the client's address (TRUSTED_PROXIES); none by default. */
  trust?: Trust;
  /** PUBLIC_SITE_URL: the origin a browser names when it posts a form of the site. */
  publicSiteUrl?: string;
  /** dist/client: its files are served by this server, precompressed when they can be (scripts/lib/static-assets.ts). */
  clientDir?: string;
}

/**
 * Astro refuses a form post whose Origin is not the request's own origin. Behind a proxy that
 * ends TLS, the request arrives over plain HTTP, so Astro sees http://host while the browser
 * says https://host. A post whose Origin is exactly the public site's, to the public site's
 * host, comes from the site's own pages: it is given the origin Astro sees. Any other Origin
 * is left as it is (and refused).
 */
function sameSiteBehindTls(req: IncomingMessage, publicOrigin: URL | null): void {
  const origin = req.headers.origin;
  if (!publicOrigin || publicOrigin.protocol !== 'https:' || origin !== publicOrigin.origin) return;
  if ('encrypted' in req.socket && req.socket.encrypted) return;
  if (req.headers.host?.toLowerCase() !== publicOrigin.host) return;
  req.headers.origin = `http://${publicOrigin.host}`;
}

export function createPortalServer(handler: Handler, options: PortalServerOptions = {}): http.Server {
  const trust = options.trust ?? (() => false);
  const publicOrigin = options.publicSiteUrl ? new URL(options.publicSiteUrl) : null;
  const files = options.clientDir ? staticFiles(options.clientDir) : () => false;
  const inTurn = takingTurns();
  return http.createServer((req, res) => {
    const api = /^\/api\/v1(?:[/?]|$)/.test(req.url ?? '');
    if (api && (!allowed.has(req.method ?? '') || !decodable(req.url ?? ''))) {
      sendProblem(req, res, allowed.has(req.method ?? '') ? 'invalid' : 'method').catch(() => {
        if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('400 Bad Request\n');
      });
      return;
    }
    if (!allowed.has(req.method ?? '')) {
      res.writeHead(405, { Allow: ALLOWED_METHODS.join(', '), 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('405 Method Not Allowed\n');
      return;
    }
    if (!decodable(req.url ?? '')) {
      sendMalformedAddress(req, res, publicOrigin);
      return;
    }
    logRequest(req, res);
    if (files(req, res)) return;
    sameSiteBehindTls(req, publicOrigin);
    const address = clientAddress(req, trust);
    // Everything the app does for this request, however asynchronous, reads this address.
    inTurn(() => clientAddressStore.run(address, () => handler(req, res)));
  });
}

/**
 * One log line per answered request: the id the middleware echoed, the route without its
 * query (it may carry tokens or what someone searched for), the status and the time taken.
 */
function logRequest(req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => {
    const status = res.statusCode;
    const fields = {
      reqId: res.getHeader('x-request-id'),
      method: req.method,
      route: (req.url ?? '/').split('?')[0]!.slice(0, 200),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) log.error(fields, 'request failed');
    else log.info(fields, 'request');
  });
}

/** Listens on `host:port`; resolves once the socket is bound. */
export function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      log.info({ host, port }, `Server listening on http://${host}:${port}`);
      resolve();
    });
  });
}
