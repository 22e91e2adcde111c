// A cache of rendered public pages (search, offer, territory, home, /impact) for visitors
// without a session. Exact, not time-based: entries are keyed by the catalogue's and the
// settled families' data versions, which database triggers bump on every change (migrations
// 0005 and 0051), so every server process sees a change at once — even processes on other
// machines sharing a libSQL server.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from '../../../db/client.ts';

const gzipAsync = promisify(gzip);

/**
 * A page's bytes gzipped on libuv's thread pool, not on the event loop: a cache miss no
 * longer holds every other request for the ~1 ms that compressing 100 KB takes. Level 4:
 * for a page of 20 results (41 KB), 0.19 ms and 8.1 KB against 0.30 ms and 7.9 KB at
 * zlib's default 6 (every page entering the cache pays it — a URL's second request; its
 * first is sent as rendered —, and 200 more bytes cost a phone nothing).
 */
export async function gzipPage(body: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await gzipAsync(body, { level: 4 }));
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

/**
 * Pages whose content depends only on the URL (the visitor's, with its /en), the catalogue
 * and the settled families (the home page's line, /impact): `pageVersions`.
 */
const CACHEABLE = /^(?:\/en)?(?:\/|\/offres|\/offres\/[^/]+|\/territoires\/[^/]+|\/impact)?$/;

export const isCacheablePath = (pathname: string) => CACHEABLE.test(pathname);

/** The catalogue version a cacheable GET read once for everything it renders. */
const requestVersion = new AsyncLocalStorage<{ db: Db; version: number }>();

/**
 * A data version that triggers move (`data_versions`: 'catalogue', migrations 0005 and 0049;
 * 'settlements', 0051). Read on every cacheable request, so straight through the driver.
 */
export async function dataVersion(db: Db, name: 'catalogue' | 'settlements'): Promise<number> {
  return (await pageVersions(db))[name];
}

/** The versions a cacheable page is a function of, in one read: its cache key holds both. */
export async function pageVersions(db: Db): Promise<{ catalogue: number; settlements: number }> {
  const rs = await db.$client.execute(
    "SELECT name, version FROM data_versions WHERE name IN ('catalogue', 'settlements')",
  );
  const of = (name: string) => Number(rs.rows.find((r) => r[0] === name)?.[1] ?? 0);
  return { catalogue: of('catalogue'), settlements: of('settlements') };
}

/** The catalogue's version; within `withCatalogueVersion`, the one that request already read. */
export async function catalogueVersion(db: Db): Promise<number> {
  const known = requestVersion.getStore();
  if (known?.db === db) return known.version;
  return dataVersion(db, 'catalogue');
}

/**
 * Runs `render` with `version` as the catalogue version of every read it makes: a page
 * (its cache key, the search index, the territories) is of one version, read once. Only
 * for requests that write nothing to the catalogue (the page cache's GETs).
 */
export function withCatalogueVersion<T>(db: Db, version: number, render: () => T): T {
  return requestVersion.run({ db, version }, render);
}

/** `load` kept per database and per `versionOf` it: read again only once that moved. */
function keptPerVersion<T>(
  versionOf: (db: Db) => Promise<number | string>,
  load: (db: Db) => Promise<T>,
): (db: Db) => Promise<T> {
  const kept = new WeakMap<Db, { version: number | string; value: Promise<T> }>();
  return async (db) => {
    const version = await versionOf(db);
    let entry = kept.get(db);
    if (!entry || entry.version !== version) {
      // A real promise: drizzle's queries are thenables that run again at every await.
      entry = { version, value: Promise.resolve(load(db)) };
      kept.set(db, entry);
      // A failed read is not kept.
      entry.value.catch(() => kept.delete(db));
    }
    return entry.value;
  };
}

/**
 * `load` kept per database and catalogue version: catalogue data that every page reads
 * (the territories) is read again only when the catalogue changed.
 */
export const perCatalogueVersion = <T>(load: (db: Db) => Promise<T>) => keptPerVersion(catalogueVersion, load);

/**
 * `load` kept per database and both versions (`pageVersions`): figures of the settled
 * families per territory, read again when a file or a territory changed.
 */
export const perPageVersions = <T>(load: (db: Db) => Promise<T>) =>
  keptPerVersion(async (db) => {
    const { catalogue, settlements } = await pageVersions(db);
    return `${catalogue}|${settlements}`;
  }, load);

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
  /** Keys asked once and not stored, oldest first. */
  private seen = new Map<string, true>();

  constructor(maxEntries = 1000, maxBytes = 64 * 1024 * 1024) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /**
   * Whether a page that missed should be stored: from its second request on (as nginx's
   * proxy_cache_min_uses 2). A search asked once — most fresh searches — is sent as it is
   * rendered, without being buffered, compressed and stored for nobody; a page asked
   * again is kept. Remembers the last 10 × maxEntries keys asked once.
   */
  admits(key: string): boolean {
    if (this.seen.delete(key)) return true;
    this.seen.set(key, true);
    if (this.seen.size > this.maxEntries * 10) this.seen.delete(this.seen.keys().next().value!);
    return false;
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
