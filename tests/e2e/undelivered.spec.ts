// An email the provider never took is visible where staff work — on the file's timeline and
// in /admin/emails — and one click sends it again.
import { expect, signInAs, test } from './fixtures.ts';

test('an undelivered email shows on its file and in /admin/emails, and is sent again', async ({
  browser,
  request,
  portal,
  axe,
}) => {
  // A new enquiry for the Gers: its emails (the family's confirmation, the staff's notice)
  // are then given up by the dispatcher.
  const email = `undelivered.${Date.now()}@exemple.fr`;
  const filed = await request.post('/projet', {
    form: { name: 'Famille Sansmail', email, adults: '2', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  expect(filed.status()).toBe(200);
  const rs = await portal.sql.execute({
    sql: `SELECT o.id, o.subject, c.public_id FROM outbox o JOIN candidates c ON c.id = o.candidate_id
          WHERE c.email = ? ORDER BY o.id LIMIT 2`,
    args: [email],
  });
  expect(rs.rows.length).toBe(2);
  const [one, two] = rs.rows.map((r) => ({ id: Number(r.id), subject: String(r.subject), file: String(r.public_id) }));
  await portal.sql.execute({
    sql: "UPDATE outbox SET status = 'failed', attempts = 40, last_error = '500 internal_server_error: down' WHERE id IN (?, ?)",
    args: [one!.id, two!.id],
  });

  const context = await browser.newContext({ baseURL: portal.url });
  const page = await context.newPage();
  try {
    await signInAs(page, 'agent.gers@demo.test');
    await page.goto(`/agent/candidats/${one!.file}`);
    const box = page.locator(`[data-undelivered="${one!.id}"]`);
    await expect(box).toContainText(one!.subject);
    await expect(box).toContainText('Dernière erreur : 500 internal_server_error: down');
    await box.getByRole('button', { name: 'Renvoyer' }).click();
    await expect(page.getByText('L’email repart')).toBeVisible();
    await expect(page.locator(`[data-undelivered="${one!.id}"]`)).toHaveCount(0);
    const again = await portal.sql.execute({
      sql: 'SELECT status, attempts FROM outbox WHERE id = ?',
      args: [one!.id],
    });
    expect(again.rows[0]).toMatchObject({ status: 'pending', attempts: 0 });

    // The territory's administrator finds the other one in /admin/emails.
    await context.clearCookies();
    await signInAs(page, 'direction.gers@demo.test');
    await page.goto('/admin/emails');
    const row = page.locator(`[data-email="${two!.id}"]`);
    await expect(row).toContainText(two!.subject);
    await axe(page);
    await row.getByRole('button', { name: 'Renvoyer' }).click();
    await expect(page).toHaveURL(/\/admin\/emails\?ok=resent$/);
    await expect(page.locator(`[data-email="${two!.id}"]`)).toHaveCount(0);
  } finally {
    await context.close();
  }
});
