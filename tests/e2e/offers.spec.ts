// Journey: a teleworker lists offers and keeps only those with fibre, with and without JavaScript.
import type { Page } from '@playwright/test';
import { expect, test, type Portal } from './fixtures.ts';

async function expectedCount(portal: Portal, where: string): Promise<number> {
  const rs = await portal.sql.execute(`SELECT count(*) AS n FROM offers WHERE status = 'published' AND ${where}`);
  return Number(rs.rows[0]!.n);
}

/** Every card says what it must: fibre available and, if given, its département's code. */
async function expectEveryCard(page: Page, territory?: string) {
  const cards = page.locator('[data-offer-id]');
  expect(await cards.count()).toBeGreaterThan(0);
  for (const card of await cards.all()) {
    await expect(card.locator('.fibre')).toHaveClass('fibre fibre--available');
    if (territory) await expect(card.locator('.place')).toContainText(`(${territory})`);
  }
}

test('lists published offers with their connectivity label', async ({ page, portal, axe }) => {
  await page.goto('/offres');
  const total = await expectedCount(portal, '1');
  await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(total));
  const cards = page.locator('[data-offer-id]');
  await expect(cards).toHaveCount(20);
  for (const card of await cards.all()) {
    await expect(card.getByRole('img', { name: /^Étiquette connectivité [A-G]$/ })).toBeVisible();
  }
  // The letter in the badge's own weight (a bare <b> would be bolder than the badge).
  const weights = await page
    .locator('.badge')
    .first()
    .evaluate((badge) => [badge, badge.querySelector('b')!].map((e) => getComputedStyle(e).fontWeight));
  expect(weights).toEqual(['700', '700']);
  await axe(page);
});

test('the fibre filter applies as soon as it is ticked (JavaScript)', async ({ page, portal, axe }) => {
  await page.goto('/offres');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await page.getByLabel('Fibre disponible uniquement').check();
  await expect(page).toHaveURL(/[?&]fibre=1/);
  const fibre = await expectedCount(portal, "fibre_status = 'available'");
  await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(fibre));
  await expectEveryCard(page);
  await axe(page);

  await page.getByLabel('Territoire').selectOption('50');
  await expect(page).toHaveURL(/territoire=50/);
  const both = await expectedCount(portal, "fibre_status = 'available' AND territory_code = '50'");
  await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(both));
  await expectEveryCard(page, '50');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the filter form works as a plain GET form', async ({ page, portal }) => {
    await page.goto('/offres');
    await page.getByLabel('Fibre disponible uniquement').check();
    await page.getByLabel('Territoire').selectOption('32');
    await page.getByRole('button', { name: 'Appliquer les filtres' }).click();
    await expect(page).toHaveURL(/fibre=1/);
    await expect(page).toHaveURL(/territoire=32/);
    const expected = await expectedCount(portal, "fibre_status = 'available' AND territory_code = '32'");
    await expect(page.locator('[data-total]')).toHaveAttribute('data-total', String(expected));
    await expectEveryCard(page, '32');
  });
});

test('invalid filters are named next to the form, never a 500', async ({ page }) => {
  const res = await page.goto('/offres?fibre=oui&territoire=99&page=abc');
  expect(res?.status()).toBe(400);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Le territoire « 99 » ne fait pas partie du programme.');
  await expect(alert).toContainText('Ce filtre accepte seulement la valeur 1.');
  // The page is no field of the form: never named.
  await expect(alert).not.toContainText('numéro de page');
  await expect(page.getByLabel('Territoire')).toHaveAttribute('aria-invalid', 'true');
});

test('a page number out of range shows the first or the last page, never an error', async ({ page }) => {
  for (const asked of ['0', '-1', 'abc']) {
    const res = await page.goto(`/offres?page=${asked}`);
    expect(res?.status(), asked).toBe(200);
    await expect(page.getByRole('alert')).toHaveCount(0);
  }
  const res = await page.goto('/offres?territoire=32&page=9999');
  expect(res?.status()).toBe(200);
  await expect(page.locator('.offer-card').first()).toBeVisible();
  await expect(page.getByText(/^Page (\d+) sur \1$/)).toBeVisible();
});

test('English results keep the filters when switching language', async ({ page, axe }) => {
  await page.goto('/offres?fibre=1&territoire=32');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/en\/offres\?fibre=1&territoire=32$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByLabel('Fibre available only')).toBeChecked();
  await expectEveryCard(page);
  await axe(page);
});

test('English pages show an offer’s English title where it has one, the French one otherwise', async ({
  page,
  portal,
}) => {
  const rows = (
    await portal.sql.execute(
      `SELECT id, title, title_en FROM offers WHERE status = 'published' AND kind = 'home' AND title_en IS NOT NULL
       ORDER BY id LIMIT 1`,
    )
  ).rows;
  const home = rows[0]!;
  await page.goto(`/en/offres?q=${encodeURIComponent(String(home.title))}`);
  const card = page.locator(`#offre-${home.id}`);
  await expect(card.getByRole('heading')).toHaveText(String(home.title_en));
  await card.getByRole('link', { name: String(home.title_en) }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(String(home.title_en));
  await expect(page).toHaveTitle(new RegExp(`^${String(home.title_en)}`));
  // The French page keeps the French title; the API gives both.
  await page.goto(`/offres?q=${encodeURIComponent(String(home.title))}`);
  await expect(page.locator(`#offre-${home.id}`).getByRole('heading')).toHaveText(String(home.title));
  const api = await (await page.request.get(`/api/v1/offres?q=${encodeURIComponent(String(home.title))}`)).json();
  expect(api.items.find((o: { id: number }) => o.id === home.id)).toMatchObject({
    title: home.title,
    titleEn: home.title_en,
  });
  // A tiers-lieu keeps its name on English pages.
  const tl = (
    await portal.sql.execute(`SELECT id, title FROM offers WHERE status = 'published' AND kind = 'tiers_lieu' LIMIT 1`)
  ).rows[0]!;
  await page.goto(`/en/offres?type=tiers-lieu&q=${encodeURIComponent(String(tl.title))}`);
  await expect(page.locator(`#offre-${tl.id}`).getByRole('heading')).toHaveText(String(tl.title));
});

test('no public output gives an offer’s exact point or street address: API, map, page, JSON-LD', async ({
  request,
  portal,
}) => {
  const rs = await portal.sql.execute(
    "SELECT id, slug, lat, lng, public_lat, public_lng, address FROM offers WHERE status = 'published' AND territory_code = '32'",
  );
  const byId = new Map(rs.rows.map((r) => [Number(r.id), r]));

  // The JSON API and the map's GeoJSON: the public point of every offer.
  const api = await (await request.get('/api/v1/offres?territoire=32')).json();
  const items = api.items as Array<{ id: number; lat: number; lng: number }>;
  expect(items.length).toBeGreaterThan(5);
  for (const i of items) {
    const o = byId.get(i.id)!;
    expect([i.lat, i.lng]).toEqual([Number(o.public_lat), Number(o.public_lng)]);
    expect([i.lat, i.lng]).not.toEqual([Number(o.lat), Number(o.lng)]);
    expect(JSON.stringify(i)).not.toContain('address');
  }
  const geo = await (await request.get('/api/v1/offres.geojson?territoire=32')).json();
  const features = geo.features as Array<{ properties: { id: number }; geometry: { coordinates: [number, number] } }>;
  expect(features.length).toBe(byId.size);
  for (const f of features) {
    const o = byId.get(f.properties.id)!;
    expect(f.geometry.coordinates).toEqual([Number(o.public_lng), Number(o.public_lat)]);
  }

  // An offer's page and its JSON-LD: neither its street address nor its exact point.
  const o = rs.rows.find((r) => r.address)!;
  const html = await (await request.get(`/offres/${o.id}-${o.slug}`)).text();
  expect(html).not.toContain(String(o.address));
  expect(html).not.toContain(String(o.lat));
  expect(html).not.toContain(String(o.lng));
  const ld = JSON.parse(/<script type="application\/ld\+json"[^>]*>(.*?)<\/script>/s.exec(html)![1]!);
  const point = ld.geo ?? ld.itemOffered?.geo;
  expect([point.latitude, point.longitude]).toEqual([Number(o.public_lat), Number(o.public_lng)]);
});

test('an offer no longer online says so (410), with homes around it and its commune’s search; a draft stays unknown', async ({
  page,
  portal,
  axe,
}) => {
  const row = (
    await portal.sql.execute(
      `SELECT o.id, o.slug, o.title, o.commune_code, o."transaction", c.name AS commune FROM offers o
       JOIN communes c ON c.code = o.commune_code
       WHERE o.status = 'published' AND o.kind = 'home' AND o.territory_code = '32' ORDER BY o.id DESC LIMIT 1 OFFSET 5`,
    )
  ).rows[0]!;
  const url = `/offres/${String(row.id)}-${String(row.slug)}`;
  await portal.sql.execute({ sql: "UPDATE offers SET status = 'archived' WHERE id = ?", args: [Number(row.id)] });
  try {
    const res = await page.goto(url);
    expect(res!.status()).toBe(410);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cette offre n’est plus en ligne');
    await expect(
      page.getByText(`L’offre que vous cherchez, à ${String(row.commune)}, a été retirée du site`),
    ).toBeVisible();
    // Nothing the owner typed: since it went offline, the row may hold an unmoderated edit.
    await expect(page.getByText(String(row.title))).toHaveCount(0);
    const transaction = row.transaction === 'sale' ? 'vente' : 'location';
    await expect(page.getByRole('link', { name: `Logements autour de ${String(row.commune)}` })).toHaveAttribute(
      'href',
      `/offres?commune=${String(row.commune_code)}&rayon=15&type=logement&transaction=${transaction}`,
    );
    await expect(page.getByRole('link', { name: 'Toutes les offres : Gers' })).toHaveAttribute(
      'href',
      '/offres?territoire=32',
    );
    // Other homes, published, nearest first; never the withdrawn one.
    const similar = page.locator('[data-nearby-id]');
    expect(await similar.count()).toBeGreaterThan(0);
    const ids = await similar.evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-nearby-id'))));
    expect(ids).not.toContain(Number(row.id));
    const placeholders = ids.map(() => '?').join(', ');
    const kinds = await portal.sql.execute({
      sql: `SELECT DISTINCT kind || ':' || status AS k FROM offers WHERE id IN (${placeholders})`,
      args: ids,
    });
    expect(kinds.rows.map((r) => r.k)).toEqual(['home:published']);
    const distances = await similar.evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-distance'))));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    await axe(page);

    // In English, its links stay in English; the search opens.
    expect((await page.goto(`/en${url}`))!.status()).toBe(410);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('This offer is no longer online');
    await page.getByRole('link', { name: `Homes around ${String(row.commune)}` }).click();
    await expect(page).toHaveURL(new RegExp(`/en/offres\\?commune=${String(row.commune_code)}&`));
    await expect(page.locator('[data-total]')).toBeVisible();
  } finally {
    await portal.sql.execute({ sql: "UPDATE offers SET status = 'published' WHERE id = ?", args: [Number(row.id)] });
  }
  // Never public (a draft, an owner's proposal): not found, nothing said of it.
  const draft = (
    await portal.sql.execute(
      "SELECT id, title FROM offers WHERE status <> 'published' AND published_at IS NULL LIMIT 1",
    )
  ).rows[0]!;
  const hidden = await page.goto(`/offres/${String(draft.id)}`);
  expect(hidden!.status()).toBe(404);
  await expect(page.getByText(String(draft.title))).toHaveCount(0);
});

test('an offer that its commune’s open data contradict says which source says what, with dates', async ({
  page,
  portal,
}) => {
  const rs = await portal.sql.execute(
    `SELECT o.id, c.ftth_share FROM offers o JOIN commune_coverage c ON c.commune_code = o.commune_code
     WHERE o.status = 'published' AND o.fibre_status = 'none' AND c.ftth_share >= 0.8 LIMIT 1`,
  );
  const id = Number(rs.rows[0]!.id);
  await page.goto(`/offres/${id}`);
  const note = page.locator('[data-disagreement="offer_none_commune_high"]');
  await expect(note).toContainText('Deux sources : l’annonce dit « Pas de fibre »');
  await expect(note).toContainText('février 2026');
  // Where they agree, nothing of the kind.
  const agree = await portal.sql.execute(
    `SELECT o.id FROM offers o JOIN commune_coverage c ON c.commune_code = o.commune_code
     WHERE o.status = 'published' AND o.fibre_status = 'available' AND c.ftth_share >= 0.8 LIMIT 1`,
  );
  await page.goto(`/offres/${Number(agree.rows[0]!.id)}`);
  await expect(page.locator('[data-disagreement]')).toHaveCount(0);
});

test('a territory’s Atom feed lists its newest offers, public data only', async ({ page, request, portal }) => {
  const newest = await portal.sql.execute(
    "SELECT id, title FROM offers WHERE status = 'published' AND territory_code = '32' ORDER BY published_at DESC, id DESC LIMIT 1",
  );
  const res = await request.get('/territoires/32/offres.atom');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
  const body = await res.text();
  expect(body).toContain('<title>Nouvelles offres — Gers</title>');
  expect(body).toContain(`/offres/${newest.rows[0]!.id}-`);
  expect(body).not.toMatch(/<lat>|address|adresse/i);
  // The territory page points to it.
  await page.goto('/territoires/32');
  await expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).toHaveAttribute(
    'href',
    '/territoires/32/offres.atom',
  );
});
