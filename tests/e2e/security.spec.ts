// Web security: headers and CSP (no inline script allowed, no violation on our pages),
// cross-origin form posts refused, and user-supplied text never executed.
import { expect, signInAs, signUp, test } from './fixtures.ts';

const XSS = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">"'&`;

test('security headers and a CSP without inline scripts', async ({ request }) => {
  for (const path of ['/', '/offres', '/connexion']) {
    const res = await request.get(path);
    const h = res.headers();
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('strict-origin-when-cross-origin');
    const csp = h['content-security-policy'] ?? '';
    const scriptSrc = /script-src([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  }
});

test('our pages run under the CSP without a single violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push(e.message));
  for (const path of ['/', '/offres?territoire=32', '/territoires/50', '/connexion', '/inscription', '/en/offres']) {
    await page.goto(path);
  }
  await page.goto('/offres');
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await page.getByRole('button', { name: 'Afficher la carte' }).click();
  await expect(page.getByRole('region', { name: 'Carte des résultats' })).toHaveAttribute('data-markers', /\d+/);
  await page.locator('#results [data-offer-id] a').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
});

test('a form posted from another site is refused', async ({ request }) => {
  const res = await request.post('/connexion', {
    form: { email: 'famille@demo.test', password: 'demo-password-2026' },
    headers: { Origin: 'https://evil.example' },
  });
  expect(res.status()).toBe(403);
  expect(res.headers()['set-cookie']).toBeUndefined();
});

test('text typed by users is shown as text, never run', async ({ page, browser, portal }) => {
  let dialogs = 0;
  page.on('dialog', async (d) => {
    dialogs++;
    await d.dismiss();
  });
  const noXss = async () =>
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

  // A family whose name is a script.
  const email = `xss.${Date.now()}@exemple.fr`;
  await signUp(page, portal, { name: XSS.slice(0, 120), email, password: 'une phrase tout à fait sûre' });
  await expect(page.getByTestId('account-name')).toHaveText(XSS.slice(0, 120));
  await noXss();

  // Every text field of an offer holds a script.
  const offer = {
    id: Number(
      (await portal.sql.execute("SELECT id FROM offers WHERE status = 'published' AND kind = 'tiers_lieu' LIMIT 1"))
        .rows[0]!.id,
    ),
  };
  await portal.sql.execute({
    sql: 'UPDATE offers SET title = ?, description = ?, address = ?, opening_hours = ?, services = ?, website = ?, energy_class = ?, slug = ? WHERE id = ?',
    args: [XSS, XSS, XSS, XSS, JSON.stringify([XSS]), `javascript:window.__xss=3`, XSS, 'xss', offer.id],
  });
  await portal.sql.execute({ sql: 'UPDATE offer_photos SET alt = ? WHERE offer_id = ?', args: [XSS, offer.id] });
  await page.goto(`/offres/${offer.id}-xss`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(XSS);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await page.goto(`/offres?q=${encodeURIComponent(XSS)}&commune=${encodeURIComponent(XSS)}`);
  await expect(page.getByRole('alert')).toBeVisible();
  await page.goto('/offres?type=tiers-lieu');
  await noXss();

  // A staff member invited with such a name, in the admin list and the mailbox.
  const admin = await browser.newContext({ baseURL: portal.url });
  const adminPage = await admin.newPage();
  adminPage.on('dialog', async (d) => {
    dialogs++;
    await d.dismiss();
  });
  await signInAs(adminPage, 'admin@demo.test');
  await adminPage.goto('/admin');
  await adminPage.getByLabel('Nom').fill(XSS.slice(0, 120));
  await adminPage.getByLabel('Adresse email').fill(`x${Date.now()}@exemple.fr`);
  await adminPage.getByRole('checkbox', { name: 'Gers (32)' }).check();
  await adminPage.getByRole('button', { name: 'Envoyer l’invitation' }).click();
  await adminPage.goto('/admin');
  await adminPage.goto('/dev/boite-mail');
  await adminPage.locator('tbody a').first().click();
  expect(await adminPage.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await admin.close();
  expect(dialogs).toBe(0);
  await portal.sql.execute({ sql: 'UPDATE offers SET website = NULL WHERE id = ?', args: [offer.id] });
});
