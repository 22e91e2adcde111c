// GET /territoires/{code}/offres.atom — an Atom feed of the territory's newest published
// offers (the catalogue's own search, newest first), for feed readers and partners' sites.
import type { APIRoute } from 'astro';
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { db } from '../../../server/db.ts';
import { endpoint } from '../../../server/http/respond.ts';
import { offersFeed } from '../../../server/offers/feed.ts';

export const GET: APIRoute = (ctx) =>
  endpoint(ctx, async (rc) => {
    const xml = await offersFeed(db, {
      territory: ctx.params.code ?? '',
      locale: rc.locals.locale,
      site: PUBLIC_SITE_URL,
    });
    return new Response(xml, {
      headers: { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'public, max-age=600' },
    });
  });
