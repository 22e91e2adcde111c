import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { offers } from '../../db/schema/index.ts';
import { Invalid } from '../../src/server/errors.ts';
import { getKeyFigures, PAGE_SIZE, searchOffers } from '../../src/server/offers/queries.ts';
import { parseOfferSearch } from '../../src/server/offers/schemas.ts';
import { testDb } from '../helpers/db.ts';

const params = (qs: string) => new URLSearchParams(qs);

describe('parseOfferSearch', () => {
  it('accepts the public parameters', () => {
    const parsed = parseOfferSearch(params('type=logement&territoire=32&fibre=1&page=2&utm_source=x'));
    expect(parsed).toMatchObject({ ok: true, query: { type: 'logement', territoire: '32', fibre: '1', page: 2 } });
  });
  it('treats empty values as absent', () => {
    expect(parseOfferSearch(params('type=&territoire=&fibre='))).toMatchObject({ ok: true, query: {} });
  });
  it('names each invalid parameter with an i18n key and keeps the valid ones', () => {
    const parsed = parseOfferSearch(params('type=chateau&territoire=Gers&fibre=yes&page=0'));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      { field: 'type', key: 'errors.invalid_enum', value: 'chateau' },
      { field: 'territoire', key: 'errors.unknown_territory', value: 'Gers' },
      { field: 'fibre', key: 'errors.invalid_flag', value: 'yes' },
      { field: 'page', key: 'errors.invalid_page', value: '0' },
    ]);
    const mixed = parseOfferSearch(params('fibre=1&page=-3'));
    expect(mixed.query).toEqual({ fibre: '1' });
  });
  it('refuses repeated parameters and huge pages', () => {
    expect(parseOfferSearch(params('type=logement&type=tiers-lieu'))).toMatchObject({ ok: false, errors: [{ field: 'type', key: 'errors.too_many' }] });
    expect(parseOfferSearch(params('page=10001'))).toMatchObject({ ok: false });
    expect(parseOfferSearch(params('page=99999999999999999999'))).toMatchObject({ ok: false });
  });
});

describe('searchOffers', () => {
  it('lists published offers only, newest first, with labels', async () => {
    const { db } = await testDb();
    const [published] = await db.select({ n: sql<number>`count(*)` }).from(offers).where(eq(offers.status, 'published'));
    const [hidden] = await db.select({ n: sql<number>`count(*)` }).from(offers).where(sql`${offers.status} <> 'published'`);
    expect(hidden!.n).toBeGreaterThan(0);
    const result = await searchOffers(db, {});
    expect(result.total).toBe(published!.n);
    expect(result.items).toHaveLength(PAGE_SIZE);
    const dates = result.items.map((i) => i.publishedAt!);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(result.items.every((i) => i.label !== null)).toBe(true);
  });

  it('filters on fibre: every result has fibre, and all fibre offers are found', async () => {
    const { db } = await testDb();
    const [expected] = await db
      .select({ n: sql<number>`count(*)` })
      .from(offers)
      .where(and(eq(offers.status, 'published'), eq(offers.fibreStatus, 'available')));
    const result = await searchOffers(db, { fibre: '1' });
    expect(result.total).toBe(expected!.n);
    expect(result.items.every((i) => i.fibreStatus === 'available')).toBe(true);
  });

  it('filters on territory and kind, with counts per kind', async () => {
    const { db } = await testDb();
    const result = await searchOffers(db, { territoire: '50', type: 'tiers-lieu' });
    expect(result.items.length).toBeGreaterThanOrEqual(10);
    expect(result.items.every((i) => i.territoryCode === '50' && i.kind === 'tiers_lieu')).toBe(true);
    expect(result.total).toBe(result.countsByKind.tiers_lieu);
    expect(result.countsByKind.home).toBeGreaterThanOrEqual(40);
  });

  it('pages with a stable order: pages do not overlap and cover every result', async () => {
    const { db } = await testDb();
    const first = await searchOffers(db, { territoire: '32' });
    const seen: number[] = [];
    for (let page = 1; page <= first.pages; page++) seen.push(...(await searchOffers(db, { territoire: '32', page })).items.map((i) => i.id));
    expect(new Set(seen).size).toBe(first.total);
    expect(seen).toHaveLength(first.total);
    expect((await searchOffers(db, { territoire: '32', page: first.pages + 1 })).items).toEqual([]);
  });

  it('refuses a territory the portal does not serve', async () => {
    const { db } = await testDb();
    await expect(searchOffers(db, { territoire: '75' })).rejects.toBeInstanceOf(Invalid);
  });

  it('computes key figures from the database', async () => {
    const { db } = await testDb();
    const figures = await getKeyFigures(db);
    const all = await searchOffers(db, {});
    expect(figures.homes + figures.tiersLieux).toBe(all.total);
    expect(figures.homes).toBe(all.countsByKind.home);
    expect(figures.territories).toBe(2);
    const fibre = await searchOffers(db, { fibre: '1' });
    expect(figures.fibreShare).toBeCloseTo(fibre.total / all.total, 5);
  });
});
