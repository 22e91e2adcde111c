// GET /sitemaps/{part}.xml — one part of the sitemap: the fixed pages, communes or offers in
// both languages; any other name is not found.
import type { APIRoute } from 'astro';
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { db } from '../../server/db.ts';
import { sitemapPart } from '../../server/sitemap/sitemap.ts';

export const GET: APIRoute = async ({ params }) => {
  const xml = await sitemapPart(db, PUBLIC_SITE_URL.replace(/\/$/, ''), params.part ?? '');
  return xml === null
    ? new Response('Not found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
    : new Response(xml, { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
};
