// A cache of rendered public catalogue pages (search, offer, territory, home) for visitors
// without a session. Exact, not time-based: entries are keyed by the catalogue's data
// version, which database triggers bump on every change (migration 0005), so every server
// process sees a change at once — even processes on other machines sharing a libSQL server.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Db } from '../../../db/client.ts';

const gzipAsync = promisify(gzip);

/**
 * A page's bytes gzipped on libuv's thread pool, not on the event loop: a cache miss no
 * longer holds every other request for the ~1 ms that compressing 100 KB takes.
 */
export async function gzipPage(body: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await gzipAsync(body));
}

export interface CachedPage {
  status: number;
  contentType: string;
  /** Encoded once, so that a hit sends bytes without re-encoding the page. */
  body: Uint8Array<ArrayBuffer>;
  /** The same bytes gzipped once, for the clients that accept it (every browser). */
  gzip: Uint8Array<ArrayBuffer>;
  /** Headers of the page that must come back with it (the CSP with this page's hashes). */
  headers: Record<string, string>;
}

/** Response headers kept with a cached page; the others are per response (date, request id). */
export const KEPT_HEADERS = ['content-security-policy'];

/** Pages whose content depends only on the URL (the visitor's, with its /en) and the catalogue data. */
const CACHEABLE = /^(?:\/en)?(?:\/|\/offres|\/offres\/[^/]+|\/territoires\/[^/]+)?$/;

export const isCacheablePath = (pathname: string) => CACHEABLE.test(pathname);

/** Read on every cacheable request, so straight through the driver (no query building). */
export async function catalogueVersion(db: Db): Promise<number> {
  const rs = await db.$client.execute("SELECT version FROM data_versions WHERE name = 'catalogue'");
  return Number(rs.rows[0]?.[0] ?? 0);
}

export const acceptsGzip = (request: Request) => /\bgzip\b/.test(request.headers.get('Accept-Encoding') ?? '');

/** The response for a cached page, compressed when the client accepts it. */
export function cachedResponse(page: CachedPage, request: Request, headers: Record<string, string> = {}): Response {
  const gzip = acceptsGzip(request);
  return new Response(gzip ? page.gzip : page.body, {
    status: page.status,
    headers: {
      ...page.headers,
      'Content-Type': page.contentType,
      Vary: 'Accept-Encoding',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      ...headers,
    },
  });
}

/** A least-recently-used map bounded by entries and by bytes. */
export class PageCache {
  private entries = new Map<string, CachedPage>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(maxEntries = 1000, maxBytes = 64 * 1024 * 1024) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  get(key: string): CachedPage | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, page: CachedPage): void {
    const size = page.body.byteLength + page.gzip.byteLength;
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.byteLength + old.gzip.byteLength;
      this.entries.delete(key);
    }
    this.entries.set(key, page);
    this.bytes += size;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedPage];
      this.entries.delete(oldestKey);
      this.bytes -= oldest.body.byteLength + oldest.gzip.byteLength;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
