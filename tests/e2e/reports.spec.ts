// Department reports in the browser: a territory admin opens them, changes the period,
// downloads a CSV (checked row by row against the database), prints the annual report to
// PDF; an agent without the admin role gets none; the public impact page.
import { readFile } from 'node:fs/promises';
import { expect, signInAs, test } from './fixtures.ts';
import { monthName } from '../../src/server/reports/wording.ts';

test('a territory admin reads, exports and prints the reports of the Gers', async ({ page, portal, axe }) => {
  test.slow();
  await signInAs(page, 'direction.gers@demo.test');
  await page.goto('/agent');
  // The back office's own navigation (the header has its link too).
  await page.getByRole('navigation', { name: 'Espace agent' }).getByRole('link', { name: 'Rapports' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rapports — Gers');
  await axe(page);

  // Last year, then one quarter of it.
  const year = new Date().getUTCFullYear() - 1;
  await page.getByLabel('Période', { exact: true }).selectOption('year');
  await page.getByLabel('Année', { exact: true }).selectOption(String(year));
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  await expect(page.getByText(`Du 1er janvier ${year} au 31 décembre ${year}`)).toBeVisible();
  await page.getByLabel('Période', { exact: true }).selectOption('quarter');
  await page.getByLabel('Trimestre', { exact: true }).selectOption('2');
  await page.getByRole('button', { name: 'Afficher le rapport' }).click();
  await expect(page.getByText(`Du 1er avril ${year} au 30 juin ${year}`)).toBeVisible();
  await expect(page.locator('#t-months tbody tr')).toHaveCount(3);
  // Custom dates in the wrong order: a clear message, and the report still shows.
  await page.goto('/agent/rapports?periode=custom&du=2026-05-10&au=2026-05-01');
  await expect(page.getByRole('alert')).toContainText('Le départ doit être le jour de l’arrivée ou après.');

  // The CSV of families settled by month, for the whole year, row by row against the database.
  await page.goto(`/agent/rapports?periode=year&annee=${year}`);
  const download = page.waitForEvent('download');
  await page.locator('#t-months').getByRole('link', { name: 'CSV (point-virgule, pour Excel)' }).click();
  const csv = await readFile((await (await download).path())!, 'utf8');
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const lines = csv
    .slice(1)
    .trim()
    .split('\r\n')
    .map((l) => l.split(';'));
  expect(lines[0]).toEqual(['Mois', 'Familles', 'Personnes']);
  expect(lines).toHaveLength(13);
  const db = await portal.sql.execute({
    sql: `SELECT substr(first, 1, 7) AS month, count(*) AS families, sum(size) AS persons FROM (
            SELECT h.candidate_id, min(h.entered_at) AS first, c.settled_household_size AS size
            FROM stage_history h JOIN candidates c ON c.id = h.candidate_id
            WHERE h.stage = 'settled' AND h.territory_code = '32' AND h.entered_at >= ? AND h.entered_at < ?
            GROUP BY h.candidate_id) GROUP BY 1`,
    args: [`${year}-01-01`, `${year + 1}-01-01`],
  });
  // Months in words, as the table writes them ("janvier 2025").
  const expected = new Map(
    db.rows.map((r) => [monthName('fr', String(r.month)), [Number(r.families), Number(r.persons)]]),
  );
  expect(db.rows.length).toBeGreaterThan(0);
  for (const [month, families, persons] of lines.slice(1)) {
    expect([Number(families), Number(persons)], month).toEqual(expected.get(month!) ?? [0, 0]);
  }

  // The annual report, printed by the browser on A4.
  await page.getByRole('link', { name: `Rapport annuel ${year} à imprimer` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Rapport annuel ${year} — Gers`);
  await axe(page);
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-header')).toBeHidden();
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages).toBeGreaterThanOrEqual(1);
});

test('an agent without the admin role gets no report; another territory’s is not found', async ({ page, portal }) => {
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent');
  await expect(page.getByRole('link', { name: 'Rapports' })).toHaveCount(0);
  for (const url of [
    '/agent/rapports',
    '/agent/rapports?territoire=50',
    '/agent/rapports/annuel?annee=2025&territoire=50',
    '/agent/rapports/export.csv?table=summary&territoire=50',
  ]) {
    expect((await page.request.get(url, { maxRedirects: 0 })).status(), url).toBe(403);
  }
  const admin = await page.context().browser()!.newContext({ baseURL: portal.url });
  const gers = await admin.newPage();
  await signInAs(gers, 'direction.gers@demo.test');
  expect((await gers.request.get('/agent/rapports/export.csv?table=summary&territoire=50')).status()).toBe(404);
  await admin.close();
});

test('the public impact page, in French and English, hides small figures', async ({ page, axe }) => {
  await page.goto('/impact');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notre impact');
  await expect(page.locator('[data-scope="total"] [data-figure="families"] strong')).toHaveText(/^\d+$/);
  await expect(page.locator('tr[data-territory="32"]')).toBeVisible();
  // The demo's families settle in a few communes: the per-year chart shows the years it may,
  // the others as a statistical secret.
  const figures = page.locator('#settled table tbody td:first-of-type');
  await expect(figures.filter({ hasText: /^\d+$/ }).first()).toBeVisible();
  await expect(figures.filter({ hasText: 'secret statistique' }).first()).toBeVisible();
  await axe(page);
  await page.goto('/en/impact');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Our impact');
  await expect(page.getByText('To protect families’ privacy')).toBeVisible();
  await axe(page);
});
