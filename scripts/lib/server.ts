// The HTTP server in front of the built Astro handler. It answers the methods no page
// handles before they reach Astro: Node's fetch refuses to build a Request for TRACE or
// CONNECT, which would end as a 500.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;
const allowed = new Set<string>(ALLOWED_METHODS);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function createPortalServer(handler: Handler): http.Server {
  return http.createServer((req, res) => {
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
