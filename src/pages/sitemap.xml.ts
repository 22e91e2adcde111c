// GET /sitemap.xml — public pages in both locales, with their language alternates (as the pages' own).
import type { APIRoute } from 'astro';
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { db } from '../server/db.ts';
import { listPublishedForSitemap } from '../server/offers/queries.ts';
import { listWorkForSitemap } from '../server/opportunities/queries.ts';
import { workPath } from '../server/opportunities/links.ts';
import { listTerritories, listTerritoryCommunesForSitemap } from '../server/places/queries.ts';
import { communePath } from '../server/places/links.ts';
import { defaultLocale, locales, localizedPath } from '../i18n/index.ts';

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export const GET: APIRoute = async () => {
  const site = PUBLIC_SITE_URL.replace(/\/$/, '');
  const [offers, territories, communes, work] = await Promise.all([
    listPublishedForSitemap(db),
    listTerritories(db),
    listTerritoryCommunesForSitemap(db),
    listWorkForSitemap(db),
  ]);
  const paths: Array<{ path: string; lastmod?: string }> = [
    { path: '/' },
    { path: '/offres' },
    { path: '/emplois' },
    { path: '/reprises' },
    { path: '/impact' },
    { path: '/api' },
    { path: '/mentions-legales' },
    { path: '/confidentialite' },
    { path: '/accessibilite' },
    { path: '/cookies' },
    ...territories.map((t) => ({ path: `/territoires/${t.code}` })),
    ...communes.map((c) => ({ path: communePath(c) })),
    ...offers.map((o) => ({ path: `/offres/${o.id}-${o.slug}`, lastmod: o.updatedAt.slice(0, 10) })),
    ...work.map((w) => ({ path: workPath(w), lastmod: w.updatedAt.slice(0, 10) })),
  ];
  const urls = paths.flatMap(({ path, lastmod }) =>
    locales.map((locale) => {
      const alternates = [...locales, 'x-default' as const]
        .map((l) => {
          const href = site + localizedPath(path, l === 'x-default' ? defaultLocale : l);
          return `<xhtml:link rel="alternate" hreflang="${l}" href="${escapeXml(href)}"/>`;
        })
        .join('');
      return `<url><loc>${escapeXml(site + localizedPath(path, locale))}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}${alternates}</url>`;
    }),
  );
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join('\n')}\n</urlset>\n`,
    { headers: { 'Content-Type': 'application/xml; charset=utf-8' } },
  );
};
