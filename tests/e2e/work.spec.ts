// Issue 16, jobs and businesses for partners. The journey: a family finds a job on /emplois,
// contacts the territory through its relocation project (without JavaScript), the Gers agent
// sees the partner's matching job on the file and proposes it, the family accepts it on
// /compte and the agent reads the answer. Then the public searches, filtered, in French and
// English, and the back office's pages, each through axe and at 360 and 1280 px.
import { expect, inLocale, lastMail, signInAs, signUp, test } from './fixtures.ts';
import { checkBothWidths } from './layout-check.ts';

test('the partner’s job: found, contacted through the agent, matched, proposed and accepted', async ({
  page,
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const email = `conjoint.${Date.now()}@exemple.fr`;
  const familyContext = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  const family = await familyContext.newPage();

  // The search: the Gers, 30 km around Auch, permanent contracts.
  await family.goto('/emplois');
  await family.getByLabel('Territoire').selectOption('32');
  await family.getByLabel('Commune', { exact: true }).fill('Auch');
  await family.getByLabel('Rayon autour de la commune').selectOption('30');
  await family.getByLabel('Type de contrat').selectOption('permanent');
  await family.getByRole('button', { name: 'Rechercher' }).click();
  await expect(family).toHaveURL(/territoire=32.*commune=Auch.*rayon=30.*type=permanent/);
  const cards = family.locator('#results [data-work-id]');
  await expect(cards.first()).toBeVisible();
  await expect(cards.and(family.locator(':not([data-territory="32"])'))).toHaveCount(0);
  // axe runs scripts: it reads the same page in a context with JavaScript.
  await page.goto(family.url());
  await axe(page);
  await cards.filter({ hasText: 'Graphiste' }).getByRole('link').click();
  await expect(family.getByRole('heading', { level: 1 })).toHaveText('Graphiste – chargé·e de communication');
  // No employer's contact on the page: the way in is the project, through the agent.
  await expect(family.locator('main a[href^="mailto:"], main a[href^="tel:"]')).toHaveCount(0);
  await page.goto(family.url());
  await axe(page);
  const jobId = new URL(family.url()).pathname.split('/')[2]!.split('-')[0]!;
  await family.getByRole('link', { name: 'Contacter via l’agent du territoire' }).click();
  await expect(family).toHaveURL(new RegExp(`/projet\\?emploi=${jobId}$`));
  await expect(family.getByRole('checkbox', { name: 'Gers (32)' })).toBeChecked();
  await expect(family.getByLabel('Après l’installation, votre conjoint·e souhaite…')).toHaveValue('local_job');
  await family.getByLabel('Nom de la famille ou de la personne à contacter').fill('Famille Conjoint');
  await family.getByLabel('Adresse email').fill(email);
  await family.getByLabel('Métier de votre conjoint·e (facultatif)').fill('Graphiste');
  await family.getByLabel('Emploi ou activité recherchés (facultatif)').fill('graphisme, communication');
  await family.getByLabel(/J’accepte que Campagne Connectée/).check();
  await family.getByRole('button', { name: 'Envoyer mon projet' }).click();
  await expect(family.getByRole('status')).toContainText('Merci, votre projet est bien arrivé');
  await family.goto((await lastMail(portal, email)).link);
  await signUp(family, portal, { name: 'Famille Conjoint', email });
  const row = (await portal.sql.execute({ sql: 'SELECT id, public_id FROM candidates WHERE email = ?', args: [email] }))
    .rows[0]!;
  const created = await portal.sql.execute({
    sql: "SELECT data FROM candidate_events WHERE candidate_id = ? AND kind = 'created'",
    args: [Number(row.id)],
  });
  expect(JSON.parse(String(created.rows[0]!.data)).opportunity).toBe(Number(jobId));

  // The agent: the job is among the partner's matches, first; proposing it emails the family.
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto(`/agent/candidats/${row.public_id}`);
  const box = page.locator('#emplois');
  await expect(box.getByRole('heading', { name: 'Emplois et reprises pour le conjoint' })).toBeVisible();
  await expect(box.locator('[data-match]').first()).toHaveAttribute('data-match', jobId);
  await checkBothWidths(page, 'work-file-matches');
  await axe(page);
  await box.getByRole('button', { name: 'Proposer « Graphiste – chargé·e de communication » à la famille' }).click();
  await expect(page.getByRole('status')).toHaveText('Proposition envoyée ; la famille est prévenue par email.');
  await expect(page.locator(`#emplois [data-match="${jobId}"]`)).toContainText('Déjà proposé');
  await expect(page.locator(`#emplois [data-work-proposal="${jobId}"]`)).toHaveAttribute('data-status', 'proposed');
  expect((await lastMail(portal, email)).subject).toBe('Votre agent vous propose 1 emploi ou reprise');

  // The family answers on /compte, as for a home.
  await family.goto('/compte');
  const proposal = family.locator(`#emplois [data-work-proposal="${jobId}"]`);
  await expect(proposal).toContainText('Graphiste – chargé·e de communication');
  await proposal.getByLabel('Un commentaire pour votre agent (facultatif)').fill('Mon conjoint postule volontiers.');
  await proposal.getByRole('button', { name: 'Elle m’intéresse' }).click();
  await expect(family.getByRole('status')).toHaveText('Réponse enregistrée ; votre agent est prévenu.');
  await expect(family.locator(`#emplois [data-work-proposal="${jobId}"]`)).toHaveAttribute('data-status', 'accepted');
  const withScripts = await browser.newContext({ baseURL: portal.url });
  const familyJs = await withScripts.newPage();
  await signInAs(familyJs, email, 'nous partons vivre à la campagne');
  await familyJs.goto('/compte#emplois');
  await checkBothWidths(familyJs, 'work-family-answer');
  await axe(familyJs);
  await withScripts.close();

  // The agent reads the answer on the file and in the timeline.
  await page.goto(`/agent/candidats/${row.public_id}`);
  await expect(page.locator(`#emplois [data-work-proposal="${jobId}"]`)).toContainText('acceptée par la famille');
  await expect(page.locator(`#emplois [data-work-proposal="${jobId}"]`)).toContainText(
    'Mon conjoint postule volontiers.',
  );
  await familyContext.close();
});

for (const locale of ['fr', 'en'] as const) {
  test(`the public searches and pages, filtered (${locale})`, async ({ page, axe }) => {
    test.slow();
    const at = (path: string) => inLocale(path, locale);
    await page.goto(at('/reprises?territoire=50&type=retail'));
    const cards = page.locator('#results [data-work-id]');
    await expect(cards).toHaveCount(1);
    await expect(cards.first()).toContainText(locale === 'fr' ? 'Commerce' : 'Retail');
    await axe(page);
    await checkBothWidths(page, `work-businesses-${locale}`);
    await cards.first().getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Boutique de vêtements de plage');
    await axe(page);
    await checkBothWidths(page, `work-business-${locale}`);
    // Telework only; a radius around a commune; a bad filter is named and dropped.
    await page.goto(at('/emplois'));
    const all = await page.locator('#results [data-work-id]').count();
    await page.goto(at('/emplois?teletravail=yes'));
    await expect(page.locator('#results [data-work-id]')).toHaveCount(4);
    await page.goto(at('/emplois?commune=Granville&rayon=10'));
    await expect(page.locator('#results [data-work-id]')).toHaveCount(1);
    const bad = await page.goto(at('/emplois?type=retail&rayon=999'));
    expect(bad!.status()).toBe(400);
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.locator('#results [data-work-id]')).toHaveCount(all);
    await axe(page);
    await checkBothWidths(page, `work-jobs-${locale}`);
    // The territory's and the commune's pages show cards and link to the search.
    await page.goto(at('/territoires/50'));
    await expect(page.locator('.work-nearby [data-work-id]').first()).toBeVisible();
    await page.goto(at('/communes/50218-granville'));
    await expect(page.locator('.work-nearby [data-work-id]').first()).toBeVisible();
    await axe(page);
  });
}

test('the back office: a job drafted, published and found; an owner’s business approved', async ({
  page,
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const title = `Menuisier·ère ${Date.now()}`;
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent/emplois');
  await axe(page);
  await checkBothWidths(page, 'work-agent-jobs');
  await page.getByRole('link', { name: 'Nouvelle offre d’emploi' }).click();
  await page.getByLabel('Intitulé').fill(title);
  await page.getByLabel('Commune', { exact: true }).fill('Auch (32000)');
  await page.getByRole('button', { name: 'Créer le brouillon' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  // Publishing needs what a family must read.
  await page.getByRole('button', { name: 'Publier' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Employeur').fill('Menuiserie Dupuy');
  await page.getByLabel('Contrat').selectOption('permanent');
  await page.getByLabel('Description').fill('Fabrication et pose de cuisines sur mesure.');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByRole('button', { name: 'Publier' }).click();
  await expect(page.locator('[data-status="published"]')).toBeVisible();
  await axe(page);
  await checkBothWidths(page, 'work-agent-job');
  await page.goto('/emplois?territoire=32');
  await expect(page.locator('#results').getByRole('link', { name: title })).toBeVisible();

  // The owner's business awaits moderation; the agent approves it, the owner is told.
  const owner = await browser.newContext({ baseURL: portal.url });
  const o = await owner.newPage();
  await signInAs(o, 'proprietaire@demo.test');
  await o.goto('/compte/reprises');
  await axe(o);
  await checkBothWidths(o, 'work-owner-businesses');
  const pending = o.locator('[data-business][data-state="pending"]').first();
  const id = await pending.getAttribute('data-business');
  await page.goto('/agent/reprises?file=moderation');
  await page.locator(`[data-work="${id}"]`).getByRole('link').click();
  await axe(page);
  await page.getByRole('button', { name: 'Approuver et publier' }).click();
  await expect(page.locator('[data-status="published"]')).toBeVisible();
  expect((await lastMail(portal, 'proprietaire@demo.test')).subject).toMatch(/est en ligne/);
  await o.goto('/compte/reprises');
  await expect(o.locator(`[data-business="${id}"]`)).toHaveAttribute('data-state', 'published');

  // Online, the owner changes the price: the page keeps the old one until the agent approves.
  const publicPage = (await page.getByRole('link', { name: 'Voir la page publique' }).getAttribute('href'))!;
  await o.goto(`/compte/reprises/${id}`);
  await o.getByLabel('Prix demandé, jusqu’à (€)').fill('48000');
  await o.getByRole('button', { name: 'Modifier et renvoyer' }).click();
  await expect(o.getByRole('status')).toContainText('Modifications envoyées');
  await expect(o.getByText('Votre modification attend la relecture')).toBeVisible();
  await expect(o.getByLabel('Prix demandé, jusqu’à (€)')).toHaveValue('48000');
  await axe(o);
  await checkBothWidths(o, 'work-owner-business-edit');
  const anonymous = await browser.newContext({ baseURL: portal.url });
  const visitor = await anonymous.newPage();
  await visitor.goto(publicPage);
  const newPrice = visitor.getByText(/48[\u202f\u00a0 ]000/);
  await expect(visitor.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(newPrice).toHaveCount(0);
  await page.goto(`/agent/reprises/${id}`);
  const change = page.locator('[data-change="priceMax"]');
  await expect(change).toContainText(/48\s000\s€/);
  await axe(page);
  await checkBothWidths(page, 'work-agent-business-edit');
  await page.getByRole('button', { name: 'Approuver et publier' }).click();
  await expect(page.locator('[data-change]')).toHaveCount(0);
  await visitor.reload();
  await expect(newPrice.first()).toBeVisible();

  // Sold: the owner withdraws it, and it leaves the site.
  await o.goto(`/compte/reprises/${id}`);
  await o.getByRole('button', { name: 'Retirer cette reprise' }).click();
  await expect(o.getByRole('status')).toContainText('Reprise retirée');
  await expect(o.getByRole('button', { name: 'Modifier et renvoyer' })).toHaveCount(0);
  expect((await visitor.goto(publicPage))!.status()).toBe(404);
  await anonymous.close();
  await owner.close();
});

test('an owner over the day’s limit of proposals is told so, with what was typed kept', async ({ page, portal }) => {
  await signInAs(page, 'proprietaire@demo.test');
  const business = await portal.sql.execute(
    `SELECT o.id, u.id AS owner FROM opportunities o JOIN users u ON u.id = o.owner_id
     WHERE u.email = 'proprietaire@demo.test' AND o.kind = 'business' AND o.status NOT IN ('archived', 'draft')
     ORDER BY o.id LIMIT 1`,
  );
  const { id, owner } = business.rows[0]!;
  const key = `offers:owner:${owner}`;
  const day = 24 * 60 * 60_000;
  await portal.sql.execute({
    sql: `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 20)
          ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, count = 20`,
    args: [key, Date.now() - (Date.now() % day)],
  });
  try {
    await page.goto(`/compte/reprises/${id}`);
    await page.getByLabel('Prix demandé, jusqu’à (€)').fill('51000');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Modifier et renvoyer' }).click(),
    ]);
    expect(answer.status()).toBe(429);
    await expect(page.getByRole('alert')).toContainText('Trop de tentatives');
    await expect(page.getByLabel('Prix demandé, jusqu’à (€)')).toHaveValue('51000');
  } finally {
    await portal.sql.execute({ sql: 'DELETE FROM rate_limits WHERE key = ?', args: [key] });
  }
  // Withdrawn meanwhile (the page was open in another tab): "still available" is refused, and
  // the page says why though it no longer has a form to edit.
  const { rows } = await portal.sql.execute({ sql: 'SELECT status FROM opportunities WHERE id = ?', args: [id!] });
  const status = String(rows[0]!.status);
  await portal.sql.execute({ sql: "UPDATE opportunities SET status = 'archived' WHERE id = ?", args: [id!] });
  try {
    const late = await page.request.post(`/compte/reprises/${id}`, {
      form: { intent: 'confirm' },
      headers: { Origin: portal.url },
    });
    expect(late.status()).toBe(400);
    const html = await late.text();
    expect(html.split('Seule une offre en ligne').length - 1).toBe(1);
    // The refusal of the action is the alert itself: no field to correct is claimed.
    expect(html).not.toContain('corrigez les champs');
  } finally {
    await portal.sql.execute({ sql: 'UPDATE opportunities SET status = ? WHERE id = ?', args: [status, id!] });
  }
});
