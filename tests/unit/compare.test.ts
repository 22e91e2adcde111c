import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { favourites, offers } from '../../db/schema/index.ts';
import { Forbidden, Invalid } from '../../src/server/errors.ts';
import { compareFavourites, saveFavouriteNote, setFavourite } from '../../src/server/family/favourites.ts';
import { exportFamilyData } from '../../src/server/candidates/family.ts';
import { seededWith } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-06T10:00:00Z') };

async function world() {
  const { db, people } = await seededWith('famille@demo.test', 'agent.gers@demo.test');
  const published = await db.select({ id: offers.id }).from(offers).where(eq(offers.status, 'published')).limit(6);
  const ids = published.map((o) => o.id);
  const [family, agent] = people;
  return { db, family, agent, ids };
}

const invalidKey = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  return (error as Invalid).errors[0]!.key;
};

describe('comparing favourites', () => {
  it('shows two to four of the family’s favourites in the order asked, each with its note', async () => {
    const { db, family, ids } = await world();
    for (const id of ids.slice(0, 5)) await setFavourite({ db, clock }, family, { offre: String(id), favori: '1' });
    const asked = [ids[2]!, ids[0]!, ids[1]!].map(String);
    await saveFavouriteNote(db, family, { offre: String(ids[0]), note: '  Jardin trop petit ?  ' });
    const { offers: shown } = await compareFavourites(db, family, { offres: asked });
    expect(shown.map((o) => o.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(shown.map((o) => o.note)).toEqual(['', 'Jardin trop petit ?', '']);
    expect(shown[0]).toMatchObject({ label: expect.any(String), price: expect.anything() });
    // The nearest école and station of each offer's commune (daily-life.ts), a Gers one by its point.
    for (const o of shown.filter((x) => x.territoryCode === '32')) {
      expect(o.school).toMatchObject({ kind: 'school_primary', via: 'point', km: expect.any(Number) });
      expect(o.station).toMatchObject({ kind: 'station', via: 'point', km: expect.any(Number) });
    }
    expect(shown.some((x) => x.territoryCode === '32')).toBe(true);
    // The same id twice counts once.
    expect((await compareFavourites(db, family, { offres: [ids[0], ids[0], ids[1]].map(String) })).offers).toHaveLength(
      2,
    );
    // An empty note clears it.
    await saveFavouriteNote(db, family, { offre: String(ids[0]), note: '   ' });
    const [row] = await db
      .select({ note: favourites.note })
      .from(favourites)
      .where(and(eq(favourites.userId, family.id), eq(favourites.offerId, ids[0]!)));
    expect(row!.note).toBeNull();
  });

  it('refuses too few or too many, junk ids, and offers that are not the family’s published favourites', async () => {
    const { db, family, ids } = await world();
    for (const id of ids.slice(0, 5)) await setFavourite({ db, clock }, family, { offre: String(id), favori: '1' });
    const cmp = (offres: unknown) => compareFavourites(db, family, { offres });
    expect(await invalidKey(cmp([String(ids[0])]))).toBe('errors.compare_choice');
    expect(await invalidKey(cmp(ids.slice(0, 5).map(String)))).toBe('errors.compare_choice');
    expect(await invalidKey(cmp(['1', 'x']))).toBe('errors.compare_choice');
    expect(await invalidKey(cmp(undefined))).toBe('errors.compare_choice');
    expect(await invalidKey(cmp(Array.from({ length: 10_000 }, () => '1')))).toBe('errors.compare_choice');
    expect(await invalidKey(cmp([String(ids[0]), String(ids[5])]))).toBe('errors.compare_not_favourites');
    // A favourite that is no longer published leaves the comparison.
    await db.update(offers).set({ status: 'archived' }).where(eq(offers.id, ids[1]!));
    expect(await invalidKey(cmp([String(ids[0]), String(ids[1])]))).toBe('errors.compare_not_favourites');
  });

  it('keeps notes private: only on one’s own favourites, bounded, only for families, and in the data export', async () => {
    const { db, family, agent, ids } = await world();
    await setFavourite({ db, clock }, family, { offre: String(ids[0]), favori: '1' });
    expect(await invalidKey(saveFavouriteNote(db, family, { offre: String(ids[1]), note: 'x' }))).toBe(
      'errors.compare_not_favourites',
    );
    expect(await invalidKey(saveFavouriteNote(db, family, { offre: String(ids[0]), note: 'x'.repeat(1001) }))).toBe(
      'errors.note_too_long',
    );
    await expect(saveFavouriteNote(db, agent, { offre: String(ids[0]), note: 'x' })).rejects.toBeInstanceOf(Forbidden);
    await expect(compareFavourites(db, agent, { offres: [String(ids[0]), String(ids[1])] })).rejects.toBeInstanceOf(
      Forbidden,
    );
    await saveFavouriteNote(db, family, { offre: String(ids[0]), note: 'À visiter en mars' });
    const data = JSON.stringify(await exportFamilyData(db, family, clock.now()));
    expect(data).toContain('À visiter en mars');
  });
});
