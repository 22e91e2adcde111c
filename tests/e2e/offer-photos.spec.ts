// Journey: an agent of the Gers gives a new draft its photos — two at once, a cover, a
// better text, one deleted — with plain forms (JavaScript off); the draft's photos are shown
// to its territory's staff only, stored without their EXIF. Hostile uploads through the real
// form are refused with a message, never a 500, and leave no file and no row behind.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { apiAs, expect, signInAs, test, type Portal } from './fixtures.ts';
import { jpegWithGps, png, pngBomb } from '../helpers/images.ts';

// Plain forms: the journey runs without JavaScript (axe runs where it is on).
test.use({ javaScriptEnabled: false });

/** A photo as a phone takes it (EXIF with GPS) or a PNG. */
const photo = (background: string, format: 'jpeg' | 'png') =>
  format === 'jpeg' ? jpegWithGps(background, 1200, 800) : png(1200, 800, background);

const originalsOf = (portal: Portal) => join(dirname(portal.dbUrl.replace(/^file:/, '')), 'photos', 'originals');
const listOriginals = async (portal: Portal) =>
  existsSync(originalsOf(portal)) ? (await readdir(originalsOf(portal))).sort() : [];
const photoRows = async (portal: Portal, offerId: number) =>
  (
    await portal.sql.execute({
      sql: 'SELECT id, storage_key, alt, position FROM offer_photos WHERE offer_id = ? ORDER BY position',
      args: [offerId],
    })
  ).rows.map((r) => ({
    id: Number(r.id),
    key: String(r.storage_key),
    alt: String(r.alt),
    position: Number(r.position),
  }));

test('an agent uploads two photos at once, sets the cover, edits a text and deletes one; hostile files are refused', async ({
  page,
  portal,
  axe,
}) => {
  test.slow();
  await signInAs(page, 'agent.gers@demo.test');
  await page.goto('/agent/offres/nouvelle');
  await page.getByLabel('Titre', { exact: true }).fill(`Maison aux photos ${Date.now()}`);
  await page.getByLabel('Commune', { exact: true }).fill('Auch (32000)');
  await page.getByRole('button', { name: 'Créer le brouillon' }).click();
  await expect(page.getByRole('status')).toContainText('Brouillon créé');
  const offerId = Number(/\/agent\/offres\/(\d+)/.exec(page.url())![1]);
  const photos = page.locator('#photos');
  await expect(photos).toContainText('Pas encore de photo');

  // Two at once, one description for both.
  const before = await listOriginals(portal);
  await photos.getByLabel('Photos à ajouter').setInputFiles([
    { name: 'salon.jpg', mimeType: 'image/jpeg', buffer: await photo('#88aa44', 'jpeg') },
    { name: 'jardin.png', mimeType: 'image/png', buffer: await photo('#4488aa', 'png') },
  ]);
  await photos.getByLabel('Description des photos envoyées').fill('La maison du test');
  await photos.getByRole('button', { name: 'Envoyer les photos' }).click();
  await expect(page).toHaveURL(/\?ok=photos#photos$/);
  await expect(photos.getByRole('status')).toHaveText('Photos ajoutées. Vérifiez le texte alternatif de chacune.');
  const cards = photos.locator('[data-photo-id]');
  await expect(cards).toHaveCount(2);
  let rows = await photoRows(portal, offerId);
  expect(rows.map((r) => [r.alt, r.position])).toEqual([
    ['La maison du test', 0],
    ['La maison du test', 1],
  ]);
  expect(await listOriginals(portal)).toEqual([...before, ...rows.map((r) => r.key)].sort());
  // Stored without EXIF (the GPS position is gone).
  for (const r of rows) expect((await sharp(join(originalsOf(portal), r.key)).metadata()).exif).toBeUndefined();
  await expect(cards.first().getByText('Couverture', { exact: true })).toBeVisible();

  // The draft's thumbnails are served to its staff, privately; to nobody else.
  const thumb = await page.request.get(`/photos/${rows[0]!.id}-320.webp`);
  expect(thumb.status()).toBe(200);
  expect(thumb.headers()['content-type']).toBe('image/webp');
  expect(thumb.headers()['cache-control']).toBe('private, no-store');
  const visitor = await apiAs(portal);
  expect((await visitor.get(`/photos/${rows[0]!.id}-320.webp`)).status()).toBe(404);
  await visitor.dispose();

  // The second becomes the cover.
  await photos.getByRole('button', { name: 'Mettre en couverture : photo 2' }).click();
  await expect(photos.getByRole('status')).toHaveText('Nouvelle photo de couverture enregistrée.');
  await expect(cards.first()).toHaveAttribute('data-photo-id', String(rows[1]!.id));
  await expect(cards.first().getByText('Couverture', { exact: true })).toBeVisible();
  await photos.getByRole('button', { name: 'Reculer la photo 1 d’une place' }).click();
  await expect(cards.first()).toHaveAttribute('data-photo-id', String(rows[0]!.id));
  await photos.getByRole('button', { name: 'Avancer la photo 2 d’une place' }).click();
  await expect(cards.first()).toHaveAttribute('data-photo-id', String(rows[1]!.id));

  // A text is required; then refined.
  await photos.getByLabel('Texte alternatif (photo 2)').fill('   ');
  await photos.getByRole('button', { name: 'Enregistrer le texte : photo 2' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Décrivez en quelques mots ce que montre la photo.');
  await expect(photos.getByLabel('Texte alternatif (photo 2)')).toHaveAttribute('aria-invalid', 'true');
  await photos.getByLabel('Texte alternatif (photo 2)').fill('Le salon, cheminée et parquet');
  await photos.getByRole('button', { name: 'Enregistrer le texte : photo 2' }).click();
  await expect(photos.getByRole('status')).toHaveText('Texte alternatif enregistré.');
  await expect(photos.getByLabel('Texte alternatif (photo 2)')).toHaveValue('Le salon, cheminée et parquet');

  // Deleting the cover: the other one is the cover now, and the file is gone.
  await photos.getByRole('button', { name: 'Supprimer : photo 1' }).click();
  await expect(photos.getByRole('status')).toHaveText('Photo supprimée.');
  await expect(cards).toHaveCount(1);
  rows = await photoRows(portal, offerId);
  expect(rows).toEqual([{ id: rows[0]!.id, key: rows[0]!.key, alt: 'Le salon, cheminée et parquet', position: 0 }]);
  expect(await listOriginals(portal)).toEqual([...before, rows[0]!.key].sort());
  await expect(page.locator('[data-event="updated"]').first()).toContainText('Modifiée (Photos)');

  // Hostile uploads through the real form: a 4xx page that says why, nothing stored.
  const jpeg = await photo('#aa4488', 'jpeg');
  const big = Buffer.alloc(50 * 1024 * 1024);
  jpeg.copy(big);
  const upload = (name: string, type: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('intent', 'photos-add');
    form.append('photosAlt', 'Essai');
    form.append('photos', new Blob([new Uint8Array(bytes)], { type }), name);
    return page.request.post(`/agent/offres/${offerId}`, {
      multipart: form,
      headers: { Origin: portal.url },
      maxRedirects: 0,
    });
  };
  for (const [name, type, bytes, status, message] of [
    ['shell.jpg', 'image/jpeg', Buffer.from('<?php system($_GET["c"]); ?>'), 400, 'n’est pas une image JPEG'],
    ['enorme.jpg', 'image/jpeg', big, 400, 'pèse plus de 10 Mo'],
    ['bombe.png', 'image/png', pngBomb(), 400, 'plus de 40 millions de pixels'],
    ['coupee.jpg', 'image/jpeg', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 400, 'illisible ou incomplète'],
  ] as const) {
    const res = await upload(name, type, bytes);
    expect(res.status(), name).toBe(status);
    const html = await res.text();
    expect(html, name).toContain(`«\u00a0${name}\u00a0»`);
    expect(html, name).toContain(message);
    expect(html, name).toContain('Aucune photo n’a été enregistrée');
    expect(await listOriginals(portal), name).toEqual([...before, rows[0]!.key].sort());
    expect(await photoRows(portal, offerId), name).toEqual(rows);
  }
  // A body over the server's limit is not even read: 413, the same page and its message.
  const tooMuch = await upload('beaucoup.jpg', 'image/jpeg', Buffer.alloc(65 * 1024 * 1024));
  expect(tooMuch.status()).toBe(413);
  expect(await tooMuch.text()).toContain('Cet envoi dépasse 64 Mo en tout');
  expect(await listOriginals(portal)).toEqual([...before, rows[0]!.key].sort());

  // The photos' box passes axe, with a refused upload too.
  const draft = await portal.sql.execute(
    "SELECT o.id FROM offers o JOIN offer_photos p ON p.offer_id = o.id WHERE o.territory_code = '32' AND o.status <> 'published' LIMIT 1",
  );
  const id = Number(draft.rows[0]!.id);
  await page.goto(`/agent/offres/${id}`);
  await axe(page);
  await page
    .locator('#photos')
    .getByLabel('Photos à ajouter')
    .setInputFiles([{ name: 'faux.webp', mimeType: 'image/webp', buffer: Buffer.from('RIFF0000WEBPVP8 nothing') }]);
  await page.locator('#photos').getByLabel('Description des photos envoyées').fill('Essai');
  await page.locator('#photos').getByRole('button', { name: 'Envoyer les photos' }).click();
  await expect(page.getByRole('alert').first()).toContainText('« faux.webp » est illisible');
  await axe(page);
});
