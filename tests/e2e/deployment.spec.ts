// A real deployment, as a département installs it: a fresh production database, the first
// administrator from `npm run admin:create`, the first territory and its settings, shown on
// the public pages, then its first agent invited, who publishes the first home with photos. The back-office forms are plain forms (no
// island on these pages; axe needs JavaScript in the page); the visitor's pages are read
// with JavaScript off.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  enrolOnPage,
  expect,
  fillOffer,
  lastMail,
  root,
  sqlClient,
  startPortal,
  stopPortal,
  test,
} from './fixtures.ts';
import { jpegWithGps } from '../helpers/images.ts';

test('admin:create on a fresh database, the Gers set up, its first agent invited, the first home published', async ({
  browser,
  axe,
}) => {
  // A cold start loads the communes referential: minutes on a busy machine.
  test.setTimeout(360_000);
  const dir = await mkdtemp(join(tmpdir(), 'cc-deploy-'));
  // Production seals the TOTP keys with its own key (decision 015).
  const portal = await startPortal(
    join(dir, 'portal.db'),
    { APP_ENV: 'production', TOTP_KEY: randomBytes(32).toString('base64') },
    { demo: false },
  );
  const sql = sqlClient(portal.dbUrl);
  const context = await browser.newContext({ baseURL: portal.url });
  try {
    expect(portal.logs()).not.toContain('Seeded demo data');
    const created = spawnSync(
      process.execPath,
      ['scripts/admin-create.ts', '--email', 'ops@gers.example', '--name', 'Camille Ops'],
      { cwd: root, env: { ...process.env, DATABASE_URL: portal.dbUrl, PUBLIC_SITE_URL: portal.url }, encoding: 'utf8' },
    );
    expect(created.status, created.stderr).toBe(0);
    const link = created.stdout.match(/^(http\S+\/invitation\?token=\S+)$/m)?.[1];
    expect(link).toBeTruthy();

    const page = await context.newPage();
    await page.goto(link!);
    await page.getByLabel('Nouveau mot de passe').fill('une phrase pour administrer');
    await page.getByRole('button', { name: 'Activer mon compte' }).click();
    // Administrators set up an app before anything else (decision 015).
    expect(await enrolOnPage(page, 'ops@gers.example')).toHaveLength(10);
    await page.getByRole('link', { name: /continuer/ }).click();
    // The platform admin lands on its staff page.
    await expect(page).toHaveURL(/\/admin$/);

    // No territory yet: the platform admin creates the Gers from the referential.
    await page.goto('/admin/territoires');
    await expect(page.getByText('Aucun territoire pour l’instant')).toBeVisible();
    await axe(page);
    await page.getByLabel('Département').selectOption('32');
    await page.getByRole('button', { name: 'Créer le territoire' }).click();
    await expect(page).toHaveURL(/\/admin\/territoires\/32\?ok=cree$/);
    await expect(page.getByRole('status')).toContainText('Le territoire Gers est créé');
    await expect(page.getByLabel('Nom public')).toHaveValue('Gers');
    await expect(page.getByLabel('Délai de première réponse (heures)')).toHaveValue('48');
    await axe(page);

    // Its settings; a refused value keeps everything typed and says what is wrong.
    const presentation = 'Le Gers vous accueille : une agente vous accompagne jusqu’à votre installation.';
    await page.getByLabel('Présentation du programme (français)').fill(presentation);
    await page.getByLabel('Email de contact').fill('accueil@gers.example');
    await page.getByLabel('Délai de première réponse (heures)').fill('24');
    await page.getByLabel('Conservation des dossiers clos (mois)').fill('3');
    // The browser would stop 3 (min=6): the server must refuse it too.
    await page
      .locator('form', { has: page.getByRole('button', { name: 'Enregistrer les réglages' }) })
      .evaluate((form: HTMLFormElement) => (form.noValidate = true));
    await page.getByRole('button', { name: 'Enregistrer les réglages' }).click();
    await expect(page.getByRole('alert')).toContainText('Conservation des dossiers clos (mois)');
    await expect(page.getByText('Indiquez une durée de conservation de 6 à 120 mois.')).toBeVisible();
    await expect(page.getByLabel('Présentation du programme (français)')).toHaveValue(presentation);
    await page.getByLabel('Conservation des dossiers clos (mois)').fill('36');
    await page.getByRole('checkbox', { name: /Les propriétaires peuvent proposer des offres/ }).check();
    await page.getByRole('button', { name: 'Enregistrer les réglages' }).click();
    await expect(page.getByRole('status')).toHaveText('Modifications enregistrées.');

    // The public pages say what was set.
    const visitor = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
    const pub = await visitor.newPage();
    await pub.goto('/territoires/32');
    await expect(pub.getByText(presentation)).toBeVisible();
    await expect(pub.getByTestId('territory-contact')).toContainText('sous 24 h');
    await expect(pub.getByRole('link', { name: 'accueil@gers.example' })).toHaveAttribute(
      'href',
      'mailto:accueil@gers.example',
    );
    await pub.goto('/projet');
    await expect(pub.getByRole('checkbox', { name: 'Gers (32)' })).toHaveAccessibleDescription(
      `${presentation} Un agent répond à chaque demande sous 24 h.`,
    );
    await visitor.close();

    // Its first agent.
    await page.goto('/admin');
    await page.getByLabel('Nom').fill('Lucie Première');
    await page.getByLabel('Adresse email').fill('lucie@gers.example');
    await page.getByRole('checkbox', { name: 'Gers (32)' }).check();
    await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await expect(page.getByRole('status')).toContainText('Invitation envoyée à lucie@gers.example');
    const mail = await sql.execute({ sql: 'SELECT template FROM outbox WHERE "to" = ?', args: ['lucie@gers.example'] });
    expect(mail.rows.map((r) => r.template)).toEqual(['invitation']);

    // The agent activates her account and publishes the first home, with two photos, using
    // plain forms (JavaScript off).
    const agentContext = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
    const agent = await agentContext.newPage();
    await agent.goto((await lastMail({ ...portal, sql }, 'lucie@gers.example')).link);
    await agent.getByLabel('Nouveau mot de passe').fill('une agente pour le gers');
    await agent.getByRole('button', { name: 'Activer mon compte' }).click();
    await enrolOnPage(agent, 'lucie@gers.example');
    await agent.goto('/agent/offres/nouvelle');
    await fillOffer(agent, {
      title: 'La première maison',
      description: 'Une longère au calme, un bureau sous les toits.',
      price: '850',
      transaction: 'rent',
      homeType: 'house',
      commune: 'Auch (32000)',
      address: '7 chemin des Crêtes',
      lat: '43.6512',
      lng: '0.5791',
      bestTechnology: 'ftth',
      downloadMbps: '1000',
      uploadMbps: '500',
      fibreStatus: 'available',
    });
    // Without JavaScript the label is the server's, of the saved figures.
    await expect(agent.locator('[data-live-label]')).toHaveAttribute('data-live-label', '');
    await agent.getByRole('button', { name: 'Créer le brouillon' }).click();
    await expect(agent.getByRole('status')).toContainText('Brouillon créé');
    await expect(agent.locator('[data-live-label]')).toHaveAttribute('data-live-label', 'A');
    const id = Number(/\/agent\/offres\/(\d+)/.exec(agent.url())![1]);
    await agent.getByLabel('Photos à ajouter').setInputFiles([
      { name: 'facade.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps('#a0522d', 1200, 800) },
      { name: 'bureau.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps('#556b2f', 1200, 800) },
    ]);
    await agent.getByLabel('Description des photos envoyées').fill('La longère et son bureau');
    await agent.getByRole('button', { name: 'Envoyer les photos' }).click();
    await expect(agent.locator('#photos [data-photo-id]')).toHaveCount(2);
    await agent.getByRole('button', { name: 'Publier' }).click();
    await expect(agent.getByRole('status')).toContainText('Offre publiée');
    await agentContext.close();

    // On /offres with its label, its photos, and a public point that is not the exact one.
    const family = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
    const list = await family.newPage();
    await list.goto('/offres?q=premi%C3%A8re%20maison');
    const card = list.locator(`[data-offer-id="${id}"]`);
    await expect(card.getByRole('img', { name: 'Étiquette connectivité A' })).toBeVisible();
    await expect(card.locator('img[src^="/photos/"]')).toHaveAttribute('alt', 'La longère et son bureau');
    const geo = await (await list.request.get('/api/v1/offres.geojson?q=premi%C3%A8re%20maison')).json();
    const [lng, lat] = geo.features[0].geometry.coordinates as [number, number];
    expect([lat, lng]).not.toEqual([43.6512, 0.5791]);
    expect(Math.abs(lat - 43.6512) + Math.abs(lng - 0.5791)).toBeLessThan(0.01);
    await list.goto(`/offres/${id}`);
    expect(await list.content()).not.toContain('7 chemin des Crêtes');
    await expect(list.locator('img[src^="/photos/"]').first()).toBeVisible();
    await family.close();

    // The same email again is refused by the script, and nothing changes.
    const again = spawnSync(process.execPath, ['scripts/admin-create.ts', '--email', 'ops@gers.example'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: portal.dbUrl },
      encoding: 'utf8',
    });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('An account already exists for ops@gers.example');
  } finally {
    await context.close();
    sql.close();
    await stopPortal(portal.process);
    await rm(dir, { recursive: true, force: true });
  }
});
