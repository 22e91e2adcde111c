// The HTTP server in front of the built Astro handler. It answers the methods no page
// handles before they reach Astro: Node's fetch refuses to build a Request for TRACE or
// CONNECT, which would end as a 500. The open-data API's answer to those, and to an address
// the adapter refuses to decode (invalid UTF-8 in a percent-encoding), is its problem+json.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { apiLocale, problem } from '../../src/server/api/http.ts';

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

export function createPortalServer(handler: Handler): http.Server {
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
    handler(req, res);
  });
}

/** Listens on `host:port`; resolves once the socket is bound. */
export function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      console.log(`Server listening on http://${host}:${port}`);
      resolve();
    });
  });
}
