// An offer's photos as agents manage them on /agent/offres/{id}: upload several at once,
// describe each (alternative text, required), reorder, choose the cover (position 0),
// delete. Same territory scope as the offer itself (`getManagedOffer`).
//
// An upload is all or nothing: every file is checked and re-encoded in memory first — its
// type read from its bytes (JPEG, PNG or WebP), 10 MB and 40 megapixels at most, a truncated
// or broken file refused — then written under PHOTOS_DIR/originals (temporary name, then
// rename), then the rows inserted in one transaction; if anything fails, every file already
// written is removed. Re-encoding (WebP, at most 2560 px a side, turned upright) drops every
// metadata block: EXIF with its GPS position, XMP, IPTC, ICC.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { count, eq, max } from 'drizzle-orm';
import sharp from 'sharp';
import type { Db, Tx } from '../../../db/client.ts';
import { offerEvents, offerPhotos, offers } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Invalid, NotFound, type FieldError } from '../errors.ts';
import { getManagedOffer, photosInOrder, type ManagedPhoto } from './manage.ts';
import { PHOTO_WIDTHS } from './photos.ts';

export const MAX_PHOTOS_PER_OFFER = 20;
/** 10 Mo. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Decoded size allowed: far above any camera (a 24 Mpx photo), far below a decompression bomb. */
export const MAX_INPUT_PIXELS = 40_000_000;
/** The stored original's longest side; the largest size served is 1280 px wide. */
export const STORED_MAX_SIDE = 2560;
export const ALT_MAX = 200;

/** Where the photos live, and the database and clock the commands use. */
export interface PhotoContext {
  db: Db;
  clock: Clock;
  /** PHOTOS_DIR: originals under `originals/`, resized copies under `cache/`. */
  photosDir: string;
}

/** A file as posted: the name its browser gave (only to name it in a message) and its bytes. */
export interface PhotoFile {
  name: string;
  bytes: Uint8Array;
}

type Format = 'jpeg' | 'png' | 'webp';

/** The image type from the first bytes, whatever the file is called. */
export function sniffImage(bytes: Uint8Array): Format | null {
  const at = (offset: number, ...values: number[]) => values.every((v, i) => bytes[offset + i] === v);
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  return null;
}

/** A posted file name as a message may show it: no folders, no control characters, not too long. */
function shownName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/\p{C}/gu, '').trim();
  if (!base) return '?';
  return base.length > 80 ? `${base.slice(0, 79)}…` : base;
}

function refuse(field: string, key: FieldError['key'], value?: string, params?: Record<string, string>): never {
  throw new Invalid([{ field, key, value, params }]);
}

/** An empty file (chosen, but 0 bytes) or one over 10 MB is refused before anything is decoded. */
function refuseBySize(file: PhotoFile): void {
  if (file.bytes.byteLength === 0) refuse('photos', 'errors.photo_empty', shownName(file.name));
  if (file.bytes.byteLength > MAX_PHOTO_BYTES)
    refuse('photos', 'errors.photo_too_large', shownName(file.name), { max: String(MAX_PHOTO_BYTES / 1024 / 1024) });
}

/** An alternative text: required, trimmed, 200 characters at most. */
function altOf(input: unknown, field: string): string {
  const alt = typeof input === 'string' ? input.replace(/\s+/g, ' ').trim() : '';
  if (!alt) refuse(field, 'errors.photo_alt_required');
  if (alt.length > ALT_MAX) refuse(field, 'errors.photo_alt_long', undefined, { max: String(ALT_MAX) });
  return alt;
}

function refuseCount(existing: number, added: number): void {
  if (existing + added > MAX_PHOTOS_PER_OFFER)
    refuse('photos', 'errors.photos_too_many', undefined, {
      max: String(MAX_PHOTOS_PER_OFFER),
      left: String(Math.max(0, MAX_PHOTOS_PER_OFFER - existing)),
    });
}

/** One file (within 10 MB) checked and re-encoded in memory, or refused with a message that names it. */
async function prepare(file: PhotoFile): Promise<{ data: Buffer; width: number; height: number }> {
  const name = shownName(file.name);
  const format = sniffImage(file.bytes);
  // Only these three decoders ever see a posted file (never SVG, GIF, TIFF, HEIF…).
  if (!format) refuse('photos', 'errors.photo_type', name);
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' } as const;
  try {
    const meta = await sharp(file.bytes, options).metadata();
    if (meta.format !== format) refuse('photos', 'errors.photo_type', name);
    if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_INPUT_PIXELS) throw new Error('exceeds pixel limit');
    const { data, info } = await sharp(file.bytes, options)
      .rotate()
      .resize({ width: STORED_MAX_SIDE, height: STORED_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 86 })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof Invalid) throw error;
    if (/pixel limit/i.test(String(error)))
      refuse('photos', 'errors.photo_pixels', name, { max: String(MAX_INPUT_PIXELS / 1_000_000) });
    return refuse('photos', 'errors.photo_broken', name);
  }
}

/** Writes a file whole or not at all: a temporary name, then renamed. */
async function writeWhole(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** A photo change is an edit of the offer: its date, and an event naming the photos. */
async function recordChange(tx: Tx, actor: SessionUser, offerId: number, now: string): Promise<void> {
  await tx.update(offers).set({ updatedAt: now }).where(eq(offers.id, offerId));
  await tx.insert(offerEvents).values({ offerId, kind: 'updated', fields: ['photos'], byUserId: actor.id, at: now });
}

/**
 * New photos for an offer of the actor's territories, all described by `alt` (each can be
 * refined afterwards), after the ones it has. All or nothing; returns their ids.
 */
export async function addPhotos(
  ctx: PhotoContext,
  actor: SessionUser,
  offerId: number,
  files: readonly PhotoFile[],
  alt: unknown,
): Promise<number[]> {
  const offer = await getManagedOffer(ctx.db, actor, offerId);
  if (files.length === 0) refuse('photos', 'errors.photos_required');
  refuseCount(offer.photos.length, files.length);
  const text = altOf(alt, 'photosAlt');
  // Cheap refusals first: a batch with one file empty or too large decodes nothing.
  files.forEach(refuseBySize);
  const prepared: Array<Awaited<ReturnType<typeof prepare>>> = [];
  for (const file of files) prepared.push(await prepare(file));

  const dir = join(ctx.photosDir, 'originals');
  const written: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    for (const photo of prepared) {
      const key = `${randomUUID()}.webp`;
      await writeWhole(join(dir, key), photo.data);
      written.push(key);
    }
    const now = ctx.clock.now().toISOString();
    return await ctx.db.transaction(async (tx) => {
      // Counted again in the transaction: two uploads at once never pass 20 together.
      const [{ n, last }] = (await tx
        .select({ n: count(), last: max(offerPhotos.position) })
        .from(offerPhotos)
        .where(eq(offerPhotos.offerId, offerId))) as [{ n: number; last: number | null }];
      refuseCount(n, prepared.length);
      const first = (last ?? -1) + 1;
      const rows = await tx
        .insert(offerPhotos)
        .values(
          prepared.map((p, i) => ({
            offerId,
            storageKey: written[i]!,
            width: p.width,
            height: p.height,
            alt: text,
            position: first + i,
          })),
        )
        .returning({ id: offerPhotos.id });
      await recordChange(tx, actor, offerId, now);
      return rows.map((r) => r.id);
    });
  } catch (error) {
    // Nothing half-stored: the files of a refused or failed batch go.
    await Promise.all(written.map((key) => rm(join(dir, key), { force: true })));
    throw error;
  }
}

/** Writes the order of `photos` as positions 0…n-1 (the first is the cover). */
async function writeOrder(tx: Tx, photos: readonly ManagedPhoto[]): Promise<void> {
  for (const [position, photo] of photos.entries())
    if (photo.position !== position) await tx.update(offerPhotos).set({ position }).where(eq(offerPhotos.id, photo.id));
}

/**
 * Changes one photo of an offer of the actor's territories (any other photo is "not found"):
 * `change` gets the photos as they are in the transaction and says whether it changed anything.
 */
async function changePhoto<T>(
  ctx: PhotoContext,
  actor: SessionUser,
  offerId: number,
  photoId: number,
  change: (tx: Tx, photos: ManagedPhoto[], index: number) => Promise<T | false>,
): Promise<T | false> {
  await getManagedOffer(ctx.db, actor, offerId);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const photos = await photosInOrder(tx, offerId);
    const index = photos.findIndex((p) => p.id === photoId);
    if (index < 0) throw new NotFound('photo');
    const changed = await change(tx, photos, index);
    if (changed !== false) await recordChange(tx, actor, offerId, now);
    return changed;
  });
}

/** A photo's alternative text: required, 200 characters at most. */
export async function setPhotoAlt(
  ctx: PhotoContext,
  actor: SessionUser,
  offerId: number,
  photoId: number,
  alt: unknown,
): Promise<void> {
  const text = altOf(alt, 'alt');
  await changePhoto(ctx, actor, offerId, photoId, async (tx, photos, index) => {
    if (photos[index]!.alt === text) return false;
    await tx.update(offerPhotos).set({ alt: text }).where(eq(offerPhotos.id, photoId));
  });
}

/** Moves a photo one place towards the start (the cover) or the end of the list. */
export async function movePhoto(
  ctx: PhotoContext,
  actor: SessionUser,
  offerId: number,
  photoId: number,
  direction: 'up' | 'down',
): Promise<void> {
  await changePhoto(ctx, actor, offerId, photoId, async (tx, photos, index) => {
    const to = direction === 'up' ? index - 1 : index + 1;
    if (to < 0 || to >= photos.length) return false;
    const order = [...photos];
    [order[index], order[to]] = [order[to]!, order[index]!];
    await writeOrder(tx, order);
  });
}

/** Makes a photo the cover: first, the others keeping their order. */
export async function makeCover(
  ctx: PhotoContext,
  actor: SessionUser,
  offerId: number,
  photoId: number,
): Promise<void> {
  await changePhoto(ctx, actor, offerId, photoId, async (tx, photos, index) => {
    if (index === 0) return false;
    await writeOrder(tx, [photos[index]!, ...photos.filter((p) => p.id !== photoId)]);
  });
}

/**
 * Deletes a photo: its row first (it is no longer served), then its original — unless another
 * row shares it (the demo seed's illustrations) — and its resized copies.
 */
export async function deletePhoto(
  ctx: PhotoContext,
  actor: SessionUser,
  offerId: number,
  photoId: number,
): Promise<void> {
  const key = await changePhoto(ctx, actor, offerId, photoId, async (tx, photos) => {
    const [row] = await tx
      .delete(offerPhotos)
      .where(eq(offerPhotos.id, photoId))
      .returning({ storageKey: offerPhotos.storageKey });
    await writeOrder(
      tx,
      photos.filter((p) => p.id !== photoId),
    );
    const [{ n }] = (await tx
      .select({ n: count() })
      .from(offerPhotos)
      .where(eq(offerPhotos.storageKey, row!.storageKey))) as [{ n: number }];
    return n === 0 ? row!.storageKey : null;
  });
  if (!key || !/^[\w.-]+$/.test(key)) return;
  await Promise.all([
    rm(join(ctx.photosDir, 'originals', key), { force: true }),
    ...PHOTO_WIDTHS.map((w) => rm(join(ctx.photosDir, 'cache', `${key}-${w}.webp`), { force: true })),
  ]);
}
