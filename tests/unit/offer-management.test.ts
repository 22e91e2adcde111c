import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communeCoverage, offers } from '../../db/schema/index.ts';
import { Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { shownCount } from '../../src/server/input.ts';
import {
  changeOfferStatus,
  createOffer,
  fillFromOpenData,
  getManagedOffer,
  historyOf,
  HISTORY_SHOWN,
  listManagedOffers,
  updateOffer,
} from '../../src/server/offers/manage.ts';
import { refreshNearestTiersLieux } from '../../src/server/offers/nearest.ts';
import { searchOffers } from '../../src/server/offers/queries.ts';
import { distanceKm } from '../../src/server/places/geo.ts';
import { seededWith } from '../helpers/db.ts';
import { createRandom } from '../../db/seed/random.ts';

const clock = { now: () => new Date('2026-12-05T10:00:00Z') };
const home = (over: Record<string, unknown> = {}) => ({
  title: 'Maison de bourg avec jardin',
  description: 'Trois chambres, un bureau au calme, la fibre au village.',
  commune: '32013',
  address: '12 rue des Tilleuls',
  lat: '43.6502',
  lng: '0.5811',
  price: '850',
  transaction: 'rent',
  homeType: 'house',
  rooms: '5',
  bestTechnology: 'ftth',
  downloadMbps: '1000',
  uploadMbps: '500',
  fibreStatus: 'available',
  mobileCoverage: '4g',
  ...over,
});

async function world() {
  const { db, people } = await seededWith('agent.gers@demo.test', 'agent.manche@demo.test', 'famille@demo.test');
  const [gers, manche, family] = people;
  return { db, gers, manche, family };
}

describe('offers managed by agents', () => {
  it('an agent creates a draft in their territory only; a family may not; another territory is not found', async () => {
    const { db, gers, manche, family } = await world();
    const id = await createOffer(db, clock, gers, 'home', home());
    const offer = await getManagedOffer(db, gers, id);
    expect(offer).toMatchObject({
      status: 'draft',
      territoryCode: '32',
      communeCode: '32013',
      lat: 43.6502,
      address: '12 rue des Tilleuls',
    });
    expect((await historyOf(db, 'offer', id)).rows.map((e) => e.kind)).toEqual(['created']);
    // The public point is a few hundred metres off the exact one.
    const km = distanceKm(offer, { lat: offer.publicLat!, lng: offer.publicLng! });
    expect(km).toBeGreaterThan(0.15);
    expect(km).toBeLessThan(0.5);

    const outside = await createOffer(db, clock, manche, 'home', home()).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(Invalid);
    expect((outside as Invalid).errors[0]).toMatchObject({ field: 'commune', key: 'errors.offer_commune_outside' });
    await expect(getManagedOffer(db, manche, id)).rejects.toBeInstanceOf(NotFound);
    await expect(updateOffer(db, clock, manche, id, home())).rejects.toBeInstanceOf(NotFound);
    await expect(changeOfferStatus(db, clock, manche, id, 'publish')).rejects.toBeInstanceOf(NotFound);
    await expect(createOffer(db, clock, family, 'home', home())).rejects.toBeInstanceOf(Forbidden);
    expect((await listManagedOffers(db, clock, manche, { q: 'Maison de bourg avec jardin' })).total).toBe(0);
    expect(
      (await listManagedOffers(db, clock, gers, { q: 'Maison de bourg avec jardin', status: 'draft' })).rows[0]?.id,
    ).toBe(id);
  });

  it('refuses bad input field by field and changes nothing', async () => {
    const { db, gers } = await world();
    const before = (await db.select().from(offers)).length;
    for (const [field, value] of [
      ['title', ''],
      ['commune', 'Nulle-Part-sur-Mer'],
      ['lat', '43,x'],
      ['lng', ''],
      ['lat', '48.85'],
      ['price', '-3'],
      ['transaction', 'swap'],
      ['fibreStatus', 'maybe'],
      ['availableFrom', '2026-02-30'],
    ] as const) {
      const error = await createOffer(db, clock, gers, 'home', home({ [field]: value })).catch((e: unknown) => e);
      expect(error, `${field}=${value}`).toBeInstanceOf(Invalid);
    }
    expect((await db.select().from(offers)).length).toBe(before);
  });

  it('publishes only a complete offer, records each change, and the catalogue shows it with its label', async () => {
    const { db, gers } = await world();
    const id = await createOffer(db, clock, gers, 'home', home({ description: '', downloadMbps: '' }));
    const refused = await changeOfferStatus(db, clock, gers, id, 'publish').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Invalid);
    expect((refused as Invalid).errors.map((e) => e.field).sort()).toEqual(['description', 'downloadMbps']);
    await updateOffer(db, clock, gers, id, home());
    await changeOfferStatus(db, clock, gers, id, 'publish');
    // Published, an edit that would make it incomplete is refused.
    await expect(updateOffer(db, clock, gers, id, home({ description: '' }))).rejects.toBeInstanceOf(Invalid);
    await updateOffer(db, clock, gers, id, home({ price: '900', lat: '43.6510' }));
    const offer = await getManagedOffer(db, gers, id);
    expect((await historyOf(db, 'offer', offer.id)).rows.map((e) => [e.kind, e.fields])).toEqual([
      ['updated', ['lat', 'price']],
      ['published', []],
      ['updated', ['description', 'downloadMbps']],
      ['created', []],
    ]);
    const found = (await searchOffers(db, { territoire: '32', q: 'Maison de bourg avec jardin' })).items;
    expect(found.map((o) => [o.id, o.label])).toEqual([[id, 'A']]);
    expect(found[0]!.lat).not.toBe(offer.lat);
    await changeOfferStatus(db, clock, gers, id, 'archive');
    expect((await searchOffers(db, { territoire: '32', q: 'Maison de bourg avec jardin' })).total).toBe(0);
    await expect(changeOfferStatus(db, clock, gers, id, 'archive')).rejects.toBeInstanceOf(Invalid);
  });

  it('shows the latest events of a long history, and the older ones on request', async () => {
    const { db, gers } = await world();
    let ms = Date.parse('2026-01-01T08:00:00Z');
    const ticking = { now: () => new Date((ms += 60_000)) };
    const id = await createOffer(db, ticking, gers, 'home', home());
    for (let i = 0; i < HISTORY_SHOWN + 10; i++)
      await updateOffer(db, ticking, gers, id, home({ price: String(700 + i), ...(i % 2 ? { rooms: '6' } : {}) }));
    const all = HISTORY_SHOWN + 11;
    const first = await historyOf(db, 'offer', id);
    expect(first.total).toBe(all);
    expect(first.rows).toHaveLength(HISTORY_SHOWN);
    // Newest first: the last edit changed the price and put the rooms back.
    expect(first.rows[0]!.fields).toEqual(['price', 'rooms']);
    const times = first.rows.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    const more = await historyOf(db, 'offer', id, shownCount('100', HISTORY_SHOWN));
    expect(more.rows).toHaveLength(all);
    expect(more.rows.slice(0, HISTORY_SHOWN)).toEqual(first.rows);
    expect(more.rows.at(-1)!.kind).toBe('created');
    // A link's count is read with bounds: anything invalid is the first page.
    for (const bad of ['abc', '-5', '1', '', '1e3', null]) expect(shownCount(bad, HISTORY_SHOWN)).toBe(HISTORY_SHOWN);
    expect(shownCount('99999999999999999999', HISTORY_SHOWN)).toBe(2_000);
  });

  it('keeps the nearest fibre tiers-lieu true around a change, as a full recomputation would', async () => {
    const { db, gers } = await world();
    const id = await createOffer(db, clock, gers, 'tiers_lieu', {
      ...home(),
      title: 'Coworking de la gare',
      typology: 'coworking',
      desks: '12',
    });
    await changeOfferStatus(db, clock, gers, id, 'publish');
    const incremental = await db.select({ id: offers.id, km: offers.nearestFibreTiersLieuKm }).from(offers);
    await refreshNearestTiersLieux(db);
    const full = await db.select({ id: offers.id, km: offers.nearestFibreTiersLieuKm }).from(offers);
    expect(incremental).toEqual(full);
    const [near] = await db.select().from(offers).where(eq(offers.status, 'published'));
    expect(near).toBeDefined();
  });

  it('keeps the nearest fibre tiers-lieu equal to a full recomputation through random changes', async () => {
    const { db, gers } = await world();
    const random = createRandom(11);
    const near = () => ({
      lat: String(Math.round((43.646 + (random.next() - 0.5) * 0.35) * 1e5) / 1e5),
      lng: String(Math.round((0.586 + (random.next() - 0.5) * 0.35) * 1e5) / 1e5),
    });
    const tiersLieu = () => ({
      ...home(),
      ...near(),
      title: 'Tiers-lieu aléatoire',
      typology: 'coworking',
      desks: '8',
    });
    const mine: Array<{ id: number; kind: 'home' | 'tiers_lieu'; input: Record<string, unknown> }> = [];
    const snapshot = () =>
      db.select({ id: offers.id, km: offers.nearestFibreTiersLieuKm }).from(offers).orderBy(offers.id);
    for (let step = 0; step < 60; step++) {
      const op = mine.length < 4 ? 0 : random.int(0, 4);
      const pick = mine[random.int(0, mine.length - 1)];
      if (op === 0) {
        const kind = random.chance(0.5) ? 'tiers_lieu' : 'home';
        const input = kind === 'home' ? { ...home(), ...near() } : tiersLieu();
        const id = await createOffer(db, clock, gers, kind, input);
        await changeOfferStatus(db, clock, gers, id, 'publish');
        mine.push({ id, kind, input });
      } else if (op === 1 && pick) {
        pick.input = { ...pick.input, commune: '32013', ...near() };
        await updateOffer(db, clock, gers, pick.id, pick.input);
      } else if (op === 2 && pick) {
        pick.input = { ...pick.input, fibreStatus: random.chance(0.5) ? 'none' : 'available' };
        await updateOffer(db, clock, gers, pick.id, pick.input);
      } else if (op === 3 && pick) {
        const { status } = await getManagedOffer(db, gers, pick.id);
        await changeOfferStatus(db, clock, gers, pick.id, status === 'published' ? 'archive' : 'publish');
      } else if (pick) {
        pick.input = { ...pick.input, commune: '32107', lat: '', lng: '' };
        await updateOffer(db, clock, gers, pick.id, pick.input);
      }
      const incremental = await snapshot();
      await refreshNearestTiersLieux(db);
      expect(incremental, `after step ${step}`).toEqual(await snapshot());
    }
  });

  it('fills fibre from the commune’s open data only when it is certain, with its source and date', async () => {
    const { db, gers, manche } = await world();
    const id = await createOffer(db, clock, gers, 'home', home({ fibreStatus: 'none', connectivitySource: 'owner' }));
    const cover = (share: number) =>
      db
        .insert(communeCoverage)
        .values({
          communeCode: '32013',
          ftthShare: share,
          dataDate: '2026-03-31',
          source: 'ARCEP',
          importedAt: '2026-04-01',
        })
        .onConflictDoUpdate({ target: communeCoverage.communeCode, set: { ftthShare: share, dataDate: '2026-03-31' } });
    await cover(0.47);
    const partial = await fillFromOpenData(db, clock, gers, id).catch((e: unknown) => e);
    expect(partial).toBeInstanceOf(Invalid);
    expect((partial as Invalid).errors[0]).toMatchObject({
      field: 'fibreStatus',
      key: 'errors.open_data_partial',
      params: { share: '47' },
    });
    expect((await getManagedOffer(db, gers, id)).fibreStatus).toBe('none');
    await cover(1);
    await expect(fillFromOpenData(db, clock, manche, id)).rejects.toBeInstanceOf(NotFound);
    await fillFromOpenData(db, clock, gers, id);
    expect(await getManagedOffer(db, gers, id)).toMatchObject({
      fibreStatus: 'available',
      connectivitySource: 'open_data',
      connectivityCheckedAt: '2026-03-31',
    });
  });

  it('keeps what the form does not show, finds titles without accents, and cleans what was typed', async () => {
    const { db, gers } = await world();
    const id = await createOffer(db, clock, gers, 'tiers_lieu', {
      ...home({ title: 'Atelier\u0000 des Pièces dégagées', lat: '43.65021234567891', lng: '0.58110000000001' }),
      typology: 'coworking',
    });
    const created = await getManagedOffer(db, gers, id);
    expect(created).toMatchObject({ title: 'Atelier des Pièces dégagées', lat: 43.650212, lng: 0.5811 });
    // Services have no field in the form: saving the form keeps them.
    await db
      .update(offers)
      .set({ services: ['wifi', 'coffee'] })
      .where(eq(offers.id, id));
    await updateOffer(db, clock, gers, id, {
      ...home({ title: 'Atelier des Pièces dégagées', lat: '43.650212', lng: '0.5811' }),
      typology: 'coworking',
    });
    const saved = await getManagedOffer(db, gers, id);
    expect(saved.services).toEqual(['wifi', 'coffee']);
    expect((await historyOf(db, 'offer', saved.id)).rows.map((e) => e.kind)).toEqual(['created']);
    // An English title is optional; given, it is kept, and emptied, removed.
    await updateOffer(db, clock, gers, id, {
      ...home({
        title: 'Atelier des Pièces dégagées',
        titleEn: '  Workshop with open views ',
        lat: '43.650212',
        lng: '0.5811',
      }),
      typology: 'coworking',
    });
    expect((await getManagedOffer(db, gers, id)).titleEn).toBe('Workshop with open views');
    await updateOffer(db, clock, gers, id, {
      ...home({ title: 'Atelier des Pièces dégagées', titleEn: '', lat: '43.650212', lng: '0.5811' }),
      typology: 'coworking',
    });
    expect((await getManagedOffer(db, gers, id)).titleEn).toBeNull();
    // The list's search folds accents and case; % and _ are not wildcards.
    expect((await listManagedOffers(db, clock, gers, { q: 'PIECES degagees' })).rows.map((r) => r.id)).toContain(id);
    // Sorted by title, or the longest unconfirmed first.
    const titles = (await listManagedOffers(db, clock, gers, { sort: 'title' })).rows.map((r) => r.title);
    expect(titles).toEqual([...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const oldest = await listManagedOffers(db, clock, gers, { sort: 'confirmed', status: 'published' });
    const [first] = await db.select({ at: offers.confirmedAt }).from(offers).where(eq(offers.id, oldest.rows[0]!.id));
    const [min] = await db
      .select({ at: sql<string>`min(${offers.confirmedAt})` })
      .from(offers)
      .where(and(eq(offers.territoryCode, '32'), eq(offers.status, 'published')));
    expect(first?.at).toBe(min?.at);
    expect((await listManagedOffers(db, clock, gers, { q: 'pièces' })).total).toBe(
      (await listManagedOffers(db, clock, gers, { q: 'PIECES' })).total,
    );
    expect((await listManagedOffers(db, clock, gers, { q: '%' })).total).toBe(0);
    expect((await listManagedOffers(db, clock, gers, { q: '_' })).total).toBe(0);
    expect((await listManagedOffers(db, clock, gers, { q: 'auch' })).total).toBeGreaterThan(0);
    const choice = await createOffer(db, clock, gers, 'home', home({ bestTechnology: 'fibre' })).catch(
      (e: unknown) => e,
    );
    expect((choice as Invalid).errors).toEqual([{ field: 'bestTechnology', key: 'errors.invalid_choice' }]);
  });
});
