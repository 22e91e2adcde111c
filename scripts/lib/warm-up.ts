// Before a new process takes visitors, it asks its own public pages once, on a loopback
// server of its own: the search index is built, each route's module is loaded and compiled,
// and the home page's figures are read. Without it, the first visitors after a start waited
// for all of that (0.7–0.8 s each for / and /offres at 100 000 offers), and under load the
// event loop stalled for half a second. The API is left out: its requests count against the
// caller's rate limit, and loopback may be every client's address behind a proxy.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { log } from '../../src/lib/log.ts';

/** The pages asked, in order; then the first offer that /offres lists. */
export const WARM_PATHS = ['/healthz', '/', '/offres', '/offres?q=maison&tri=prix', '/en/offres'];

/** A page that takes longer is given up (logged): the process starts without it. */
const PAGE_TIMEOUT_MS = 60_000;

const OFFER_LINK = /href="(\/offres\/\d+[^"?#]*)"/;

/**
 * Serves `server` on a free loopback port, asks it each warm path and an offer page, then
 * closes it. Never throws: a page that fails is logged, and the process starts anyway.
 */
export async function warmUp(server: http.Server): Promise<void> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const failed: string[] = [];
  const ask = async (path: string): Promise<string> => {
    try {
      const response = await fetch(base + path, { redirect: 'manual', signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) });
      const body = await response.text();
      if (response.status >= 500) failed.push(`${path} ${response.status}`);
      return body;
    } catch (error) {
      failed.push(`${path} ${(error as Error).message}`);
      return '';
    }
  };
  let offer: string | undefined;
  for (const path of WARM_PATHS) {
    const body = await ask(path);
    offer ??= OFFER_LINK.exec(body)?.[1];
  }
  if (offer) await ask(offer);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const ms = Math.round(performance.now() - started);
  if (failed.length) log.warn({ failed, ms }, 'warm-up: some pages failed');
  else log.info({ ms, offer: offer !== undefined }, 'warm-up done');
}
