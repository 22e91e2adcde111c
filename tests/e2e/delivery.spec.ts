// How the built portal delivers /offres (decision 020): scripts and styles precompressed,
// no map styles before the map opens, the first photo fetched first, photos kept a year at
// addresses holding their version.
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { expect, test } from './fixtures.ts';

/** The raw answer (not decoded, as fetch and Playwright would). */
function raw(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

test('scripts come precompressed, with the bytes of the built file', async ({ page, portal }) => {
  const scripts: string[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script' && r.url().includes('/_astro/')) scripts.push(r.url());
  });
  // Narrower than the side-by-side layout, the map waits for its button.
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.goto('/offres');
  await page.locator('form[data-hydrated="true"]').waitFor();
  expect(scripts.length).toBeGreaterThan(0);
  // Leaflet's styles wait for the map; no page links them (they would block its first paint).
  await expect(page.locator('link[rel="stylesheet"][href*="map-view"]')).toHaveCount(0);
  expect(await (await page.request.get('/offres')).text()).not.toContain('map-view');

  const url = scripts[0]!;
  const plain = await raw(url, {});
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.headers['vary']).toBe('Accept-Encoding');
  const br = await raw(url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers['vary']).toBe('Accept-Encoding');
  expect(br.headers['content-type']).toMatch(/^text\/javascript/);
  expect(brotliDecompressSync(br.body)).toEqual(plain.body);
  const gz = await raw(url, { 'accept-encoding': 'gzip' });
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(gz.body)).toEqual(plain.body);
  expect(br.body.byteLength).toBeLessThan(plain.body.byteLength);
  expect(portal.url).toBeTruthy();
});

test('the first card’s photo is fetched first; photos are kept a year at their versioned address', async ({
  page,
  request,
}) => {
  await page.goto('/offres');
  const photos = page.locator('[data-testid="results"] img');
  await expect(photos.first()).toHaveAttribute('loading', 'eager');
  await expect(photos.first()).toHaveAttribute('fetchpriority', 'high');
  await expect(photos.nth(1)).toHaveAttribute('loading', 'lazy');
  await expect(photos.nth(1)).not.toHaveAttribute('fetchpriority', /./);

  const src = (await photos.first().getAttribute('src'))!;
  expect(src).toMatch(/^\/photos\/\d+-640\.[\w-]{10}\.webp$/);
  const versioned = await request.get(src);
  expect(versioned.status()).toBe(200);
  expect(versioned.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  // The address without a version (the API's) and a stale version: a day only, same image.
  for (const other of [src.replace(/\.[\w-]{10}\.webp$/, '.webp'), src.replace(/\.[\w-]{10}\./, '.AAAAAAAAAA.')]) {
    const res = await request.get(other);
    expect(res.headers()['cache-control'], other).toBe('public, max-age=86400');
    expect(await res.body()).toEqual(await versioned.body());
  }
});
