// Journey: a visitor lands on the home page, reads the key figures and searches.
import { expect, test } from './fixtures.ts';

test('home shows key figures from the database and searches offers', async ({ page, portal, axe }) => {
  await page.goto('/');
  await expect(page).toHaveTitle(/Campagne Connectée/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');

  const counts = await portal.sql.execute(
    "SELECT sum(kind = 'home') AS homes, sum(kind = 'tiers_lieu') AS tl FROM offers WHERE status = 'published'",
  );
  const homes = Number(counts.rows[0]!.homes);
  const tiersLieux = Number(counts.rows[0]!.tl);
  await expect(page.locator('[data-figure="homes"]')).toHaveText(String(homes));
  await expect(page.locator('[data-figure="tiers-lieux"]')).toHaveText(String(tiersLieux));
  await expect(page.locator('[data-figure="territories"]')).toHaveText('2');
  await expect(page.getByRole('heading', { name: /Gers/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Manche/ })).toBeVisible();
  await axe(page);

  await page.getByRole('combobox', { name: 'Territoire' }).selectOption('32');
  await page.getByRole('button', { name: 'Voir les offres' }).click();
  await expect(page).toHaveURL(/\/offres\?.*territoire=32/);
  await expect(page).toHaveURL(/fibre=1/);
  const cards = page.locator('[data-offer-id]');
  await expect(cards.first()).toBeVisible();
  for (const card of await cards.all()) {
    await expect(card).toHaveAttribute('data-territory', '32');
    await expect(card).toHaveAttribute('data-fibre', 'available');
  }
});

test('the English home page is under /en/ with lang="en" and a way back to French', async ({ page, axe }) => {
  await page.goto('/en/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Move to the countryside and keep your fibre');
  await axe(page);
  await page.getByRole('link', { name: 'Français' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
});

test('healthz reports the database, migrations and the search index', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ db: 'ok', migrations: 'applied', searchIndex: expect.any(Number) });
});

test('an unknown page is a localized 404', async ({ page }) => {
  const fr = await page.goto('/nulle-part');
  expect(fr?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
  const en = await page.goto('/en/nowhere');
  expect(en?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  // A short page keeps its footer at the bottom of the window, at both widths.
  for (const [width, height] of [
    [360, 1400],
    [1280, 1000],
  ] as const) {
    await page.setViewportSize({ width, height });
    const footer = await page.locator('footer.site-footer').boundingBox();
    expect(Math.round(footer!.y + footer!.height)).toBe(height);
  }
});
