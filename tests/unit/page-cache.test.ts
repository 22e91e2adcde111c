import { eq, isNotNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  candidates,
  communeCoverage,
  departmentCoverage,
  offerPhotos,
  offers,
  territories,
} from '../../db/schema/index.ts';
import type { Db } from '../../db/client.ts';
import {
  cachedResponse,
  catalogueVersion,
  gzipPage,
  isCacheablePath,
  PageCache,
  pageVersions,
  type CachedPage,
  perCatalogueVersion,
} from '../../src/server/cache/page-cache.ts';
import { testDb } from '../helpers/db.ts';
import { gzipSync, gunzipSync } from 'node:zlib';

const page = (text: string): CachedPage => {
  const body = new TextEncoder().encode(text);
  return {
    status: 200,
    contentType: 'text/html',
    body,
    gzip: new Uint8Array(gzipSync(body)),
    headers: { 'content-security-policy': "script-src 'self'" },
  };
};

/** Whether the catalogue version moved since the last call (or since the watch began). */
async function versionWatch(db: Db): Promise<() => Promise<boolean>> {
  let version = await catalogueVersion(db);
  return async () => {
    const next = await catalogueVersion(db);
    const moved = next > version;
    version = next;
    return moved;
  };
}

describe('page cache', () => {
  it('gzips a page off the event loop, to the same bytes once inflated', async () => {
    const body = new TextEncoder().encode('<p>é</p>'.repeat(5000));
    const gz = await gzipPage(body);
    expect(gz.byteLength).toBeLessThan(body.byteLength / 20);
    expect(new Uint8Array(gunzipSync(gz))).toEqual(body);
  });

  it('caches only the public catalogue pages', () => {
    for (const p of [
      '/',
      '/en',
      '/offres',
      '/en/offres',
      '/offres/12-maison',
      '/territoires/32',
      '/en/territoires/50',
      '/impact',
      '/en/impact',
    ])
      expect(isCacheablePath(p), p).toBe(true);
    for (const p of [
      '/healthz',
      '/api/v1/offres',
      '/compte',
      '/agent',
      '/offres/12/photos',
      '/photos/1-640.webp',
      '/ping',
      '/impact/carte.png',
    ])
      expect(isCacheablePath(p), p).toBe(false);
  });

  it('evicts the least recently used pages beyond its limits', () => {
    const cache = new PageCache(2);
    cache.set('a', page('a'));
    cache.set('b', page('b'));
    cache.get('a');
    cache.set('c', page('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.size).toBe(2);
    const small = new PageCache(100, 200);
    small.set('big', page('x'.repeat(1000)));
    expect(small.size).toBe(0);
  });

  it('stores a page from its second request, remembering a bounded number of first ones', () => {
    const cache = new PageCache(2);
    expect(cache.admits('/offres?q=a')).toBe(false);
    expect(cache.admits('/offres?q=a')).toBe(true);
    // Twenty keys asked once push the oldest out of memory: asked again, it is a first time.
    expect(cache.admits('/offres?q=b')).toBe(false);
    for (let i = 0; i < 20; i++) cache.admits(`/offres?page=${i}`);
    expect(cache.admits('/offres?q=b')).toBe(false);
    expect(cache.admits('/offres?q=b')).toBe(true);
  });

  it('answers gzip to clients that accept it', async () => {
    const p = page('<p>bonjour</p>');
    const zipped = cachedResponse(p, new Request('http://x/', { headers: { 'Accept-Encoding': 'gzip, br' } }));
    expect(zipped.headers.get('Content-Encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe('<p>bonjour</p>');
    const plain = cachedResponse(p, new Request('http://x/'));
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    expect(await plain.text()).toBe('<p>bonjour</p>');
    expect(plain.headers.get('Vary')).toBe('Accept-Encoding');
    expect(plain.headers.get('Content-Security-Policy')).toBe("script-src 'self'");
  });

  it('sees every change to what catalogue pages show through the data version', async () => {
    const { db } = await testDb();
    const changed = await versionWatch(db);
    await db.update(offers).set({ title: 'Nouveau titre' }).where(eq(offers.id, 1));
    expect(await changed()).toBe(true);
    await db.delete(offerPhotos).where(eq(offerPhotos.offerId, 2));
    expect(await changed()).toBe(true);
    await db.update(territories).set({ accentColor: '#123456' }).where(eq(territories.code, '32'));
    expect(await changed()).toBe(true);
    await db.update(communeCoverage).set({ ftthShare: 0.5 }).where(eq(communeCoverage.communeCode, '32013'));
    expect(await changed()).toBe(true);
    await db.update(departmentCoverage).set({ ftthShare: 0.5 }).where(eq(departmentCoverage.departmentCode, '32'));
    expect(await changed()).toBe(true);
    expect(await changed()).toBe(false);
  });

  it('keys pages by both versions they show: a settled family moves one, an offer the other', async () => {
    const { db } = await testDb();
    const before = await pageVersions(db);
    expect(before.catalogue).toBe(await catalogueVersion(db));
    const [settled] = await db
      .select({ id: candidates.id, size: candidates.settledHouseholdSize })
      .from(candidates)
      .where(isNotNull(candidates.firstSettledAt))
      .limit(1);
    await db
      .update(candidates)
      .set({ settledHouseholdSize: (settled!.size ?? 1) + 1 })
      .where(eq(candidates.id, settled!.id));
    const afterSettled = await pageVersions(db);
    expect(afterSettled).toEqual({ catalogue: before.catalogue, settlements: before.settlements + 1 });
    await db.update(offers).set({ title: 'Nouveau titre' }).where(eq(offers.id, 1));
    expect(await pageVersions(db)).toEqual({ catalogue: before.catalogue + 1, settlements: afterSettled.settlements });
  });

  it('is not moved by offers visitors cannot see: drafts and their photos', async () => {
    const { db } = await testDb();
    const changed = await versionWatch(db);
    const [photo] = await db.select().from(offerPhotos).where(eq(offerPhotos.offerId, 2)).limit(1);
    // Offer 2 back to a draft never published: visitors lose it, so this moves the version.
    await db.update(offers).set({ status: 'draft', publishedAt: null }).where(eq(offers.id, 2));
    expect(await changed()).toBe(true);
    await db.update(offers).set({ title: 'Brouillon retouché' }).where(eq(offers.id, 2));
    await db.delete(offerPhotos).where(eq(offerPhotos.id, photo!.id));
    await db.insert(offerPhotos).values(photo!);
    await db.update(offerPhotos).set({ alt: 'Autre texte' }).where(eq(offerPhotos.id, photo!.id));
    expect(await changed()).toBe(false);
    // Published, then withdrawn: its 410 page shows its commune, so a change to it still counts.
    await db
      .update(offers)
      .set({ status: 'published', publishedAt: '2026-11-01T00:00:00.000Z' })
      .where(eq(offers.id, 2));
    expect(await changed()).toBe(true);
    await db.update(offerPhotos).set({ alt: 'Texte public' }).where(eq(offerPhotos.id, photo!.id));
    expect(await changed()).toBe(true);
    await db.update(offers).set({ status: 'archived' }).where(eq(offers.id, 2));
    expect(await changed()).toBe(true);
    await db.update(offers).set({ communeCode: '32107' }).where(eq(offers.id, 2));
    expect(await changed()).toBe(true);
  });
});

describe('perCatalogueVersion', () => {
  it('reads again only when the catalogue changed', async () => {
    const { db } = await testDb();
    let reads = 0;
    const names = perCatalogueVersion(async (d) => {
      reads++;
      return (await d.select({ name: territories.name }).from(territories)).map((t) => t.name);
    });
    const first = await names(db);
    expect(await names(db)).toBe(first);
    expect(reads).toBe(1);
    await db.update(territories).set({ name: 'Gers (renommé)' }).where(eq(territories.code, '32'));
    expect(await names(db)).toContain('Gers (renommé)');
    expect(reads).toBe(2);
    // A query builder (a thenable that runs at each await) is read once too.
    const codes = perCatalogueVersion((d) => d.select({ code: territories.code }).from(territories));
    expect(await codes(db)).toBe(await codes(db));
  });
});
