// GET /photos/{photoId}-{width}.{version}.webp — an offer photo resized for the page (cached
// on disk). A published offer's photo is public: at its current version's address, kept a year
// by browsers and proxies (the address changes with the image); at the address without a
// version (the API's) or with another version, a day. Another offer's is served only to the
// staff of its territory (the back office shows drafts), and kept out of every cache.
import type { APIRoute } from 'astro';
import { PHOTOS_DIR } from 'astro:env/server';
import { db } from '../../server/db.ts';
import { NotFound } from '../../server/errors.ts';
import { parsePhotoFile, renderPhoto } from '../../server/offers/photos.ts';

// A 404 is not kept either: the same photo may be served once its offer is published.
const notFound = () => new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } });

export const GET: APIRoute = async ({ params, locals }) => {
  const file = parsePhotoFile(params.file ?? '');
  if (!file) return notFound();
  try {
    const { bytes, isPublic, version } = await renderPhoto(db, PHOTOS_DIR, file.id, file.width, locals.user);
    const cacheControl = !isPublic
      ? 'private, no-store'
      : file.version === version
        ? 'public, max-age=31536000, immutable'
        : 'public, max-age=86400';
    return new Response(new Uint8Array(bytes), {
      headers: { 'Content-Type': 'image/webp', 'Cache-Control': cacheControl },
    });
  } catch (error) {
    if (error instanceof NotFound) return notFound();
    throw error;
  }
};
