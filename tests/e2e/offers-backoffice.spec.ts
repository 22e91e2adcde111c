// Journey: an agent of the Gers puts a home on line from the back office — a draft, refused
// while incomplete, then published — and it is in the catalogue with its label, at a public
// point that is not the exact one. Plain forms: JavaScript off.
import { expect, fillOffer, signInAs, test } from './fixtures.ts';

// Plain forms: the journey runs without JavaScript (axe runs where it is on).
test.use({ javaScriptEnabled: false });

test('an agent creates a home, completes it, publishes it: the catalogue shows it, never its exact point', async ({
  page,
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const title = `Maison du test ${Date.now()}`;
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent/offres');
  await page.getByRole('link', { name: 'Nouveau logement' }).click();
  await fillOffer(page, {
    title,
    commune: 'Auch (32000)',
    address: '3 rue du Test',
    lat: '43.6488',
    lng: '0.5843',
  });
  await page.getByRole('button', { name: 'Créer le brouillon' }).click();
  await expect(page.getByRole('status')).toContainText('Brouillon créé');
  const id = Number(/\/agent\/offres\/(\d+)/.exec(page.url())![1]);

  // Incomplete: publishing names what is missing, next to each field.
  await page.getByRole('button', { name: 'Publier' }).click();
  await expect(page.getByRole('alert')).toContainText('Description');
  await expect(page.getByRole('alert')).toContainText('Débit descendant');
  await expect(page.getByRole('heading', { name: 'État : Brouillon' })).toBeVisible();
  // The notice about creating the draft does not linger over the refusal.
  await expect(page.getByRole('status')).toHaveCount(0);

  await fillOffer(page, {
    description: 'Une maison de test, au calme, avec un bureau.',
    price: '780',
    transaction: 'rent',
    homeType: 'house',
    bestTechnology: 'ftth',
    downloadMbps: '500',
    uploadMbps: '500',
    fibreStatus: 'available',
  });
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByRole('status')).toHaveText('Modifications enregistrées.');
  await page.getByRole('button', { name: 'Publier' }).click();
  await expect(page.getByRole('status')).toContainText('Offre publiée');
  await expect(page.getByText('Étiquette connectivité actuelle : B')).toBeVisible();
  await expect(page.locator('[data-event]')).toHaveCount(3);

  // In the catalogue, with its label; the public point is not the exact one.
  const visitor = await browser.newContext({ baseURL: portal.url });
  const pub = await visitor.newPage();
  await pub.goto(`/offres?q=${encodeURIComponent(title)}`);
  const card = pub.locator(`[data-offer-id="${id}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByRole('img', { name: 'Étiquette connectivité B' })).toBeVisible();
  const geo = await (await pub.request.get(`/api/v1/offres.geojson?q=${encodeURIComponent(title)}`)).json();
  const [lng, lat] = geo.features[0].geometry.coordinates as [number, number];
  expect([lat, lng]).not.toEqual([43.6488, 0.5843]);
  expect(Math.abs(lat - 43.6488) + Math.abs(lng - 0.5843)).toBeLessThan(0.01);
  expect(await (await pub.request.get(`/offres/${id}`)).text()).not.toContain('3 rue du Test');
  await visitor.close();

  // The back office passes axe.
  await page.goto('/agent/offres');
  await axe(page);
  await page.goto(`/agent/offres/${id}`);
  await axe(page);

  // Years of edits: the latest 50 events, the older ones on request.
  await portal.sql.execute({
    sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
      INSERT INTO offer_events (offer_id, kind, fields, at)
      SELECT ?, 'updated', '["price"]', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || i || ' minutes') FROM n`,
    args: [id],
  });
  await page.goto(`/agent/offres/${id}`);
  const events = page.locator('[data-event]');
  await expect(events).toHaveCount(50);
  await expect(page.getByText('50 sur 63')).toBeVisible();
  await page.getByRole('link', { name: 'Afficher 13 de plus' }).click();
  await expect(page).toHaveURL(/\?historique=100#history-title$/);
  await expect(events).toHaveCount(63);
  await expect(events.last()).toHaveAttribute('data-event', 'created');
  await expect(page.locator('[data-show-more]')).toHaveCount(0);
});
