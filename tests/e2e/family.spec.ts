// Journeys of the family account: hearts on offers (with and without JavaScript, and from a
// visitor through sign-in), the favourites page, saving a search, the daily digest email
// with a new matching offer, and its unsubscribe link. Each journey uses a fresh family.
import { spawnSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, lastMail, root, signInAs, submitSignIn, test, type Portal } from './fixtures.ts';

/** A verified family account with the demo password, created straight in the database. */
async function newFamily(portal: Portal, locale: 'fr' | 'en' = 'fr'): Promise<string> {
  const email = `famille.${Date.now()}.${Math.floor(Math.random() * 1e6)}@exemple.fr`;
  const now = new Date().toISOString();
  await portal.sql.execute({
    sql: `INSERT INTO users (email, name, password_hash, role, locale, email_verified_at, created_at)
          SELECT ?, 'Famille Test', password_hash, 'family', ?, ?, ? FROM users WHERE email = 'famille@demo.test'`,
    args: [email, locale, now, now],
  });
  return email;
}

/** Publishes now a copy of the first published offer matching `where`; returns its id and title. */
async function publishCopy(portal: Portal, where: string, title: string): Promise<{ id: number; slug: string }> {
  const columns = (await portal.sql.execute('PRAGMA table_info(offers)')).rows
    .map((r) => String(r.name))
    // A copy is not the imported offer: it has no source key of its own.
    .filter((c) => !['id', 'source', 'source_key', 'source_data'].includes(c));
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const values: Record<string, string> = { title, slug, published_at: new Date(Date.now() - 60_000).toISOString() };
  const rs = await portal.sql.execute({
    sql: `INSERT INTO offers (${columns.map((c) => `"${c}"`).join(', ')})
          SELECT ${columns.map((c) => (c in values ? '?' : `"${c}"`)).join(', ')} FROM offers
          WHERE status = 'published' AND ${where} ORDER BY id LIMIT 1 RETURNING id`,
    args: columns.filter((c) => c in values).map((c) => values[c]!),
  });
  return { id: Number(rs.rows[0]!.id), slug };
}

/** `npm run digest` against the portal's database. */
function runDigest(portal: Portal): string {
  const run = spawnSync(process.execPath, ['scripts/digest.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: portal.dbUrl, PUBLIC_SITE_URL: portal.url },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** A new family account (its email), whose member browses `path` as a visitor, not signed in yet. */
async function visitorWithAccount(page: Page, portal: Portal, path: string): Promise<string> {
  const email = await newFamily(portal);
  await page.goto(path);
  return email;
}

/** Signs in as `email` on the sign-in form that a visitor's action led to. */
async function signInWhenAsked(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/connexion\?retour=/);
  await submitSignIn(page, email);
}

const heart = (page: Page, offerId: string) => page.locator(`button#favori-${offerId}`);

test.describe.serial('favourites', () => {
  let email = '';
  let viaJs = '';
  let viaForm = '';
  const search = '/offres?type=logement&territoire=32';

  test.beforeAll(async ({ portal }) => {
    email = await newFamily(portal);
  });

  test('a family hearts an offer with JavaScript: it flips in place, without reloading', async ({ page, axe }) => {
    await signInAs(page, email);
    await page.goto(search);
    await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
    viaJs = (await page.locator('[data-offer-id]').first().getAttribute('data-offer-id'))!;
    const button = heart(page, viaJs);
    await expect(button).toHaveAttribute('aria-pressed', 'false');
    await expect(button).toHaveAccessibleName(/^Ajouter aux favoris\s:\s/);
    await page.evaluate(() => ((window as unknown as { stay: boolean }).stay = true));
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'true');
    await expect(button).toHaveAccessibleName(/^Retirer des favoris\s:\s/);
    await expect(page.locator('[data-favourite-status]')).toContainText('a été ajouté à vos favoris');
    expect(await page.evaluate(() => (window as unknown as { stay?: boolean }).stay)).toBe(true); // no reload
    await expect(page).toHaveURL(search);
    await axe(page);
    // Hearts that the live results swap in work the same way.
    await page.getByLabel('Fibre disponible uniquement').check();
    await expect(page).toHaveURL(/fibre=1/);
    const swapped = (await page.locator('[data-offer-id]').nth(1).getAttribute('data-offer-id'))!;
    await heart(page, swapped).click();
    await expect(heart(page, swapped)).toHaveAttribute('aria-pressed', 'true');
    await heart(page, swapped).click();
    await expect(heart(page, swapped)).toHaveAttribute('aria-pressed', 'false');
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('a family hearts another offer: the page comes back with the same filters, then lists and removes favourites', async ({
      page,
    }) => {
      await signInAs(page, email);
      await page.goto(`${search}&tri=prix`);
      const cards = page.locator('[data-offer-id]');
      for (const card of await cards.all()) {
        const id = (await card.getAttribute('data-offer-id'))!;
        if (id !== viaJs) {
          viaForm = id;
          break;
        }
      }
      await heart(page, viaForm).click();
      await expect(page).toHaveURL(new RegExp(`/offres\\?type=logement&territoire=32&tri=prix#favori-${viaForm}$`));
      await expect(heart(page, viaForm)).toHaveAttribute('aria-pressed', 'true');

      await page.goto('/compte');
      await page.getByRole('link', { name: 'Mes favoris' }).click();
      await expect(page).toHaveURL(/\/compte\/favoris$/);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes favoris');
      const listed = page.getByTestId('favourites').locator('[data-offer-id]');
      await expect(listed).toHaveCount(2);
      const ids = await Promise.all((await listed.all()).map((card) => card.getAttribute('data-offer-id')));
      expect(ids.sort()).toEqual([viaJs, viaForm].sort());

      await heart(page, viaJs).click();
      await expect(page).toHaveURL(new RegExp(`/compte/favoris#favori-${viaJs}$`));
      await expect(listed).toHaveCount(1);
      await expect(listed.first()).toHaveAttribute('data-offer-id', viaForm);
    });
  });

  test('an offer no longer published stays listed as such, with a remove button', async ({ page, portal, axe }) => {
    await portal.sql.execute({ sql: "UPDATE offers SET status = 'archived' WHERE id = ?", args: [Number(viaForm)] });
    try {
      await signInAs(page, email);
      await page.goto('/compte/favoris');
      await expect(page.getByTestId('favourites')).toHaveCount(0);
      await expect(page.getByText('Cette offre n’est plus publiée.')).toBeVisible();
      await axe(page);
      await page.getByRole('button', { name: /^Retirer/ }).click();
      await expect(page.getByText('Vous n’avez pas encore de favori')).toBeVisible();
    } finally {
      await portal.sql.execute({ sql: "UPDATE offers SET status = 'published' WHERE id = ?", args: [Number(viaForm)] });
    }
  });
});

test('a visitor’s heart leads to sign-in, then back to the same page with the offer added', async ({
  page,
  portal,
}) => {
  const email = await visitorWithAccount(page, portal, '/offres?type=tiers-lieu');
  const id = (await page.locator('[data-offer-id]').first().getAttribute('data-offer-id'))!;
  await heart(page, id).click();
  await signInWhenAsked(page, email);
  await expect(page).toHaveURL(new RegExp(`/offres\\?type=tiers-lieu#favori-${id}$`));
  await expect(heart(page, id)).toHaveAttribute('aria-pressed', 'true');
  // The same heart on the offer's page, with its words.
  await page.locator(`[data-offer-id="${id}"] h3 a`).click();
  await expect(page.getByRole('button', { name: 'Retirer des favoris' })).toHaveAttribute('aria-pressed', 'true');
});

test('the cached catalogue never shows a family’s hearts to visitors', async ({ browser, page, portal }) => {
  const url = '/offres?type=logement&territoire=50';
  const email = await newFamily(portal);
  const first = await page.request.get(url);
  await page.request.get(url); // stored from its second request
  const second = await page.request.get(url);
  expect(second.headers()['x-cache']).toBe('hit');
  expect(await second.text()).not.toContain('aria-pressed="true"');

  const family = await browser.newContext({ baseURL: portal.url });
  const familyPage = await family.newPage();
  await signInAs(familyPage, email);
  await familyPage.goto(url);
  const id = (await familyPage.locator('[data-offer-id]').first().getAttribute('data-offer-id'))!;
  await heart(familyPage, id).click();
  await expect(heart(familyPage, id)).toHaveAttribute('aria-pressed', 'true');
  await familyPage.reload();
  await expect(heart(familyPage, id)).toHaveAttribute('aria-pressed', 'true');
  await family.close();

  const after = await page.request.get(url);
  expect(after.headers()['x-cache']).toBe('hit');
  expect(await after.text()).toBe(await first.text());
  await page.goto(url);
  await expect(heart(page, id)).toHaveAttribute('aria-pressed', 'false');
});

test('staff get no hearts and no favourites page', async ({ page }) => {
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/offres');
  await expect(page.locator('[data-offer-id]').first()).toBeVisible();
  await expect(page.locator('.favourite')).toHaveCount(0);
  await expect(page.getByText('Enregistrer cette recherche')).toHaveCount(0);
  expect((await page.goto('/compte/favoris'))!.status()).toBe(403);
});

test('English pages: hearts and the favourites page', async ({ page, portal, axe }) => {
  const email = await newFamily(portal, 'en');
  await signInAs(page, email);
  await page.goto('/en/offres?type=logement');
  const id = (await page.locator('[data-offer-id]').first().getAttribute('data-offer-id'))!;
  await expect(heart(page, id)).toHaveAccessibleName(/^Add to favourites: /);
  await heart(page, id).click();
  await expect(heart(page, id)).toHaveAccessibleName(/^Remove from favourites: /);
  await page.goto('/en/compte');
  await page.getByRole('link', { name: 'My favourites' }).click();
  await expect(page).toHaveURL(/\/en\/compte\/favoris$/);
  await expect(page.getByTestId('favourites').locator('[data-offer-id]')).toHaveCount(1);
  await axe(page);
});

test('a family saves a search; a new matching offer arrives by the daily digest; the unsubscribe link stops it', async ({
  page,
  portal,
  axe,
}) => {
  test.slow();
  const email = await newFamily(portal);
  await signInAs(page, email);
  await page.goto('/offres?type=logement&territoire=32&fibre=1&page=2');
  await page.getByText('Enregistrer cette recherche et recevoir des alertes').click();
  await expect(page.getByLabel('Nom de la recherche')).toHaveValue('Logements · Gers (32) · fibre');
  await axe(page);
  await page.getByRole('button', { name: 'Enregistrer cette recherche' }).click();
  await expect(page).toHaveURL(/\/compte\/recherches\?ok=enregistree/);
  await expect(page.getByRole('status')).toContainText('Recherche « Logements · Gers (32) · fibre » enregistrée');
  const saved = page.getByTestId('saved-searches').locator('li');
  await expect(saved).toHaveCount(1);
  await expect(saved).toContainText('Alertes email activées');
  await axe(page);
  await expect(saved.getByRole('link', { name: 'Voir les offres' })).toHaveAttribute(
    'href',
    '/offres?type=logement&territoire=32&fibre=1',
  );

  // Saving it again is refused with a clear message; nothing is added.
  await page.goto('/offres?fibre=1&territoire=32&type=logement');
  await page.getByText('Enregistrer cette recherche et recevoir des alertes').click();
  await page.getByLabel('Nom de la recherche').fill('Encore');
  await page.getByRole('button', { name: 'Enregistrer cette recherche' }).click();
  await expect(page.getByRole('alert')).toContainText('La recherche n’a pas été enregistrée.');
  await expect(
    page.getByText('Vous avez déjà enregistré cette recherche, sous le nom « Logements · Gers (32) · fibre ».'),
  ).toBeVisible();
  await expect(page.getByTestId('pending-search').getByLabel('Nom de la recherche')).toHaveValue('Encore'); // what was typed is kept
  await expect(saved).toHaveCount(1);

  // Rename, with a refused empty name first.
  await saved.getByText('Renommer', { exact: true }).click();
  await saved.getByLabel('Nom de la recherche').fill('   ');
  await page.getByRole('button', { name: 'Enregistrer le nom' }).click();
  await expect(page.getByText('Donnez un nom à cette recherche.')).toBeVisible();
  await saved.getByLabel('Nom de la recherche').fill('Gers fibré');
  await page.getByRole('button', { name: 'Enregistrer le nom' }).click();
  await expect(page.getByRole('status')).toHaveText('Recherche renommée.');
  await expect(saved.getByRole('heading')).toHaveText('Gers fibré');

  // A day later, a new matching offer has been published.
  const users = await portal.sql.execute({ sql: 'SELECT id FROM users WHERE email = ?', args: [email] });
  await portal.sql.execute({
    sql: "UPDATE saved_searches SET last_digest_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') WHERE user_id = ?",
    args: [Number(users.rows[0]!.id)],
  });
  const offer = await publishCopy(
    portal,
    "kind = 'home' AND territory_code = '32' AND fibre_status = 'available'",
    'Longere neuve fibree',
  );
  try {
    expect(runDigest(portal)).toMatch(/Digest: [1-9]\d* email\(s\)/);
    const mail = await lastMail(portal, email);
    expect(mail.subject.replace(/\u00a0/g, ' ')).toBe('1 nouvelle offre pour « Gers fibré »');
    expect(mail.text).toContain(`Longere neuve fibree`);
    expect(mail.text).toContain(`${portal.url}/offres/${offer.id}-${offer.slug}`);
    // Run again: nothing new, nothing sent.
    runDigest(portal);
    const count = await portal.sql.execute({
      sql: 'SELECT count(*) AS n FROM outbox WHERE "to" = ? AND template = \'search_digest\'',
      args: [email],
    });
    expect(Number(count.rows[0]!.n)).toBe(1);

    // The unsubscribe link works without being signed in.
    const link = /(http\S+\/alertes\/desabonnement\?token=[\w-]+)/.exec(mail.text)![1]!;
    await page.context().clearCookies();
    await page.goto(link);
    await expect(
      page.getByText('Ne plus recevoir d’alertes par email pour la recherche « Gers fibré » ?'),
    ).toBeVisible();
    await axe(page);
    await page.getByRole('button', { name: 'Arrêter les alertes' }).click();
    await expect(page.getByRole('status')).toContainText('vous ne recevrez plus d’alertes pour « Gers fibré »');
    await signInAs(page, email);
    await page.goto('/compte/recherches');
    await expect(saved).toContainText('Alertes email désactivées');
    await page.getByRole('button', { name: 'Activer les alertes' }).click();
    await expect(page.getByRole('status')).toContainText('Alertes activées');
    await page.getByRole('button', { name: 'Supprimer' }).click();
    await expect(page.getByRole('status')).toHaveText('Recherche supprimée.');
    await expect(saved).toHaveCount(0);
  } finally {
    await portal.sql.execute({ sql: 'DELETE FROM offers WHERE id = ?', args: [offer.id] });
  }

  // An unknown token: a clear message, no error page.
  const unknown = await page.goto('/alertes/desabonnement?token=inconnu-inconnu-inconnu');
  expect(unknown!.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('Ce lien de désabonnement n’est pas valable');
});

test('a visitor who saves a search signs in and finds it saved; an invalid search is refused', async ({
  page,
  portal,
}) => {
  const email = await visitorWithAccount(page, portal, '/offres?type=tiers-lieu&territoire=50');
  await page.getByText('Enregistrer cette recherche et recevoir des alertes').click();
  await page.getByRole('button', { name: 'Enregistrer cette recherche' }).click();
  await signInWhenAsked(page, email);
  await expect(page).toHaveURL(/\/compte\/recherches\?ok=enregistree/);
  await expect(page.getByTestId('saved-searches').getByRole('heading')).toHaveText('Tiers-lieux · Manche (50)');

  const refused = await page.request.post('/compte/recherches', {
    form: { action: 'enregistrer', requete: 'prix_min=5&prix_max=1', nom: 'Mauvaise' },
    headers: { Origin: portal.url },
  });
  expect(refused.status()).toBe(400);
  const html = await refused.text();
  expect(html).toContain('Le prix maximum doit être supérieur ou égal au prix minimum.');
  expect(html).toContain('value="Mauvaise"');
  await page.goto('/compte/recherches');
  await expect(page.getByTestId('saved-searches').locator('li')).toHaveCount(1);
});

test('a signed-in family’s malformed posts are clear errors, never a 5xx', async ({ page, portal }) => {
  await signInAs(page, await newFamily(portal));
  const forms: Array<Record<string, string>> = [
    {},
    { offre: 'abc', favori: '1' },
    { offre: '1', favori: '2' },
    { offre: '99999999999', favori: '1', retour: '//evil.example' },
    { action: 'renommer', id: 'x', nom: '' },
    { action: 'renommer', id: '999999', nom: 'Nom' },
    { action: 'alertes', id: '1', alertes: 'peut-être' },
    { action: 'supprimer', id: '-1' },
    { action: 'enregistrer', requete: '%%%', nom: 'x'.repeat(500) },
    { action: 'enregistrer', requete: `q=${'x'.repeat(5000)}` },
    { action: 'enregistrer', requete: 'territoire=99&commune=%00' },
  ];
  for (const path of ['/compte/favoris', '/compte/recherches', '/en/compte/favoris', '/en/compte/recherches']) {
    for (const form of forms) {
      for (const accept of ['text/html', 'application/json']) {
        const res = await page.request.post(path, {
          form,
          headers: { Origin: portal.url, Accept: accept },
          maxRedirects: 0,
        });
        expect(res.status(), `${path} ${JSON.stringify(form).slice(0, 60)}`).toBeLessThan(500);
        if (res.status() === 303) expect(res.headers().location).not.toContain('evil.example');
      }
    }
  }
  for (const query of [
    '?ajouter=abc',
    '?ajouter=99999999&retour=//evil.example',
    '?requete=%FF&nom=%00',
    '?ok=enregistree&id=abc',
  ]) {
    for (const path of ['/compte/favoris', '/compte/recherches'])
      expect((await page.request.get(path + query, { maxRedirects: 0 })).status()).toBeLessThan(500);
  }
});
