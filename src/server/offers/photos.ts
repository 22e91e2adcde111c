// Offer photos: originals under PHOTOS_DIR/originals, served resized to a few widths as
// WebP (sharp) and cached under PHOTOS_DIR/cache. Photos of published offers are public; the
// others are served only to staff of the offer's territory (the back office), never cached.
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../../db/client.ts';
import { offerPhotos, offers } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { NotFound } from '../errors.ts';
import { actsIn, isStaff } from '../policy.ts';

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

/**
 * The resized WebP of a photo, from the cache or made now: a published offer's for anyone
 * (`isPublic`), another offer's for the staff of its territory only; "not found" otherwise.
 */
export async function renderPhoto(
  db: Db,
  photosDir: string,
  photoId: number,
  width: PhotoWidth,
  viewer: Pick<SessionUser, 'role' | 'territories'> | null = null,
): Promise<{ bytes: Buffer; isPublic: boolean }> {
  const [photo] = await db
    .select({ storageKey: offerPhotos.storageKey, status: offers.status, territoryCode: offers.territoryCode })
    .from(offerPhotos)
    .innerJoin(offers, eq(offers.id, offerPhotos.offerId))
    .where(eq(offerPhotos.id, photoId));
  const isPublic = photo?.status === 'published';
  const maySee = isPublic || (!!photo && !!viewer && isStaff(viewer) && actsIn(viewer, photo.territoryCode));
  if (!photo || !maySee || !/^[\w.-]+$/.test(photo.storageKey)) throw new NotFound('photo');
  return { bytes: await resized(photosDir, photo.storageKey, width), isPublic };
}

/** The original at `width`, cached on disk. */
async function resized(photosDir: string, storageKey: string, width: PhotoWidth): Promise<Buffer> {
  const cacheDir = join(photosDir, 'cache');
  const cached = join(cacheDir, `${storageKey}-${width}.webp`);
  try {
    return await readFile(cached);
  } catch {
    // not cached yet
  }
  let original: Buffer;
  try {
    original = await readFile(join(photosDir, 'originals', storageKey));
  } catch {
    throw new NotFound('photo file');
  }
  const bytes = await sharp(original).resize({ width, withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
  await mkdir(cacheDir, { recursive: true });
  // Write then rename, so a concurrent reader never sees half a file.
  const tmp = `${cached}.${randomUUID()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, cached);
  return bytes;
}
