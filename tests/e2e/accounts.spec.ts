// Journeys of accounts: sign-up with email verification, sign-in/out (here and everywhere),
// password reset, magic link, agent invitation, rate limits. Emails are read back from the
// outbox and from the development mailbox, and their links followed.
import {
  enrolOnPage,
  expect,
  lastMail,
  passSecondStep,
  signInAs,
  signUp,
  submitSignIn,
  test,
  throwawayFamily,
} from './fixtures.ts';

const uniqueEmail = (name: string) => `${name}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@exemple.fr`;

test('a family signs up, confirms its address from the email, and lands on its account', async ({
  page,
  portal,
  axe,
}) => {
  const email = uniqueEmail('ana');
  await page.goto('/inscription');
  await axe(page);
  await page.getByLabel('Nom').fill('Ana Martin');
  await page.getByLabel('Adresse email').fill(email.toUpperCase());
  await page.getByLabel('Mot de passe').fill('court');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await expect(page.getByRole('alert')).toContainText('Le formulaire contient des erreurs');
  await expect(page.getByText('Le mot de passe doit compter de 12 à 128 caractères.')).toBeVisible();
  await expect(page.getByLabel('Nom')).toHaveValue('Ana Martin'); // what was typed is kept
  await page.getByLabel('Mot de passe').fill('les vaches regardent passer le train');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await expect(page.getByRole('status')).toContainText(`Un email vient d’être envoyé à ${email}`);

  const mail = await lastMail(portal, email);
  expect(mail.subject).toBe('Confirmez votre adresse email');
  expect(mail.link).toMatch(new RegExp(`^${portal.url}/inscription/confirmer\\?token=`));
  await page.goto(mail.link);
  await expect(page).toHaveURL(/\/compte\?bienvenue=1$/);
  await expect(page.getByTestId('account-name')).toHaveText('Ana Martin');
  await expect(page.getByRole('status')).toContainText('Votre compte est actif');
  await axe(page);

  // The link works once.
  await page.goto(mail.link);
  await expect(page.getByRole('alert')).toContainText('Ce lien n’est plus valable');
});

test('sign in, sign out, and sign out everywhere', async ({ browser, page, portal }) => {
  await page.goto('/compte');
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fcompte$/);
  await page.getByLabel('Adresse email').first().fill('agent.gers@demo.test');
  await page.getByLabel('Mot de passe', { exact: true }).fill('wrong password!!');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await expect(page.getByRole('alert')).toHaveText('Adresse email ou mot de passe incorrect.');
  await page.getByLabel('Mot de passe', { exact: true }).fill('demo-password-2026');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  // Staff give a code of their app (decision 015), then land where they were going.
  await expect(page).toHaveURL(/\/connexion\/verification\?retour=%2Fcompte$/);
  await passSecondStep(page, 'agent.gers@demo.test');
  await expect(page).toHaveURL(/\/compte$/);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'cc_session')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  await expect(page.getByRole('link', { name: 'Mon compte' })).toBeVisible();

  const other = await browser.newContext({ baseURL: portal.url });
  const second = await other.newPage();
  await signInAs(second, 'agent.gers@demo.test');
  expect((await other.cookies()).find((c) => c.name === 'cc_session')!.value).not.toBe(cookie.value);

  await page.getByRole('button', { name: 'Me déconnecter partout' }).click();
  await expect(page).toHaveURL(/\/$/);
  await second.goto('/compte');
  await expect(second).toHaveURL(/\/connexion/);

  await signInAs(second, 'agent.gers@demo.test');
  // An agent lands on the agents' home; signing out is on the account page.
  await expect(second).toHaveURL(/\/agent$/);
  await second.goto('/compte');
  await second.getByRole('button', { name: 'Me déconnecter', exact: true }).click();
  await second.goto('/compte');
  await expect(second).toHaveURL(/\/connexion/);
  await other.close();
});

test('a forgotten password: the emailed link sets a new one and ends the other sessions', async ({
  browser,
  page,
  portal,
}) => {
  // A fresh account, so that the demo accounts keep their password.
  const email = uniqueEmail('reset');
  await signUp(page, portal, { name: 'Famille Reset', email, password: 'premier mot de passe long' });
  await expect(page).toHaveURL(/\/compte/);

  const other = await browser.newContext({ baseURL: portal.url });
  const elsewhere = await other.newPage();
  await signInAs(elsewhere, email, 'premier mot de passe long');

  await page.goto('/mot-de-passe-oublie');
  await page.getByLabel('Adresse email').fill(email);
  await page.getByRole('button', { name: 'Recevoir un lien' }).click();
  await expect(page.getByRole('status')).toContainText('Si un compte existe pour cette adresse');
  const mail = await lastMail(portal, email);
  expect(mail.subject).toBe('Choisissez un nouveau mot de passe');
  await page.goto(mail.link);
  await page.getByLabel('Nouveau mot de passe').fill('second mot de passe bien long');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await expect(page).toHaveURL(/\/compte$/);

  await elsewhere.goto('/compte');
  await expect(elsewhere).toHaveURL(/\/connexion/);
  await signInAs(elsewhere, email, 'second mot de passe bien long');
  await page.goto(mail.link);
  await expect(page.getByRole('alert')).toContainText('Ce lien n’est plus valable');
  await other.close();
});

test('a family signs in with a magic link', async ({ page, portal }) => {
  await page.goto('/connexion');
  const magic = page.locator('form.magic');
  await magic.getByLabel('Adresse email').fill('famille@demo.test');
  await magic.getByRole('button', { name: 'Recevoir un lien de connexion' }).click();
  await expect(page.getByRole('status')).toContainText('un lien de connexion vient de lui être envoyé');
  const mail = await lastMail(portal, 'famille@demo.test');
  expect(mail.subject).toBe('Votre lien de connexion');
  await page.goto(mail.link);
  await expect(page.getByTestId('account-name')).toHaveText('Famille Martin');
});

test('a territory admin invites an agent, who reads the email in the mailbox and sets a password', async ({
  browser,
  page,
  portal,
  axe,
}) => {
  const email = uniqueEmail('agent');
  await signInAs(page, 'direction.gers@demo.test');
  await page.goto('/admin');
  await axe(page);
  await page.getByLabel('Nom').fill('Zoé Nouvelle');
  await page.getByLabel('Adresse email').fill(email);
  await page.getByRole('checkbox', { name: 'Gers (32)' }).check();
  await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation envoyée à ${email}`);
  await expect(page.getByRole('row', { name: /Zoé Nouvelle/ })).toContainText('Invitation envoyée');

  // The platform admin reads it in the development mailbox.
  const adminContext = await browser.newContext({ baseURL: portal.url });
  const admin = await adminContext.newPage();
  await signInAs(admin, 'admin@demo.test');
  await admin.goto('/dev/boite-mail');
  await admin
    .getByRole('row', { name: new RegExp(email.replace(/\./g, '\\.')) })
    .getByRole('link')
    .click();
  await expect(admin.getByRole('heading', { level: 2 })).toHaveText('Invitation à rejoindre Campagne Connectée');
  const link = await admin.locator('.message a').first().getAttribute('href');
  expect(link).toMatch(/\/invitation\?token=/);
  await adminContext.close();

  const inviteeContext = await browser.newContext({ baseURL: portal.url });
  const invitee = await inviteeContext.newPage();
  await invitee.goto(link!);
  await invitee.getByLabel('Nouveau mot de passe').fill('agent du gers depuis hier');
  await invitee.getByRole('button', { name: 'Activer mon compte' }).click();
  // An agent sets up an app before anything else (decision 015).
  await expect(invitee).toHaveURL(/\/compte\/securite/);
  expect(await enrolOnPage(invitee, email)).toHaveLength(10);
  await invitee.getByRole('link', { name: /continuer/ }).click();
  // An agent lands on the agents' home.
  await expect(invitee).toHaveURL(/\/agent$/);
  await invitee.goto('/compte');
  await expect(invitee.getByText('Agent local')).toBeVisible();
  expect((await invitee.goto('/admin'))?.status()).toBe(403);
  await inviteeContext.close();
});

test('repeated wrong passwords from one address are slowed down: a 429 with Retry-After and a readable page', async ({
  request,
  portal,
}) => {
  const email = uniqueEmail('nobody');
  const statuses: number[] = [];
  let last;
  // Three free guesses, then growing delays: a guess sent at once is refused until its time.
  for (let i = 0; i < 12 && last?.status() !== 429; i++) {
    last = await request.post('/connexion', {
      form: { email, password: `pas le bon ${i}` },
      headers: { Origin: portal.url },
    });
    statuses.push(last.status());
  }
  expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
  expect(statuses.at(-1)).toBe(429);
  expect(Number(last!.headers()['retry-after'])).toBeGreaterThan(0);
  expect(await last!.text()).toContain('Trop de tentatives. Réessayez dans');
});

test('an account attacked with wrong passwords is not locked: its owner confirms the sign-in by email', async ({
  page,
  portal,
}) => {
  const email = await throwawayFamily(portal, 'attaquee');
  // Many wrong passwords from elsewhere, as the account's counter records them.
  const now = Date.now();
  await portal.sql.execute({
    sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 40)',
    args: [`signin:account:${email}`, now - (now % (15 * 60_000))],
  });
  await page.goto('/connexion');
  await submitSignIn(page, email);
  await expect(page.getByText('Pour votre sécurité, confirmez cette connexion')).toBeVisible();
  await expect(page).toHaveURL(/\/connexion/);
  // What was typed stays, but the password.
  await expect(page.getByLabel('Adresse email').first()).toHaveValue(email);
  const mail = await lastMail(portal, email);
  expect(mail.subject).toBe('Confirmez votre connexion');
  await page.goto(mail.link);
  await expect(page).toHaveURL(/\/compte/);
  // Once confirmed, the password alone is enough again.
  await page.context().clearCookies();
  await page.goto('/connexion');
  await submitSignIn(page, email);
  await expect(page).toHaveURL(/\/compte/);
});

test('with a Resend key, the server sends the outbox through the SDK and the link works', async ({ browser }) => {
  test.slow();
  const { startRecorder } = await import('../helpers/resend-recorder.ts');
  type RecordedRequest = import('../helpers/resend-recorder.ts').RecordedRequest;
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startPortal, stopPortal } = await import('./fixtures.ts');
  // Resend answers 429 to the first reset email, then accepts: the dispatcher must retry.
  // Only that email counts: past 7:00 in Paris the staff's morning briefs go out too.
  const to = 'direction.gers@demo.test';
  const isReset = (r: RecordedRequest) => {
    const body = r.body as { to?: string[]; subject?: string } | null;
    return !!body?.to?.includes(to) && body.subject === 'Choisissez un nouveau mot de passe';
  };
  let resets = 0;
  const recorder = await startRecorder((_, req) =>
    isReset(req) && ++resets === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
  );
  const dir = await mkdtemp(join(tmpdir(), 'cc-mail-'));
  const portal = await startPortal(join(dir, 'portal.db'), {
    RESEND_API_KEY: 're_e2e_key',
    RESEND_BASE_URL: recorder.url,
    MAIL_DISPATCH_INTERVAL_MS: '200',
    MAIL_FROM: 'Campagne Connectée <bonjour@cc.test>',
  });
  try {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    await page.goto('/mot-de-passe-oublie');
    await page.getByLabel('Adresse email').fill(to);
    await page.getByRole('button', { name: 'Recevoir un lien' }).click();
    await expect.poll(() => recorder.requests.filter(isReset).length, { timeout: 15_000 }).toBe(2);
    const [first, second] = recorder.requests.filter(isReset);
    expect(first!.headers['idempotency-key']).toBe(second!.headers['idempotency-key']);
    expect(second).toMatchObject({
      method: 'POST',
      path: '/emails',
      body: {
        from: 'Campagne Connectée <bonjour@cc.test>',
        to: [to],
        subject: 'Choisissez un nouveau mot de passe',
      },
    });
    expect(second!.headers.authorization).toBe('Bearer re_e2e_key');
    const link = /(https?:\/\/\S+)/.exec((second!.body as { text: string }).text)![1]!;
    await page.goto(link);
    await expect(page.getByLabel('Nouveau mot de passe')).toBeVisible();
    await context.close();
  } finally {
    await stopPortal(portal.process);
    await recorder.close();
    await rm(dir, { recursive: true, force: true });
  }
});
