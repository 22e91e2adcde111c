// The whole pipeline as its people live it: a family files its project without JavaScript,
// gets the email, creates its account and sees its stage; the Gers agent qualifies the file,
// proposes two offers from the catalogue, the family accepts one and writes; the agent plans
// the discovery stay and settles the family. The Manche agent sees none of it.
import type { Browser, Page } from '@playwright/test';
import { expect, lastMail, signInAs, signUp, test, type Portal } from './fixtures.ts';
import { DAY_MS } from '../../src/lib/time.ts';

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

async function familyPage(browser: Browser, portal: Portal, javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ baseURL: portal.url, javaScriptEnabled });
  return context.newPage();
}

test('from the enquiry to the settlement, family and agent together', async ({ page, browser, portal, axe }) => {
  test.slow();
  const email = `parcours.${Date.now()}@exemple.fr`;

  // The family, without JavaScript: the project, the email, the account, the stage.
  const family = await familyPage(browser, portal, false);
  await family.goto('/projet');
  await family.getByLabel('Nom de la famille ou de la personne à contacter').fill('Famille Parcours');
  await family.getByLabel('Adresse email').fill(email);
  await family.getByRole('checkbox', { name: 'Gers (32)' }).check();
  await family.getByLabel(/J’accepte que Campagne Connectée/).check();
  await family.getByRole('button', { name: 'Envoyer mon projet' }).click();
  await expect(family.getByRole('status')).toContainText('Merci, votre projet est bien arrivé');
  const welcome = await lastMail(portal, email);
  expect(welcome.subject).toBe('Nous avons bien reçu votre projet d’installation');
  await family.goto(welcome.link);
  await signUp(family, portal, { name: 'Famille Parcours', email });
  await expect(family.locator('[data-stage="enquiry"]')).toContainText('Étape : Demande');
  const publicId = String(
    (await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] })).rows[0]!
      .public_id,
  );

  // The Gers agent finds it, qualifies it and proposes two offers found in the catalogue.
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent');
  await page.locator(`[data-unanswered="${publicId}"]`).getByRole('link').click();
  await page.getByLabel('Nouvelle étape').selectOption('qualified');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByText('Étape actuelle : Qualifié')).toBeVisible();
  await page.getByRole('link', { name: 'Proposer des offres du catalogue' }).click();
  // The search starts from the family's project (the Gers, homes).
  await expect(page).toHaveURL(/territoire=32/);
  await expect(page.getByLabel('Territoire')).toHaveValue('32');
  await expect(page.getByLabel('Type d’offre')).toHaveValue('logement');
  await axe(page);
  const offerBoxes = page.locator('input[name="offers"]:not([disabled])');
  const first = await offerBoxes.nth(0).getAttribute('value');
  const second = await offerBoxes.nth(1).getAttribute('value');
  await offerBoxes.nth(0).check();
  await offerBoxes.nth(1).check();
  await page.getByRole('button', { name: 'Proposer les offres cochées' }).click();
  await expect(page.getByRole('status')).toHaveText('Offres proposées ; la famille est prévenue par email.');
  await expect(page.locator('#propositions [data-proposal]')).toHaveCount(2);
  expect((await lastMail(portal, email)).subject).toBe('Votre agent vous propose 2 offres');
  await axe(page);

  // The family accepts one with a comment, declines the other, and writes to the agent.
  await family.goto('/compte');
  const proposals = family.locator('#propositions [data-proposal]');
  await expect(proposals).toHaveCount(2);
  const titleOf = async (offerId: string | null) =>
    String(
      (await portal.sql.execute({ sql: 'SELECT title FROM offers WHERE id = ?', args: [offerId] })).rows[0]!.title,
    );
  const liked = proposals.filter({ hasText: await titleOf(first) });
  await liked
    .getByLabel('Un commentaire pour votre agent (facultatif)')
    .fill('Le jardin est parfait pour les enfants.');
  await liked.getByRole('button', { name: 'Elle m’intéresse' }).click();
  await expect(family.getByRole('status')).toHaveText('Réponse enregistrée ; votre agent est prévenu.');
  await family
    .locator('#propositions [data-proposal]')
    .filter({ hasText: await titleOf(second) })
    .getByRole('button', { name: 'Non merci' })
    .click();
  await expect(family.locator('#propositions [data-status="accepted"]')).toContainText(
    'Acceptée — « Le jardin est parfait pour les enfants. »',
  );
  await expect(family.locator('#propositions [data-status="declined"]')).toHaveCount(1);
  // A message refused (empty) keeps nothing lost; a real one is sent.
  await family.getByLabel('Votre message').fill('Pouvons-nous venir en décembre ?');
  await family.getByRole('button', { name: 'Envoyer' }).click();
  await expect(family.getByRole('status')).toHaveText('Message envoyé à votre agent.');
  await expect(family.locator('#messages .me')).toContainText('Pouvons-nous venir en décembre ?');

  // The agent sees the answers and the message, plans the discovery stay, then settles the family.
  await page.goto('/agent');
  await expect(page.locator(`[data-unread="${publicId}"]`)).toBeVisible();
  await page.goto(`/agent/candidats/${publicId}`);
  await expect(page.locator('#propositions [data-status="accepted"]')).toContainText('Le jardin est parfait');
  await expect(page.locator('#messages .family')).toContainText('Pouvons-nous venir en décembre ?');
  await page.getByLabel('Nouvelle étape').selectOption('discovery');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByText('Étape actuelle : Découverte')).toBeVisible();
  // An end before the start is refused, with what was typed kept (the form is folded away).
  await page.getByText('Planifier un séjour de découverte').click();
  await page.getByLabel('Arrivée').fill(inDays(10));
  await page.getByLabel('Départ').fill(inDays(8));
  await page.getByLabel('Lieux à visiter').fill('La maison au jardin\nTiers-lieu de Mauvezin');
  await page.getByRole('button', { name: 'Enregistrer le séjour' }).click();
  await expect(page.getByText('Le départ doit être le jour de l’arrivée ou après.')).toBeVisible();
  await expect(page.getByLabel('Lieux à visiter')).toHaveValue('La maison au jardin\nTiers-lieu de Mauvezin');
  await page.getByLabel('Départ').fill(inDays(13));
  await page.getByLabel('Hôtes').fill('Gîte communal');
  await page.getByRole('button', { name: 'Enregistrer le séjour' }).click();
  await expect(page.getByRole('status')).toContainText('Séjour de découverte enregistré');
  expect((await lastMail(portal, email)).text).toContain('La maison au jardin, Tiers-lieu de Mauvezin');
  await axe(page);
  await page.getByLabel('Nouvelle étape').selectOption('settling');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByText('Étape actuelle : Installation')).toBeVisible();
  await page.getByLabel('Nouvelle étape').selectOption('settled');
  await page.getByLabel('Commune d’installation (code INSEE ou nom)').fill('Mauvezin');
  await page.getByLabel('Date d’installation').fill(today());
  await page.getByLabel('Personnes installées').fill('3');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByText('Étape actuelle : Installé')).toBeVisible();
  await expect(page.locator('[data-task="follow_up_6m"]')).toBeVisible();
  const timeline = page.locator('.timeline');
  for (const kind of ['created', 'stage_change', 'proposal', 'message', 'visit', 'email'])
    await expect(timeline.locator(`[data-event="${kind}"]`).first()).toBeVisible();

  // The family sees where it stands, in plain words.
  await family.goto('/compte');
  await expect(family.locator('[data-stage="settled"]')).toContainText('Étape : Installé');
  await expect(family.locator('#sejour')).toContainText('Tiers-lieu de Mauvezin');

  // The Manche agent can see none of it.
  const manche = await browser.newContext({ baseURL: portal.url });
  const mancheAgent = await manche.newPage();
  await signInAs(mancheAgent, 'agent.manche@demo.test');
  expect((await mancheAgent.goto(`/agent/candidats/${publicId}`))?.status()).toBe(404);
  expect((await mancheAgent.goto(`/agent/candidats/${publicId}/proposer?territoire=32`))?.status()).toBe(404);
  const post = await mancheAgent.request.post(`/agent/candidats/${publicId}`, {
    form: { intent: 'message', body: 'Intrusion' },
    headers: { Origin: portal.url },
  });
  expect(post.status()).toBe(404);
  await mancheAgent.goto('/agent/candidats?q=Parcours');
  await expect(mancheAgent.locator('tbody tr')).toHaveCount(0);
  await manche.close();
  await family.context().close();
});

test('tasks, duplicates merged and a move to another territory with consent, without JavaScript', async ({
  browser,
  portal,
}) => {
  const context = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  const page = await context.newPage();
  const email = `doublon.${Date.now()}@exemple.fr`;
  for (const name of ['Famille Double', 'Famille Double bis']) {
    const res = await page.request.post('/projet', {
      form: { name, email, adults: '2', wishedTerritories: '32', consent: 'yes' },
      headers: { Origin: portal.url },
    });
    expect(res.status()).toBe(200);
  }
  const ids = (
    await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ? ORDER BY id', args: [email] })
  ).rows.map((r) => String(r.public_id));
  await signInAs(page, 'agent.gers@demo.test');

  // A task for the territory admin, due tomorrow; it can be ticked off.
  await page.goto(`/agent/candidats/${ids[0]}`);
  await page.getByText('Nouvelle tâche').click();
  await page.getByLabel('Quoi').fill('Rappeler pour le budget');
  await page.getByLabel('Pour le', { exact: true }).fill(inDays(1));
  await page.getByLabel('Qui').selectOption({ label: 'Direction du Gers' });
  await page.getByRole('button', { name: 'Ajouter la tâche' }).click();
  await expect(page.getByRole('status')).toHaveText('Tâche ajoutée.');
  await expect(page.locator('#taches [data-task="manual"]')).toContainText('Rappeler pour le budget');
  await expect(page.locator('#taches [data-task="manual"]')).toContainText('Direction du Gers');
  await page.getByRole('button', { name: 'Marquer comme faite : Rappeler pour le budget' }).click();
  await expect(page.getByRole('status')).toHaveText('Tâche faite.');

  // The second enquiry was linked as a possible duplicate; merging brings its history over.
  await page.goto(`/agent/candidats/${ids[1]}`);
  await expect(page.locator('#doublon')).toContainText('Doublon possible du dossier de Famille Double');
  await page.getByRole('button', { name: 'Fusionner dans le dossier de Famille Double' }).click();
  await expect(page).toHaveURL(new RegExp(`/agent/candidats/${ids[0]}`));
  await expect(page.getByRole('status')).toHaveText('Doublon fusionné dans ce dossier : son historique est ici.');
  await expect(page.locator('[data-event="duplicate"]').first()).toContainText('Famille Double bis');
  // The merged file's address leads to the file it joined.
  await page.goto(`/agent/candidats/${ids[1]}`);
  await expect(page).toHaveURL(new RegExp(`/agent/candidats/${ids[0]}`));

  // Moving to the Manche (not wished) needs the family's consent (the form is folded away).
  await page.locator('#territoire > summary').click();
  await page.getByLabel('Territoire', { exact: true }).selectOption('50');
  await page.getByRole('button', { name: 'Transférer le dossier' }).click();
  await expect(page.getByText('La famille n’a pas choisi ce territoire : cochez son accord')).toBeVisible();
  await page.getByLabel('La famille est d’accord').check();
  await page.getByLabel('Comment la famille a donné son accord').fill('Au téléphone');
  await page.getByRole('button', { name: 'Transférer le dossier' }).click();
  await expect(page.getByRole('status')).toContainText('Dossier transféré vers un territoire qui n’est pas le vôtre');
  expect((await lastMail(portal, 'agent.manche@demo.test')).subject).toBe(
    'Un dossier arrive sur votre territoire\u00a0: Famille Double',
  );
  expect((await page.goto(`/agent/candidats/${ids[0]}`))?.status()).toBe(404);

  const manche = await browser.newContext({ baseURL: portal.url });
  const mancheAgent = await manche.newPage();
  await signInAs(mancheAgent, 'agent.manche@demo.test');
  await mancheAgent.goto(`/agent/candidats/${ids[0]}`);
  await expect(mancheAgent.locator('[data-event="territory_move"]')).toContainText('32 → 50');
  await expect(mancheAgent.locator('[data-event="task"]').first()).toBeVisible();
  await manche.close();
  await context.close();
});

test('a family downloads its data and erases its file', async ({ browser, portal, axe }) => {
  const context = await browser.newContext({ baseURL: portal.url });
  const page = await context.newPage();
  const email = `effacer.${Date.now()}@exemple.fr`;
  await page.request.post('/projet', {
    form: {
      name: 'Famille Effacée',
      email,
      adults: '1',
      wishedTerritories: '50',
      housingNeeds: 'Près de la mer',
      consent: 'yes',
    },
    headers: { Origin: portal.url },
  });
  await signUp(page, portal, { name: 'Famille Effacée', email });
  await axe(page);

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Télécharger mes données (JSON)' }).click();
  const file = await download;
  const data = JSON.parse(await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8'));
  expect(data.account.email).toBe(email);
  expect(data.files[0]).toMatchObject({ name: 'Famille Effacée', housingNeeds: 'Près de la mer', stage: 'enquiry' });

  await page.getByRole('button', { name: 'Effacer mon compte et mes données' }).click();
  await expect(page.getByText('Cochez la case pour confirmer l’effacement.')).toBeVisible();
  const refused = await page.request.post('/compte', { form: { intent: 'erase' }, headers: { Origin: portal.url } });
  expect(refused.status()).toBe(400);
  await page.getByLabel('Je comprends que c’est définitif').check();
  await page.getByRole('button', { name: 'Effacer mon compte et mes données' }).click();
  // The account is gone with its session: the sign-in page says so.
  await expect(page).toHaveURL(/\/connexion\?efface=1/);
  await expect(page.getByRole('status')).toHaveText('Votre compte et vos données ont été effacés.');
  expect((await page.goto('/compte'))?.url()).toContain('/connexion');
  expect(
    (await portal.sql.execute({ sql: 'SELECT count(*) AS n FROM users WHERE email = ?', args: [email] })).rows[0]!.n,
  ).toBe(0);
  const row = (
    await portal.sql.execute({
      sql: "SELECT name, housing_needs, anonymised_at FROM candidates WHERE email LIKE 'erased-%' ORDER BY id DESC LIMIT 1",
      args: [],
    })
  ).rows[0]!;
  expect(row).toMatchObject({ name: '—', housing_needs: null });
  expect(
    (await portal.sql.execute({ sql: 'SELECT count(*) AS n FROM candidates WHERE email = ?', args: [email] })).rows[0]!
      .n,
  ).toBe(0);
  await context.close();
});

test('the demo family’s account, with proposals, a stay and messages, is accessible in French and English', async ({
  page,
  axe,
}) => {
  await signInAs(page, 'famille@demo.test');
  await expect(page.locator('#propositions [data-proposal]')).toHaveCount(2);
  await expect(page.locator('#sejour')).toBeVisible();
  await expect(page.locator('#messages .thread li')).toHaveCount(2);
  await axe(page);
  await page.goto('/en/compte');
  await expect(page.getByRole('heading', { name: 'Offers proposed by your agent' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'I’m interested' }).first()).toBeVisible();
  await axe(page);
  // Writing nothing is refused in the page's language, nothing is sent.
  const res = await page.request.post('/en/compte', {
    form: { intent: 'message', body: '   ' },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain('Write your message.');
});
