// Journey: a family files its relocation project, step by step with JavaScript (a reload
// keeps the draft) and as one plain form without; the family and the territory's staff
// receive their emails.
import { expect, lastMail, signUp, test } from './fixtures.ts';

const uniqueEmail = () => `projet.${Date.now()}.${Math.floor(Math.random() * 1e6)}@exemple.fr`;

test('step by step, with a draft that survives a reload, errors in the page language', async ({
  page,
  portal,
  axe,
}) => {
  const email = uniqueEmail();
  await page.goto('/projet');
  await expect(page.locator('form[data-enhanced="true"]')).toBeVisible();
  await expect(page.getByText('Étape 1 sur 4 : Votre foyer')).toBeVisible();
  await axe(page);
  await page.getByRole('button', { name: 'Suivant' }).click();
  await expect(page.getByText('Étape 1 sur 4 : Votre foyer')).toBeVisible(); // required name and email first
  // Said under each field in the page's words (not the browser's bubble), the first one focused.
  const name = page.getByLabel('Nom de la famille ou de la personne à contacter');
  await expect(name).toBeFocused();
  await expect(name).toHaveAccessibleDescription('Indiquez votre nom.');
  await expect(page.getByLabel('Adresse email')).toHaveAccessibleDescription(/Indiquez une adresse email valide/);
  await name.fill('Famille Leclerc');
  await expect(page.locator('#p-name-error')).toHaveCount(0); // gone once corrected
  await expect(name).not.toHaveAttribute('aria-invalid');
  await page.getByLabel('Adresse email').fill(email);
  await page.getByLabel('Âge des enfants').fill('5, 11');

  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'Votre saisie précédente a été retrouvée.' })).toBeVisible();
  await expect(page.getByLabel('Nom de la famille ou de la personne à contacter')).toHaveValue('Famille Leclerc');
  await expect(page.getByLabel('Âge des enfants')).toHaveValue('5, 11');

  await page.getByRole('button', { name: 'Suivant' }).click();
  await expect(page.getByText('Étape 2 sur 4 : Votre travail')).toBeVisible();
  await page.getByLabel('Votre métier').fill('Graphiste');
  await page.getByRole('combobox', { name: 'Situation de télétravail' }).first().selectOption('freelancer');
  await page.getByRole('button', { name: 'Suivant' }).click();
  await page.getByRole('checkbox', { name: 'Gers (32)' }).check();
  await page.getByLabel('Communes souhaitées (facultatif)').fill('Mauvezin, Nulle-Part');
  await page.getByRole('button', { name: 'Suivant' }).click();
  // Sent without the consent: its message under the box, nothing posted.
  await page.getByRole('button', { name: 'Envoyer mon projet' }).click();
  const consent = page.getByLabel(/J’accepte que Campagne Connectée/);
  await expect(consent).toBeFocused();
  await expect(consent).toHaveAccessibleDescription(/Votre accord est nécessaire/);
  await expect(page.getByText('Étape 4 sur 4')).toBeVisible();
  await consent.check();
  await page.getByRole('button', { name: 'Envoyer mon projet' }).click();

  // The unknown commune comes back next to its field, on its step, with everything kept.
  await expect(page.getByRole('alert')).toContainText('Aucune commune ne correspond à « Nulle-Part »');
  await expect(page.getByText('Étape 3 sur 4 : Votre projet')).toBeVisible();
  await expect(page.getByLabel('Communes souhaitées (facultatif)')).toHaveValue('Mauvezin, Nulle-Part');
  await page.getByLabel('Communes souhaitées (facultatif)').fill('Mauvezin');
  await page.getByRole('button', { name: 'Suivant' }).click();
  await page.getByLabel(/J’accepte que Campagne Connectée/).check();
  await page.getByRole('button', { name: 'Envoyer mon projet' }).click();
  await expect(page.getByRole('status')).toContainText('Merci, votre projet est bien arrivé');

  const file = (await portal.sql.execute({ sql: 'SELECT * FROM candidates WHERE email = ?', args: [email] })).rows[0]!;
  expect(file).toMatchObject({
    name: 'Famille Leclerc',
    territory_code: '32',
    stage: 'enquiry',
    wished_communes: '["32249"]',
  });
  expect(JSON.parse(String(file.household))).toEqual({ adults: 2, children: [5, 11] });
  expect((await lastMail(portal, email)).subject).toBe('Nous avons bien reçu votre projet d’installation');
  expect((await lastMail(portal, 'agent.gers@demo.test')).text).toContain(`/agent/candidats/${file.public_id}`);
  // The draft is gone once the project is sent.
  await page.goto('/projet');
  await expect(page.getByLabel('Nom de la famille ou de la personne à contacter')).toHaveValue('');

  // The family creates its account with the same address and sees its file's stage.
  await signUp(page, portal, { name: 'Famille Leclerc', email });
  await expect(page.getByRole('heading', { name: 'Mon dossier' })).toBeVisible();
  await expect(page.locator('[data-stage="enquiry"]')).toContainText('Étape : Demande');
  await expect(page.getByText('Prochaine étape : un agent local étudie votre projet')).toBeVisible();
});

test('the error summary’s links open the step of each field', async ({ page }) => {
  await page.goto('/projet');
  await expect(page.locator('form[data-enhanced="true"]')).toBeVisible();
  // Sent as a script would, past the browser's checks: errors on the first and the last steps.
  await page.evaluate(() => document.querySelectorAll('[required]').forEach((el) => el.removeAttribute('required')));
  for (const step of [2, 3, 4]) {
    await page.getByRole('button', { name: 'Suivant' }).click();
    await expect(page.getByText(`Étape ${step} sur 4`)).toBeVisible();
  }
  await page.getByRole('button', { name: 'Envoyer mon projet' }).click();
  const summary = page.locator('[data-error-summary]');
  await expect(summary).toBeVisible();
  await expect(page.getByText('Étape 1 sur 4 : Votre foyer')).toBeVisible();
  // The consent is named shortly in the summary, and its link opens the last step.
  const consent = summary.getByRole('link', { name: /^Consentement\s: Votre accord est nécessaire/ });
  await consent.click();
  await expect(page.getByText('Étape 4 sur 4')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /J’accepte que Campagne Connectée/ })).toBeFocused();
  await summary.getByRole('link', { name: /^Territoires souhaités/ }).click();
  await expect(page.getByText('Étape 3 sur 4')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Gers (32)' })).toBeFocused();
});

test('communes posted as several fields (a script) are all read, none dropped', async ({ page, portal }) => {
  const email = uniqueEmail();
  const form = new URLSearchParams({
    name: 'Famille Script',
    email,
    adults: '2',
    wishedTerritories: '32',
    consent: 'yes',
  });
  for (const commune of ['Auch', 'Mauvezin', 'auch']) form.append('wishedCommunes', commune);
  const res = await page.request.post('/projet', {
    data: form.toString(),
    headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  expect(res.status()).toBe(200);
  const file = (
    await portal.sql.execute({ sql: 'SELECT wished_communes FROM candidates WHERE email = ?', args: [email] })
  ).rows[0]!;
  expect(JSON.parse(String(file.wished_communes))).toEqual(['32013', '32249']);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the same form works in one page, in English too', async ({ page, portal }) => {
    const email = uniqueEmail();
    await page.goto('/en/projet');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByLabel('Name of the family or of the person to contact').fill('Smith family');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('checkbox', { name: 'Manche (50)' }).check();
    await page.getByRole('checkbox', { name: 'Gers (32)' }).check();
    await page.getByLabel(/I agree that Campagne Connectée/).check();
    await page.getByRole('button', { name: 'Send my project' }).click();
    await expect(page.getByRole('status')).toContainText('Thank you, your project has arrived!');
    const file = (
      await portal.sql.execute({ sql: 'SELECT territory_code, locale FROM candidates WHERE email = ?', args: [email] })
    ).rows[0]!;
    // Two territories wished: the file waits in the dispatch queue.
    expect(file).toMatchObject({ territory_code: null, locale: 'en' });
    expect((await lastMail(portal, email)).subject).toBe('We have received your relocation project');
  });
});
