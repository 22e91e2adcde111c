// The sitemap in parts: the index names every part, each part holds at most PART_SIZE
// offers or communes (twice as many addresses, under the protocol's 50 000), together they
// list every published offer and every commune of the territories exactly once per language,
// and a name the index never gives is not found.
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communes, offers, territories } from '../../db/schema/index.ts';
import { placedCommunes } from '../../db/seed/demo.ts';
import { insertBenchOffers } from '../../scripts/lib/bench-offers.ts';
import { communePath } from '../../src/server/places/links.ts';
import { PART_SIZE, sitemapIndex, sitemapPart } from '../../src/server/sitemap/sitemap.ts';
import { testDb } from '../helpers/db.ts';

const SITE = 'https://portail.example';
const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);

describe('sitemap', () => {
  it('splits offers and communes into parts that together list each once per language', async () => {
    const { db } = await testDb('seeded');
    await insertBenchOffers(db, { count: PART_SIZE + 50, seed: 7, places: await placedCommunes(db, '32') });
    const published = await db
      .select({ id: offers.id, slug: offers.slug })
      .from(offers)
      .where(and(eq(offers.status, 'published'), isNotNull(offers.publishedAt)));
    expect(published.length).toBeGreaterThan(PART_SIZE);

    const index = await sitemapIndex(db, SITE);
    expect(index).toContain('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    const names = locs(index).map((u) => u.replace(`${SITE}/sitemaps/`, '').replace(/\.xml$/, ''));
    // Offers by blocks of ids, each block with at least one offer.
    const blocks = [...new Set(published.map((o) => Math.ceil(o.id / PART_SIZE)))].sort((a, b) => a - b);
    expect(blocks.length).toBeGreaterThan(1);
    expect(names.filter((n) => n.startsWith('offres-'))).toEqual(blocks.map((b) => `offres-${b}`));
    expect(names[0]).toBe('pages');

    const all: string[] = [];
    for (const name of names) {
      const xml = (await sitemapPart(db, SITE, name))!;
      expect(xml, name).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"');
      const urls = xml.match(/<url>.*?<\/url>/g)!;
      expect(urls.length, name).toBeLessThanOrEqual(2 * PART_SIZE);
      // Each address names both languages and the default (fr, en, x-default).
      for (const u of urls) expect(u.match(/hreflang="(fr|en|x-default)"/g)).toHaveLength(3);
      all.push(...locs(xml));
    }
    expect(new Set(all).size).toBe(all.length);
    for (const o of published) {
      expect(all).toContain(`${SITE}/offres/${o.id}-${o.slug}`);
      expect(all).toContain(`${SITE}/en/offres/${o.id}-${o.slug}`);
    }
    expect(all.filter((u) => /\/offres\/\d/.test(u))).toHaveLength(2 * published.length);
    const territoryCommunes = await db
      .select({ code: communes.code, name: communes.name })
      .from(communes)
      .innerJoin(territories, eq(territories.code, communes.departmentCode));
    expect(all.filter((u) => u.includes('/communes/'))).toHaveLength(2 * territoryCommunes.length);
    expect(all).toContain(`${SITE}/en${communePath(territoryCommunes[0]!)}`);
    for (const fixed of ['/', '/en/', '/offres', '/en/api', '/confidentialite', '/territoires/32'])
      expect(all).toContain(SITE + fixed);
  });

  it('does not find a part the index never names', async () => {
    const { db } = await testDb('seeded');
    await insertBenchOffers(db, { count: 2 * PART_SIZE, seed: 8, places: await placedCommunes(db, '32') });
    // A block emptied (its offers archived) leaves the index and is not found.
    const ids = (await db.select({ id: offers.id }).from(offers).where(eq(offers.status, 'published'))).map(
      (r) => r.id,
    );
    const last = Math.ceil(Math.max(...ids) / PART_SIZE);
    await db
      .update(offers)
      .set({ status: 'archived' })
      .where(sql`${offers.id} > ${PART_SIZE} AND ${offers.id} <= ${2 * PART_SIZE}`);
    const named = locs(await sitemapIndex(db, SITE));
    expect(named).not.toContain(`${SITE}/sitemaps/offres-2.xml`);
    for (let b = 1; b <= last + 1; b++) {
      const listed = named.includes(`${SITE}/sitemaps/offres-${b}.xml`);
      expect(listed, `block ${b}`).toBe(b !== 2 && b <= last);
      expect((await sitemapPart(db, SITE, `offres-${b}`)) !== null, `block ${b}`).toBe(listed);
    }
    for (const name of ['offres', 'offres-0', 'offres-01', 'pages-1', 'communes', 'communes-99', 'tout', '', '../x'])
      expect(await sitemapPart(db, SITE, name), name).toBeNull();
  });
});
