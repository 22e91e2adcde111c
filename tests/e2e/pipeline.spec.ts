// Journey of the pipeline so far: a family files its project; the Gers agent finds it on
// their home and in the list, qualifies it, notes a call; the Manche agent cannot see it.
import type { Locator, Page } from '@playwright/test';
import { expect, lastMail, signInAs, test, type Portal } from './fixtures.ts';

/** Drags like a hand does: press, move a little (past the drag threshold), move over, release. */
async function drag(page: Page, from: Locator, to: Locator) {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 5, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + Math.min(60, b.height / 2), { steps: 20 });
  await page.mouse.up();
}

/** Files an enquiry for the Gers through /projet; its public id. */
async function newEnquiry(page: Page, portal: Portal, name: string, label: string): Promise<string> {
  const email = `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`;
  const res = await page.request.post('/projet', {
    form: { name, email, adults: '2', children: '6', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  expect(res.status()).toBe(200);
  return String(
    (await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] })).rows[0]!
      .public_id,
  );
}

// The journey in two tests (finding the file, then working on it), each within its budget.
test('the Gers agent finds a new enquiry on their home and in the list; the Manche agent cannot see it', async ({
  page,
  browser,
  portal,
  axe,
}) => {
  const publicId = await newEnquiry(page, portal, 'Famille Pipeline', 'pipeline');

  await signInAs(page, 'agent.gers@demo.test');
  await page.getByRole('link', { name: 'Espace agent' }).click();
  await expect(page.locator(`[data-unanswered="${publicId}"]`)).toContainText('Famille Pipeline');
  await axe(page);
  await page.getByRole('link', { name: 'Candidats' }).first().click();
  await page.getByLabel('Rechercher (nom, email, lieu)').fill('Pipeline');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await axe(page);
  await page.getByRole('link', { name: 'Famille Pipeline' }).click();
  await expect(page).toHaveURL(new RegExp(`/agent/candidats/${publicId}$`));
  await expect(page.getByText('Étape actuelle : Demande')).toBeVisible();
  await axe(page);

  const manche = await browser.newContext({ baseURL: portal.url });
  const mancheAgent = await manche.newPage();
  await signInAs(mancheAgent, 'agent.manche@demo.test');
  expect((await mancheAgent.goto(`/agent/candidats/${publicId}`))?.status()).toBe(404);
  await mancheAgent.goto('/agent/candidats?q=Pipeline');
  await expect(mancheAgent.locator('tbody tr')).toHaveCount(0);
  await manche.close();
});

test('the Gers agent qualifies a new enquiry, adds a note and hands it to the territory admin', async ({
  page,
  portal,
}) => {
  const publicId = await newEnquiry(page, portal, 'Famille Qualifiée', 'qualifiee');
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto(`/agent/candidats/${publicId}`);
  await expect(page.getByText('Étape actuelle : Demande')).toBeVisible();
  // Settling straight from an enquiry is not a move the rules allow: the choice is not even offered.
  await expect(page.getByLabel('Nouvelle étape').locator('option')).toHaveText(['Qualifié', 'Abandon']);
  await page.getByLabel('Nouvelle étape').selectOption('withdrawn');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByText('Choisissez le motif de l’abandon.')).toBeVisible();
  await expect(page.getByText('Étape actuelle : Demande')).toBeVisible();

  await page.getByLabel('Nouvelle étape').selectOption('qualified');
  await page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await expect(page.getByRole('status')).toHaveText('Étape enregistrée.');
  await expect(page.getByText('Étape actuelle : Qualifié')).toBeVisible();
  await page
    .getByRole('textbox', { name: 'Ajouter une note' })
    .fill('Appel de découverte : télétravail 4 jours sur 5.');
  await page.getByRole('button', { name: 'Ajouter la note' }).click();
  await expect(page.locator('[data-event="note"]').first()).toContainText('télétravail 4 jours sur 5');
  await expect(page.locator('[data-event="stage_change"]').first()).toContainText('Demande → Qualifié');
  await expect(page.locator('[data-event="stage_change"]').first()).toContainText('Lucie Agent (Gers)');

  // The file goes to the territory admin, who is told by email (the form is folded away).
  await page.locator('[data-fold="assign"] > summary').click();
  await page.getByRole('combobox', { name: 'Agent chargé du dossier' }).selectOption({ label: 'Direction du Gers' });
  await page.getByRole('button', { name: 'Confier le dossier' }).click();
  await expect(page.getByRole('status')).toHaveText('Dossier confié.');
  await expect(page.locator('[data-event="assignment"]').first()).toContainText('Dossier confié à Direction du Gers');
  expect((await lastMail(portal, 'direction.gers@demo.test')).subject).toBe(
    'Un dossier vous est confié\u00a0: Famille Qualifiée',
  );

  // A stale form (the file moved since it was loaded) is a conflict, not a lost update.
  const stale = await page.request.post(`/agent/candidats/${publicId}`, {
    form: { to: 'discovery', version: '2' },
    headers: { Origin: portal.url },
  });
  expect(stale.status()).toBe(409);
  expect(await stale.text()).toContain('Ce dossier vient d’être modifié par quelqu’un d’autre');
});

test('the board moves a card with the keyboard alone, and by drag and drop', async ({ page, portal, axe }) => {
  const email = `tableau.${Date.now()}@exemple.fr`;
  await page.request.post('/projet', {
    form: { name: 'Famille Tableau', email, adults: '1', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  const publicId = String(
    (await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] })).rows[0]!
      .public_id,
  );
  const stage = async () =>
    String(
      (await portal.sql.execute({ sql: 'SELECT stage FROM candidates WHERE public_id = ?', args: [publicId] })).rows[0]!
        .stage,
    );

  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent/candidats?vue=tableau');
  await expect(page.locator('[data-board="ready"]')).toBeVisible();
  await axe(page);
  const card = page.locator(`[data-card="${publicId}"]`);
  await expect(page.locator('[data-column="enquiry"]').locator(`[data-card="${publicId}"]`)).toBeVisible();

  // Keyboard only: focus the card, arrow right twice, arrow left once.
  await card.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('status')).toHaveText('Famille Tableau : étape « Qualifié » enregistrée.');
  await expect(page.locator('[data-column="qualified"]').locator(`[data-card="${publicId}"]`)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('[data-column="discovery"]').locator(`[data-card="${publicId}"]`)).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('[data-column="qualified"]').locator(`[data-card="${publicId}"]`)).toBeVisible();
  expect(await stage()).toBe('qualified');

  // Drag and drop to the next column.
  await drag(page, page.locator(`[data-card="${publicId}"]`), page.locator('[data-column="discovery"]'));
  await expect(page.locator('[data-column="discovery"]').locator(`[data-card="${publicId}"]`)).toBeVisible();
  expect(await stage()).toBe('discovery');
  // Two stages at once is refused on the board: the file's form is the way.
  await drag(page, page.locator(`[data-card="${publicId}"]`), page.locator('[data-column="enquiry"]'));
  await expect(page.getByRole('status')).toContainText('ce changement se fait depuis le dossier');
  expect(await stage()).toBe('discovery');
  const history = await portal.sql.execute({
    sql: 'SELECT h.stage FROM stage_history h JOIN candidates c ON c.id = h.candidate_id WHERE c.public_id = ? ORDER BY h.id',
    args: [publicId],
  });
  expect(history.rows.map((r) => r.stage)).toEqual(['enquiry', 'qualified', 'discovery', 'qualified', 'discovery']);

  // The session ended meanwhile (signed out in another tab): the board says so, the card stays.
  await page.context().clearCookies();
  await page.locator(`[data-card="${publicId}"]`).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('status')).toHaveText(
    'Famille Tableau : rien n’a changé, votre session a pris fin. Rechargez la page pour vous reconnecter.',
  );
  await expect(page.locator('[data-column="discovery"]').locator(`[data-card="${publicId}"]`)).toBeVisible();
  expect(await stage()).toBe('discovery');
});

test('an enquiry past its territory’s first-answer target is flagged on the board and the agent’s home', async ({
  page,
  portal,
}) => {
  // An unanswered enquiry of the Gers, made older than the territory's promise.
  const target = Number(
    (await portal.sql.execute("SELECT first_answer_hours AS h FROM territories WHERE code = '32'")).rows[0]!.h ?? 48,
  );
  const file = (
    await portal.sql.execute(
      `SELECT id, name FROM candidates WHERE territory_code = '32' AND stage = 'enquiry' AND first_response_at IS NULL
       AND anonymised_at IS NULL AND merged_into_id IS NULL ORDER BY stage_entered_at DESC LIMIT 1`,
    )
  ).rows[0]!;
  const hours = target + 5;
  await portal.sql.execute({
    sql: 'UPDATE candidates SET created_at = ?, stage_entered_at = ? WHERE id = ?',
    args: [new Date(Date.now() - hours * 3_600_000).toISOString(), new Date().toISOString(), Number(file.id)],
  });
  await signInAs(page, 'agent.gers@demo.test');
  await expect(page.locator('li', { hasText: String(file.name) }).first()).toContainText(
    `promesse de réponse sous ${target}\u00a0h dépassée`,
  );
  await page.goto('/agent/candidats?vue=tableau');
  const card = page.locator('.board .card', { hasText: String(file.name) }).first();
  await expect(card.locator('.overdue')).toHaveText(
    new RegExp(`^Sans réponse depuis ${hours}\\u00a0h \\(engagement\\u00a0: ${target}\\u00a0h\\)$`),
  );
  // A file already answered carries no flag.
  const answered = (
    await portal.sql.execute(
      "SELECT name FROM candidates WHERE territory_code = '32' AND stage = 'qualified' AND anonymised_at IS NULL LIMIT 1",
    )
  ).rows[0]!;
  await expect(
    page
      .locator('.board .card', { hasText: String(answered.name) })
      .first()
      .locator('.overdue'),
  ).toHaveCount(0);
});
