// The agent's file and board (issue 15): the file's summary, its timeline filtered by
// kind, the board under the list's filters with "Undo", where each role lands after
// signing in and the header it sees, and the family's /compte after settlement.
import type { APIRequestContext, Page } from '@playwright/test';
import { apiAs, expect, signInAs, submitSignIn, test, throwawayFamily, type Portal } from './fixtures.ts';

const unique = (label: string) => `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function fileOf(portal: Portal, email: string): Promise<{ publicId: string; version: number }[]> {
  const rs = await portal.sql.execute({
    sql: 'SELECT public_id, version FROM candidates WHERE email = ? ORDER BY id',
    args: [email],
  });
  return rs.rows.map((r) => ({ publicId: String(r.public_id), version: Number(r.version) }));
}

async function publishedHomes(portal: Portal, n: number) {
  const rs = await portal.sql.execute({
    sql: `SELECT id, title FROM offers WHERE status = 'published' AND territory_code = '32' AND kind = 'home'
          ORDER BY id LIMIT ?`,
    args: [n],
  });
  return rs.rows.map((r) => ({ id: Number(r.id), title: String(r.title) }));
}

/** Files an enquiry for the Gers through /projet, as a family would. */
async function enquire(request: APIRequestContext, portal: Portal, form: Record<string, string>) {
  const res = await request.post('/projet', {
    form: { adults: '2', wishedTerritories: '32', consent: 'yes', ...form },
    headers: { Origin: portal.url },
  });
  expect(res.status()).toBe(200);
}

test('the file opens with its summary and a duplicate banner; the timeline filters by kind; without JavaScript', async ({
  browser,
  portal,
}) => {
  const context = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  const page = await context.newPage();
  const [offer] = await publishedHomes(portal, 1);
  // "I'm interested" on an offer: the project form keeps which offer it came from.
  await page.goto(`/projet?offre=${offer!.id}`);
  await expect(page.locator('input[type="hidden"][name="offer"]')).toHaveValue(String(offer!.id));
  const email = unique('resume');
  await enquire(page.request, portal, {
    name: 'Famille Résumé',
    email,
    children: '3, 8',
    wishedCommunes: 'Auch',
    budgetMax: '900',
    transaction: 'rent',
    timeFrame: '3-6m',
    minDownloadMbps: '100',
    heardFrom: 'Le journal local',
    offer: String(offer!.id),
  });
  // The same address again: a possible duplicate of the first.
  await enquire(page.request, portal, { name: 'Famille Résumé bis', email });
  const [first, second] = await fileOf(portal, email);

  await signInAs(page, 'agent.gers@demo.test');
  await page.goto(`/agent/candidats/${first!.publicId}`);
  const summary = page.locator('[data-summary]');
  await expect(summary.getByRole('heading', { level: 1 })).toHaveText('Famille Résumé');
  await expect(summary.locator('.stage-bar [aria-current="step"]')).toHaveText('Demande');
  await expect(summary.getByText('Étape actuelle : Demande')).toBeVisible();
  await expect(summary.locator('[data-days]')).toHaveText('depuis aujourd’hui');
  await expect(summary.locator('[data-next]')).toContainText('Aucune prochaine étape prévue.');
  const fact = (key: string) => summary.locator(`[data-fact="${key}"] dd`);
  await expect(fact('household')).toHaveText('2 adultes · 2 enfants (3, 8 ans)');
  await expect(fact('budget')).toHaveText(/^900\s€ · location$/);
  await expect(fact('timeFrame')).toHaveText('Dans 3 à 6 mois');
  await expect(fact('territories')).toHaveText('Gers (32)');
  await expect(fact('communes')).toHaveText('Auch');
  await expect(fact('connectivity')).toHaveText('100 Mb/s en réception');
  await expect(fact('origin').getByRole('link')).toHaveText(offer!.title);
  await expect(fact('heardFrom')).toHaveText('Le journal local');
  await expect(fact('agent')).toHaveText('Personne');
  await expect(summary.locator('[data-duplicate-banner]')).toHaveCount(0);

  // A refused stage change shows its error, never the previous success beside it.
  await page.goto(`/agent/candidats/${first!.publicId}?ok=note`);
  await expect(page.getByRole('status')).toHaveText('Note ajoutée.');
  await page.getByLabel('Nouvelle étape').selectOption('withdrawn');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByText('Choisissez le motif de l’abandon.').first()).toBeVisible();
  await expect(page.getByText('Note ajoutée.')).toHaveCount(0);
  await expect(page.getByText('Étape enregistrée.')).toHaveCount(0);

  // A note, a task and a move: the timeline shows one kind at a time, by a link.
  await page.goto(`/agent/candidats/${first!.publicId}`);
  await page.getByRole('textbox', { name: 'Ajouter une note' }).fill('Appel : cherchent une école.');
  await page.getByRole('button', { name: 'Ajouter la note' }).click();
  await page.getByText('Nouvelle tâche').click();
  await page.getByLabel('Quoi').fill('Envoyer la liste des écoles');
  await page.getByLabel('Pour le', { exact: true }).fill(inDays(2));
  await page.getByRole('button', { name: 'Ajouter la tâche' }).click();
  await expect(page.locator('[data-next]')).toContainText('Envoyer la liste des écoles');
  await page.getByLabel('Nouvelle étape').selectOption('qualified');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByText('Étape actuelle : Qualifié')).toBeVisible();
  const filter = page.getByRole('navigation', { name: 'Filtrer l’historique' });
  await filter.getByRole('link', { name: 'Notes' }).click();
  await expect(page).toHaveURL(/\?journal=notes#historique$/);
  await expect(filter.getByRole('link', { name: 'Notes' })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('.timeline li')).toHaveCount(1);
  await expect(page.locator('.timeline li')).toHaveAttribute('data-event', 'note');
  await filter.getByRole('link', { name: 'Étapes' }).click();
  await expect(page.locator('.timeline li')).toHaveCount(2);
  await expect(page.locator('.timeline li').first()).toHaveAttribute('data-event', 'stage_change');
  await filter.getByRole('link', { name: 'Tâches' }).click();
  await expect(page.locator('.timeline li')).toHaveCount(1);
  await expect(page.locator('.timeline li')).toHaveAttribute('data-event', 'task');
  await filter.getByRole('link', { name: 'Tout' }).click();
  expect(await page.locator('.timeline li').count()).toBeGreaterThan(4);

  // The second file says it may duplicate the first, at the top.
  await page.goto(`/agent/candidats/${second!.publicId}`);
  const banner = page.locator('[data-duplicate-banner]');
  await expect(banner).toContainText('Doublon possible');
  await expect(banner.getByRole('link', { name: 'Famille Résumé' })).toHaveAttribute(
    'href',
    `/agent/candidats/${first!.publicId}`,
  );
  await context.close();
});

test('an agent corrects the family’s project from the file; a refused correction keeps what was typed', async ({
  browser,
  portal,
}) => {
  const context = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  const page = await context.newPage();
  const email = unique('corrige');
  await enquire(page.request, portal, {
    name: 'Famille Corrigée',
    email,
    children: '3',
    budgetMax: '700',
    transaction: 'rent',
  });
  const [file] = await fileOf(portal, email);
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto(`/agent/candidats/${file!.publicId}`);
  const fact = (key: string) => page.locator(`[data-summary] [data-fact="${key}"] dd`);
  await expect(fact('budget')).toHaveText(/^700\s€ · location$/);

  // Refused: every error named, what was typed kept, the form open.
  await page.getByText('Corriger le projet').click();
  const panel = page.locator('#contact');
  await expect(panel.getByLabel('Âge des enfants')).toHaveValue('3');
  await panel.getByLabel('Âge des enfants').fill('trois');
  // "1 100" is a budget; words around it are not.
  await panel.getByLabel('Budget maximum (€, loyer mensuel ou prix d’achat)').fill('environ 1 100');
  await panel.getByLabel('Communes souhaitées').fill('Mauvezin (32120), Nullepart');
  await panel.getByRole('button', { name: 'Enregistrer le projet' }).click();
  const summary = page.getByRole('alert');
  for (const label of [/Âge des enfants/, /Communes souhaitées/, /Budget maximum/])
    await expect(summary.getByRole('link', { name: label })).toBeVisible();
  await expect(panel.getByLabel('Âge des enfants')).toHaveValue('trois');
  await expect(panel.getByLabel('Budget maximum (€, loyer mensuel ou prix d’achat)')).toHaveValue('environ 1 100');
  await expect(panel.getByLabel('Communes souhaitées')).toHaveValue('Mauvezin (32120), Nullepart');
  await expect(fact('budget')).toHaveText(/^700\s€ · location$/);

  // Someone else changed the file meanwhile: refused (409), the typed values kept, and
  // posting again once the conflict is read goes through.
  await portal.sql.execute({
    sql: 'UPDATE candidates SET version = version + 1 WHERE public_id = ?',
    args: [file!.publicId],
  });
  await panel.getByLabel('Âge des enfants').fill('3, 12');
  await panel.getByLabel('Budget maximum (€, loyer mensuel ou prix d’achat)').fill('1100');
  await panel.getByLabel('Communes souhaitées').fill('Mauvezin (32120)');
  await panel.getByLabel('Échéance').selectOption('lt3m');
  const stale = page.waitForResponse((r) => r.request().method() === 'POST');
  await panel.getByRole('button', { name: 'Enregistrer le projet' }).click();
  expect((await stale).status()).toBe(409);
  await expect(page.getByRole('alert')).toContainText('Ce dossier vient d’être modifié par quelqu’un d’autre');
  await expect(panel.getByLabel('Âge des enfants')).toHaveValue('3, 12');
  await expect(fact('budget')).toHaveText(/^700\s€ · location$/);
  await panel.getByRole('button', { name: 'Enregistrer le projet' }).click();
  await expect(page).toHaveURL(/\?ok=project#contact$/);
  await expect(page.getByRole('status')).toHaveText('Projet mis à jour ; le score de maturité est recalculé.');
  await expect(fact('budget')).toHaveText(/^1\s100\s€ · location$/);
  await expect(fact('household')).toHaveText('2 adultes · 2 enfants (3, 12 ans)');
  await expect(fact('communes')).toHaveText('Mauvezin');
  await expect(fact('timeFrame')).toHaveText('Dans moins de 3 mois');
  await expect(page.locator('.timeline li[data-event="project_edited"]')).toContainText(
    'Projet corrigé : foyer, communes souhaitées, budget, échéance',
  );
  await context.close();
});

test('a long file shows its latest timeline, messages and tasks, and more on request; without JavaScript', async ({
  browser,
  portal,
}) => {
  const context = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  const page = await context.newPage();
  const email = await throwawayFamily(portal, 'longue');
  await enquire(page.request, portal, { name: 'Famille Longue', email });
  const [file] = await fileOf(portal, email);
  // Years of a file: 60 notes, 35 messages, 25 open tasks.
  const id = `(SELECT id FROM candidates WHERE public_id = '${file!.publicId}')`;
  const series = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;
  await portal.sql.batch([
    `${series(60)} INSERT INTO candidate_events (candidate_id, kind, data, at)
       SELECT ${id}, 'note', json_object('text', 'Note ' || i), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || i || ' minutes') FROM n`,
    `${series(35)} INSERT INTO messages (candidate_id, from_family, body, at)
       SELECT ${id}, i % 2, 'Message ' || i, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || i || ' minutes') FROM n`,
    `${series(25)} INSERT INTO tasks (candidate_id, title, due_date, created_at)
       SELECT ${id}, 'Tâche ' || i, date('now', '+' || i || ' days'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n`,
  ]);

  await signInAs(page, 'agent.gers@demo.test');
  await page.goto(`/agent/candidats/${file!.publicId}`);
  // The latest 50 of 62 events (the enquiry, its confirmation email, the notes), the newest first.
  const timeline = page.locator('.timeline li');
  await expect(timeline).toHaveCount(50);
  await expect(timeline.first()).toContainText('Note 60');
  const history = page.locator('#historique');
  await expect(history.getByText('50 sur 62')).toBeVisible();
  await history.getByRole('link', { name: 'Afficher 12 de plus' }).click();
  await expect(page).toHaveURL(/\?historique=100#historique$/);
  await expect(timeline).toHaveCount(62);
  await expect(timeline.locator('xpath=self::*[@data-event="created"]')).toHaveCount(1);
  await expect(history.locator('[data-show-more]')).toHaveCount(0);
  // The last 30 messages, oldest first; the 5 before them on request, the other lists kept.
  const thread = page.locator('#messages .thread li');
  await expect(thread).toHaveCount(30);
  await expect(thread.first()).toContainText('Message 6');
  await expect(thread.last()).toContainText('Message 35');
  await page.getByRole('link', { name: 'Afficher les 5 messages précédents' }).click();
  await expect(page).toHaveURL(/\?historique=100&messages=60#messages$/);
  await expect(thread).toHaveCount(35);
  await expect(thread.first()).toContainText('Message 1');
  await expect(timeline).toHaveCount(62);
  // The 20 soonest tasks; the next one in the summary.
  const tasks = page.locator('#taches .tasks li');
  await expect(tasks).toHaveCount(20);
  await expect(tasks.first()).toContainText('Tâche 1');
  await expect(page.locator('[data-next]')).toContainText('Tâche 1');
  await page.locator('#taches').getByRole('link', { name: 'Afficher 5 de plus' }).click();
  await expect(tasks).toHaveCount(25);
  await expect(tasks.last()).toContainText('Tâche 25');

  // The family reads the same thread on /compte, in its language.
  await page.context().clearCookies();
  await signInAs(page, email);
  await page.goto('/en/compte');
  const familyThread = page.locator('#messages .thread li');
  await expect(familyThread).toHaveCount(30);
  await page.getByRole('link', { name: 'Show the 5 previous messages' }).click();
  await expect(page).toHaveURL(/\/en\/compte\?messages=60#messages$/);
  await expect(familyThread).toHaveCount(35);
  await context.close();
});

test('the board uses the list’s filters, its cards say enough, and a keyboard move can be undone', async ({
  page,
  portal,
  axe,
}) => {
  const name = `Famille Tableau ${Math.random().toString(36).slice(2, 7)}`;
  const email = unique('tableau');
  await enquire(page.request, portal, { name, email, children: '4, 9', wishedCommunes: 'Auch' });
  const [file] = await fileOf(portal, email);
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent/candidats?vue=tableau');
  await page.getByLabel('Rechercher (nom, email, lieu)').fill(name);
  await page.getByLabel('Commune (souhaitée ou d’installation)').fill('Auch');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/vue=tableau/);
  await expect(page).toHaveURL(/commune=Auch/);
  await expect(page.locator('[data-card]')).toHaveCount(1);
  const card = page.locator(`[data-column="enquiry"] [data-card="${file!.publicId}"]`);
  await expect(card).toContainText('4 personnes');
  await expect(card).toContainText('entré aujourd’hui');
  await axe(page);
  // The list under the same filters, one link away.
  await page.getByRole('link', { name: 'Liste', exact: true }).click();
  await expect(page).toHaveURL(/commune=Auch/);
  await expect(page.locator(`[data-file="${file!.publicId}"]`)).toBeVisible();
  await expect(page.locator('tbody tr')).toHaveCount(1);

  // Another commune: not there; a commune that names nothing: an error beside its field, the filter dropped.
  await page.goto(`/agent/candidats?vue=tableau&q=${encodeURIComponent(name)}&commune=Condom`);
  await expect(page.locator('[data-card]')).toHaveCount(0);
  await page.goto(`/agent/candidats?vue=tableau&q=${encodeURIComponent(name)}&commune=Nullepartville`);
  await expect(page.getByText('Aucune commune ne correspond à « Nullepartville »')).toBeVisible();
  await expect(page.locator('[data-card]')).toHaveCount(1);

  // The closed columns: the last 30 days, and the rest in the list.
  await page.goto('/agent/candidats?vue=tableau&agent=me');
  const settled = page.locator('[data-column="settled"]');
  await expect(settled).toContainText('30 derniers jours');
  await settled.getByRole('link', { name: 'Voir tous ces dossiers (liste)' }).click();
  await expect(page).toHaveURL(/agent=me/);
  await expect(page).toHaveURL(/etape=settled/);
  await expect(page.getByLabel('Étape', { exact: true })).toHaveValue('settled');

  // A keyboard move, then "Undo": the move taken out of the file's history, as if not made.
  await page.goto(`/agent/candidats?vue=tableau&q=${encodeURIComponent(name)}`);
  await expect(page.locator('[data-board="ready"]')).toBeVisible();
  await card.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('status')).toHaveText(`${name} : étape « Qualifié » enregistrée.`);
  await expect(page.locator(`[data-column="qualified"] [data-card="${file!.publicId}"]`)).toBeFocused();
  await page.getByRole('button', { name: 'Annuler le déplacement' }).click();
  await expect(page.getByRole('status')).toHaveText(`${name} : retour à l’étape « Demande ».`);
  await expect(page.locator(`[data-column="enquiry"] [data-card="${file!.publicId}"]`)).toBeFocused();
  await expect(page.getByRole('button', { name: 'Annuler le déplacement' })).toHaveCount(0);
  const history = await portal.sql.execute({
    sql: `SELECT h.stage FROM stage_history h JOIN candidates c ON c.id = h.candidate_id
          WHERE c.public_id = ? ORDER BY h.id`,
    args: [file!.publicId],
  });
  expect(history.rows.map((r) => r.stage)).toEqual(['enquiry']);
  const events = await portal.sql.execute({
    sql: `SELECT e.kind FROM candidate_events e JOIN candidates c ON c.id = e.candidate_id
          WHERE c.public_id = ? AND e.kind = 'stage_change'`,
    args: [file!.publicId],
  });
  expect(events.rows).toHaveLength(0);
  // And it stays where it was put.
  await page.reload();
  await expect(page.locator(`[data-column="enquiry"] [data-card="${file!.publicId}"]`)).toBeVisible();
  // The file page, summary and folded actions, passes axe (with JavaScript: its islands awake).
  await page.goto(`/agent/candidats/${file!.publicId}?journal=stages`);
  await expect(page.locator('[data-summary]')).toBeVisible();
  await axe(page);
});

test('the maturity score explains itself, an agent corrects it with a reason, and it sorts the list and the board', async ({
  page,
  portal,
  axe,
}) => {
  // The project asks what the partner wishes to do.
  await page.goto('/projet');
  await expect(page.getByLabel('Après l’installation, votre conjoint·e souhaite…').locator('option')).toHaveText([
    '—',
    'Continuer à télétravailler',
    'Trouver un emploi sur place',
    'Reprendre une entreprise ou un commerce',
    'Créer son activité',
    'Ne cherche pas d’emploi',
  ]);
  const name = `Famille Maturité ${Math.random().toString(36).slice(2, 7)}`;
  const email = unique('maturite');
  await enquire(page.request, portal, {
    name,
    email,
    timeFrame: 'lt3m',
    remoteStatus: 'employee',
    partnerProfession: 'Infirmière',
    partnerWish: 'local_job',
    partnerSought: 'infirmière de bloc',
    minDownloadMbps: '8',
  });
  const [file] = await fileOf(portal, email);
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto(`/agent/candidats/${file!.publicId}`);
  const fact = page.locator('[data-summary] [data-fact="maturity"] dd');
  // 25 (under 3 months) + 20 (remote employee) + 5 (a local job to find) + 0 (no budget) + 20 (8 Mb/s).
  await expect(fact).toHaveText('70/100');
  await expect(page.locator('[data-partner-wish="local_job"]')).toHaveText(
    'Conjoint·e : Trouver un emploi sur place — « infirmière de bloc »',
  );
  const panel = page.locator('#maturite');
  await expect(panel.locator('[data-factor]')).toHaveCount(5);
  await expect(panel.locator('[data-factor="partner"]')).toContainText('Conjoint·e cherche un emploi sur place');
  await expect(panel.locator('[data-factor="partner"] .num')).toHaveText('5/15');
  await expect(panel.locator('[data-factor="budget"]')).toContainText('Budget non précisé');

  // Without a reason (blanks pass the browser's check, not the server's) the score is refused, and what was typed stays.
  await panel.getByText('Corriger le score').click();
  await panel.getByLabel('Votre score (0 à 100)').fill('95');
  await panel.getByLabel('Raison').fill('   ');
  await panel.getByRole('button', { name: 'Enregistrer le score' }).click();
  await expect(page.getByText('Dites pourquoi vous corrigez le score.').first()).toBeVisible();
  await expect(panel.getByLabel('Votre score (0 à 100)')).toHaveValue('95');
  await panel.getByLabel('Raison').fill('Poste trouvé à Auch, employeur d’accord');
  await panel.getByRole('button', { name: 'Enregistrer le score' }).click();
  await expect(page.getByRole('status')).toHaveText('Le score de maturité est enregistré.');
  await expect(fact).toHaveText('95/100');
  await expect(panel.locator('[data-override]')).toContainText('Poste trouvé à Auch, employeur d’accord');
  await expect(panel.getByRole('table')).toContainText('Score calculé : 70/100');
  await expect(page.locator('.timeline li[data-event="maturity"]').first()).toContainText('95/100');
  await axe(page);

  // The list and the board sort on it, the agent's score winning.
  await page.goto('/agent/candidats?tri=maturity&etape=enquiry');
  const scores = await page
    .locator('tbody [data-maturity]')
    .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-maturity'))));
  expect(scores.length).toBeGreaterThan(1);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  await expect(page.locator(`[data-file="${file!.publicId}"] [data-maturity]`)).toHaveText('95/100');
  await page.goto(`/agent/candidats?vue=tableau&tri=maturity&q=${encodeURIComponent(name)}`);
  await expect(page.getByLabel('Trier par')).toHaveValue('maturity');
  await expect(page.locator(`[data-card="${file!.publicId}"] .maturity-chip`)).toHaveText('Maturité 95/100');

  // Back to the computed score.
  await page.goto(`/agent/candidats/${file!.publicId}`);
  await panel.getByText('Corriger le score').click();
  await panel.getByRole('button', { name: 'Revenir au score calculé' }).click();
  await expect(fact).toHaveText('70/100');
  await expect(panel.locator('[data-override]')).toHaveCount(0);
});

test('each role lands on its own home after signing in; staff see their own menu', async ({ browser, portal }) => {
  const header = (page: Page, name = 'Navigation principale') => page.getByRole('navigation', { name });
  const homes: Array<[string, RegExp, string[], string[]]> = [
    ['famille@demo.test', /\/compte$/, ['Logements et tiers-lieux', 'Mon projet'], ['Candidats']],
    ['agent.gers@demo.test', /\/agent$/, ['Espace agent', 'Candidats'], ['Mon projet', 'Rapports']],
    ['direction.gers@demo.test', /\/agent\/rapports$/, ['Espace agent', 'Candidats', 'Rapports'], ['Mon projet']],
    ['admin@demo.test', /\/admin$/, ['Espace agent', 'Rapports', 'Administration'], ['Mon projet']],
  ];
  for (const [email, home, shown, hidden] of homes) {
    const context = await browser.newContext({ baseURL: portal.url });
    const page = await context.newPage();
    await page.goto('/connexion');
    await submitSignIn(page, email);
    await expect(page).toHaveURL(home);
    for (const name of shown) await expect(header(page).getByRole('link', { name, exact: true })).toBeVisible();
    for (const name of hidden) await expect(header(page).getByRole('link', { name, exact: true })).toHaveCount(0);
    await context.close();
  }
  // A safe return path wins; in English, the family's home is English.
  const context = await browser.newContext({ baseURL: portal.url });
  const page = await context.newPage();
  await page.goto('/connexion?retour=%2Foffres');
  await submitSignIn(page, 'famille@demo.test');
  await expect(page).toHaveURL(/\/offres$/);
  await context.clearCookies();
  await page.goto('/en/connexion');
  await page.getByLabel('Email address').first().fill('famille@demo.test');
  await page.getByLabel('Password', { exact: true }).fill('demo-password-2026');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/en\/compte$/);
  // "My project" of a family whose file is open is that file.
  await header(page, 'Main navigation').getByRole('link', { name: 'My project' }).click();
  await expect(page).toHaveURL(/\/en\/compte#dossier$/);
  await context.close();
});

test('after settlement the family sees its steps, closed proposals with their pictures and a cancelled stay', async ({
  browser,
  page,
  portal,
  axe,
}) => {
  const email = await throwawayFamily(portal, 'installee');
  await enquire(page.request, portal, { name: 'Famille Installée', email, children: '5' });
  const [file] = await fileOf(portal, email);
  const id = file!.publicId;
  const homes = await publishedHomes(portal, 2);
  const admin = await apiAs(portal, 'direction.gers@demo.test');
  const post = (path: string, data: string) =>
    admin.post(path, {
      data,
      headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  expect((await post(`/agent/candidats/${id}/proposer`, homes.map((h) => `offers=${h.id}`).join('&'))).status()).toBe(
    303,
  );
  const stay = new URLSearchParams({ intent: 'stay', startDate: inDays(20), endDate: inDays(22), places: 'Auch' });
  expect((await post(`/agent/candidats/${id}`, stay.toString())).status()).toBe(303);
  for (const to of ['qualified', 'discovery', 'settling']) {
    const [now] = await fileOf(portal, email);
    expect((await post(`/agent/candidats/${id}`, `to=${to}&version=${now!.version}`)).status()).toBe(303);
  }
  await admin.dispose();

  // The agent settles the family: the household is pre-filled, the territory's communes suggested.
  const agentContext = await browser.newContext({ baseURL: portal.url });
  const agent = await agentContext.newPage();
  await signInAs(agent, 'agent.gers@demo.test');
  await agent.goto(`/agent/candidats/${id}`);
  await expect(agent.getByLabel('Personnes installées')).toHaveValue('3');
  await agent.getByLabel('Nouvelle étape').selectOption('settled');
  const commune = agent.getByLabel('Commune d’installation (code INSEE ou nom)');
  await commune.pressSequentially('Mauv');
  await expect(agent.locator('#m-settledCommune-suggestions option').first()).toHaveAttribute('value', /^Mauvezin/);
  await commune.fill('Mauvezin');
  await agent.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(agent.getByText('Étape actuelle : Installé')).toBeVisible();
  await expect(agent.locator('#propositions [data-status="closed"]')).toHaveCount(2);
  await expect(agent.locator('#propositions').getByText('close à l’installation').first()).toBeVisible();
  await expect(agent.locator('#sejour [data-cancelled]')).toContainText('Annulé');
  await agentContext.close();

  await signInAs(page, email);
  await page.goto('/compte');
  await expect(page.locator('[data-steps] [aria-current="step"]')).toContainText('Installés');
  await expect(page.locator('[data-steps] [data-state="done"]')).toHaveCount(4);
  const proposals = page.locator('#propositions [data-proposal]');
  await expect(proposals).toHaveCount(2);
  for (const home of homes)
    await expect(page.locator('#propositions').getByRole('link', { name: home.title })).toBeVisible();
  await expect(proposals.first()).toContainText('Close : vous êtes installés');
  await expect(proposals.first().locator('.badge')).toBeVisible();
  await expect(page.locator('#propositions').getByRole('button', { name: 'Elle m’intéresse' })).toHaveCount(0);
  await expect(page.locator('#sejour [data-cancelled]')).toContainText('Annulé');
  await axe(page);
  // A form kept from before (another tab) is refused with its reason, said once; nothing changes.
  const proposal = await proposals.first().getAttribute('data-proposal');
  const late = await page.request.post('/compte', {
    form: { intent: 'answer', proposal: proposal!, answer: 'accepted' },
    headers: { Origin: portal.url },
  });
  expect(late.status()).toBe(409);
  expect((await late.text()).split('Cette proposition est close').length - 1).toBe(1);
  await expect(proposals.first()).toHaveAttribute('data-status', 'closed');
  await page.goto('/en/compte');
  await expect(page.locator('#propositions [data-proposal]').first()).toContainText('Closed: you have settled');
  await expect(page.locator('[data-steps] [aria-current="step"]')).toContainText('Settled');
  await axe(page);
});
