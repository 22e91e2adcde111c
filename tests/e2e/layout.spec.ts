// The proof of issue 15: every page the issue touched, at 360 and 1280 px, in both languages,
// signed out and signed in as the role that uses it — screenshotted for review, checked for
// sideways scrolling and for text cut by its box, and passed through axe.
import type { Page } from '@playwright/test';
import { expect, inLocale, signInAs, test } from './fixtures.ts';
import { expectNoOverflowOrClipping, shoot } from './layout-check.ts';

const widths = [
  [360, 780],
  [1280, 900],
] as const;

/** Each page at both widths: no overflow, no clipped text, a screenshot; axe at the first width. */
async function checkPages(page: Page, axe: (page: Page) => Promise<void>, paths: Array<[string, string]>) {
  for (const [name, path] of paths) {
    for (const [i, [width, height]] of widths.entries()) {
      await page.setViewportSize({ width, height });
      await page.goto(path);
      await expect(page.locator('main')).toBeVisible();
      // The enhanced forms and islands have settled (the layout no longer moves).
      if (path.includes('/offres?')) await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
      await expectNoOverflowOrClipping(page);
      await shoot(page, `layout-${name}`);
      if (i === 0) await axe(page);
    }
  }
}

const anOffer = async (page: Page) => {
  await page.goto('/offres?type=logement&fibre=1');
  return (await page.locator('#results [data-offer-id] h3 a').first().getAttribute('href'))!;
};

for (const locale of ['fr', 'en'] as const) {
  const at = (path: string) => inLocale(path, locale);

  test(`public pages (${locale}): home, search, map, offer, territory`, async ({ page, axe }) => {
    test.slow();
    const offer = await anOffer(page);
    await checkPages(page, axe, [
      [`home-${locale}`, at('/')],
      [`search-${locale}`, at('/offres?territoire=32')],
      [`search-empty-${locale}`, at('/offres?territoire=32&prix_max=1&fibre=1')],
      [`offer-${locale}`, at(offer)],
      [`territory-${locale}`, at('/territoires/32')],
      [`jobs-${locale}`, at('/emplois?territoire=32')],
      [`businesses-${locale}`, at('/reprises')],
      [`project-${locale}`, at('/projet')],
      [`impact-${locale}`, at('/impact')],
    ]);
  });

  test(`a family's pages (${locale}): account, favourites, searches`, async ({ page, axe }) => {
    test.slow();
    await signInAs(page, 'famille@demo.test');
    await checkPages(page, axe, [
      [`account-${locale}`, at('/compte')],
      [`favourites-${locale}`, at('/compte/favoris')],
      [`searches-${locale}`, at('/compte/recherches')],
      [`search-signed-in-${locale}`, at('/offres?type=logement')],
    ]);
  });

  test(`an ambassador's pages (${locale}): account with the programme, a territory's stories`, async ({
    page,
    axe,
  }) => {
    test.slow();
    await signInAs(page, 'ambassadeur.manche@demo.test');
    await checkPages(page, axe, [
      [`ambassador-account-${locale}`, at('/compte')],
      [`territory-stories-${locale}`, at('/territoires/50')],
    ]);
  });
}

// The back office is in French only (its routes have no /en version).
test('an agent’s pages: home, board, list, file, offers', async ({ page, axe, portal }) => {
  test.slow();
  // A file whose address is one long word, as real ones can be: it must not widen a phone's page.
  const email = `prenom.nom-de-famille.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`;
  const filed = await page.request.post('/projet', {
    form: { name: 'Famille Longue', email, adults: '2', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  expect(filed.status()).toBe(200);
  const { rows } = await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] });
  const file = `/agent/candidats/${String(rows[0]!.public_id)}`;
  await signInAs(page, 'agent.gers@demo.test');
  await checkPages(page, axe, [
    ['agent-home', '/agent'],
    ['agent-board', '/agent/candidats?vue=tableau'],
    ['agent-list', '/agent/candidats'],
    ['agent-file', file],
    ['agent-offers', '/agent/offres'],
    ['agent-ambassadors', '/agent/ambassadeurs'],
    ['agent-jobs', '/agent/emplois'],
    ['agent-businesses', '/agent/reprises'],
  ]);
});

test('an administrator’s pages: staff, territories, imports, emails, journal', async ({ page, axe }) => {
  test.slow();
  await signInAs(page, 'direction.gers@demo.test');
  await checkPages(page, axe, [
    ['admin-staff', '/admin'],
    ['admin-territories', '/admin/territoires'],
    ['admin-imports', '/admin/imports'],
    ['admin-emails', '/admin/emails'],
    ['admin-journal', '/admin/journal'],
  ]);
});

test('on a phone the back office’s lists show each row as a block, every value after its column’s name', async ({
  page,
}) => {
  await signInAs(page, 'agent.gers@demo.test');
  const row = page.locator('tbody tr').first();
  const stage = row.locator('td').first();
  for (const [width, height] of widths) {
    await page.setViewportSize({ width, height });
    await page.goto('/agent/candidats');
    const heading = (await row.locator('th').boundingBox())!;
    const cell = (await stage.boundingBox())!;
    const label = await stage.evaluate((td) => getComputedStyle(td, '::before').content);
    if (width === 360) {
      // Under the family's name, named: nothing to scroll sideways.
      expect(cell.y).toBeGreaterThanOrEqual(heading.y + heading.height - 1);
      expect(label).toBe('"Étape"');
      expect(await page.locator('.table-wrap').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
      // The sections are one strip; a section far along it is scrolled into view.
      expect((await page.getByRole('navigation', { name: 'Espace agent' }).boundingBox())!.height).toBeLessThan(60);
      await page.goto('/agent/ambassadeurs');
      await expect(page.locator('.agent-nav [aria-current="page"]')).toBeInViewport({ ratio: 0.95 });
    } else {
      // A table: the stage beside the name, under its column's heading.
      expect(cell.x).toBeGreaterThan(heading.x + heading.width - 1);
      expect(label).toBe('none');
      await expect(page.getByRole('columnheader', { name: 'Étape' })).toBeVisible();
    }
  }
});

test('a territory’s reports', async ({ page, axe }) => {
  test.slow();
  await signInAs(page, 'direction.gers@demo.test');
  await checkPages(page, axe, [
    ['reports', '/agent/rapports'],
    ['reports-quarter', '/agent/rapports?periode=quarter&trimestre=1'],
    ['reports-year', '/agent/rapports?periode=year'],
  ]);
});
