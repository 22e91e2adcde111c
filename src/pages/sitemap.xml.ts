// GET /sitemap.xml — the index of the sitemap's parts (src/server/sitemap/sitemap.ts).
import type { APIRoute } from 'astro';
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { db } from '../server/db.ts';
import { sitemapIndex } from '../server/sitemap/sitemap.ts';

export const GET: APIRoute = async () =>
  new Response(await sitemapIndex(db, PUBLIC_SITE_URL.replace(/\/$/, '')), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
  });
