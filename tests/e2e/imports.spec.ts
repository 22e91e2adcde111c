// Journeys: an administrator imports ARCEP's coverage rates from the admin page (plain form),
// follows the import to its end in the history, and a broken file is refused with its
// line, column and reason, nothing changed. Older data only add to the history. An offers
// CSV imported row by row gives its drafts and a report of rejected rows; the ANCT's
// tiers-lieux become drafts the territory's agents find in /agent/offres.
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { expect, signInAs, test } from './fixtures.ts';

// Plain forms: every journey here runs without JavaScript.
test.use({ javaScriptEnabled: false });

/** The admin of the Gers on /admin/imports, and the box of one import. */
async function importBox(page: Page, name: string) {
  await signInAs(page, 'direction.gers@demo.test');
  await page.goto('/admin/imports');
  return page.getByRole('region', { name });
}

/** Reloads the history until the import of `row` has ended with `status`. */
async function reloadUntil(page: Page, row: Locator, status: 'done' | 'failed') {
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveAttribute('data-status', status, { timeout: 1000 });
  }).toPass();
}

/** Reloads the history until the import followed (`?suivi=`) has ended; its row. */
async function ended(page: Page, status: 'done' | 'failed') {
  await expect(page).toHaveURL(/\/admin\/imports\?suivi=\d+/);
  const id = Number(new URL(page.url()).searchParams.get('suivi'));
  const row = page.locator(`[data-import="${id}"]`);
  await reloadUntil(page, row, status);
  return { id, row };
}

test('an admin imports coverage rates from the page; a broken file is refused with its reasons', async ({
  page,
  portal,
  axe,
}) => {
  test.slow();
  const stamp = Date.now();
  const rates = await importBox(page, 'Couverture fibre par commune (ARCEP)');
  await rates.getByLabel('Fichier CSV').setInputFiles({
    name: `taux-${stamp}.csv`,
    mimeType: 'text/csv',
    // Windows-1252 and semicolons, as a spreadsheet saves it; a Manche commune is outside
    // this admin's territory and left aside.
    buffer: Buffer.from(
      'Code géographique;Nom;Taux FTTH\r\n32013;Auch;88,5\r\n32107;Éauze;41\r\n50129;Cherbourg;99\r\n',
      'latin1',
    ),
  });
  await rates.getByLabel('Date des données').fill('2025-06-30');
  await rates.getByRole('button', { name: 'Importer' }).click();
  await expect(page).toHaveURL(/\/admin\/imports\?suivi=\d+#historique$/);
  const id = Number(new URL(page.url()).searchParams.get('suivi'));
  // Running imports make the page reload itself until they end.
  const row = page.locator(`[data-import="${id}"]`);
  await reloadUntil(page, row, 'done');
  await expect(row).toContainText(`taux-${stamp}.csv`);
  await expect(row).toContainText('Direction du Gers');
  const history = await portal.sql.execute({
    sql: 'SELECT commune_code, ftth_share FROM coverage_history WHERE import_id = ? ORDER BY commune_code',
    args: [id],
  });
  expect(history.rows.map((r) => [r.commune_code, r.ftth_share])).toEqual([
    ['32013', 0.885],
    ['32107', 0.41],
  ]);
  // Older than the figures shown: they stay.
  const shown = await portal.sql.execute("SELECT data_date FROM commune_coverage WHERE commune_code = '32013'");
  expect(shown.rows[0]!.data_date).toBe('2026-02-21');

  // A broken file: refused, each problem with its line and column.
  await rates.getByLabel('Fichier CSV').setInputFiles({
    name: 'casse.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('code_insee,fibre_pct\n32013,101\n3201X,50\n'),
  });
  await rates.getByLabel('Date des données').fill('2026-11-30');
  await rates.getByRole('button', { name: 'Importer' }).click();
  const broken = page.locator('[data-import]', { hasText: 'casse.csv' });
  await reloadUntil(page, broken, 'failed');
  await broken.getByText('2 problèmes').click();
  await expect(broken).toContainText('Ligne 2, colonne fibre_pct : un taux de 0 à 100 est attendu.');
  await expect(broken).toContainText('Ligne 3, colonne code_insee');

  // The figures per département: the Gers's only (this admin's territory), newest shown.
  const departments = page.getByRole('region', { name: 'Chiffres par département (ARCEP)' });
  await departments.getByLabel('Fichier CSV').setInputFiles({
    name: 'departements.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('code_dep,premises,ftth,thd30,date\n32,130000,97.5,100,2026-09-30\n50,1,1,1,2026-09-30\n'),
  });
  await departments.getByRole('button', { name: 'Importer' }).click();
  const figures = page.locator('[data-import]', { hasText: 'departements.csv' });
  await reloadUntil(page, figures, 'done');
  const gers = await portal.sql.execute(
    "SELECT department_code, ftth_share FROM department_coverage WHERE data_date = '2026-09-30'",
  );
  expect(gers.rows.map((r) => [r.department_code, r.ftth_share])).toEqual([['32', 0.975]]);
  // The territory page shows the newest figures, with their source and date.
  await page.goto('/territoires/32');
  await expect(
    page.getByText('des locaux du département raccordables à la fibre (ARCEP, septembre 2026)'),
  ).toBeVisible();
  await page.goBack();

  // Without a file (the browser asks for one first; a script may not): the form says so.
  const noFile = await page.request.post('/admin/imports', {
    multipart: { kind: 'arcep-taux', dataDate: '2026-01-01' },
    headers: { Origin: portal.url },
  });
  expect(noFile.status()).toBe(400);
  expect(await noFile.text()).toContain('Choisissez le fichier à importer.');

  await page.goto('/admin/imports');
  await axe(page);
});

test('an offers CSV imported row by row: drafts created, rejected rows in a downloadable report', async ({
  page,
  portal,
}) => {
  test.slow();
  const stamp = Date.now();
  const offers = await importBox(page, 'Offres : logements et tiers-lieux (modèle CSV)');
  // The template, with French headers, is what the import reads.
  const [template] = await Promise.all([
    page.waitForEvent('download'),
    offers.getByRole('link', { name: 'en-têtes en français' }).click(),
  ]);
  const header = (await readFile((await template.path())!, 'utf8')).replace(/^\uFEFF/, '').trim();
  expect(header.startsWith('type;titre;commune;')).toBe(true);
  const columns = header.split(';');
  const row = (values: Record<string, string>) => columns.map((c) => values[c] ?? '').join(';');
  const csv = [
    header,
    row({ type: 'logement', titre: `Maison importée ${stamp}`, commune: 'Auch', prix: '850', transaction: 'rent' }),
    row({ type: 'logement', titre: '', commune: 'Auch' }),
    row({ type: 'tiers-lieu', titre: `=Formule ${stamp}`, commune: 'Cherbourg-en-Cotentin' }),
  ].join('\r\n');
  await expect(offers.getByLabel('Territoire')).toHaveValue('32');
  await offers.getByLabel('Ligne par ligne').check();
  await offers.getByLabel('Fichier CSV').setInputFiles({
    name: `offres-${stamp}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'latin1'),
  });
  await offers.getByRole('button', { name: 'Importer les offres' }).click();
  const { id, row: done } = await ended(page, 'done');
  await expect(done).toContainText('1 créée');
  await expect(done).toContainText('2 lignes rejetées');
  await done.getByText('2 problèmes').click();
  await expect(done).toContainText('Ligne 3, colonne titre');
  await expect(done).toContainText('Ligne 4, colonne commune');

  const [report] = await Promise.all([
    page.waitForEvent('download'),
    done.getByRole('link', { name: 'Rapport des lignes rejetées (CSV)' }).click(),
  ]);
  expect(report.suggestedFilename()).toBe(`rejets-import-${id}.csv`);
  const lines = (await readFile((await report.path())!, 'utf8'))
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(lines[0]).toBe('Ligne,Colonne,Raison');
  expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['3,titre', '4,commune']);

  const created = await portal.sql.execute({
    sql: 'SELECT status, territory_code, price FROM offers WHERE title = ?',
    args: [`Maison importée ${stamp}`],
  });
  expect(created.rows.map((r) => [r.status, r.territory_code, r.price])).toEqual([['draft', '32', 850]]);

  // Another territory, or a post from another site: refused, nothing imported.
  const upload = (territory: string, origin: string) =>
    page.request.post('/admin/imports', {
      multipart: {
        kind: 'offres',
        territory,
        mode: 'rows',
        file: {
          name: 'x.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(`${header}\nlogement;Intrus ${stamp};Saint-Lô`),
        },
      },
      headers: { Origin: origin },
    });
  expect((await upload('50', portal.url)).status()).toBe(403);
  expect((await upload('32', 'https://evil.example')).status()).toBe(403);
  const intruders = await portal.sql.execute({
    sql: 'SELECT count(*) AS n FROM offers WHERE title = ?',
    args: [`Intrus ${stamp}`],
  });
  expect(intruders.rows[0]!.n).toBe(0);
});

test('the ANCT tiers-lieux import creates drafts that the agents find in their list', async ({
  page,
  browser,
  portal,
}) => {
  test.slow();
  const stamp = Date.now();
  // The real file's Gers rows, one of them new to the portal (the others are the demo's own).
  const file = await readFile(new URL('../fixtures/tiers-lieux-anct-2019-extrait.csv', import.meta.url), 'utf8');
  const renamed = file.replace('1100,Pôle Entreprises', `e2e-${stamp},Pôle Entreprises ${stamp}`);
  const anct = await importBox(page, 'Tiers-lieux : données ouvertes de l’ANCT');
  await anct.getByLabel('Fichier CSV').setInputFiles({
    name: `tiers-lieux-${stamp}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(renamed),
  });
  await anct.getByRole('button', { name: 'Importer les tiers-lieux' }).click();
  const { row } = await ended(page, 'done');
  await expect(row).toContainText('1 créée');
  await expect(row).toContainText('hors des territoires');

  const agent = await browser.newContext({ baseURL: portal.url });
  const agentPage = await agent.newPage();
  await signInAs(agentPage, 'agent.gers@demo.test');
  await agentPage.goto('/agent/offres?etat=draft&type=tiers-lieu');
  await expect(agentPage.getByRole('link', { name: `Pôle Entreprises ${stamp}` })).toBeVisible();
  await agent.close();
});
