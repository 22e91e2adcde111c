// Two-step verification (decision 015): an invited agent must set up an app before
// anything else, reads the key from the page and signs in later with a code; a recovery
// code works once; a family turns it on and off again.
import {
  enrolOnPage,
  expect,
  forgetTotpKey,
  lastMail,
  signInAs,
  submitSignIn,
  test,
  throwawayFamily,
} from './fixtures.ts';

const uniqueEmail = (name: string) => `${name}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@exemple.fr`;

test('an invited agent sets up an app before anything else, then signs in with a code or a recovery code once', async ({
  browser,
  page,
  portal,
  axe,
}) => {
  test.slow();
  const email = uniqueEmail('agent-2fa');
  const password = 'une agente qui protège son compte';
  await signInAs(page, 'direction.gers@demo.test');
  await page.goto('/admin');
  await page.getByLabel('Nom').fill('Inès Deuxétapes');
  await page.getByLabel('Adresse email').fill(email);
  await page.getByRole('checkbox', { name: 'Gers (32)' }).check();
  await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation envoyée à ${email}`);

  const context = await browser.newContext({ baseURL: portal.url });
  const agent = await context.newPage();
  await agent.goto((await lastMail(portal, email)).link);
  await agent.getByLabel('Nouveau mot de passe').fill(password);
  await agent.getByRole('button', { name: 'Activer mon compte' }).click();

  // The password alone opens nothing but the app's set-up: a QR code and the key as text.
  await expect(agent).toHaveURL(/\/compte\/securite\?retour=$/);
  await expect(agent.getByRole('status')).toContainText('Votre rôle l’exige');
  await expect(agent.getByRole('img', { name: /QR code de la clé de votre compte/ })).toBeVisible();
  await expect(agent.getByTestId('totp-key')).toHaveText(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  await axe(agent);
  for (const path of ['/compte', '/admin', '/agent']) {
    await agent.goto(path);
    await expect(agent).toHaveURL(new RegExp(`/compte/securite\\?retour=${encodeURIComponent(path)}$`));
  }
  // The same key on every visit, and a wrong code is refused.
  const key = await agent.getByTestId('totp-key').textContent();
  await agent.reload();
  await expect(agent.getByTestId('totp-key')).toHaveText(key!);
  await agent.getByLabel('Code à 6 chiffres').fill('12');
  await agent.getByRole('button', { name: 'Confirmer' }).click();
  await expect(agent.getByRole('alert')).toContainText('Le code compte 6 chiffres.');
  await expect(agent.locator('#security-confirm-otp-error')).toHaveText('Le code compte 6 chiffres.');

  // A code computed from the key shown: ten recovery codes, shown once; then the back office.
  const codes = await enrolOnPage(agent, email);
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  await axe(agent);
  await agent.getByRole('link', { name: 'J’ai mis mes codes à l’abri : continuer' }).click();
  await expect(agent).toHaveURL(/\/agent$/);
  await agent.goto('/compte/securite');
  await expect(agent.getByTestId('two-factor-status')).toContainText('Activée depuis le');
  await expect(agent.getByText('10 codes de secours restants')).toBeVisible();
  // Staff may not turn it off: no such form.
  await expect(agent.getByRole('button', { name: 'Désactiver' })).toHaveCount(0);
  await axe(agent);

  // Signed out, the password then a fresh code of the app.
  await agent.goto('/compte');
  await agent.getByRole('button', { name: 'Me déconnecter', exact: true }).click();
  await agent.goto('/agent');
  await expect(agent).toHaveURL(/\/connexion\?retour=%2Fagent$/);
  await submitSignIn(agent, email, password);
  await expect(agent).toHaveURL(/\/agent$/);

  // A recovery code signs in once, and the page says how many are left.
  await context.clearCookies();
  await agent.goto('/connexion');
  await agent.getByLabel('Adresse email').first().fill(email);
  await agent.getByLabel('Mot de passe', { exact: true }).fill(password);
  await agent.getByRole('button', { name: 'Me connecter' }).click();
  // No return path: after the code, the agent's own home.
  await expect(agent).toHaveURL(/\/connexion\/verification\?retour=$/);
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Vérification en deux étapes');
  await axe(agent);
  await agent.getByLabel('Code de vérification').fill(codes[0]!.toUpperCase());
  await agent.getByRole('button', { name: 'Vérifier' }).click();
  await expect(agent).toHaveURL(/\/compte\/securite\?ok=secours/);
  await expect(agent.getByRole('status')).toContainText('code de secours (il en reste 9)');

  await context.clearCookies();
  await agent.goto('/connexion');
  await agent.getByLabel('Adresse email').first().fill(email);
  await agent.getByLabel('Mot de passe', { exact: true }).fill(password);
  await agent.getByRole('button', { name: 'Me connecter' }).click();
  await agent.getByLabel('Code de vérification').fill(codes[0]!);
  await agent.getByRole('button', { name: 'Vérifier' }).click();
  await expect(agent.locator('#field-otp-error')).toContainText('Ce code n’est pas valable');
  await expect(agent).toHaveURL(/\/connexion\/verification/);
  await agent.getByLabel('Code de vérification').fill(codes[1]!);
  await agent.getByRole('button', { name: 'Vérifier' }).click();
  await expect(agent).toHaveURL(/\/compte\/securite\?ok=secours/);
  await context.close();
});

test('a family turns two-step verification on, signs in with a code, and turns it off', async ({
  page,
  portal,
  axe,
}) => {
  test.slow();
  const email = await throwawayFamily(portal, 'deux-etapes');
  await signInAs(page, email);
  await page.getByRole('link', { name: 'Sécurité : validation en deux étapes' }).click();
  await expect(page.getByTestId('two-factor-status')).toHaveText('Désactivée');
  await axe(page);
  await page.getByRole('button', { name: 'Activer la validation en deux étapes' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const codes = await enrolOnPage(page, email);
  expect(codes).toHaveLength(10);
  await page.getByRole('link', { name: /continuer/ }).click();
  await expect(page).toHaveURL(/\/compte$/);

  // From now on, a code after the password (the helpers know the key the page showed).
  await page.context().clearCookies();
  await signInAs(page, email);

  // Turning it off needs the password or a code.
  await page.goto('/compte/securite');
  const off = page.locator('form', { has: page.getByRole('button', { name: 'Désactiver' }) });
  await off.getByLabel('Mot de passe ou code de l’application').fill('pas le bon mot de passe');
  await off.getByRole('button', { name: 'Désactiver' }).click();
  await expect(page.locator('#security-disable-proof-error')).toHaveText('Mot de passe ou code incorrect.');
  await axe(page);
  await page
    .locator('form', { has: page.getByRole('button', { name: 'Désactiver' }) })
    .getByLabel('Mot de passe ou code de l’application')
    .fill('demo-password-2026');
  await page.getByRole('button', { name: 'Désactiver' }).click();
  await expect(page.getByRole('status')).toHaveText('La validation en deux étapes est désactivée.');
  await expect(page.getByTestId('two-factor-status')).toHaveText('Désactivée');

  // The password alone again.
  forgetTotpKey(email);
  await page.context().clearCookies();
  await signInAs(page, email);
  await expect(page.getByTestId('account-name')).toHaveText('Famille deux-etapes');
});

test('the security page and the second step in English', async ({ page, portal, axe }) => {
  const email = await throwawayFamily(portal, 'two-step');
  await signInAs(page, email);
  await page.goto('/en/compte/securite');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account security');
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
  await expect(page.getByRole('img', { name: /QR code of your account/ })).toBeVisible();
  await axe(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('two-factor-status')).toHaveText('Off');
});
