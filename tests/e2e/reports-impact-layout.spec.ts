// The reports and /impact as people see them, at 360 and 1280 px: periods in words, the
// period form showing only what applies (with and without JavaScript), CSV files named after
// their territory and period, the connectivity labels' colours, the public dashboard in both
// languages with nothing under 5 families named — each page screenshot, without sideways
// scrolling or cut text, and through axe. Bad period or territory input never gives a 500.
import { expect, signInAs, test } from './fixtures.ts';
import { expectNoOverflowOrClipping, shoot } from './layout-check.ts';

const widths = [360, 1280] as const;
const year = new Date().getUTCFullYear() - 1;

for (const [path, lang, heading] of [
  ['/impact', 'fr', 'Notre impact'],
  ['/en/impact', 'en', 'Our impact'],
] as const) {
  test(`the public dashboard ${path} at 360 and 1280 px`, async ({ page, axe }) => {
    test.slow();
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
      for (const id of ['settled', 'communes', 'children', 'connectivity', 'territories'])
        await expect(page.locator(`section#${id} h2`)).toBeVisible();
      // The connectivity chart in the labels' colours, its table beside or under it.
      await expect(page.locator('#impact-labels svg rect.bar.label-a')).toHaveCount(1);
      await expect(page.locator('#impact-labels svg rect.bar.label-none')).toHaveCount(1);
      await expect(page.locator('#impact-labels table tbody tr')).toHaveCount(8);
      // A map per territory with families, the communes' table; no commune named under 5.
      await expect(page.locator('#communes .map svg[role="img"]').first()).toBeVisible();
      for (const n of await page.locator('tr[data-commune] td.num').allTextContents())
        expect(Number(n.replace(/\D/g, ''))).toBeGreaterThanOrEqual(5);
      await expect(page.locator('tr[data-others]').first()).toBeVisible();
      // Every table scrolls in a named, focusable region.
      for (const region of await page.locator('.table-wrap').all()) {
        await expect(region).toHaveAttribute('role', 'region');
        await expect(region).toHaveAttribute('tabindex', '0');
      }
      await shoot(page, `impact-${lang}`);
      await expectNoOverflowOrClipping(page);
      await axe(page);
    }
    // The maps' background is public, any other territory not found.
    const image = await page.request.get('/impact/carte.png?territoire=32');
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toBe('image/png');
    for (const bad of ['99', '%27%3B--', '', '32%00'])
      expect((await page.request.get(`/impact/carte.png?territoire=${bad}`)).status(), bad).toBe(404);
  });
}

test('reports at 360 and 1280 px: words, the form of the chosen period, named CSV files', async ({
  page,
  axe,
  browser,
  portal,
}) => {
  test.slow();
  await signInAs(page, 'direction.gers@demo.test');
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`/agent/rapports?periode=quarter&annee=${year}&trimestre=1`);
    await expect(page.locator('.period strong')).toHaveText(`1er trimestre ${year}`);
    await expect(page.locator('.period')).toContainText(`comparé à\u00a0: 4ᵉ trimestre ${year - 1}`);
    await expect(page.locator('#t-months tbody th')).toHaveText([`janvier ${year}`, `février ${year}`, `mars ${year}`]);
    await expect(page.locator('#t-labels svg rect.bar.label-a')).toHaveCount(1);
    // Only the controls of a quarter show.
    await expect(page.getByLabel('Trimestre', { exact: true })).toBeVisible();
    await expect(page.getByLabel('Année', { exact: true })).toBeVisible();
    await expect(page.getByLabel('Mois', { exact: true })).toBeHidden();
    await expect(page.getByLabel('Du (dates choisies)')).toBeHidden();
    await shoot(page, 'reports-fr');
    await expectNoOverflowOrClipping(page);
    await axe(page);
  }

  // Another kind of period: its controls only, and only they go in the address.
  await page.getByLabel('Période', { exact: true }).selectOption('month');
  await expect(page.getByLabel('Mois', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Trimestre', { exact: true })).toBeHidden();
  await page.getByLabel('Mois', { exact: true }).selectOption('2');
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  await expect(page.locator('.period strong')).toHaveText(`février ${year}`);
  expect(new URL(page.url()).searchParams.has('trimestre')).toBe(false);
  await page.getByLabel('Période', { exact: true }).selectOption('custom');
  await expect(page.getByLabel('Du (dates choisies)')).toBeVisible();
  await expect(page.getByLabel('Année', { exact: true })).toBeHidden();

  // The CSV's file name says its territory and period.
  const download = page.waitForEvent('download');
  await page.locator('#t-months').getByRole('link', { name: 'CSV', exact: true }).click();
  expect((await download).suggestedFilename()).toBe(`rapport-gers-${year}-02-months.csv`);
  const quarter = await page.request.get(
    `/agent/rapports/export.csv?periode=quarter&annee=${year}&trimestre=1&table=labels`,
  );
  expect(quarter.headers()['content-disposition']).toBe(`attachment; filename="rapport-gers-${year}-t1-labels.csv"`);

  // Without JavaScript every control shows, and the form still works.
  const noJs = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  await noJs.addCookies(await page.context().cookies());
  const plain = await noJs.newPage();
  await plain.setViewportSize({ width: 360, height: 900 });
  await plain.goto('/agent/rapports');
  for (const label of ['Période', 'Année', 'Mois', 'Trimestre'])
    await expect(plain.getByLabel(label, { exact: true })).toBeVisible();
  await expect(plain.getByLabel('Du (dates choisies)')).toBeVisible();
  await plain.getByLabel('Période', { exact: true }).selectOption('quarter');
  await plain.getByLabel('Année', { exact: true }).selectOption(String(year));
  await plain.getByLabel('Trimestre', { exact: true }).selectOption('2');
  await plain.getByRole('button', { name: 'Afficher le rapport' }).click();
  await expect(plain.locator('.period strong')).toHaveText(`2ᵉ trimestre ${year}`);
  await shoot(plain, 'reports-nojs');
  await expectNoOverflowOrClipping(plain);
  await noJs.close();

  // The back office is French: its English address leads to the French page, query kept.
  const english = await page.request.get(`/en/agent/rapports?periode=quarter&annee=${year}&trimestre=1`, {
    maxRedirects: 0,
  });
  expect(english.status()).toBe(302);
  expect(english.headers()['location']).toBe(`/agent/rapports?periode=quarter&annee=${year}&trimestre=1`);

  // Bad input: a clear answer, never a 500.
  for (const [url, status] of [
    ['/agent/rapports?periode=quarter&trimestre=9', 400],
    ['/agent/rapports?periode=semaine', 400],
    ['/agent/rapports?periode=month&annee=deux-mille&mois=1', 400],
    ['/agent/rapports?periode=custom&du=2026-02-30&au=2026-03-01', 400],
    ['/agent/rapports?territoire=..%2F32', 404],
    ['/agent/rapports?territoire=%00', 404],
    ['/agent/rapports/annuel?annee=99999', 400],
    ['/agent/rapports/export.csv?table=months&periode=month&mois=13', 400],
    ['/agent/rapports/export.csv?table=..%2F..%2Fetc', 404],
    ['/agent/rapports/export.csv?table=months&territoire=inconnu', 404],
  ] as const) {
    const res = await page.request.get(url);
    expect(res.status(), url).toBe(status);
  }
  await page.goto('/agent/rapports?periode=quarter&trimestre=9');
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoOverflowOrClipping(page);
});
