// The sitemap: /sitemap.xml is an index of parts, each a urlset of at most PART_SIZE
// addresses in both languages with their alternates (as the pages' own hreflang). One file
// listed 100 000 offers and 35 000 communes in both languages: 4 s of blocked event loop per
// request, and four times the protocol's 50 000 addresses per file. A part now reads only its
// slice — the communes by their rank in code order, the offers by a block of ids, so that a
// part of offers stays the same as offers come and go —, and writes each address's
// alternates once.
import type { Db } from '../../../db/client.ts';
import { defaultLocale, locales, localizedPath } from '../../i18n/index.ts';
import { escapeXml } from '../../lib/text.ts';
import { listPublishedForSitemap, sitemapOfferBlocks } from '../offers/queries.ts';
import { listWorkForSitemap } from '../opportunities/queries.ts';
import { workPath } from '../opportunities/links.ts';
import {
  countTerritoryCommunesForSitemap,
  listTerritories,
  listTerritoryCommunesForSitemap,
} from '../places/queries.ts';
import { communePath } from '../places/links.ts';

/**
 * Offers or communes per part at most: twice as many addresses (one per language), well
 * under the protocol's 50 000, and about 2.6 MB of XML.
 */
export const PART_SIZE = 2500;

/** The public pages that are always there, in the sitemap's first part. */
const FIXED_PATHS = [
  '/',
  '/offres',
  '/emplois',
  '/reprises',
  '/impact',
  '/api',
  '/mentions-legales',
  '/confidentialite',
  '/accessibilite',
  '/cookies',
];

interface Entry {
  path: string;
  lastmod?: string;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** One `<url>` per language for each entry, every one naming the others (and x-default). */
function urlset(site: string, entries: Entry[]): string {
  const out: string[] = [];
  for (const { path, lastmod } of entries) {
    const hrefs = locales.map((l) => escapeXml(site + localizedPath(path, l)));
    const fallback = hrefs[locales.indexOf(defaultLocale)]!;
    const alternates =
      locales.map((l, i) => `<xhtml:link rel="alternate" hreflang="${l}" href="${hrefs[i]}"/>`).join('') +
      `<xhtml:link rel="alternate" hreflang="x-default" href="${fallback}"/>`;
    const modified = lastmod ? `<lastmod>${lastmod}</lastmod>` : '';
    for (const href of hrefs) out.push(`<url><loc>${href}</loc>${modified}${alternates}</url>`);
  }
  return `${XML_HEAD}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${out.join('\n')}\n</urlset>\n`;
}

const parts = (n: number) => Math.ceil(n / PART_SIZE);
const PART = /^(pages|communes|offres)(?:-([1-9]\d{0,5}))?$/;

/** The index: the fixed pages' part, then the communes' and the offers' parts. */
export async function sitemapIndex(db: Db, site: string): Promise<string> {
  const [communeCount, offerBlocks] = await Promise.all([
    countTerritoryCommunesForSitemap(db),
    sitemapOfferBlocks(db, PART_SIZE),
  ]);
  const names = [
    'pages',
    ...Array.from({ length: parts(communeCount) }, (_, i) => `communes-${i + 1}`),
    ...offerBlocks.map((b) => `offres-${b}`),
  ];
  const listed = names.map((n) => `<sitemap><loc>${escapeXml(`${site}/sitemaps/${n}.xml`)}</loc></sitemap>`);
  return `${XML_HEAD}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${listed.join('\n')}\n</sitemapindex>\n`;
}

/** A part named by the index (`pages`, `communes-2`, `offres-17`); null for any other name or an empty slice. */
export async function sitemapPart(db: Db, site: string, name: string): Promise<string | null> {
  const m = PART.exec(name);
  if (!m) return null;
  const [, section, number] = m;
  if (section === 'pages') {
    if (number !== undefined) return null;
    const [territories, work] = await Promise.all([listTerritories(db), listWorkForSitemap(db)]);
    return urlset(site, [
      ...FIXED_PATHS.map((path) => ({ path })),
      ...territories.map((t) => ({ path: `/territoires/${t.code}` })),
      ...work.map((w) => ({ path: workPath(w), lastmod: w.updatedAt.slice(0, 10) })),
    ]);
  }
  if (number === undefined) return null;
  const entries: Entry[] =
    section === 'communes'
      ? (await listTerritoryCommunesForSitemap(db, (Number(number) - 1) * PART_SIZE, PART_SIZE)).map((c) => ({
          path: communePath(c),
        }))
      : (await listPublishedForSitemap(db, Number(number), PART_SIZE)).map((o) => ({
          path: `/offres/${o.id}-${o.slug}`,
          lastmod: o.updatedAt.slice(0, 10),
        }));
  return entries.length ? urlset(site, entries) : null;
}
