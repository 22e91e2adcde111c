// /api: the open-data API's page, rendered on the server from the OpenAPI document, in both
// languages, accessible; and the API itself over HTTP (CORS, problem+json, odd URLs).
import { expect, sitemapText, test } from './fixtures.ts';

for (const [path, title, endpoints] of [
  ['/api', 'API et données ouvertes', 'Points d’accès'],
  ['/en/api', 'API and open data', 'Endpoints'],
] as const) {
  test(`${path} documents every endpoint from the OpenAPI document`, async ({ page, axe }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: endpoints })).toBeVisible();
    const doc = await (await page.request.get(`/api/v1/openapi.json?lang=${path === '/api' ? 'fr' : 'en'}`)).json();
    for (const [p, { get }] of Object.entries(doc.paths) as Array<[string, { get: { summary: string } }]>) {
      await expect(page.getByRole('heading', { level: 2, name: get.summary, exact: true })).toBeVisible();
      await expect(page.getByText(`GET /api/v1${p}`, { exact: true }).first()).toBeVisible();
    }
    await expect(page.getByRole('link', { name: 'Licence Ouverte 2.0' })).toBeVisible();
    // The type of every problem is a section of this page.
    for (const id of ['invalid-parameters', 'not-found', 'rate-limited', 'method-not-allowed'])
      await expect(page.locator(`#${id}`)).toBeVisible();
    // No script of its own: the page is plain HTML.
    expect(await page.locator('script[type="module"]').count()).toBe(0);
    await axe(page);
  });
}

test('the footer links to /api, and the sitemap lists it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('contentinfo').getByRole('link', { name: 'API et données ouvertes' }).click();
  await expect(page).toHaveURL(/\/api$/);
  const sitemap = await sitemapText(page.request);
  expect(sitemap).toMatch(/<loc>[^<]*\/api<\/loc>/);
  expect(sitemap).toMatch(/<loc>[^<]*\/en\/api<\/loc>/);
});

test('the API over HTTP: CORS, 304, problem+json, no 500 for odd URLs', async ({ request }) => {
  const ok = await request.get('/api/v1/offres?limit=2', { headers: { Origin: 'https://example.org' } });
  expect(ok.status()).toBe(200);
  expect(ok.headers()['access-control-allow-origin']).toBe('*');
  expect(ok.headers()['ratelimit-policy']).toMatch(/^"api";q=\d+;w=\d+$/);
  const again = await request.get('/api/v1/offres?limit=2', { headers: { 'If-None-Match': ok.headers()['etag']! } });
  expect(again.status()).toBe(304);
  const preflight = await request.fetch('/api/v1/offres', {
    method: 'OPTIONS',
    headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' },
  });
  expect(preflight.status()).toBe(204);
  expect(preflight.headers()['access-control-allow-methods']).toContain('GET');
  for (const url of [
    '/api/v1/offres?fibre=1&fibre=1',
    '/api/v1/offres?commune=%E0%A4%A',
    '/api/v1/offres?q=%FF%FE%FD',
    `/api/v1/offres?prix_max=${'9'.repeat(3000)}`,
    '/api/v1/nulle/part',
    '/api/v1/couverture/%FF',
  ]) {
    const r = await request.get(url);
    expect(r.status(), url).toBeLessThan(500);
    expect(r.headers()['content-type'], url).toMatch(/^application\/problem\+json/);
  }
});
