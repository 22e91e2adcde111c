// GET /photos/{photoId}-{width}.webp — an offer photo resized for the page (cached on disk).
import type { APIRoute } from 'astro';
import { PHOTOS_DIR } from 'astro:env/server';
import { db } from '../../server/db.ts';
import { NotFound } from '../../server/errors.ts';
import { parsePhotoFile, renderPhoto } from '../../server/offers/photos.ts';

export const GET: APIRoute = async ({ params }) => {
  const file = parsePhotoFile(params.file ?? '');
  if (!file) return new Response('Not found', { status: 404 });
  try {
    const body = await renderPhoto(db, PHOTOS_DIR, file.id, file.width);
    return new Response(new Uint8Array(body), {
      headers: { 'Content-Type': 'image/webp', 'Cache-Control': 'public, max-age=86400' },
    });
  } catch (error) {
    if (error instanceof NotFound) return new Response('Not found', { status: 404 });
    throw error;
  }
};
