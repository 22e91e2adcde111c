// Web security: headers and CSP (no inline script allowed, no violation on our pages),
// cross-origin form posts refused, user-supplied text never executed, no open redirect,
// no TRACE, bounded request bodies, personal pages never cached, HSTS behind https.
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiAs, expect, signInAs, signUp, startPortal, stopPortal, test, throwawayFamily } from './fixtures.ts';

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
  // Beside the list from the start on a wide screen.
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

/** Return paths that try to leave the site (known open-redirect tricks). */
const redirectPayloads = [
  '//evil.example',
  '/.//evil.example',
  '/..//evil.example',
  '/\\evil.example',
  '/%2F%2Fevil.example',
  '/%2f%2fevil.example',
  '/%5Cevil.example',
  '/%5C%5Cevil.example',
  'https://evil.example',
  'http:evil.example',
  'https:/evil.example',
  '\\/evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/%09/evil.example',
  '/\n/evil.example',
  '///evil.example',
  '////evil.example',
  '/\\/evil.example',
  '/../evil',
  '/./../..//evil.example',
  ' //evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '%2F%2Fevil.example',
  '//evil.example@127.0.0.1',
  '/%0d%0aLocation:%20https://evil.example',
];

/** A Location that stays on this site: a single `/` then a path, resolving to our origin. */
function expectSameSite(location: string | undefined, origin: string, what: string) {
  expect(location, what).toBeDefined();
  expect(location!, what).toMatch(/^\/[^/\\]/);
  expect(new URL(location!, origin).origin, what).toBe(origin);
}

test('return paths never lead to another site', async ({ portal }) => {
  test.slow();
  const email = await throwawayFamily(portal, 'redirection');
  const family = await apiAs(portal, email);
  const offer = Number(
    (await portal.sql.execute("SELECT id FROM offers WHERE status = 'published' ORDER BY id LIMIT 1")).rows[0]!.id,
  );
  const signIn = await apiAs(portal);
  for (const payload of redirectPayloads) {
    const heart = await family.post('/compte/favoris', {
      form: { offre: String(offer), favori: '1', retour: payload },
      headers: { Origin: portal.url },
    });
    expect(heart.status(), `heart, retour=${JSON.stringify(payload)}`).toBe(303);
    expectSameSite(heart.headers()['location'], portal.url, `heart, retour=${JSON.stringify(payload)}`);

    const back = await family.get(`/compte/favoris?ajouter=${offer}&retour=${encodeURIComponent(payload)}`, {
      headers: { 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(back.status(), `back from sign-in, retour=${JSON.stringify(payload)}`).toBe(303);
    expectSameSite(back.headers()['location'], portal.url, `back from sign-in, retour=${JSON.stringify(payload)}`);

    const signedIn = await signIn.post('/connexion', {
      form: { email, password: 'demo-password-2026', retour: payload },
      headers: { Origin: portal.url },
    });
    expect(signedIn.status(), `sign-in, retour=${JSON.stringify(payload)}`).toBe(303);
    expectSameSite(signedIn.headers()['location'], portal.url, `sign-in, retour=${JSON.stringify(payload)}`);
  }
  await family.dispose();
  await signIn.dispose();
});

/** A raw HTTP request (any method, as Node's client sends it), for what fetch refuses to send. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('TRACE is not allowed, and an unknown method is refused without a 500', async ({ portal }) => {
  for (const path of ['/', '/offres']) {
    const res = await rawRequest(`${portal.url}${path}`, 'TRACE');
    expect(res.status, `TRACE ${path}`).toBe(405);
    expect(res.headers['allow'], `TRACE ${path}`).toBeTruthy();
  }
  // Node's parser may refuse a made-up method itself (400); the portal must not fail on it.
  const made = await rawRequest(`${portal.url}/`, 'BREW').catch(() => ({ status: 400, headers: {} }));
  expect([400, 405, 501]).toContain(made.status);
  // The API answers problem+json itself, even when the Host header is nonsense.
  expect((await rawRequest(`${portal.url}/api/v1/offres`, 'TRACE', { Host: '[' })).status).toBe(405);
  expect((await rawRequest(`${portal.url}/api/v1/%ff`, 'GET', { Host: '[' })).status).toBe(400);
  expect((await fetch(`${portal.url}/ping`)).status).toBe(200);
});

test('a 2 MB form field is refused with 413 and a page, and the server still answers', async ({ request, portal }) => {
  const huge = 'a'.repeat(2 * 1024 * 1024);
  for (const [path, field] of [
    ['/connexion', 'email'],
    ['/projet', 'name'],
  ] as const) {
    const res = await request.post(path, {
      data: `${field}=${huge}`,
      headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status(), path).toBe(413);
    expect(res.headers()['content-type'] ?? '', path).toMatch(/^text\/html/);
    expect((await request.get('/ping')).status()).toBe(200);
  }
});

test('pages with personal data are never stored by caches', async ({ portal }) => {
  test.slow();
  const one = async (sql: string) => (await portal.sql.execute(sql)).rows[0]!;
  const file = String(
    (
      await one(
        "SELECT public_id FROM candidates WHERE territory_code = '32' AND merged_into_id IS NULL AND anonymised_at IS NULL LIMIT 1",
      )
    ).public_id,
  );
  const agent = Number((await one("SELECT id FROM users WHERE email = 'agent.gers@demo.test'")).id);
  const pages: Array<[string, string[]]> = [
    ['famille@demo.test', ['/compte', '/compte/favoris', '/compte/recherches', '/compte/donnees.json']],
    ['agent.gers@demo.test', ['/agent', '/agent/candidats', `/agent/candidats/${file}`]],
    [
      'direction.gers@demo.test',
      ['/agent/rapports', '/agent/rapports/export.csv?table=months', '/admin', `/admin/agents/${agent}`],
    ],
    ['admin@demo.test', ['/dev/boite-mail']],
  ];
  for (const [email, paths] of pages) {
    const ctx = await apiAs(portal, email);
    for (const path of paths) {
      const res = await ctx.get(path);
      expect(res.status(), `${email} ${path}`).toBe(200);
      expect(res.headers()['cache-control'] ?? '', `${email} ${path}`).toMatch(/no-store/);
    }
    await ctx.dispose();
  }
  // A refused sign-in shows what was typed.
  const anonymous = await apiAs(portal);
  const refused = await anonymous.post('/connexion', {
    form: { email: 'personne@exemple.fr', password: 'pas le bon mot de passe' },
    headers: { Origin: portal.url },
  });
  expect(refused.status()).toBe(400);
  expect(refused.headers()['cache-control'] ?? '').toMatch(/no-store/);
  await anonymous.dispose();
});

test('HSTS is sent when the site is served over https, never otherwise', async ({ request }) => {
  test.slow();
  for (const path of ['/', '/offres', '/connexion'])
    expect((await request.get(path)).headers()['strict-transport-security'], path).toBeUndefined();
  const dir = await mkdtemp(join(tmpdir(), 'cc-e2e-hsts-'));
  const https = await startPortal(join(dir, 'portal.db'), { PUBLIC_SITE_URL: 'https://portail.example' });
  try {
    for (const path of ['/', '/offres', '/connexion']) {
      const res = await fetch(`${https.url}${path}`, { redirect: 'manual' });
      expect(res.headers.get('strict-transport-security') ?? '', path).toMatch(/max-age=\d+/);
    }
  } finally {
    await stopPortal(https.process);
    await rm(dir, { recursive: true, force: true });
  }
});
