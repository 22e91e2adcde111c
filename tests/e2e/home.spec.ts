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
  // How it works, in three steps, and the way to start.
  const steps = page.getByRole('region', { name: 'Comment ça marche' }).getByRole('listitem');
  await expect(steps).toHaveCount(3);
  await expect(steps.getByRole('heading')).toHaveText(['1. Trouver', '2. Visiter', '3. S’installer']);
  await expect(page.getByRole('link', { name: 'Démarrer mon projet' })).toHaveAttribute('href', '/projet');
  // A few homes with fibre.
  const featured = page.getByRole('region', { name: 'Des logements avec la fibre' }).locator('[data-offer-id]');
  await expect(featured).toHaveCount(4);
  const ids = await featured.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offer-id'))));
  const kinds = await portal.sql.execute(
    `SELECT DISTINCT kind, fibre_status FROM offers WHERE id IN (${ids.join(',')}) AND status = 'published'`,
  );
  expect(kinds.rows.map((r) => [r.kind, r.fibre_status])).toEqual([['home', 'available']]);
  // Settled families, as /impact counts them (never fewer than five).
  const settled = await portal.sql.execute(
    `SELECT count(*) AS n, sum(settled_household_size) AS persons FROM candidates
     WHERE territory_code IS NOT NULL AND first_settled_at IS NOT NULL AND merged_into_id IS NULL`,
  );
  const families = Number(settled.rows[0]!.n);
  expect(families).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('families-line')).toContainText(`${families} familles se sont déjà installées`);
  await expect(page.getByTestId('families-line')).toContainText(`${Number(settled.rows[0]!.persons)} personnes`);
  const gers = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Gers (32)' }) });
  const gersFamilies = await portal.sql.execute(
    `SELECT count(*) AS n FROM candidates WHERE territory_code = '32' AND first_settled_at IS NOT NULL AND merged_into_id IS NULL`,
  );
  await expect(gers.locator('dd').nth(1)).toHaveText(String(gersFamilies.rows[0]!.n));
  await axe(page);

  await page.getByRole('combobox', { name: 'Territoire' }).selectOption('32');
  await page.getByRole('button', { name: 'Voir les offres' }).click();
  await expect(page).toHaveURL(/\/offres\?.*territoire=32/);
  await expect(page).toHaveURL(/fibre=1/);
  const cards = page.locator('[data-offer-id]');
  await expect(cards.first()).toBeVisible();
  for (const card of await cards.all()) {
    await expect(card.locator('.place')).toContainText('(32)');
    await expect(card.locator('.fibre')).toHaveText('Fibre disponible');
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

test('on a phone the header holds on one line and its links open from a menu button, without JavaScript', async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  await page.goto('/offres');
  const bar = (await page.locator('header.site-header').boundingBox())!;
  expect(bar.height).toBeLessThan(80);
  const signIn = page
    .getByRole('navigation', { name: 'Navigation principale' })
    .getByRole('link', { name: 'Connexion' });
  await expect(signIn).toBeHidden();
  await page.getByText('Menu', { exact: true }).click();
  await expect(signIn).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await signIn.click();
  await expect(page).toHaveURL(/\/connexion/);
  // Wide, the links are in the bar and the button is gone.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByText('Menu', { exact: true })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Logements et tiers-lieux' })).toBeVisible();
  await context.close();
});
