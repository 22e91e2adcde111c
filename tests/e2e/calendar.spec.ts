// Journey: an agent subscribes a calendar to their tasks and stays, sees a new task appear in
// it, then revokes the link; the feed needs no session and ends with the link.
import { request as playwrightRequest } from '@playwright/test';
import { expect, signInAs, test } from './fixtures.ts';
import { checkBothWidths } from './layout-check.ts';

test('an agent subscribes a calendar to their tasks, then revokes the link', async ({ page, portal, axe }) => {
  await signInAs(page, 'agent.gers@demo.test');
  await page.getByRole('link', { name: 'Agenda' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon agenda dans mon calendrier');
  await page.getByRole('button', { name: /Créer un lien d’abonnement|Remplacer le lien/ }).click();
  const url = await page.getByTestId('feed-url').inputValue();
  expect(url).toMatch(/\/agenda\.ics\?token=[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole('link', { name: 'Ouvrir dans mon application de calendrier' })).toHaveAttribute(
    'href',
    url.replace(/^https?:/, 'webcal:'),
  );
  await axe(page);
  await checkBothWidths(page, 'calendar-link');
  // Shown once: the page then only says since when a link is active.
  await page.goto('/agent/agenda');
  await expect(page.getByTestId('feed-state')).toContainText('Un lien d’abonnement est actif depuis le');
  await expect(page.getByTestId('feed-url')).toHaveCount(0);

  // A task given to the agent on one of their files appears in the feed, read without a session.
  const agent = (await portal.sql.execute("SELECT id FROM users WHERE email = 'agent.gers@demo.test'")).rows[0]!;
  const file = (
    await portal.sql.execute(
      "SELECT id, name FROM candidates WHERE territory_code = '32' AND anonymised_at IS NULL AND merged_into_id IS NULL LIMIT 1",
    )
  ).rows[0]!;
  const due = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await portal.sql.execute({
    sql: "INSERT INTO tasks (candidate_id, kind, title, due_date, assignee_id, created_at) VALUES (?, 'manual', 'Appeler pour le calendrier', ?, ?, ?)",
    args: [Number(file.id), due, Number(agent.id), new Date().toISOString()],
  });
  const calendarApp = await playwrightRequest.newContext();
  const path = new URL(url).pathname + new URL(url).search;
  const feed = await calendarApp.get(`${portal.url}${path}`);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  const ics = (await feed.text()).replace(/\r\n /g, '');
  expect(ics).toContain('BEGIN:VCALENDAR');
  expect(ics).toContain(`DTSTART;VALUE=DATE:${due.replaceAll('-', '')}`);
  expect(ics).toContain(`SUMMARY:Appeler pour le calendrier — ${String(file.name)}`);

  // Revoked: the calendar app gets nothing any more.
  await page.getByRole('button', { name: 'Révoquer le lien' }).click();
  await expect(page.getByRole('status')).toHaveText('Le lien est révoqué\u00a0: votre calendrier ne reçoit plus rien.');
  await expect(page.getByTestId('feed-state')).toHaveText('Aucun lien d’abonnement pour l’instant.');
  expect((await calendarApp.get(`${portal.url}${path}`)).status()).toBe(404);
  await calendarApp.dispose();
});
