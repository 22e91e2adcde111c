// Offer photos: originals under PHOTOS_DIR/originals, served resized to a few widths as
// WebP (sharp) and cached under PHOTOS_DIR/cache. Only photos of published offers are served.
import { and, eq } from 'drizzle-orm';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../../db/client.ts';
import { offerPhotos, offers } from '../../../db/schema/index.ts';
import { NotFound } from '../errors.ts';

/** The widths served; srcset lists them, so browsers pick the one that fits. */
export const PHOTO_WIDTHS = [320, 640, 960, 1280] as const;
export type PhotoWidth = (typeof PHOTO_WIDTHS)[number];

export const photoUrl = (photoId: number, width: PhotoWidth) => `/photos/${photoId}-${width}.webp`;
export const photoSrcset = (photoId: number) => PHOTO_WIDTHS.map((w) => `${photoUrl(photoId, w)} ${w}w`).join(', ');

export function parsePhotoFile(file: string): { id: number; width: PhotoWidth } | null {
  const m = /^(\d{1,10})-(\d{3,4})\.webp$/.exec(file);
  if (!m) return null;
  const width = Number(m[2]);
  if (!(PHOTO_WIDTHS as readonly number[]).includes(width)) return null;
  return { id: Number(m[1]), width: width as PhotoWidth };
}

/** The resized WebP of a photo of a published offer, from the cache or made now. */
export async function renderPhoto(db: Db, photosDir: string, photoId: number, width: PhotoWidth): Promise<Buffer> {
  const [photo] = await db
    .select({ storageKey: offerPhotos.storageKey })
    .from(offerPhotos)
    .innerJoin(offers, eq(offers.id, offerPhotos.offerId))
    .where(and(eq(offerPhotos.id, photoId), eq(offers.status, 'published')));
  if (!photo || !/^[\w.-]+$/.test(photo.storageKey)) throw new NotFound('photo');

  const cacheDir = join(photosDir, 'cache');
  const cached = join(cacheDir, `${photo.storageKey}-${width}.webp`);
  try {
    return await readFile(cached);
  } catch {
    // not cached yet
  }
  let original: Buffer;
  try {
    original = await readFile(join(photosDir, 'originals', photo.storageKey));
  } catch {
    throw new NotFound('photo file');
  }
  const resized = await sharp(original).resize({ width, withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
  await mkdir(cacheDir, { recursive: true });
  // Write then rename, so a concurrent reader never sees half a file.
  const tmp = `${cached}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, resized);
  await rename(tmp, cached);
  return resized;
}
