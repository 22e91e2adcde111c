// The staff access log in the browser: an agent opens a family's file (one entry, not one
// more for the page after a post), the Gers admin exports a report table as CSV, then finds
// both in /admin/journal and narrows the list with its filters; a Manche agent's opening
// stays out of the Gers' journal.
import { portalDay } from '../../src/lib/time.ts';
import { apiAs, expect, signInAs, test } from './fixtures.ts';

test('the Gers admin finds who opened a file and who exported a CSV in /admin/journal', async ({
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const count = async (sql: string, args: Array<string | number>) =>
    Number((await portal.sql.execute({ sql, args })).rows[0]!.n);
  const one = async (sql: string) => (await portal.sql.execute(sql)).rows[0]!;
  const gersFile = String(
    (
      await one(
        "SELECT public_id FROM candidates WHERE territory_code = '32' AND merged_into_id IS NULL AND anonymised_at IS NULL ORDER BY id DESC LIMIT 1",
      )
    ).public_id,
  );
  const lucie = Number((await one("SELECT id FROM users WHERE email = 'agent.gers@demo.test'")).id);
  const yann = Number((await one("SELECT id FROM users WHERE email = 'agent.manche@demo.test'")).id);
  const opened = (file: string, by: number) =>
    count("SELECT count(*) AS n FROM access_log WHERE action = 'file_opened' AND file_public_id = ? AND actor_id = ?", [
      file,
      by,
    ]);

  const context = await browser.newContext({ baseURL: portal.url });
  const page = await context.newPage();
  try {
    // Lucie opens the file, then adds a note: the page after the post is no second opening.
    await signInAs(page, 'agent.gers@demo.test');
    await page.goto(`/agent/candidats/${gersFile}`);
    expect(await opened(gersFile, lucie)).toBe(1);
    await page.getByRole('textbox', { name: 'Ajouter une note' }).fill('Appel prévu jeudi.');
    await page.getByRole('button', { name: 'Ajouter la note' }).click();
    await expect(page.getByText('Note ajoutée.')).toBeVisible();
    expect(await opened(gersFile, lucie)).toBe(1);
    // An agent has no journal.
    expect((await page.goto('/admin/journal'))!.status()).toBe(403);

    // Yann opens a file of the Manche.
    const mancheFile = String(
      (
        await one(
          "SELECT public_id FROM candidates WHERE territory_code = '50' AND merged_into_id IS NULL AND anonymised_at IS NULL ORDER BY id LIMIT 1",
        )
      ).public_id,
    );
    const manche = await apiAs(portal, 'agent.manche@demo.test');
    expect((await manche.get(`/agent/candidats/${mancheFile}`)).status()).toBe(200);
    expect(await opened(mancheFile, yann)).toBe(1);
    await manche.dispose();

    // The Gers admin downloads the table of families settled by month.
    await context.clearCookies();
    await signInAs(page, 'direction.gers@demo.test');
    await page.goto('/agent/rapports');
    const download = page.waitForEvent('download');
    await page.locator('#t-months').getByRole('link', { name: 'CSV (point-virgule, pour Excel)' }).click();
    const name = (await download).suggestedFilename();
    expect(name).toMatch(/^rapport-gers-\d{4}-months\.csv$/);

    // The journal, from the back office's navigation: both entries, newest first.
    await page.goto('/agent');
    await page.getByRole('link', { name: 'Journal des accès' }).click();
    await expect(page).toHaveURL(/\/admin\/journal$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Journal des accès');
    await axe(page);
    const rows = page.locator('tbody tr');
    await expect(rows.first()).toHaveAttribute('data-action', 'csv_exported');
    await expect(rows.first()).toContainText(name);
    await expect(rows.first()).toContainText('Direction du Gers');
    const openedRow = page.locator(`tr[data-action="file_opened"]:has(a[data-file="${gersFile}"])`);
    await expect(openedRow).toHaveCount(1);
    await expect(openedRow).toContainText('Lucie Agent (Gers)');
    // Nothing of the Manche.
    await expect(page.locator(`a[data-file="${mancheFile}"]`)).toHaveCount(0);
    await expect(page.locator('tbody')).not.toContainText('Yann Agent (Manche)');
    expect(await page.getByLabel('Membre du personnel').locator('option').allTextContents()).not.toContain(
      'Yann Agent (Manche)',
    );

    // Filters: by action, by member, by file and by period (today).
    await page.getByLabel('Action', { exact: true }).selectOption('file_opened');
    await page.getByLabel('Membre du personnel').selectOption(String(lucie));
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page).toHaveURL(/action=file_opened/);
    await expect(rows.first()).toBeVisible();
    for (const action of await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action'))))
      expect(action).toBe('file_opened');
    await expect(page.locator('tbody')).not.toContainText('Direction du Gers');
    await page.getByLabel('Dossier (identifiant)').fill(gersFile);
    const today = portalDay(new Date()); // the journal's days are Paris days
    await page.getByLabel('Du', { exact: true }).fill(today);
    await page.getByLabel('Au', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(rows).toHaveCount(1);
    await expect(page.locator('[data-total]')).toHaveText('1 entrée');
    await axe(page);

    // A refused filter says so, and the list shows without it.
    await page.goto('/admin/journal?du=2026-12-31&au=2026-01-01');
    await expect(page.getByRole('alert')).toContainText('La fin de la période doit être le jour du début ou après.');

    // The file links to its page (which, opened by the admin, is an entry of its own).
    await page.goto(`/admin/journal?dossier=${gersFile}&action=file_opened`);
    await page.locator(`a[data-file="${gersFile}"]`).first().click();
    await expect(page).toHaveURL(new RegExp(`/agent/candidats/${gersFile}$`));
    expect(
      await count(
        "SELECT count(*) AS n FROM access_log WHERE file_public_id = ? AND actor_name = 'Direction du Gers'",
        [gersFile],
      ),
    ).toBe(1);
  } finally {
    await context.close();
  }
});
