// Journey: "tell me when fibre arrives". A visitor asks on a commune page, confirms from the
// email, an administrator imports newer ARCEP figures that cross the threshold, one email
// arrives (and no second one on the next import), and its link deletes the alert. A family
// signed in asks from an offer without fibre. The commune page passes axe.
import type { Page } from '@playwright/test';
import { expect, lastMail, screenshots, signInAs, test, type Portal } from './fixtures.ts';

const communeUrl = '/communes/32369-sainte-christie-d-armagnac';
const communeName = 'Sainte-Christie-d’Armagnac'.replace('’', "'");

async function importRates(page: Page, name: string, rows: string, date: string) {
  await page.goto('/admin/imports');
  const rates = page.getByRole('region', { name: 'Couverture fibre par commune (ARCEP)' });
  await rates.getByLabel('Fichier CSV').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(`code_insee,fibre_pct\n${rows}`),
  });
  await rates.getByLabel('Date des données').fill(date);
  await rates.getByRole('button', { name: 'Importer' }).click();
  const row = page.locator('[data-import]', { hasText: name });
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveAttribute('data-status', 'done', { timeout: 1000 });
  }).toPass();
}

const arrivals = async (portal: Portal, to: string) =>
  Number(
    (
      await portal.sql.execute({
        sql: 'SELECT count(*) AS n FROM outbox WHERE template = \'fibre_arrived\' AND "to" = ?',
        args: [to],
      })
    ).rows[0]!.n,
  );

test('a visitor subscribes, confirms, gets one email when an import crosses the threshold, then unsubscribes', async ({
  browser,
  portal,
}) => {
  test.slow();
  const email = `fibre.${Date.now()}@exemple.fr`;
  const visitor = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  const admin = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  try {
    const page = await visitor.newPage();
    await page.goto(communeUrl);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(communeName);
    const box = page.getByRole('region', { name: `Prévenez-moi quand la fibre arrive à ${communeName}` });
    // 14 % of premises today: "the first premises" is reached already, not offered.
    await expect(box.getByLabel('les premiers locaux sont raccordables')).toHaveCount(0);
    await box.getByLabel('la moitié des locaux sont raccordables').check();
    await box.getByLabel('Votre adresse email').fill('jo@exemple');
    await box.getByRole('button', { name: 'Créer l’alerte' }).click();
    await expect(page.getByRole('alert').first()).toBeVisible();
    // The browser lets it through, the server does not; the typed address comes back.
    await expect(box.getByLabel('Votre adresse email')).toHaveValue('jo@exemple');
    await box.getByLabel('Votre adresse email').fill(email);
    await box.getByRole('button', { name: 'Créer l’alerte' }).click();
    await expect(page.getByText('Nous vous avons envoyé un lien : ouvrez-le pour confirmer l’alerte.')).toBeVisible();

    // The confirmation link: a page with a button (mail scanners only follow links).
    const confirm = await lastMail(portal, email);
    expect(confirm.subject).toBe(`Confirmez votre alerte fibre pour ${communeName}`);
    await page.goto(confirm.link);
    await expect(page.getByText(`Alerte pour ${communeName} : la moitié des locaux sont raccordables.`)).toBeVisible();
    await page.getByRole('button', { name: 'Confirmer l’alerte' }).click();
    await expect(page.getByText('Alerte confirmée')).toBeVisible();

    // An administrator imports newer figures: past the threshold, one email.
    const adminPage = await admin.newPage();
    await signInAs(adminPage, 'direction.gers@demo.test');
    await importRates(adminPage, 'taux-2026-11.csv', '32369,55\n', '2026-11-30');
    await expect.poll(() => arrivals(portal, email)).toBe(1);
    const arrived = await lastMail(portal, email);
    expect(arrived.subject).toBe(`La fibre arrive à ${communeName}`);
    expect(arrived.text).toMatch(/55\s%/);
    // The next import, higher still: the same crossing, no second email.
    await importRates(adminPage, 'taux-2026-12.csv', '32369,61\n', '2026-12-01');
    expect(await arrivals(portal, email)).toBe(1);

    // The email's link deletes the alert.
    const end = /(https?:\/\/\S+\/alertes\/fibre\?token=\S+)/.exec(arrived.text)?.[1];
    expect(end).toBeTruthy();
    await page.goto(end!);
    await page.getByRole('button', { name: 'Supprimer l’alerte' }).click();
    await expect(page.getByText('L’alerte est supprimée')).toBeVisible();
    const left = await portal.sql.execute({
      sql: 'SELECT count(*) AS n FROM fibre_alerts WHERE email = ?',
      args: [email],
    });
    expect(Number(left.rows[0]!.n)).toBe(0);
  } finally {
    await visitor.close();
    await admin.close();
  }
});

test('a family signed in asks from an offer without fibre; the commune page passes axe', async ({
  page,
  portal,
  axe,
}) => {
  const rs = await portal.sql.execute(
    `SELECT o.id, o.slug, m.name FROM offers o JOIN communes m ON m.code = o.commune_code
     JOIN commune_coverage c ON c.commune_code = o.commune_code
     WHERE o.status = 'published' AND o.fibre_status <> 'available' AND c.ftth_share < 0.5 ORDER BY o.id LIMIT 1`,
  );
  const offer = rs.rows[0]!;
  await signInAs(page, 'famille@demo.test');
  await page.goto(`/offres/${offer.id}-${offer.slug}`);
  const box = page.getByRole('region', { name: `Prévenez-moi quand la fibre arrive à ${String(offer.name)}` });
  await expect(box.getByText('Un seul email à famille@demo.test')).toBeVisible();
  await box.getByLabel('la plupart des locaux (80 %) sont raccordables').check();
  await box.getByRole('button', { name: 'Créer l’alerte' }).click();
  await expect(page).toHaveURL(/\/communes\/\d{5}-[a-z-]+\?ok=subscribed#alerte$/);
  await expect(
    page.getByText(`C’est noté : nous vous écrirons quand la fibre arrivera à ${String(offer.name)}.`),
  ).toBeVisible();
  const saved = await portal.sql.execute(
    "SELECT threshold, confirmed_at FROM fibre_alerts WHERE email = 'famille@demo.test'",
  );
  expect(saved.rows[0]).toMatchObject({ threshold: 'most' });
  expect(saved.rows[0]!.confirmed_at).toBeTruthy();
  await axe(page);
  // A post to a commune's other address is sent on as a post (308), not turned into a GET.
  const moved = await page.request.post('/communes/32369', {
    form: { threshold: 'most' },
    headers: { Origin: portal.url },
    maxRedirects: 0,
  });
  expect(moved.status()).toBe(308);
  expect(moved.headers()['location']).toBe(communeUrl);

  await page.goto(`/en${communeUrl}`);
  await expect(page.getByRole('heading', { name: 'Fibre', exact: true })).toBeVisible();
  await axe(page);
  await screenshots(page, 'commune');
});
