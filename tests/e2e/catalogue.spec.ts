// Journeys of the public catalogue: every filter against the database, with and without
// JavaScript, live updates with back/forward, commune autocomplete, map, detail and territory pages.
import type { Locator, Page } from '@playwright/test';
import { countOffers, expect, screenshots, sitemapText, test } from './fixtures.ts';

const total = (page: Page) => page.locator('#results [data-total]');
const cardIds = (page: Page) =>
  page
    .locator('#results [data-offer-id]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offer-id'))));

// Haversine in SQL, the test's own expression (not the app's).
const within = (lat: number, lng: number, km: number) =>
  `6371 * 2 * asin(sqrt(power(sin(radians(lat - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(lat)) * power(sin(radians(lng - ${lng}) / 2), 2))) <= ${km}`;

const filters: Array<[string, string]> = [
  ['fibre=1', "fibre_status = 'available'"],
  ['territoire=50', "territory_code = '50'"],
  ['type=tiers-lieu', "kind = 'tiers_lieu'"],
  ['type=logement&transaction=location', `kind = 'home' AND "transaction" = 'rent'`],
  ['transaction=vente', `kind = 'home' AND "transaction" = 'sale'`],
  ['debit_min=300', 'download_mbps >= 300'],
  ['upload_min=100', 'upload_mbps >= 100'],
  ['techno=adsl', "best_technology = 'adsl'"],
  ['mobile=5g', "mobile_coverage = '5g'"],
  ['mobile=4g', "mobile_coverage IN ('4g', '5g')"],
  ['prix_min=500&prix_max=1200', 'price BETWEEN 500 AND 1200'],
  ['surface_min=150', 'surface >= 150'],
  ['pieces_min=6', 'rooms >= 6'],
  ['tl_km=10', "kind = 'home' AND nearest_fibre_tiers_lieu_km <= 10"],
  ['ecole_km=2', "kind = 'home' AND school_km <= 2"],
  ['q=grange', "id IN (SELECT rowid FROM offers_fts WHERE offers_fts MATCH 'grange*')"],
  [
    'territoire=32&fibre=1&type=logement&prix_max=250000',
    "territory_code = '32' AND fibre_status = 'available' AND kind = 'home' AND price <= 250000",
  ],
];

// One test per filter (each loaded in two browsers), so that each stays within its budget.
for (const [qs, where] of filters) {
  test(`the filter ${qs} gives exactly the matching offers, with JavaScript and without`, async ({
    page,
    browser,
    portal,
  }) => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const plain = await noJs.newPage();
    const expected = await countOffers(portal, where);
    await page.goto(`/offres?${qs}`);
    await expect(total(page), qs).toHaveAttribute('data-total', String(expected));
    await plain.goto(`${portal.url}/offres?${qs}`);
    await expect(total(plain), qs).toHaveAttribute('data-total', String(expected));
    expect(await cardIds(plain), qs).toEqual(await cardIds(page));
    await noJs.close();
  });
}

test('a radius around a commune, sorted by distance', async ({ page, portal }) => {
  const auch = (await portal.sql.execute("SELECT lat, lng FROM communes WHERE code = '32013'")).rows[0]!;
  const expected = await countOffers(portal, within(Number(auch.lat), Number(auch.lng), 30));
  await page.goto('/offres?commune=32013&rayon=30&tri=distance');
  await expect(total(page)).toHaveAttribute('data-total', String(expected));
  const distances = await page.locator('#results .distance').allTextContents();
  const km = distances.map((d) => Number(/([\d,]+) km/.exec(d)![1]!.replace(',', '.')));
  expect(km.length).toBeGreaterThan(0);
  expect([...km].sort((a, b) => a - b)).toEqual(km);
  expect(Math.max(...km)).toBeLessThanOrEqual(30);
});

test('with homes chosen, the tiers-lieux of the same search are one link away, counted as they are', async ({
  page,
  portal,
}) => {
  const tiersLieux = await countOffers(portal, "territory_code = '32' AND kind = 'tiers_lieu'");
  expect(tiersLieux).toBeGreaterThan(0);
  // Renting is a home's filter: the tiers-lieux are counted without it.
  await page.goto('/offres?territoire=32&type=logement&transaction=location');
  const link = page.getByRole('link', { name: `Voir aussi ${tiersLieux} tiers-lieux` });
  await link.click();
  await expect(page).toHaveURL(/type=tiers-lieu/);
  await expect(page).not.toHaveURL(/transaction=/);
  await expect(total(page)).toHaveAttribute('data-total', String(tiersLieux));
});

test('filters apply in place as they change, and back/forward restore them', async ({ page, portal }) => {
  await page.goto('/offres');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await page.evaluate(() => ((window as unknown as { stay: number }).stay = 1));
  const all = await countOffers(portal, '1');

  await page.getByLabel('Fibre disponible uniquement').check();
  await expect(page).toHaveURL(/\/offres\?fibre=1$/);
  await expect(total(page)).toHaveAttribute(
    'data-total',
    String(await countOffers(portal, "fibre_status = 'available'")),
  );

  await page.getByRole('combobox', { name: 'Territoire' }).selectOption('32');
  await expect(page).toHaveURL(/fibre=1&territoire=32$/);
  await expect(total(page)).toHaveAttribute(
    'data-total',
    String(await countOffers(portal, "fibre_status = 'available' AND territory_code = '32'")),
  );

  await page.getByLabel('Prix maximum (€)').fill('900');
  await expect(page).toHaveURL(/prix_max=900/);
  await expect(total(page)).toHaveAttribute(
    'data-total',
    String(await countOffers(portal, "fibre_status = 'available' AND territory_code = '32' AND price <= 900")),
  );
  // The page was never reloaded.
  expect(await page.evaluate(() => (window as unknown as { stay?: number }).stay)).toBe(1);

  await page.goBack();
  await expect(page).toHaveURL(/fibre=1&territoire=32$/);
  await expect(page.getByLabel('Prix maximum (€)')).toHaveValue('');
  await page.goBack();
  await expect(page).toHaveURL(/\/offres\?fibre=1$/);
  await expect(page.getByRole('combobox', { name: 'Territoire' })).toHaveValue('');
  await page.goBack();
  await expect(total(page)).toHaveAttribute('data-total', String(all));
  await expect(page.getByLabel('Fibre disponible uniquement')).not.toBeChecked();
  await page.goForward();
  await expect(page.getByLabel('Fibre disponible uniquement')).toBeChecked();
  expect(await page.evaluate(() => (window as unknown as { stay?: number }).stay)).toBe(1);
});

test('rent or buy up front; applied filters are chips that remove themselves; clear all', async ({ page, portal }) => {
  await page.goto('/offres?territoire=32&fibre=1');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  const rentOrBuy = page.getByRole('group', { name: 'Location ou vente' });
  await expect(rentOrBuy.getByLabel('Les deux')).toBeChecked();
  await rentOrBuy.getByText('Location', { exact: true }).click();
  await expect(page).toHaveURL(/transaction=location/);
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
    territoire: '32',
    fibre: '1',
    transaction: 'location',
  });
  await expect(total(page)).toHaveAttribute(
    'data-total',
    String(
      await countOffers(portal, `territory_code = '32' AND fibre_status = 'available' AND "transaction" = 'rent'`),
    ),
  );
  const chips = page.getByRole('list', { name: 'Filtres appliqués' });
  await expect(chips.getByRole('link')).toHaveCount(3);
  for (const chip of ['Gers (32)', 'Fibre disponible uniquement', 'Location'])
    await expect(chips.getByRole('link', { name: `Retirer le filtre : ${chip}` })).toBeVisible();

  await chips.getByRole('link', { name: 'Retirer le filtre : Fibre disponible uniquement' }).click();
  await expect(page).not.toHaveURL(/fibre=/);
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ territoire: '32', transaction: 'location' });
  await expect(page.getByLabel('Fibre disponible uniquement')).not.toBeChecked();
  await expect(total(page)).toHaveAttribute(
    'data-total',
    String(await countOffers(portal, `territory_code = '32' AND "transaction" = 'rent'`)),
  );

  await page.getByRole('link', { name: 'Tout effacer' }).click();
  await expect(page).toHaveURL(/\/offres$/);
  await expect(rentOrBuy.getByLabel('Les deux')).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Territoire' })).toHaveValue('');
  await expect(total(page)).toHaveAttribute('data-total', String(await countOffers(portal, '1')));
  await expect(page.getByRole('list', { name: 'Filtres appliqués' })).toHaveCount(0);
});

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('“back to the results” returns to the same search and page, at the offer’s card', async ({ page }) => {
      await page.goto('/offres?territoire=32');
      if (javaScriptEnabled) await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
      await page.getByRole('link', { name: 'Page suivante' }).click();
      await expect(page).toHaveURL(/\/offres\?territoire=32&page=2$/);
      const card = page.locator('#results article').nth(4);
      const id = await card.getAttribute('data-offer-id');
      await card.getByRole('heading').getByRole('link').click();
      await expect(page).toHaveURL(new RegExp(`/offres/${id}-`));
      await page.getByRole('link', { name: 'Retour aux résultats' }).click();
      await expect(page).toHaveURL(new RegExp(`/offres\\?territoire=32&page=2#offre-${id}$`));
      await expect(page.locator(`#offre-${id}`)).toBeInViewport();
      // Opened from elsewhere, the page offers the whole catalogue instead.
      await page.goto(`/offres/${id}`);
      await expect(page.getByRole('link', { name: 'Tous les logements et tiers-lieux' })).toHaveAttribute(
        'href',
        '/offres',
      );
    });
  });
}

test('on a phone, the open filters keep a “See N offers” button in sight, which shows them', async ({
  page,
  portal,
}) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/offres');
  await expect(page.locator('form[data-hydrated="true"]')).toBeAttached();
  await page.locator('.filters-panel > summary').click();
  await page.getByLabel('Fibre disponible uniquement').check();
  const n = await countOffers(portal, "fibre_status = 'available'");
  const button = page.getByRole('button', { name: `Voir ${n} offres` });
  await expect(button).toBeInViewport();
  await button.click();
  await expect(page.locator('.filters-panel')).not.toHaveAttribute('open', '');
  await expect(page.locator('#results article').first()).toBeInViewport();
  await expect(total(page)).toHaveAttribute('data-total', String(n));
});

test('on a phone, the order and the filters’ button make one bar, the first offer on the first screen, also without JavaScript', async ({
  browser,
  portal,
}) => {
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 360, height: 740 } });
    try {
      const page = await context.newPage();
      await page.goto(`${portal.url}/offres?territoire=32&fibre=1`);
      if (javaScriptEnabled) await expect(page.locator('form[data-hydrated="true"]')).toBeAttached();
      // The disclosure's name says how many filters are set; its button and the order share a line.
      const filters = page.locator('.filters-panel > summary');
      const order = page.getByLabel('Trier par');
      await expect(filters).toHaveAccessibleName('Filtres (2 actifs)');
      await expect(filters).toBeInViewport();
      await expect(order).toBeInViewport();
      const [a, b] = [(await order.boundingBox())!, (await filters.boundingBox())!];
      expect(Math.abs(a.y - b.y)).toBeLessThan(4);
      await expect(page.locator('#results article').first()).toBeInViewport();
      // Folded: the other filters wait behind the button.
      await expect(page.getByText('Type d’offre')).toBeHidden();
      await filters.click();
      await page.locator('label[for="f-type-logement"]').click();
      const n = await countOffers(portal, "kind = 'home' AND territory_code = '32' AND fibre_status = 'available'");
      await page
        .getByRole('button', { name: javaScriptEnabled ? `Voir ${n} offres` : 'Appliquer les filtres' })
        .click();
      await expect(page).toHaveURL(/type=logement/);
      await expect(total(page)).toHaveAttribute('data-total', String(n));
      await expect(filters).toHaveAccessibleName('Filtres (3 actifs)');
      // Without JavaScript, a new order has its own button.
      await order.selectOption('prix');
      if (!javaScriptEnabled) await page.getByRole('button', { name: 'Trier', exact: true }).click();
      await expect(page).toHaveURL(/tri=prix/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    } finally {
      await context.close();
    }
  }
});

test('sorting by price never mixes monthly prices and sale prices', async ({ page, portal }) => {
  const ids: number[] = [];
  for (let n = 1; ; n++) {
    await page.goto(`/offres?territoire=32&tri=prix&page=${n}`);
    if (n === 1) await expect(page.getByText('Locations et prix au mois d’abord, puis les ventes.')).toBeVisible();
    ids.push(...(await cardIds(page)));
    if ((await page.locator('a[rel="next"]').count()) === 0) break;
  }
  const rows = (
    await portal.sql.execute(
      `SELECT id, "transaction" = 'sale' AS sale, price FROM offers WHERE status = 'published' AND territory_code = '32'`,
    )
  ).rows;
  expect(ids).toHaveLength(rows.length);
  const byId = new Map(rows.map((r) => [Number(r.id), { sale: Number(r.sale), price: r.price as number | null }]));
  const listed = ids.map((id) => byId.get(id)!);
  const firstSale = listed.findIndex((o) => o.sale === 1);
  expect(firstSale).toBeGreaterThan(0);
  expect(listed.slice(firstSale).every((o) => o.sale === 1)).toBe(true);
  for (const group of [listed.slice(0, firstSale), listed.slice(firstSale)]) {
    const prices = group.map((o) => o.price).filter((p): p is number => p !== null);
    expect(prices).toEqual(prices.toSorted((a, b) => a - b));
  }
});

test('the page loads, its map opens beside the list, and results update, without layout shift', async ({ page }) => {
  await page.goto('/offres');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  // Wide: the map's island wakes up after the page is shown; the list must not move for it.
  await expect(page.locator('#offer-map[data-state="ready"]')).toBeVisible();
  const onLoad = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let sum = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as unknown as Array<{ value: number }>) sum += entry.value;
        }).observe({ type: 'layout-shift', buffered: true });
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(sum)));
      }),
  );
  expect(onLoad).toBeLessThan(0.1);
  type Shifts = { cls: number; shifts: PerformanceObserver };
  await page.evaluate(() => {
    const w = window as unknown as Shifts;
    const add = (entries: PerformanceEntryList) => {
      for (const entry of entries as unknown as Array<{ value: number }>) w.cls += entry.value;
    };
    w.cls = 0;
    w.shifts = new PerformanceObserver((list) => add(list.getEntries()));
    w.shifts.observe({ type: 'layout-shift', buffered: false });
    (w as unknown as { addShifts: typeof add }).addShifts = add;
  });
  await page.getByRole('combobox', { name: 'Territoire' }).selectOption('50');
  await expect(page).toHaveURL(/territoire=50/);
  await expect(page.locator('#results')).not.toHaveAttribute('aria-busy', 'true');
  // Two frames rendered after the swap, then the shifts not yet delivered taken too: no timer.
  const cls = await page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const w = window as unknown as Shifts & { addShifts: (e: PerformanceEntryList) => void };
            w.addShifts(w.shifts.takeRecords());
            resolve(w.cls);
          }),
        ),
      ),
  );
  expect(cls).toBeLessThan(0.1);
});

test('the commune field suggests real communes, accent-insensitively, by keyboard', async ({ page, portal }) => {
  await page.goto('/offres');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  const commune = page.getByRole('combobox', { name: 'Commune' });
  await commune.fill('Leguevin');
  await expect(page.getByRole('listbox').getByRole('option', { name: /Léguevin/ })).toBeVisible();
  await commune.press('ArrowDown');
  await commune.press('Enter');
  await expect(commune).toHaveValue('Léguevin (31490)');
  await expect(page).toHaveURL(/commune=31291/);

  await commune.fill('auch');
  const suggestions = page.getByRole('listbox').getByRole('option');
  await expect(suggestions.first()).toContainText('Auch');
  await suggestions.first().click();
  await expect(page).toHaveURL(/commune=32013/);
  await page.getByLabel('Rayon autour de la commune (km)').fill('25');
  await expect(page).toHaveURL(/commune=32013&rayon=25/);
  const auch = (await portal.sql.execute("SELECT lat, lng FROM communes WHERE code = '32013'")).rows[0]!;
  await expect(total(page)).toHaveAttribute(
    'data-total',
    String(await countOffers(portal, within(Number(auch.lat), Number(auch.lng), 25))),
  );
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a commune typed by name and a radius work as a plain form', async ({ page, portal }) => {
    await page.goto('/offres');
    await page.getByLabel('Commune', { exact: true }).fill('auch');
    await page.getByLabel('Rayon autour de la commune (km)').fill('20');
    await page.getByRole('button', { name: 'Appliquer les filtres' }).click();
    await expect(page).toHaveURL(/commune=auch&rayon=20/);
    const auch = (await portal.sql.execute("SELECT lat, lng FROM communes WHERE code = '32013'")).rows[0]!;
    await expect(total(page)).toHaveAttribute(
      'data-total',
      String(await countOffers(portal, within(Number(auch.lat), Number(auch.lng), 20))),
    );
    await expect(page.getByLabel('Commune', { exact: true })).toHaveValue('Auch (32000)');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('an empty result names the filter that removes the most offers; chips are plain links', async ({
    page,
    portal,
  }) => {
    await page.goto('/offres?type=logement&territoire=32&fibre=1&prix_max=100');
    await expect(total(page)).toHaveAttribute('data-total', '0');
    const filters: Array<[string, string]> = [
      ['Logements', "kind = 'home'"],
      ['Gers (32)', "territory_code = '32'"],
      ['Fibre disponible uniquement', "fibre_status = 'available'"],
      ['Jusqu’à 100\u00a0€', 'price <= 100'],
    ];
    const without = await Promise.all(
      filters.map(async ([name], i) => ({
        name,
        n: await countOffers(
          portal,
          filters
            .filter((_, j) => j !== i)
            .map(([, w]) => w)
            .join(' AND '),
        ),
      })),
    );
    const best = without.reduce((a, b) => (b.n > a.n ? b : a));
    expect(best.n).toBeGreaterThan(0);
    await expect(page.locator('#results .empty')).toContainText(
      `Sans le filtre «\u00a0${best.name}\u00a0», ${best.n} offre`,
    );
    await page.getByRole('link', { name: 'Voir ces offres' }).click();
    await expect(total(page)).toHaveAttribute('data-total', String(best.n));

    await page
      .getByRole('list', { name: 'Filtres appliqués' })
      .getByRole('link', { name: 'Retirer le filtre : Gers (32)' })
      .click();
    await expect(page).not.toHaveURL(/territoire=/);
    await expect(page.getByRole('combobox', { name: 'Territoire' })).toHaveValue('');
  });
});

test('invalid parameters are explained next to the form, never a 500', async ({ page }) => {
  const res = await page.goto(
    '/offres?prix_min=-5&prix_max=abc&rayon=10000&debit_min=vite&commune=Nulle-Part&tri=hasard',
  );
  expect(res?.status()).toBe(400);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Le prix doit être un nombre entier d’euros');
  await expect(alert).toContainText('Le rayon doit être un nombre entier de 1 à 200 km.');
  await expect(alert).toContainText('Le débit doit être un nombre entier de Mb/s');
  await expect(alert).toContainText('Aucune commune ne correspond à « Nulle-Part »');
  await expect(page.getByLabel('Prix maximum (€)')).toHaveValue('abc');
  await expect(page.getByLabel('Prix maximum (€)')).toHaveAttribute('aria-invalid', 'true');
  for (const url of [
    '/offres?page=999999999999',
    '/offres?q=%22%20OR%20',
    '/offres?commune=%00',
    '/offres?tl_km=5&type=tiers-lieu',
    '/api/v1/offres?rayon=5',
    '/api/v1/communes?limit=0',
  ]) {
    const r = await page.request.get(url);
    expect(r.status(), url).toBeLessThan(500);
  }
});

test('narrower than a wide screen, the map replaces the list on demand and loads only then', async ({
  page,
  portal,
}) => {
  await page.setViewportSize({ width: 1024, height: 800 });
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(r.url());
  });
  await page.goto('/offres?territoire=50');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  const button = page.getByRole('button', { name: 'Afficher la carte' });
  await expect(button).toBeVisible();
  const before = scripts.length;
  await button.click();
  const map = page.getByRole('region', { name: 'Carte des résultats' });
  await expect(map).toBeVisible();
  await expect(map).toHaveAttribute('data-markers', String(await countOffers(portal, "territory_code = '50'")));
  expect(scripts.length).toBeGreaterThan(before); // Leaflet came only now
  await expect(page.locator('.leaflet-marker-icon, .leaflet-interactive').first()).toBeVisible();
  // Instead of the list: the cards are gone, the count stays.
  await expect(page.getByTestId('results')).toBeHidden();
  await expect(total(page)).toBeVisible();
  // The map follows the filters.
  await page.getByLabel('Fibre disponible uniquement').check();
  await expect(map).toHaveAttribute(
    'data-markers',
    String(await countOffers(portal, "territory_code = '50' AND fibre_status = 'available'")),
  );
  await page.getByRole('button', { name: 'Afficher la liste' }).click();
  await expect(map).toBeHidden();
  await expect(page.getByTestId('results')).toBeVisible();
});

test('on a phone, one floating button swaps the list and the map', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto('/offres?territoire=32');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  const toggle = page.getByRole('button', { name: 'Afficher la carte' });
  // Always in reach: fixed at the bottom of the screen, inside it.
  await expect(toggle).toBeInViewport();
  await toggle.click();
  const map = page.getByRole('region', { name: 'Carte des résultats' });
  await expect(map).toHaveAttribute('data-markers', /\d+/);
  await expect(map).toBeInViewport();
  await expect(page.getByTestId('results')).toBeHidden();
  // The folded filters, when opened, hide it (their own button shows the offers).
  await page.locator('.filters-panel > summary').click();
  await expect(page.getByRole('button', { name: 'Afficher la liste' })).toBeHidden();
  await page.locator('.filters-panel > summary').click();
  await page.getByRole('button', { name: 'Afficher la liste' }).click();
  await expect(page.getByTestId('results')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});

test('on a wide screen the map stands beside the list and follows it; hiding it lasts the visit', async ({
  page,
  portal,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/offres?territoire=32');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  const map = page.getByRole('region', { name: 'Carte des résultats' });
  await expect(map).toHaveAttribute('data-markers', String(await countOffers(portal, "territory_code = '32'")));
  const list = (await page.getByTestId('results').boundingBox())!;
  const beside = (await map.boundingBox())!;
  expect(beside.x).toBeGreaterThanOrEqual(list.x + list.width);
  expect(beside.y).toBeLessThan(list.y + 200);
  // The map stays in view while the list scrolls.
  await page.mouse.wheel(0, 1500);
  await expect(map).toBeInViewport();
  // A hovered card marks its offer on the map.
  const first = page.locator('#results [data-offer-id]').first();
  const id = await first.getAttribute('data-offer-id');
  await first.hover();
  await expect(map).toHaveAttribute('data-marked', id!);
  await page.getByRole('button', { name: 'Masquer la carte' }).click();
  await expect(map).toBeHidden();
  await page.reload();
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Afficher la carte' })).toBeVisible();
  await expect(map).toBeHidden();
});

test('the list follows the map: "search this area" shows the offers of the visible area', async ({ page, portal }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/offres?territoire=32&type=logement');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  const map = page.getByRole('region', { name: 'Carte des résultats' });
  await expect(map).toHaveAttribute('data-markers', /\d+/);
  // Framing the results is not a move of the visitor's: no button yet.
  const area = page.getByRole('button', { name: 'Rechercher dans cette zone' });
  await expect(area).toBeHidden();
  await page.getByRole('button', { name: 'Zoom avant' }).click();
  await area.click();
  await expect(page).toHaveURL(/zone=/);
  const url = new URL(page.url());
  expect(url.searchParams.get('territoire')).toBeNull();
  expect(url.searchParams.get('type')).toBe('logement');
  const [west, south, east, north] = url.searchParams.get('zone')!.split(',').map(Number);
  const inZone = `kind = 'home' AND public_lat BETWEEN ${south} AND ${north} AND public_lng BETWEEN ${west} AND ${east}`;
  const expected = await countOffers(portal, inZone);
  expect(expected).toBeLessThan(await countOffers(portal, "kind = 'home' AND territory_code = '32'"));
  await expect(total(page)).toHaveAttribute('data-total', String(expected));
  await expect(page.getByRole('link', { name: 'Retirer le filtre : Zone de la carte' })).toBeVisible();
  // The map stayed where the visitor put it, and shows the same offers.
  await expect(map).toHaveAttribute('data-markers', String(expected));
  await expect(area).toBeHidden();
  // Without JavaScript the same URL gives the same list.
  const plain = await page.request.get(page.url());
  expect(await plain.text()).toContain(`data-total="${expected}"`);
  // Choosing a territory again replaces the area.
  await page.getByLabel('Territoire').selectOption('32');
  await expect(page).not.toHaveURL(/zone=/);
});

test('a marker’s popup shows the cover picture, the label and the price with its unit', async ({ page, portal }) => {
  const offer = (
    await portal.sql.execute(
      `SELECT o.id, o.title, o.price FROM offers o WHERE o.status = 'published' AND o."transaction" = 'rent'
       AND o.price IS NOT NULL AND EXISTS (SELECT 1 FROM offer_photos p WHERE p.offer_id = o.id) ORDER BY o.id LIMIT 1`,
    )
  ).rows[0]!;
  await page.goto(`/offres?q=${encodeURIComponent(String(offer.title))}`);
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await expect(page.locator(`#offre-${offer.id}`)).toBeVisible();
  const map = page.getByRole('region', { name: 'Carte des résultats' });
  await expect(map).toHaveAttribute('data-markers', /\d+/);
  const markers = page.locator('path.leaflet-interactive');
  for (let i = 0; i < (await markers.count()); i++) {
    await markers.nth(i).click();
    if (await page.locator('.leaflet-popup-content', { hasText: String(offer.title) }).count()) break;
  }
  const popup = page.locator('.leaflet-popup-content', { hasText: String(offer.title) });
  await expect(popup.locator('img')).toBeVisible();
  await expect(popup.getByRole('img', { name: /^Étiquette connectivité [A-G]$/ })).toBeVisible();
  await expect(popup).toContainText(/\d\s€\s\/ mois/);
});

test('an offer’s page maps the area of its public point, never the exact one, when it comes into view', async ({
  page,
  portal,
}) => {
  const offer = (
    await portal.sql.execute(
      `SELECT id, slug, lat, lng, public_lat, public_lng FROM offers WHERE status = 'published'
       AND location_precision = 'approximate' AND public_lat IS NOT NULL ORDER BY id DESC LIMIT 1`,
    )
  ).rows[0]!;
  await page.goto(`/offres/${offer.id}-${offer.slug}`);
  const map = page.getByRole('region', { name: 'Carte de l’emplacement approximatif' });
  await expect(map).toHaveAttribute('data-lat', String(offer.public_lat));
  await expect(map).toHaveAttribute('data-lng', String(offer.public_lng));
  await expect(page.locator(`[data-lat="${offer.lat}"]`)).toHaveCount(0);
  // Leaflet only when the map is near the screen.
  await expect(map).not.toHaveAttribute('data-state', /./);
  await map.scrollIntoViewIfNeeded();
  await expect(map).toHaveAttribute('data-state', 'ready');
  await expect(map.locator('path.leaflet-interactive')).toHaveCount(1);
  await expect(map.getByRole('button', { name: 'Zoom avant' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Voir l’emplacement sur OpenStreetMap' })).toHaveAttribute(
    'href',
    new RegExp(`mlat=${offer.public_lat}&mlon=${offer.public_lng}`),
  );
});

test('an offer’s page: facts, connectivity, coverage, nearby tiers-lieux, structured data', async ({
  page,
  portal,
}) => {
  await page.goto('/offres?type=logement&territoire=32');
  const first = page.locator('#results [data-offer-id]').first();
  const id = Number(await first.getAttribute('data-offer-id'));
  await first.getByRole('link').click();
  const row = (
    await portal.sql.execute({
      sql: 'SELECT o.*, c.name AS commune FROM offers o JOIN communes c ON c.code = o.commune_code WHERE o.id = ?',
      args: [id],
    })
  ).rows[0]!;
  await expect(page).toHaveURL(new RegExp(`/offres/${id}-${row.slug}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(String(row.title));
  const connectivity = page.getByRole('region', { name: 'Connectivité' });
  await expect(connectivity.getByRole('img', { name: /^Étiquette connectivité [A-G]$/ })).toBeVisible();
  await expect(connectivity.getByText(`${row.download_mbps} Mb/s`).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: `La fibre à ${row.commune}` })).toBeVisible();

  const nearby = page.locator('[data-nearby-id]');
  const distances = await nearby.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-distance'))));
  expect([...distances].sort((a, b) => a - b)).toEqual(distances);
  for (const nid of await nearby.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-nearby-id'))))) {
    const kind = (await portal.sql.execute({ sql: 'SELECT kind, status FROM offers WHERE id = ?', args: [nid] }))
      .rows[0]!;
    expect(kind).toMatchObject({ kind: 'tiers_lieu', status: 'published' });
  }

  const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
  expect(ld).toMatchObject({
    '@context': 'https://schema.org',
    '@type': 'Offer',
    name: row.title,
    priceCurrency: 'EUR',
  });
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', `${portal.url}/offres/${id}-${row.slug}`);
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', String(row.title));
  await expect(page.locator('meta[property="og:image"]')).toHaveAttribute(
    'content',
    /\/photos\/\d+-1280\.[\w-]{10}\.webp$/,
  );
  const img = page.locator('.gallery img').first();
  await expect(img).toHaveAttribute('width', /\d+/);
  await expect(img).toHaveAttribute('alt', /.+/);
  // The photo is resized on its first request: wait until it has loaded, then it has pixels.
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0))).toBeGreaterThan(0);
  await expect(page.getByRole('link', { name: 'Démarrer mon projet d’installation' })).toHaveAttribute(
    'href',
    `/projet?offre=${id}`,
  );
  // Nearby offers carry their label; the call to action is in sight without scrolling, also on a phone.
  for (const item of await page.locator('[data-nearby-id]').all())
    await expect(item.getByRole('img', { name: /^Étiquette connectivité [A-G]$/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Démarrer mon projet d’installation' })).toBeInViewport();
  await page.setViewportSize({ width: 360, height: 740 });
  await expect(page.getByRole('link', { name: 'Démarrer mon projet d’installation' })).toBeInViewport();
  await page.mouse.wheel(0, 1500);
  await expect(page.getByRole('link', { name: 'Démarrer mon projet d’installation' })).toBeInViewport();
});

// Apart from the facts above: axe and screenshots are the slow part on a busy machine.
test('an offer’s page passes axe in both languages and is screenshotted for review', async ({ page, portal, axe }) => {
  await page.goto('/offres?type=logement&territoire=32');
  const id = Number(await page.locator('#results [data-offer-id]').first().getAttribute('data-offer-id'));
  const slug = String(
    (await portal.sql.execute({ sql: 'SELECT slug FROM offers WHERE id = ?', args: [id] })).rows[0]!.slug,
  );
  await page.goto(`/offres/${id}-${slug}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await axe(page);
  await screenshots(page, 'offer-detail');

  await page.goto(`/en/offres/${id}-${slug}`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Start my relocation project' })).toHaveAttribute(
    'href',
    `/en/projet?offre=${id}`,
  );
  await axe(page);
});

test('an offer’s gallery: arrows, counter, arrow keys and full screen', async ({ page, portal }) => {
  const row = (
    await portal.sql.execute(
      `SELECT o.id, count(*) AS n FROM offers o JOIN offer_photos p ON p.offer_id = o.id
       WHERE o.status = 'published' GROUP BY o.id HAVING n >= 2 ORDER BY o.id DESC LIMIT 1`,
    )
  ).rows[0]!;
  const n = Number(row.n);
  await page.goto(`/offres/${row.id}`);
  const gallery = page.getByRole('region', { name: 'Photos' });
  const counter = gallery.locator('.counter');
  await expect(counter).toHaveText(`Photo 1 sur ${n}`);
  await gallery.getByRole('button', { name: 'Photo suivante' }).click();
  await expect(counter).toHaveText(`Photo 2 sur ${n}`);
  await gallery.getByRole('list', { name: 'Photos' }).press('ArrowLeft');
  await expect(counter).toHaveText(`Photo 1 sur ${n}`);
  await gallery.getByRole('button', { name: 'Plein écran' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.hasAttribute('data-gallery'))).toBe(true);
  await gallery.getByRole('button', { name: 'Plein écran' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
});

test('offer URLs: a wrong slug redirects, unknown or unpublished offers are 404', async ({ page, portal }) => {
  const published = (await portal.sql.execute("SELECT id, slug FROM offers WHERE status = 'published' LIMIT 1"))
    .rows[0]!;
  const hidden = (await portal.sql.execute("SELECT id, slug FROM offers WHERE status <> 'published' LIMIT 1")).rows[0]!;
  const redirect = await page.request.get(`/offres/${published.id}-mauvais-nom`, { maxRedirects: 0 });
  expect(redirect.status()).toBe(301);
  expect(redirect.headers().location).toBe(`/offres/${published.id}-${published.slug}`);
  for (const url of [
    `/offres/${hidden.id}-${hidden.slug}`,
    '/offres/999999-rien',
    '/offres/abc',
    `/en/offres/${hidden.id}-${hidden.slug}`,
  ]) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(404);
  }
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
});

test('a territory page: figures, tiers-lieux, communes with coverage, in both languages', async ({ page, portal }) => {
  await page.goto('/territoires/32');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gers (32)');
  const communes = Number(
    (await portal.sql.execute("SELECT count(*) AS n FROM communes WHERE department_code = '32'")).rows[0]!.n,
  );
  await expect(page.locator('[data-figure="communes"]')).toHaveText(new Intl.NumberFormat('fr-FR').format(communes));
  await expect(page.locator('[data-figure="tiers-lieux"]')).toHaveText(
    String(await countOffers(portal, "territory_code = '32' AND kind = 'tiers_lieu'")),
  );
  await expect(page.locator('[data-offer-id]')).toHaveCount(
    await countOffers(portal, "territory_code = '32' AND kind = 'tiers_lieu'"),
  );
  await expect(page.locator('tbody tr')).toHaveCount(50);
  // The first ten communes shown, the other forty of the page one click away.
  await expect(page.locator('tbody tr:visible')).toHaveCount(10);
  await page.getByText('Voir les communes 11 à 50').click();
  await expect(page.locator('tbody tr:visible')).toHaveCount(50);
  await expect(page.getByText('Source : ARCEP')).toBeVisible();
  // The in-page nav leads to each part; the pager opens the next page at the table.
  const nav = page.getByRole('navigation', { name: 'Sur cette page' });
  await nav.getByRole('link', { name: 'Communes et fibre' }).click();
  await expect(page.getByRole('heading', { name: 'Communes et couverture en fibre' })).toBeInViewport();
  await expect(page.getByRole('link', { name: 'Page suivante →' })).toHaveAttribute(
    'href',
    '/territoires/32?page=2#communes',
  );
  await page.getByRole('link', { name: 'Voir les offres avec la fibre' }).click();
  await expect(page).toHaveURL(/\/offres\?territoire=32&fibre=1$/);

  await page.goto('/en/territoires/50');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Communes and fibre coverage' })).toBeVisible();
  expect((await page.goto('/territoires/75'))?.status()).toBe(404);
});

test('territory pages pass axe in both languages and are screenshotted for review', async ({ page, axe }) => {
  await page.goto('/territoires/32');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gers (32)');
  await axe(page);
  // On a phone the communes' four columns fit the screen, and the cards are a row swiped sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = (wrap: Locator) => wrap.evaluate((e) => e.scrollWidth - e.clientWidth);
  const wraps = page.locator('#communes .table-wrap');
  expect(await overflow(wraps.first())).toBeLessThanOrEqual(0);
  await page.getByText('Voir les communes 11 à 50').click();
  await expect(wraps.nth(1)).toBeVisible();
  expect(await overflow(wraps.nth(1))).toBeLessThanOrEqual(0);
  const strip = page.locator('#tiers-lieux .card-grid');
  expect(await strip.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await screenshots(page, 'territory');
  await page.goto('/en/territoires/50');
  await expect(page.getByRole('heading', { name: 'Communes and fibre coverage' })).toBeVisible();
  await axe(page);
});

for (const path of ['/offres?fibre=1', '/en/offres?territoire=50']) {
  test(`the search page ${path} passes axe`, async ({ page, axe }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(path);
    await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
    await axe(page);
  });
}

test('a search page with errors passes axe; search and home pages are screenshotted for review', async ({
  page,
  axe,
}) => {
  await page.goto('/offres?commune=32013&rayon=20&tri=distance&prix_min=abc');
  await axe(page);
  await screenshots(page, 'offers');
  await page.goto('/');
  await screenshots(page, 'home');
});

test('sitemap and robots list the public pages', async ({ request, portal }) => {
  const sitemap = await sitemapText(request);
  const offer = (await portal.sql.execute("SELECT id, slug FROM offers WHERE status = 'published' LIMIT 1")).rows[0]!;
  expect(sitemap).toContain(`<loc>${portal.url}/offres/${offer.id}-${offer.slug}</loc>`);
  expect(sitemap).toContain(`<loc>${portal.url}/en/offres/${offer.id}-${offer.slug}</loc>`);
  expect(sitemap).toContain(`<loc>${portal.url}/territoires/32</loc>`);
  // Every commune of the territories has its page, in both languages; others do not.
  expect(sitemap).toContain(`<loc>${portal.url}/communes/32013-auch</loc>`);
  expect(sitemap).toContain(`<loc>${portal.url}/en/communes/50129-cherbourg-en-cotentin</loc>`);
  expect(sitemap).not.toContain('/communes/75056-');
  const hidden = (await portal.sql.execute("SELECT id, slug FROM offers WHERE status <> 'published' LIMIT 1")).rows[0]!;
  expect(sitemap).not.toContain(`/offres/${hidden.id}-${hidden.slug}<`);
  const robots = await (await request.get('/robots.txt')).text();
  expect(robots).toContain(`Sitemap: ${portal.url}/sitemap.xml`);
});

test('cached pages change as soon as the data does, and signed-in requests bypass the cache', async ({
  request,
  portal,
}) => {
  // An offer whose page no other test of this portal asks for (the cache's state is the point).
  const row = (
    await portal.sql.execute(
      "SELECT id, slug, title FROM offers WHERE status = 'published' AND kind = 'tiers_lieu' ORDER BY id LIMIT 1 OFFSET 3",
    )
  ).rows[0]!;
  const offer = { id: Number(row.id), slug: String(row.slug), title: String(row.title) };
  const url = `/offres/${offer.id}-${offer.slug}`;
  const first = await request.get(url);
  expect(first.headers()['x-cache']).toBe('miss');
  // Stored from its second request (a page asked once is not kept), a hit from the third.
  expect((await request.get(url)).headers()['x-cache']).toBe('miss');
  const second = await request.get(url);
  expect(second.headers()['x-cache']).toBe('hit');
  expect(await second.text()).toBe(await first.text());

  await portal.sql.execute({
    sql: 'UPDATE offers SET title = ? WHERE id = ?',
    args: ['Titre changé à l’instant', offer.id],
  });
  const after = await request.get(url);
  expect(after.headers()['x-cache']).toBe('miss');
  expect(await after.text()).toContain('Titre changé à l’instant');

  // Withdrawn: no longer served from the cache, but a page saying so (410).
  await portal.sql.execute({ sql: "UPDATE offers SET status = 'archived' WHERE id = ?", args: [offer.id] });
  const gone = await request.get(url);
  expect(gone.status()).toBe(410);
  expect(await gone.text()).toContain('Cette offre n’est plus en ligne');
  await portal.sql.execute({
    sql: "UPDATE offers SET status = 'published', title = ? WHERE id = ?",
    args: [offer.title, offer.id],
  });

  const signedIn = await request.get(url, { headers: { Cookie: 'cc_session=abc' } });
  expect(signedIn.headers()['x-cache']).toBeUndefined();
});

test('a cached home page and /impact change as soon as a settled family’s figures do', async ({ request, portal }) => {
  const persons = async () =>
    Number(
      (
        await portal.sql.execute(
          `SELECT sum(settled_household_size) AS n FROM candidates
           WHERE territory_code IS NOT NULL AND first_settled_at IS NOT NULL AND merged_into_id IS NULL`,
        )
      ).rows[0]!.n,
    );
  // Stored from its second request, a hit from the third (other tests may have asked already).
  const cached = async (path: string) => {
    for (let i = 0; i < 3; i++) {
      const r = await request.get(path);
      if (r.headers()['x-cache'] === 'hit') return r.text();
    }
    throw new Error(`${path} is not served from the page cache`);
  };
  const before = await persons();
  expect(await cached('/')).toContain(`${before} personnes`);
  expect(await cached('/impact')).toContain('<h1');
  const [file] = (
    await portal.sql.execute(
      `SELECT id, settled_household_size AS size FROM candidates
       WHERE territory_code IS NOT NULL AND first_settled_at IS NOT NULL AND merged_into_id IS NULL ORDER BY id LIMIT 1`,
    )
  ).rows;
  // No offer changes: only the settled families' version moves.
  await portal.sql.execute({
    sql: 'UPDATE candidates SET settled_household_size = ? WHERE id = ?',
    args: [Number(file!.size) + 1, Number(file!.id)],
  });
  try {
    const home = await request.get('/');
    expect(home.headers()['x-cache']).toBe('miss');
    expect(await home.text()).toContain(`${before + 1} personnes`);
    expect((await request.get('/impact')).headers()['x-cache']).toBe('miss');
  } finally {
    await portal.sql.execute({
      sql: 'UPDATE candidates SET settled_household_size = ? WHERE id = ?',
      args: [Number(file!.size), Number(file!.id)],
    });
  }
});
