import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, ne, type SQL } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { offerPhotos, offers } from '../../db/schema/index.ts';
import { NotFound } from '../../src/server/errors.ts';
import { NEAREST_MAX_KM, refreshNearestTiersLieux } from '../../src/server/offers/nearest.ts';
import {
  PHOTO_WIDTHS,
  parsePhotoFile,
  photoSrcset,
  photoUrl,
  photoVersion,
  renderPhoto,
} from '../../src/server/offers/photos.ts';
import { distanceKm } from '../../src/server/places/geo.ts';
import { actors, testDb } from '../helpers/db.ts';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';

describe('nearest fibre tiers-lieu', () => {
  it('matches a brute-force computation, and follows changes', async () => {
    const { db } = await testDb();
    const check = async () => {
      const all = await db.select().from(offers);
      const tls = all.filter(
        (o) => o.kind === 'tiers_lieu' && o.status === 'published' && o.fibreStatus === 'available',
      );
      for (const home of all.filter((o) => o.kind === 'home')) {
        const best = Math.min(...tls.map((t) => distanceKm(home, t)));
        if (best > NEAREST_MAX_KM) expect(home.nearestFibreTiersLieuKm).toBeNull();
        else expect(home.nearestFibreTiersLieuKm).toBeCloseTo(best, 1);
      }
      for (const tl of all.filter((o) => o.kind === 'tiers_lieu')) expect(tl.nearestFibreTiersLieuKm).toBeNull();
    };
    await check();
    // Archive every fibre tiers-lieu of the Gers: homes there now look further away.
    await db
      .update(offers)
      .set({ status: 'archived' })
      .where(and(eq(offers.kind, 'tiers_lieu'), eq(offers.territoryCode, '32'), eq(offers.fibreStatus, 'available')));
    const { homes } = await refreshNearestTiersLieux(db);
    expect(homes).toBeGreaterThan(0);
    await check();
  });
});

/** The first photo (its id and file key) of an offer that meets `where`. */
async function firstPhoto(db: Db, where: SQL) {
  const [photo] = await db
    .select({ id: offerPhotos.id, key: offerPhotos.storageKey })
    .from(offerPhotos)
    .innerJoin(offers, eq(offers.id, offerPhotos.offerId))
    .where(where)
    .limit(1);
  return photo;
}

describe('photos', () => {
  it('names files {id}-{width}.webp with allowed widths only', () => {
    expect(parsePhotoFile('12-640.webp')).toEqual({ id: 12, width: 640, version: null });
    expect(parsePhotoFile('12-640.AbC-_12345.webp')).toEqual({ id: 12, width: 640, version: 'AbC-_12345' });
    expect(parsePhotoFile('12-640.short.webp')).toBeNull();
    expect(parsePhotoFile('12-640.AbC-_12345..webp')).toBeNull();
    expect(parsePhotoFile('12-641.webp')).toBeNull();
    expect(parsePhotoFile('../etc-640.webp')).toBeNull();
    expect(parsePhotoFile('12-640.png')).toBeNull();
  });

  it('serves a published offer’s photo resized to WebP and caches it; hides drafts’ photos', async () => {
    const { db } = await testDb();
    const dir = await mkdtemp(join(tmpdir(), 'cc-photos-'));
    await cp(inject('photosDir'), dir, { recursive: true });
    const photo = await firstPhoto(db, eq(offers.status, 'published'));
    const { bytes: webp, isPublic, version } = await renderPhoto(db, dir, photo!.id, 320);
    expect(isPublic).toBe(true);
    expect(version).toBe(photoVersion(photo!.key));
    const meta = await sharp(webp).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320 });
    expect(existsSync(join(dir, 'cache', `${photo!.key}-320.webp`))).toBe(true);
    expect((await renderPhoto(db, dir, photo!.id, 320)).bytes).toEqual(webp);

    const unpublished = await firstPhoto(db, and(ne(offers.status, 'published'), eq(offers.territoryCode, '32'))!);
    expect(unpublished).toBeDefined();
    await expect(renderPhoto(db, dir, unpublished!.id, 320)).rejects.toBeInstanceOf(NotFound);
    // The back office shows a draft's photos to its territory's staff, as a private answer.
    const [gers, manche, family] = await actors(
      db,
      'agent.gers@demo.test',
      'agent.manche@demo.test',
      'famille@demo.test',
    );
    expect((await renderPhoto(db, dir, unpublished!.id, 320, gers)).isPublic).toBe(false);
    for (const other of [manche, family])
      await expect(renderPhoto(db, dir, unpublished!.id, 320, other)).rejects.toBeInstanceOf(NotFound);
    await expect(renderPhoto(db, dir, 987654, 320)).rejects.toBeInstanceOf(NotFound);
    // Its owner sees it too (their data download links it), privately; another owner does not.
    const [owner] = await actors(db, 'proprietaire@demo.test');
    const [photoRow] = await db.select().from(offerPhotos).where(eq(offerPhotos.id, unpublished!.id));
    await db.update(offers).set({ ownerId: owner!.id }).where(eq(offers.id, photoRow!.offerId));
    expect((await renderPhoto(db, dir, unpublished!.id, 320, owner)).isPublic).toBe(false);
    await expect(
      renderPhoto(db, dir, unpublished!.id, 320, { ...owner!, id: owner!.id + 1000 }),
    ).rejects.toBeInstanceOf(NotFound);
  });

  it('links a photo at an address that changes with its original', () => {
    const a = { id: 7, storageKey: 'a1b2.webp' };
    expect(photoUrl(a, 640)).toMatch(/^\/photos\/7-640\.[\w-]{10}\.webp$/);
    expect(parsePhotoFile(photoUrl(a, 640).slice('/photos/'.length))).toEqual({
      id: 7,
      width: 640,
      version: photoVersion('a1b2.webp'),
    });
    expect(photoUrl({ id: 7, storageKey: 'c3d4.webp' }, 640)).not.toBe(photoUrl(a, 640));
    expect(photoSrcset(a).split(', ')).toHaveLength(PHOTO_WIDTHS.length);
    expect(photoSrcset(a)).toContain(`${photoUrl(a, 1280)} 1280w`);
  });

  it('answers requests for the same resized photo arriving at once, each with the whole image', async () => {
    const { db } = await testDb();
    const dir = await mkdtemp(join(tmpdir(), 'cc-photos-'));
    await cp(inject('photosDir'), dir, { recursive: true });
    const photo = await firstPhoto(db, eq(offers.status, 'published'));
    // Nothing cached yet: every request makes the same file at the same moment.
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => renderPhoto(db, dir, photo!.id, PHOTO_WIDTHS[i % PHOTO_WIDTHS.length]!)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const fulfilled = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof renderPhoto>>>).value);
    for (const [i, { bytes }] of fulfilled.entries()) {
      const width = PHOTO_WIDTHS[i % PHOTO_WIDTHS.length]!;
      expect(bytes).toEqual(fulfilled[i % PHOTO_WIDTHS.length]!.bytes);
      expect(await readFile(join(dir, 'cache', `${photo!.key}-${width}.webp`))).toEqual(bytes);
    }
    // No temporary file is left behind.
    expect((await readdir(join(dir, 'cache'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
