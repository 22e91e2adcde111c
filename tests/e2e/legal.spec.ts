// The legal pages (issue 13) in French and English: what each must say, checked against the
// database and the browser where it states a fact (a territory's retention, the one cookie,
// no request to another site); linked from every page's footer, back office included, and
// from the project form's consent; listed in the sitemap; accessible.
import { expect, inLocale, signInAs, sitemapText, test, type Portal } from './fixtures.ts';

const legalPages = [
  { path: '/mentions-legales', fr: 'Mentions légales', en: 'Legal notice' },
  { path: '/confidentialite', fr: 'Données personnelles', en: 'Privacy notice' },
  { path: '/accessibilite', fr: 'Déclaration d’accessibilité', en: 'Accessibility statement' },
  { path: '/cookies', fr: 'Cookies', en: 'Cookies' },
] as const;
const locales = ['fr', 'en'] as const;

/** A territory's retention, set for the test and put back afterwards. */
async function withRetention(portal: Portal, code: string, months: number, run: () => Promise<void>) {
  const before = Number(
    (await portal.sql.execute({ sql: 'SELECT retention_months FROM territories WHERE code = ?', args: [code] }))
      .rows[0]!.retention_months,
  );
  await portal.sql.execute({ sql: 'UPDATE territories SET retention_months = ? WHERE code = ?', args: [months, code] });
  try {
    await run();
  } finally {
    await portal.sql.execute({
      sql: 'UPDATE territories SET retention_months = ? WHERE code = ?',
      args: [before, code],
    });
  }
}

for (const locale of locales) {
  test(`the legal pages answer in ${locale}, titled, and pass axe`, async ({ page, axe }) => {
    test.slow();
    for (const p of legalPages) {
      const response = await page.goto(inLocale(p.path, locale));
      expect(response?.status(), p.path).toBe(200);
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      await expect(page.getByRole('heading', { level: 1, name: p[locale], exact: true })).toBeVisible();
      await axe(page);
    }
  });
}

test('the privacy notice lists each territory’s retention as configured, the rights and the CNIL', async ({
  page,
  portal,
}) => {
  await withRetention(portal, '50', 37, async () => {
    const gers = Number(
      (await portal.sql.execute("SELECT retention_months FROM territories WHERE code = '32'")).rows[0]!
        .retention_months,
    );
    for (const [locale, unit, complaint] of [
      ['fr', 'mois', 'déposer une plainte en ligne'],
      ['en', 'months', 'file a complaint online'],
    ] as const) {
      await page.goto(inLocale('/confidentialite', locale));
      const retention = page.locator('section[aria-labelledby="conservation"]');
      await expect(retention.locator('tr[data-territory="50"] td')).toHaveText(`37 ${unit}`);
      await expect(retention.locator('tr[data-territory="32"] td')).toHaveText(`${gers} ${unit}`);
      await expect(page.getByRole('link', { name: complaint })).toHaveAttribute(
        'href',
        'https://www.cnil.fr/fr/plaintes',
      );
      // Access and portability: the account's download; erasure: the account's data section.
      await expect(page.locator('a[href="/compte/donnees.json"]')).toBeVisible();
      await expect(page.locator(`a[href="${inLocale('/compte', locale)}#donnees"]`)).toBeVisible();
      // Every legal basis is named, for each processing.
      await expect(page.locator('[data-item] [data-fact="basis"]')).toHaveCount(10);
      // The ambassadors' programme (decision 024) rests on consent.
      await expect(page.locator('[data-item="ambassadors"] [data-fact="basis"] dd')).toContainText(
        locale === 'fr' ? 'Consentement' : 'Consent',
      );
    }
    // The staff access log, and how long it is kept (the purge's own constant).
    await expect(page.locator('[data-item="accessLog"] [data-fact="kept"] dd')).toHaveText('12 months, then erased');
    // The emails sent: their text for 30 days, their row for 12 months (the outbox's own constants).
    await expect(page.locator('[data-item="emails"] [data-fact="kept"] dd')).toHaveText(
      'Subject and text: 30 days after sending, then erased (an email that could not be delivered keeps them, to be sent again); the address, kind and dates: 12 months, then erased (sooner if you erase your data)',
    );
    await expect(page.locator('[data-item="account"]')).toContainText('after 3 years without signing in');
    await expect(page.locator('[data-item="account"]')).toContainText('30 days before');
    await expect(page.locator('[data-item="file"] [data-fact="basis"]')).toContainText('Consent');
  });
});

test('the legal notice gives each territory’s contact from its settings', async ({ page, portal }) => {
  const rows = (await portal.sql.execute('SELECT code, contact_email FROM territories ORDER BY code')).rows;
  await page.goto('/mentions-legales');
  for (const row of rows) {
    const item = page.locator(`.territory-contacts [data-territory="${row.code}"]`);
    if (row.contact_email) await expect(item.getByRole('link', { name: String(row.contact_email) })).toBeVisible();
    else await expect(item.getByRole('link', { name: 'voir la page du territoire' })).toBeVisible();
  }
  for (const heading of ['Éditeur', 'Direction de la publication', 'Hébergement', 'Nous écrire'])
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
});

test('the accessibility statement declares its status, the known limits and the recourse', async ({ page }) => {
  await page.goto('/accessibilite');
  // No audit yet: RGAA 4.1 allows only "non conforme".
  await expect(page.locator('.status')).toHaveText(/est non conforme avec le référentiel .* version 4\.1/);
  await expect(page.getByRole('heading', { name: 'Non-conformités connues' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'écrire un message au Défenseur des droits' })).toHaveAttribute(
    'href',
    'https://formulaire.defenseurdesdroits.fr/',
  );
  await expect(page.getByText('Libre réponse 71120')).toBeVisible();
  await page.goto('/en/accessibilite');
  await expect(page.locator('.status')).toContainText('is non-compliant with');
});

test('only signing in sets a cookie, the one the cookies page names, and no page calls another site', async ({
  page,
  baseURL,
}) => {
  test.slow();
  const elsewhere: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== new URL(baseURL!).origin) elsewhere.push(r.url());
  });
  await page.goto('/cookies');
  const session = page.locator('[data-item="cc_session"]');
  await expect(session.getByRole('heading', { name: 'cc_session' })).toBeVisible();
  await expect(session.locator('[data-fact="duration"]')).toContainText('30 jours au plus');
  await expect(page.locator('[data-item="cc-project-draft"]')).toBeVisible();
  for (const path of ['/', '/offres', '/projet', '/impact', '/confidentialite', '/en/cookies']) await page.goto(path);
  expect(await page.context().cookies()).toEqual([]);

  const before = Date.now() / 1000;
  await signInAs(page, 'famille@demo.test');
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).toEqual(['cc_session']);
  expect(cookies[0]!.httpOnly).toBe(true);
  expect(cookies[0]!.sameSite).toBe('Lax');
  // The page's "30 days at most" is the cookie's own lifetime.
  expect(Math.round((cookies[0]!.expires - before) / 86_400)).toBe(30);
  expect(elsewhere).toEqual([]);
});

test('every page’s footer links the four legal pages, in its language, back office included', async ({ page }) => {
  const footerLinks = (locale: 'fr' | 'en') =>
    page
      .getByRole('contentinfo')
      .getByRole('navigation', { name: locale === 'fr' ? 'Informations légales' : 'Legal information' });
  await page.goto('/offres');
  const fr = footerLinks('fr');
  await expect(fr.getByRole('link')).toHaveCount(4);
  await expect(fr.getByRole('link', { name: 'Mentions légales' })).toHaveAttribute('href', '/mentions-legales');
  await expect(fr.getByRole('link', { name: 'Cookies' })).toHaveAttribute('href', '/cookies');
  // The accessibility link states the conformity status, as the décret n° 2019-768 asks.
  await expect(fr.getByRole('link', { name: /^Accessibilité\s*: non conforme$/ })).toHaveAttribute(
    'href',
    '/accessibilite',
  );
  await fr.getByRole('link', { name: 'Données personnelles' }).click();
  await expect(page).toHaveURL(/\/confidentialite$/);

  await page.goto('/en/offres');
  const en = footerLinks('en');
  await expect(en.getByRole('link', { name: 'Privacy notice' })).toHaveAttribute('href', '/en/confidentialite');
  await expect(en.getByRole('link', { name: 'Accessibility: non-compliant' })).toHaveAttribute(
    'href',
    '/en/accessibilite',
  );

  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent');
  await expect(footerLinks('fr').getByRole('link')).toHaveCount(4);
});

test('the project form’s consent links the privacy notice, in both languages', async ({ browser, baseURL }) => {
  // Without JavaScript every section of the form shows, the consent's included.
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  for (const [locale, consent, privacy] of [
    ['fr', /J’accepte que Campagne Connectée/, 'Données personnelles'],
    ['en', /I agree that Campagne Connectée/, 'Privacy notice'],
  ] as const) {
    await page.goto(inLocale('/projet', locale));
    const box = page.getByRole('checkbox', { name: consent });
    await expect(box).toHaveAccessibleDescription(locale === 'fr' ? /Qui reçoit ces informations/ : /Who receives/);
    const link = page.locator('#p-consent-hint').getByRole('link', { name: privacy });
    await expect(link).toHaveAttribute('href', inLocale('/confidentialite', locale));
  }
  await context.close();
});

test('the sitemap lists the legal pages in both languages', async ({ request, portal }) => {
  const sitemap = await sitemapText(request);
  for (const p of legalPages)
    for (const locale of locales) expect(sitemap).toContain(`<loc>${portal.url}${inLocale(p.path, locale)}</loc>`);
});
