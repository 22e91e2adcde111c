// Offer photos: originals under PHOTOS_DIR/originals, served resized to a few widths as
// WebP (sharp) and cached under PHOTOS_DIR/cache. Photos of published offers are public; the
// others are served only to staff of the offer's territory (the back office) and to the
// offer's owner (their data download links them), never cached.
// Pages link a photo at an address holding its version (a hash of its original's key and of
// the resizing settings), so browsers keep it a year (decision 020).
import { eq } from 'drizzle-orm';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../../db/client.ts';
import { offerPhotos, offers } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { NotFound } from '../errors.ts';
import { maySeeUnpublishedOffer } from '../policy.ts';

/** The widths served; srcset lists them, so browsers pick the one that fits. */
export const PHOTO_WIDTHS = [320, 640, 960, 1280] as const;
export type PhotoWidth = (typeof PHOTO_WIDTHS)[number];

/** How a resized copy is made: part of every version, so that changing it changes the addresses. */
const RESIZE = { quality: 78 } as const;
const RESIZE_KEY = `webp-q${RESIZE.quality}`;

/** A photo as pages link it: its id and its original's key (never shown, only hashed). */
export interface PhotoRef {
  id: number;
  storageKey: string;
}

/**
 * The version in a photo's address: the original's key (a new upload, a new key; a photo's
 * original never changes) and the resizing settings, hashed. Another database where the same
 * id names another image (a restore, a new demo seed) gives other addresses.
 */
export function photoVersion(storageKey: string): string {
  return createHash('sha256').update(`${storageKey}|${RESIZE_KEY}`).digest('base64url').slice(0, 10);
}

export const photoUrl = (photo: PhotoRef, width: PhotoWidth, version = photoVersion(photo.storageKey)) =>
  `/photos/${photo.id}-${width}.${version}.webp`;
export function photoSrcset(photo: PhotoRef): string {
  const version = photoVersion(photo.storageKey);
  return PHOTO_WIDTHS.map((w) => `${photoUrl(photo, w, version)} ${w}w`).join(', ');
}

/** `{id}-{width}.{version}.webp`, or the older `{id}-{width}.webp` (the API's, links kept). */
export function parsePhotoFile(file: string): { id: number; width: PhotoWidth; version: string | null } | null {
  const m = /^(\d{1,10})-(\d{3,4})(?:\.([\w-]{10}))?\.webp$/.exec(file);
  if (!m) return null;
  const width = Number(m[2]);
  if (!(PHOTO_WIDTHS as readonly number[]).includes(width)) return null;
  return { id: Number(m[1]), width: width as PhotoWidth, version: m[3] ?? null };
}

/**
 * The resized WebP of a photo, from the cache or made now: a published offer's for anyone
 * (`isPublic`), another offer's for the staff of its territory and its owner only; "not
 * found" otherwise.
 */
export async function renderPhoto(
  db: Db,
  photosDir: string,
  photoId: number,
  width: PhotoWidth,
  viewer: Pick<SessionUser, 'id' | 'role' | 'territories'> | null = null,
): Promise<{ bytes: Buffer; isPublic: boolean; version: string }> {
  const [photo] = await db
    .select({
      storageKey: offerPhotos.storageKey,
      status: offers.status,
      territoryCode: offers.territoryCode,
      ownerId: offers.ownerId,
    })
    .from(offerPhotos)
    .innerJoin(offers, eq(offers.id, offerPhotos.offerId))
    .where(eq(offerPhotos.id, photoId));
  const isPublic = photo?.status === 'published';
  const maySee = isPublic || (!!photo && maySeeUnpublishedOffer(viewer, photo));
  if (!photo || !maySee || !/^[\w.-]+$/.test(photo.storageKey)) throw new NotFound('photo');
  const bytes = await resized(photosDir, photo.storageKey, width);
  return { bytes, isPublic, version: photoVersion(photo.storageKey) };
}

/** Copies being made: requests for the same copy at once wait for one resize. */
const making = new Map<string, Promise<Buffer>>();

/** The original at `width`, cached on disk. */
function resized(photosDir: string, storageKey: string, width: PhotoWidth): Promise<Buffer> {
  const cached = join(photosDir, 'cache', `${storageKey}-${width}.webp`);
  let job = making.get(cached);
  if (!job) {
    job = cachedOrMade(photosDir, cached, storageKey, width).finally(() => making.delete(cached));
    making.set(cached, job);
  }
  return job;
}

async function cachedOrMade(photosDir: string, cached: string, storageKey: string, width: PhotoWidth): Promise<Buffer> {
  const cacheDir = join(photosDir, 'cache');
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
  const bytes = await sharp(original)
    .resize({ width, withoutEnlargement: true })
    .webp({ quality: RESIZE.quality })
    .toBuffer();
  await mkdir(cacheDir, { recursive: true });
  // Write under a name of its own then rename, so a concurrent reader never sees half a file
  // and another process making the same copy never writes into this one's.
  const tmp = `${cached}.${randomUUID()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, cached);
  return bytes;
}
