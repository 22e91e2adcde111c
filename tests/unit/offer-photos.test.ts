// An offer's photos in the back office: uploads checked from their bytes and stored re-encoded
// without metadata, all or nothing; order, cover, text and deletion; the offer's territory scope.
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, ne } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dataVersions, offerPhotos, offers } from '../../db/schema/index.ts';
import { Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { localizedErrors } from '../../src/server/http/form.ts';
import { createOffer, getManagedOffer, historyOf } from '../../src/server/offers/manage.ts';
import {
  addPhotos,
  deletePhoto,
  makeCover,
  MAX_PHOTO_BYTES,
  movePhoto,
  setPhotoAlt,
  type PhotoContext,
} from '../../src/server/offers/manage-photos.ts';
import { renderPhoto } from '../../src/server/offers/photos.ts';
import { seededWith } from '../helpers/db.ts';
import { jpegWithGps, png, pngBomb, webp } from '../helpers/images.ts';

const clock = { now: () => new Date('2026-12-06T09:00:00Z') };

async function world() {
  const { db, people } = await seededWith(
    'agent.gers@demo.test',
    'agent.manche@demo.test',
    'famille@demo.test',
    'admin@demo.test',
  );
  const [gers, manche, family, platform] = people;
  const photosDir = await mkdtemp(join(tmpdir(), 'cc-offer-photos-'));
  onTestFinished(() => rm(photosDir, { recursive: true, force: true }));
  const ctx: PhotoContext = { db, clock, photosDir };
  // A fresh draft of the Gers: no photo yet.
  const offerId = await createOffer(db, clock, gers, 'home', { title: 'Maison des photos', commune: '32013' });
  /** Every file under the photos folder (originals, cache, temporary files). */
  const files = async () => {
    const out: string[] = [];
    for (const sub of ['originals', 'cache']) {
      const dir = join(photosDir, sub);
      if (existsSync(dir)) out.push(...(await readdir(dir)).map((f) => `${sub}/${f}`));
    }
    return out.sort();
  };
  const rows = () =>
    db.select().from(offerPhotos).where(eq(offerPhotos.offerId, offerId)).orderBy(offerPhotos.position);
  return { db, ctx, gers, manche, family, platform, offerId, photosDir, files, rows };
}

type World = Awaited<ReturnType<typeof world>>;

/** Expects the upload to be refused naming `name`, and to leave no file and no row behind. */
async function refused(w: World, files: Array<{ name: string; bytes: Uint8Array }>, key: string, name?: string) {
  const before = { files: await w.files(), rows: await w.rows() };
  const error = await addPhotos(w.ctx, w.gers, w.offerId, files, 'Une photo').catch((e: unknown) => e);
  expect(error, key).toBeInstanceOf(Invalid);
  expect((error as Invalid).errors[0]).toMatchObject({ field: 'photos', key, ...(name ? { value: name } : {}) });
  expect(await w.files()).toEqual(before.files);
  expect(await w.rows()).toEqual(before.rows);
}

describe('offer photos', () => {
  it('stores several uploads at once, re-encoded without EXIF (GPS included), in order, after the existing ones', async () => {
    const w = await world();
    const original = await jpegWithGps();
    const exif = (await sharp(original).metadata()).exif!;
    // The test image does carry a GPS block (tag 0x8825) and a marker text.
    expect(exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]))).toBe(true);
    expect(original.includes('secret-exif-marker')).toBe(true);

    const ids = await addPhotos(
      w.ctx,
      w.gers,
      w.offerId,
      [
        { name: 'maison.jpg', bytes: original },
        { name: 'jardin.png', bytes: await png() },
        { name: 'bureau.webp', bytes: await webp() },
      ],
      '  La maison   vue du jardin ',
    );
    expect(ids).toHaveLength(3);
    const rows = await w.rows();
    expect(rows.map((r) => [r.id, r.position, r.alt])).toEqual(ids.map((id, i) => [id, i, 'La maison vue du jardin']));
    const originals = await w.files();
    expect(originals).toHaveLength(3);
    for (const row of rows) {
      expect(originals).toContain(`originals/${row.storageKey}`);
      expect(row.storageKey).toMatch(/^[0-9a-f-]{36}\.webp$/);
      const stored = await sharp(join(w.photosDir, 'originals', row.storageKey)).toBuffer({ resolveWithObject: true });
      const meta = await sharp(join(w.photosDir, 'originals', row.storageKey)).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: row.width, height: row.height });
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.iptc).toBeUndefined();
      expect(stored.data.includes('secret-exif-marker')).toBe(false);
    }
    expect(rows[0]).toMatchObject({ width: 1600, height: 1200 });
    // Larger images are brought down to 2560 px on their longest side.
    await addPhotos(w.ctx, w.gers, w.offerId, [{ name: 'grand.png', bytes: await png(3000, 4000) }], 'Grande');
    expect((await w.rows()).at(-1)).toMatchObject({ width: 1920, height: 2560, position: 3, alt: 'Grande' });

    const offer = await getManagedOffer(w.db, w.gers, w.offerId);
    expect(offer.photos.map((p) => p.position)).toEqual([0, 1, 2, 3]);
    expect((await historyOf(w.db, 'offer', offer.id)).rows.slice(0, 2).map((e) => [e.kind, e.fields])).toEqual([
      ['updated', ['photos']],
      ['updated', ['photos']],
    ]);
    // The draft's photos: its territory's staff see them, privately; nobody else does.
    const first = await renderPhoto(w.db, w.photosDir, ids[0]!, 320, w.gers);
    expect(first.isPublic).toBe(false);
    expect((await sharp(first.bytes).metadata()).width).toBe(320);
    await expect(renderPhoto(w.db, w.photosDir, ids[0]!, 320, w.platform)).resolves.toBeDefined();
    for (const viewer of [null, w.family, w.manche])
      await expect(renderPhoto(w.db, w.photosDir, ids[0]!, 320, viewer)).rejects.toBeInstanceOf(NotFound);
  });

  it('refuses hostile and broken files with a message naming them, leaving no file and no row', async () => {
    const w = await world();
    await addPhotos(w.ctx, w.gers, w.offerId, [{ name: 'deja.png', bytes: await png() }], 'Déjà là');
    const good = { name: 'bonne.png', bytes: await png() };
    const jpeg = await jpegWithGps();

    // A PHP script named .jpg: the type comes from the bytes, not the name.
    const php = Buffer.from('<?php system($_GET["c"]); ?>\n');
    await refused(w, [good, { name: 'photo.jpg', bytes: php }], 'errors.photo_type', 'photo.jpg');
    // Formats sharp reads but the portal does not take: SVG (scripts, entities), GIF.
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await refused(w, [{ name: 'dessin.jpg', bytes: svg }], 'errors.photo_type', 'dessin.jpg');
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    await refused(w, [{ name: 'anim.png', bytes: gif }], 'errors.photo_type', 'anim.png');
    // Over 10 MB, whatever it holds (nothing is decoded).
    const big = Buffer.alloc(MAX_PHOTO_BYTES + 1);
    jpeg.copy(big);
    await refused(w, [good, { name: 'lourde.jpg', bytes: big }], 'errors.photo_too_large', 'lourde.jpg');
    // 900 million pixels in 110 kB.
    const bomb = pngBomb();
    expect(bomb.byteLength).toBeLessThan(200_000);
    await refused(w, [good, { name: 'bombe.png', bytes: bomb }], 'errors.photo_pixels', 'bombe.png');
    // Cut short, or damaged after its header.
    await refused(
      w,
      [good, { name: 'coupee.jpg', bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) }],
      'errors.photo_broken',
      'coupee.jpg',
    );
    const pngBytes = await png();
    await refused(w, [{ name: 'coupee.png', bytes: pngBytes.subarray(0, 60) }], 'errors.photo_broken', 'coupee.png');
    // A name with folders and control characters is shown bare.
    await refused(w, [{ name: 'C:\\Users\\x\\évil\u0007.jpg', bytes: php }], 'errors.photo_type', 'évil.jpg');
    // Nothing chosen, and no description.
    await refused(w, [], 'errors.photos_required');
    const noAlt = await addPhotos(w.ctx, w.gers, w.offerId, [good], '   ').catch((e: unknown) => e);
    expect((noAlt as Invalid).errors[0]).toMatchObject({ field: 'photosAlt', key: 'errors.photo_alt_required' });
    expect(await w.rows()).toHaveLength(1);
    expect(await w.files()).toHaveLength(1);
  });

  it('says a chosen file of 0 bytes is empty, not of the wrong type, and stores nothing of its batch', async () => {
    const w = await world();
    const good = { name: 'bonne.png', bytes: await png() };
    await refused(w, [good, { name: 'vide.jpg', bytes: new Uint8Array(0) }], 'errors.photo_empty', 'vide.jpg');
    const error = (await addPhotos(
      w.ctx,
      w.gers,
      w.offerId,
      [{ name: 'vide.jpg', bytes: new Uint8Array(0) }],
      'x',
    ).catch((e: unknown) => e)) as Invalid;
    expect(localizedErrors('fr', error)).toEqual({
      photos:
        '«\u00a0vide.jpg\u00a0» est vide (0 octet)\u00a0: choisissez une autre photo. Aucune photo n’a été enregistrée.',
    });
  });

  it('takes 20 photos per offer at most', async () => {
    const w = await world();
    const bytes = await png(64, 48);
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `p${i}.png`, bytes }));
    await addPhotos(w.ctx, w.gers, w.offerId, batch(19), 'Une vue');
    await refused(w, batch(2), 'errors.photos_too_many');
    const error = (await addPhotos(w.ctx, w.gers, w.offerId, batch(2), 'Une vue').catch((e: unknown) => e)) as Invalid;
    expect(error.errors[0]!.params).toMatchObject({ max: '20', left: '1' });
    await addPhotos(w.ctx, w.gers, w.offerId, batch(1), 'La vingtième');
    await refused(w, batch(1), 'errors.photos_too_many');
    expect(await w.rows()).toHaveLength(20);
  });

  it('reorders, sets the cover, edits a text and deletes, positions staying 0…n-1', async () => {
    const w = await world();
    const bytes = await png(64, 48);
    const [a, b, c] = await addPhotos(
      w.ctx,
      w.gers,
      w.offerId,
      ['a', 'b', 'c'].map((n) => ({ name: `${n}.png`, bytes })),
      'Une vue',
    );
    const order = async () => (await w.rows()).map((r) => [r.id, r.position]);
    const version = async () =>
      (await w.db.select().from(dataVersions).where(eq(dataVersions.name, 'catalogue')))[0]!.version;

    // Published (a draft's photos are not public: tests/unit/page-cache.test.ts).
    await w.db
      .update(offers)
      .set({ status: 'published', publishedAt: '2026-11-01T00:00:00.000Z' })
      .where(eq(offers.id, w.offerId));
    const v0 = await version();
    await movePhoto(w.ctx, w.gers, w.offerId, c!, 'up');
    expect(await order()).toEqual([
      [a, 0],
      [c, 1],
      [b, 2],
    ]);
    // The catalogue's page cache follows a published offer's photos (triggers on offer_photos).
    expect(await version()).toBeGreaterThan(v0);
    await movePhoto(w.ctx, w.gers, w.offerId, a!, 'up'); // already first: nothing changes
    await movePhoto(w.ctx, w.gers, w.offerId, b!, 'down'); // already last
    await makeCover(w.ctx, w.gers, w.offerId, b!);
    expect(await order()).toEqual([
      [b, 0],
      [a, 1],
      [c, 2],
    ]);
    await movePhoto(w.ctx, w.gers, w.offerId, b!, 'down');
    expect((await order()).map(([id]) => id)).toEqual([a, b, c]);

    await setPhotoAlt(w.ctx, w.gers, w.offerId, c!, ' La cuisine, plein sud ');
    expect((await w.rows()).find((r) => r.id === c)!.alt).toBe('La cuisine, plein sud');
    for (const [alt, key] of [
      ['', 'errors.photo_alt_required'],
      ['x'.repeat(201), 'errors.photo_alt_long'],
    ] as const) {
      const error = (await setPhotoAlt(w.ctx, w.gers, w.offerId, c!, alt).catch((e: unknown) => e)) as Invalid;
      expect(error.errors[0]).toMatchObject({ field: 'alt', key });
    }

    // Deleting the cover: its file and its resized copies go; the next photo is the cover.
    const key = (await w.rows()).find((r) => r.id === a)!.storageKey;
    await renderPhoto(w.db, w.photosDir, a!, 640, w.gers);
    expect(await w.files()).toContain(`cache/${key}-640.webp`);
    await deletePhoto(w.ctx, w.gers, w.offerId, a!);
    expect(await order()).toEqual([
      [b, 0],
      [c, 1],
    ]);
    expect((await w.files()).filter((f) => f.includes(key))).toEqual([]);
    await expect(deletePhoto(w.ctx, w.gers, w.offerId, a!)).rejects.toBeInstanceOf(NotFound);

    const offer = await getManagedOffer(w.db, w.gers, w.offerId);
    // One event per change that changed something: upload, 2 moves, cover, text, delete.
    expect((await historyOf(w.db, 'offer', offer.id)).rows.filter((e) => e.fields.includes('photos'))).toHaveLength(6);
  });

  it('keeps an original another offer still shows (the demo seed shares its illustrations)', async () => {
    const w = await world();
    const [shared] = await w.db.select().from(offerPhotos).where(ne(offerPhotos.offerId, w.offerId)).limit(1);
    const [other] = await w.db
      .insert(offerPhotos)
      .values({ ...shared!, id: undefined, offerId: w.offerId, position: 0 })
      .returning();
    const path = join(w.photosDir, 'originals', shared!.storageKey);
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(w.photosDir, 'originals'), { recursive: true });
    await writeFile(path, await png());
    await deletePhoto(w.ctx, w.gers, w.offerId, other!.id);
    expect(existsSync(path)).toBe(true);
  });

  it('is for the staff of the offer’s territory: another territory gets not found, a family forbidden', async () => {
    const w = await world();
    const bytes = await png(64, 48);
    const [id] = await addPhotos(w.ctx, w.gers, w.offerId, [{ name: 'a.png', bytes }], 'Une vue');
    const [second] = await addPhotos(w.ctx, w.platform, w.offerId, [{ name: 'b.png', bytes }], 'Une autre vue');
    const before = { rows: await w.rows(), files: await w.files() };
    const file = [{ name: 'c.png', bytes }];
    for (const [who, error] of [
      [w.manche, NotFound],
      [w.family, Forbidden],
    ] as const) {
      await expect(addPhotos(w.ctx, who, w.offerId, file, 'x')).rejects.toBeInstanceOf(error);
      await expect(setPhotoAlt(w.ctx, who, w.offerId, id!, 'x')).rejects.toBeInstanceOf(error);
      await expect(movePhoto(w.ctx, who, w.offerId, second!, 'up')).rejects.toBeInstanceOf(error);
      await expect(makeCover(w.ctx, who, w.offerId, second!)).rejects.toBeInstanceOf(error);
      await expect(deletePhoto(w.ctx, who, w.offerId, id!)).rejects.toBeInstanceOf(error);
    }
    // A photo of another offer, through this offer's page: not found either.
    const [foreign] = await w.db.select().from(offerPhotos).where(ne(offerPhotos.offerId, w.offerId)).limit(1);
    await expect(deletePhoto(w.ctx, w.gers, w.offerId, foreign!.id)).rejects.toBeInstanceOf(NotFound);
    await expect(setPhotoAlt(w.ctx, w.gers, w.offerId, foreign!.id, 'x')).rejects.toBeInstanceOf(NotFound);
    await expect(makeCover(w.ctx, w.gers, w.offerId, foreign!.id)).rejects.toBeInstanceOf(NotFound);
    expect(await w.rows()).toEqual(before.rows);
    expect(await w.files()).toEqual(before.files);
    expect((await w.db.select().from(offerPhotos).where(eq(offerPhotos.id, foreign!.id)))[0]).toEqual(foreign);
  });
});
