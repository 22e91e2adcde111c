// The family account: favourites (who may keep them, which offers, idempotence), saved
// searches (validated and made canonical by the catalogue's own rules, settings, owner
// only, unsubscribe tokens) and the daily digest (only new matching offers, one email per
// person in their language, never twice, nothing when nothing is new).
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createDb, type Db } from '../../db/client.ts';
import { PreparedReader } from '../../db/prepared-reader.ts';
import { favourites, offers, outbox, savedSearches, users } from '../../db/schema/index.ts';
import type { SessionUser } from '../../src/server/accounts/session.ts';
import { Forbidden, Invalid } from '../../src/server/errors.ts';
import { DIGEST_OFFERS_PER_SEARCH, runDigest } from '../../src/server/family/digest.ts';
import { favouriteOfferIds, listFavourites, MAX_FAVOURITES, setFavourite } from '../../src/server/family/favourites.ts';
import {
  canonicalQuery,
  deleteSearch,
  describeSearch,
  findByUnsubscribeToken,
  listSavedSearches,
  MAX_SAVED_SEARCHES,
  renameSearch,
  saveSearch,
  setSearchAlerts,
  unsubscribe,
  validateSearch,
} from '../../src/server/family/saved-searches.ts';
import { testDb } from '../helpers/db.ts';
import { runJobsTogether } from '../helpers/children.ts';
import { HOUR_MS as HOUR } from '../../src/lib/time.ts';

const DAY = 24 * HOUR;
// After every offer of the demo seed (published up to the day the templates were built).
const start = Date.now() + 2 * DAY;

function clockAt(ms = start) {
  let now = ms;
  return { clock: { now: () => new Date(now) }, advance: (d: number) => (now += d), at: () => now };
}

let people = 0;
async function person(db: Db, role: SessionUser['role'] = 'family', locale: 'fr' | 'en' = 'fr'): Promise<SessionUser> {
  const email = `famille.${++people}.${Math.random().toString(36).slice(2)}@exemple.fr`;
  const name = locale === 'fr' ? `Famille ${people}` : `Family ${people}`;
  const [u] = await db
    .insert(users)
    .values({
      email,
      name,
      role,
      locale,
      emailVerifiedAt: new Date(start).toISOString(),
      createdAt: new Date(start).toISOString(),
    })
    .returning();
  return { id: u!.id, email, name, role, locale, territories: role === 'family' ? [] : ['32'] };
}

async function publishedOffer(db: Db, where = sql`1 = 1`): Promise<{ id: number; title: string }> {
  const [row] = await db
    .select({ id: offers.id, title: offers.title })
    .from(offers)
    .where(sql`${offers.status} = 'published' AND ${where}`)
    .orderBy(offers.id)
    .limit(1);
  return row!;
}

/** Publishes a copy of the first published offer matching `where`, at `at`. */
async function publishCopy(db: Db, where: string, at: number, title: string): Promise<number> {
  const columns = (await db.all<{ name: string }>(sql`PRAGMA table_info(offers)`))
    .map((c) => c.name)
    // A copy is not the imported offer: it has no source key of its own.
    .filter((c) => !['id', 'source', 'source_key', 'source_data'].includes(c));
  const overrides: Record<string, string> = {
    title,
    slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    status: 'published',
    published_at: new Date(at).toISOString(),
  };
  const select = columns.map((c) => (c in overrides ? '?' : `"${c}"`)).join(', ');
  const args = columns.filter((c) => c in overrides).map((c) => overrides[c]!);
  const rs = await db.$client.execute({
    sql: `INSERT INTO offers (${columns.map((c) => `"${c}"`).join(', ')}) SELECT ${select} FROM offers WHERE status = 'published' AND ${where} ORDER BY id LIMIT 1 RETURNING id`,
    args,
  });
  return Number(rs.rows[0]!.id);
}

/** Intl's narrow no-break spaces (prices) as plain spaces, to compare with readable literals. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

const mails = (db: Db) => db.select().from(outbox).where(eq(outbox.template, 'search_digest')).orderBy(outbox.id);

describe('favourites', () => {
  it('a family adds and removes a published offer; adding twice keeps one', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const family = await person(db);
    const offer = await publishedOffer(db);
    // Each answer says where the heart now stands, the second time as the first.
    const setTwice = async (favori: '1' | '0') => {
      for (let time = 0; time < 2; time++)
        expect(await setFavourite({ db, clock }, family, { offre: String(offer.id), favori })).toEqual({
          offerId: offer.id,
          favourite: favori === '1',
        });
    };
    await setTwice('1');
    expect(await db.select().from(favourites).where(eq(favourites.userId, family.id))).toHaveLength(1);
    expect([...(await favouriteOfferIds(db, family))]).toEqual([offer.id]);
    const list = await listFavourites(db, family);
    expect(list.cards.map((c) => c.id)).toEqual([offer.id]);
    await setTwice('0');
    expect(await favouriteOfferIds(db, family)).toEqual(new Set());
  });

  it('are each family’s own, listed newest first', async () => {
    const { db } = await testDb('seeded');
    const time = clockAt();
    const [a, b] = [await person(db), await person(db)];
    const first = await publishedOffer(db, sql`kind = 'home'`);
    const second = await publishedOffer(db, sql`kind = 'tiers_lieu'`);
    await setFavourite({ db, clock: time.clock }, a, { offre: String(first.id), favori: '1' });
    time.advance(1000);
    await setFavourite({ db, clock: time.clock }, a, { offre: String(second.id), favori: '1' });
    await setFavourite({ db, clock: time.clock }, b, { offre: String(second.id), favori: '1' });
    expect((await listFavourites(db, a)).cards.map((c) => c.id)).toEqual([second.id, first.id]);
    expect((await listFavourites(db, b)).cards.map((c) => c.id)).toEqual([second.id]);
    await setFavourite({ db, clock: time.clock }, b, { offre: String(second.id), favori: '0' });
    expect(await favouriteOfferIds(db, a)).toEqual(new Set([first.id, second.id]));
  });

  it('only published offers can be added; an unpublished favourite is listed as such and can be removed', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const family = await person(db);
    const [draft] = await db
      .select({ id: offers.id })
      .from(offers)
      .where(sql`status <> 'published'`)
      .limit(1);
    const error = await setFavourite({ db, clock }, family, { offre: String(draft!.id), favori: '1' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).errors).toEqual([{ field: 'offre', key: 'errors.favourite_unpublished' }]);
    await expect(setFavourite({ db, clock }, family, { offre: '99999999', favori: '1' })).rejects.toBeInstanceOf(
      Invalid,
    );

    const offer = await publishedOffer(db);
    await setFavourite({ db, clock }, family, { offre: String(offer.id), favori: '1' });
    await db.update(offers).set({ status: 'archived' }).where(eq(offers.id, offer.id));
    expect(await listFavourites(db, family)).toEqual({
      cards: [],
      unavailable: [{ id: offer.id, title: offer.title }],
    });
    await setFavourite({ db, clock }, family, { offre: String(offer.id), favori: '0' });
    expect(await listFavourites(db, family)).toEqual({ cards: [], unavailable: [] });
  });

  it('are for families only, with malformed input refused as field errors', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const offer = await publishedOffer(db);
    await expect(setFavourite({ db, clock }, null, { offre: String(offer.id), favori: '1' })).rejects.toBeInstanceOf(
      Forbidden,
    );
    for (const role of ['agent', 'territory_admin', 'platform_admin'] as const) {
      await expect(
        setFavourite({ db, clock }, await person(db, role), { offre: String(offer.id), favori: '1' }),
      ).rejects.toBeInstanceOf(Forbidden);
      expect(await favouriteOfferIds(db, await person(db, role))).toEqual(new Set());
    }
    const family = await person(db);
    for (const input of [
      {},
      { offre: 'abc', favori: '1' },
      { offre: String(offer.id), favori: 'yes' },
      { offre: '-1', favori: '1' },
      { offre: ['1', '2'], favori: '1' },
      null,
    ]) {
      await expect(setFavourite({ db, clock }, family, input)).rejects.toBeInstanceOf(Invalid);
    }
    expect(await db.select().from(favourites)).toHaveLength(0);
  });

  it('stop at MAX_FAVOURITES', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const family = await person(db);
    // Enough offers: every published one, copied six times.
    const columns = (await db.all<{ name: string }>(sql`PRAGMA table_info(offers)`))
      .map((c) => `"${c.name}"`)
      .filter((c) => !['"id"', '"source"', '"source_key"', '"source_data"'].includes(c));
    await db.$client.execute(
      `INSERT INTO offers (${columns.join(', ')}) SELECT ${columns.map((c) => `o.${c}`).join(', ')} FROM offers o, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6) WHERE o.status = 'published'`,
    );
    const ids = (
      await db
        .select({ id: offers.id })
        .from(offers)
        .where(eq(offers.status, 'published'))
        .limit(MAX_FAVOURITES + 1)
    ).map((r) => r.id);
    expect(ids).toHaveLength(MAX_FAVOURITES + 1);
    await db
      .insert(favourites)
      .values(
        ids
          .slice(0, MAX_FAVOURITES)
          .map((offerId) => ({ userId: family.id, offerId, createdAt: new Date(start).toISOString() })),
      );
    const error = await setFavourite({ db, clock }, family, { offre: String(ids[MAX_FAVOURITES]), favori: '1' }).catch(
      (e: unknown) => e,
    );
    expect((error as Invalid).errors[0]!.key).toBe('errors.too_many_favourites');
    // Already kept: still fine.
    expect(await setFavourite({ db, clock }, family, { offre: String(ids[0]), favori: '1' })).toEqual({
      offerId: ids[0],
      favourite: true,
    });
  });
});

describe('saved searches', () => {
  it('are validated by the catalogue’s schema and stored in canonical form', async () => {
    const { db } = await testDb('seeded');
    const valid = await validateSearch(db, '?page=3&fibre=1&tri=recent&type=logement&territoire=32&utm_source=x');
    expect(valid.canonical).toBe('type=logement&territoire=32&fibre=1');
    // A commune typed by name (a form without JavaScript) is stored as its INSEE code.
    expect((await validateSearch(db, 'commune=Auch&rayon=20&tri=distance')).canonical).toBe(
      'commune=32013&rayon=20&tri=distance',
    );
    expect(canonicalQuery({ q: 'maison bois', prix_max: 900 })).toBe('prix_max=900&q=maison+bois');

    const refused = async (qs: string) =>
      ((await validateSearch(db, qs).catch((e: unknown) => e)) as Invalid).errors.map((e) => e.key);
    expect(await refused('prix_min=5&prix_max=1')).toEqual(['errors.price_range']);
    expect(await refused('type=chateau')).toEqual(['errors.invalid_enum']);
    expect(await refused('territoire=99')).toEqual(['errors.unknown_territory']);
    expect(await refused('commune=Nullepartville')).toEqual(['errors.unknown_commune']);
    expect(await refused('rayon=10')).toEqual(['errors.radius_needs_commune']);
  });

  it('get a readable default name in the page’s language', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const family = await person(db);
    const save = (input: Record<string, string>, locale: 'fr' | 'en') =>
      saveSearch({ db, clock }, family, input, locale);
    const fr = await save({ requete: 'type=logement&transaction=location&territoire=32&fibre=1&prix_max=900' }, 'fr');
    expect(plain(fr.name)).toBe('Logements à louer · Gers (32) · fibre · jusqu’à 900 €');
    const en = await save({ requete: 'commune=50129&rayon=15&debit_min=100', nom: '   ' }, 'en');
    expect(en.name).toBe('All offers · 15 km around Cherbourg-en-Cotentin · ≥ 100 Mb/s');
    expect(describeSearch('fr', {})).toBe('Toutes les offres');
    expect(describeSearch('fr', { q: 'x'.repeat(200) }).length).toBeLessThanOrEqual(80);
    const named = await save({ requete: 'type=tiers-lieu', nom: '  Coworkings\u0000 du  Gers ' }, 'fr');
    expect(named.name).toBe('Coworkings du Gers');
    expect((await listSavedSearches(db, family, 'fr')).map((s) => [plain(s.name), s.query, s.alerts])).toEqual([
      [
        'Logements à louer · Gers (32) · fibre · jusqu’à 900 €',
        'type=logement&transaction=location&territoire=32&fibre=1&prix_max=900',
        true,
      ],
      ['All offers · 15 km around Cherbourg-en-Cotentin · ≥ 100 Mb/s', 'commune=50129&rayon=15&debit_min=100', true],
      ['Coworkings du Gers', 'type=tiers-lieu', true],
    ]);
  });

  it('refuse invalid searches, names, duplicates and more than the limit, changing nothing', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const family = await person(db);
    const keys = async (input: unknown) =>
      ((await saveSearch({ db, clock }, family, input, 'fr').catch((e: unknown) => e)) as Invalid).errors.map(
        (e) => e.key,
      );
    // Every error at once: the name and the search.
    expect(await keys({ requete: 'prix_max=abc', nom: 'n'.repeat(81) })).toEqual([
      'errors.search_name_too_long',
      'errors.invalid_price',
    ]);
    expect(await keys({})).toEqual(['errors.search_invalid']);
    expect(await db.select().from(savedSearches)).toHaveLength(0);
    await saveSearch({ db, clock }, family, { requete: 'fibre=1&type=logement' }, 'fr');
    expect(await keys({ requete: 'type=logement&fibre=1&page=2', nom: 'Autre nom' })).toEqual([
      'errors.search_already_saved',
    ]);
    for (let i = 1; i < MAX_SAVED_SEARCHES; i++)
      await saveSearch({ db, clock }, family, { requete: `prix_max=${i * 100}` }, 'fr');
    expect(await keys({ requete: 'prix_max=99999' })).toEqual(['errors.too_many_searches']);
    expect(await db.select().from(savedSearches)).toHaveLength(MAX_SAVED_SEARCHES);
  });

  it('are renamed, switched and deleted by their owner only', async () => {
    const { db } = await testDb('seeded');
    const time = clockAt();
    const ctx = { db, clock: time.clock };
    const [owner, other] = [await person(db), await person(db)];
    const { id } = await saveSearch(ctx, owner, { requete: 'territoire=32' }, 'fr');
    const sid = String(id);
    for (const attempt of [
      () => renameSearch(ctx, other, { id: sid, nom: 'À moi' }),
      () => setSearchAlerts(ctx, other, { id: sid, alertes: '0' }),
      () => deleteSearch(ctx, other, { id: sid }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect((error as Invalid).errors).toEqual([{ field: 'id', key: 'errors.search_unknown' }]);
    }
    await expect(renameSearch(ctx, await person(db, 'agent'), { id: sid, nom: 'x' })).rejects.toBeInstanceOf(Forbidden);
    await expect(renameSearch(ctx, owner, { id: sid, nom: '   ' })).rejects.toBeInstanceOf(Invalid);

    await renameSearch(ctx, owner, { id: sid, nom: 'Le Gers' });
    time.advance(DAY);
    expect(await setSearchAlerts(ctx, owner, { id: sid, alertes: '0' })).toBe(false);
    time.advance(DAY);
    expect(await setSearchAlerts(ctx, owner, { id: sid, alertes: '1' })).toBe(true);
    const [row] = await db.select().from(savedSearches).where(eq(savedSearches.id, id));
    // Switched back on, the digest starts from now (no backlog of two days).
    expect(row).toMatchObject({ name: 'Le Gers', alerts: true, lastDigestAt: new Date(time.at()).toISOString() });
    await deleteSearch(ctx, owner, { id: sid });
    expect(await listSavedSearches(db, owner, 'fr')).toEqual([]);
  });

  it('are unsubscribed by their token, without an account; unknown tokens are just unknown', async () => {
    const { db } = await testDb('seeded');
    const { clock } = clockAt();
    const family = await person(db);
    const { id } = await saveSearch({ db, clock }, family, { requete: 'territoire=50', nom: 'La Manche' }, 'fr');
    const [row] = await db.select().from(savedSearches).where(eq(savedSearches.id, id));
    expect(row!.unsubscribeToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await findByUnsubscribeToken(db, row!.unsubscribeToken)).toEqual({ id, name: 'La Manche', alerts: true });
    expect(await unsubscribe(db, row!.unsubscribeToken)).toEqual({ name: 'La Manche' });
    expect(await unsubscribe(db, row!.unsubscribeToken)).toEqual({ name: 'La Manche' });
    expect(await findByUnsubscribeToken(db, row!.unsubscribeToken)).toMatchObject({ alerts: false });
    for (const token of [
      '',
      'nope',
      'x'.repeat(300),
      `${row!.unsubscribeToken.slice(0, -1)}${row!.unsubscribeToken.endsWith('A') ? 'B' : 'A'}`,
      "' OR 1=1 --",
    ]) {
      expect(await findByUnsubscribeToken(db, token)).toBeNull();
      expect(await unsubscribe(db, token)).toBeNull();
    }
  });
});

describe('daily digest', () => {
  async function setup() {
    const { db, path } = await testDb('seeded');
    const time = clockAt();
    const ctx = { db, clock: time.clock, siteUrl: 'https://cc.test/' };
    const fr = await person(db, 'family', 'fr');
    const en = await person(db, 'family', 'en');
    const gersHomes = await saveSearch(
      ctx,
      fr,
      { requete: 'type=logement&territoire=32', nom: 'Maisons du Gers' },
      'fr',
    );
    const manche = await saveSearch(ctx, en, { requete: 'territoire=50', nom: 'Manche' }, 'en');
    return { db, path, time, ctx, fr, en, gersHomes, manche };
  }

  it('sends each person one email in their language with only the new matching offers, and advances lastDigestAt', async () => {
    const { db, time, ctx, fr, en } = await setup();
    const t0 = time.at();
    const home = await publishCopy(db, "kind = 'home' AND territory_code = '32'", t0 + HOUR, 'Maison neuve du Gers');
    await publishCopy(db, "kind = 'tiers_lieu' AND territory_code = '32'", t0 + HOUR, 'Coworking neuf du Gers');
    const mancheOffer = await publishCopy(db, "territory_code = '50'", t0 + 2 * HOUR, 'New Manche cottage');
    // Published after the digest's instant: next time.
    time.advance(DAY);
    await publishCopy(db, "kind = 'home' AND territory_code = '32'", time.at() + HOUR, 'Maison de demain');

    expect(await runDigest(ctx)).toEqual({ due: 2, emails: 2, offers: 2, skipped: 0 });
    const [toFr, toEn] = (await mails(db)).map((m) => ({ ...m, subject: plain(m.subject), text: plain(m.text) }));
    expect(toFr).toMatchObject({
      to: fr.email,
      locale: 'fr',
      subject: '1 nouvelle offre pour « Maisons du Gers »',
      status: 'pending',
    });
    expect(toFr!.text).toContain('Maison neuve du Gers');
    expect(toFr!.text).toContain(`https://cc.test/offres/${home}-maison-neuve-du-gers`);
    expect(toFr!.text).not.toContain('Coworking neuf');
    expect(toFr!.text).not.toContain('Maison de demain');
    expect(toFr!.text).toMatch(
      /Ne plus recevoir d’alertes pour « Maisons du Gers » : https:\/\/cc\.test\/alertes\/desabonnement\?token=[\w-]{32}/,
    );
    expect(toFr!.text).toContain('https://cc.test/offres?type=logement&territoire=32');
    expect(toFr!.text).toContain('https://cc.test/compte/recherches');
    expect(toFr!.html).toContain('lang="fr"');
    expect(toEn).toMatchObject({ to: en.email, locale: 'en', subject: '1 new offer for “Manche”' });
    expect(toEn!.text).toContain(`https://cc.test/en/offres/${mancheOffer}-new-manche-cottage`);
    expect(toEn!.text).toMatch(/Stop alerts for “Manche”: https:\/\/cc\.test\/en\/alertes\/desabonnement\?token=/);
    const digested = await db.select({ lastDigestAt: savedSearches.lastDigestAt }).from(savedSearches);
    expect(digested.map((r) => r.lastDigestAt)).toEqual([
      new Date(time.at()).toISOString(),
      new Date(time.at()).toISOString(),
    ]);
    // The unsubscribe link in the email is the search's own.
    const token = /desabonnement\?token=([\w-]+)/.exec(toFr!.text)![1]!;
    expect(await findByUnsubscribeToken(db, token)).toMatchObject({ name: 'Maisons du Gers' });
  });

  it('never sends twice, and sends nothing when nothing is new', async () => {
    const { db, path, time, ctx } = await setup();
    await publishCopy(db, "kind = 'home' AND territory_code = '32'", time.at() + HOUR, 'Maison unique');
    time.advance(DAY);
    // Two runs at once, each with its own handle (as cron and the server): both finish, one email.
    const other = await createDb(`file:${path}`);
    const reports = await Promise.all([runDigest(ctx), runDigest({ ...ctx, db: other })]);
    other.$client.close();
    expect(reports.map((r) => r.emails).sort()).toEqual([0, 1]);
    expect(await mails(db)).toHaveLength(1);
    expect(await runDigest(ctx)).toMatchObject({ due: 0, emails: 0 });
    // Even when forced to look again, nothing new means nothing sent.
    expect(await runDigest(ctx, { minAgeMs: 0 })).toMatchObject({ due: 2, emails: 0 });
    time.advance(DAY);
    expect(await runDigest(ctx)).toMatchObject({ due: 2, emails: 0 });
    expect(await mails(db)).toHaveLength(1);
    // A new offer the day after: a second email with it only.
    await publishCopy(db, "kind = 'home' AND territory_code = '32'", time.at() + HOUR, 'Maison suivante');
    time.advance(DAY);
    expect(await runDigest(ctx)).toMatchObject({ emails: 1 });
    const last = (await mails(db)).at(-1)!;
    expect(last.text).toContain('Maison suivante');
    expect(last.text).not.toContain('Maison unique');
  });

  it('groups a person’s searches in one email, caps each list, and leaves out searches whose alerts are off', async () => {
    const { db, time, ctx, fr, gersHomes } = await setup();
    const tl = await saveSearch(ctx, fr, { requete: 'type=tiers-lieu', nom: 'Coworkings' }, 'fr');
    const quiet = await saveSearch(ctx, fr, { requete: 'territoire=50', nom: 'Manche sans alertes' }, 'fr');
    await setSearchAlerts(ctx, fr, { id: String(quiet.id), alertes: '0' });
    for (let i = 1; i <= DIGEST_OFFERS_PER_SEARCH + 2; i++)
      await publishCopy(db, "kind = 'home' AND territory_code = '32'", time.at() + i * 60_000, `Maison numero ${i}`);
    await publishCopy(db, "kind = 'tiers_lieu'", time.at() + HOUR, 'Tiers-lieu tout neuf');
    await publishCopy(db, "territory_code = '50' AND kind = 'home'", time.at() + HOUR, 'Maison de la Manche');
    time.advance(DAY);
    await runDigest(ctx);
    const toFr = (await mails(db))
      .filter((m) => m.to === fr.email)
      .map((m) => ({ ...m, subject: plain(m.subject), text: plain(m.text) }));
    expect(toFr).toHaveLength(1);
    const text = toFr[0]!.text;
    expect(toFr[0]!.subject).toBe('8 nouvelles offres pour vos recherches');
    expect(text).toContain('## Maisons du Gers — 7 nouvelles offres');
    expect(text).toContain('## Coworkings — 1 nouvelle offre');
    // Newest first, capped, with a link to all of them.
    expect(text).toContain('Maison numero 7');
    expect(text).not.toContain('Maison numero 2\n');
    expect(text.match(/Maison numero/g)).toHaveLength(DIGEST_OFFERS_PER_SEARCH);
    expect(text).toContain('Voir les 7 nouvelles offres : https://cc.test/offres?type=logement&territoire=32');
    expect(text).not.toContain('Manche sans alertes');
    expect(text).not.toContain('Maison de la Manche');
    const rows = await db.select().from(savedSearches).where(eq(savedSearches.userId, fr.id));
    expect(rows.find((r) => r.id === tl.id)!.lastDigestAt).toBe(new Date(time.at()).toISOString());
    expect(rows.find((r) => r.id === gersHomes.id)!.lastDigestAt).toBe(new Date(time.at()).toISOString());
  });

  it('waits a day between digests, and skips deactivated accounts', async () => {
    const { db, time, ctx, en } = await setup();
    await publishCopy(db, "territory_code = '50'", time.at() + HOUR, 'Too early');
    time.advance(2 * HOUR);
    expect(await runDigest(ctx)).toMatchObject({ due: 0, emails: 0 });
    await db
      .update(users)
      .set({ deactivatedAt: new Date(time.at()).toISOString() })
      .where(eq(users.id, en.id));
    time.advance(DAY);
    expect(await runDigest(ctx)).toMatchObject({ due: 1, emails: 0 });
    expect(await mails(db)).toHaveLength(0);
  });

  it('reads only the searches of people due, and all of theirs (one of them due is enough)', async () => {
    const { db, time, ctx, fr, en, gersHomes, manche } = await setup();
    const t0 = time.at();
    const coworkings = await saveSearch(ctx, fr, { requete: 'type=tiers-lieu', nom: 'Coworkings' }, 'fr');
    // Digested 12 hours in: not due a day after t0 on their own (the English person not at all).
    const recent = new Date(t0 + 12 * HOUR).toISOString();
    for (const id of [coworkings.id, manche.id])
      await db.update(savedSearches).set({ lastDigestAt: recent }).where(eq(savedSearches.id, id));
    await publishCopy(db, "kind = 'home' AND territory_code = '32'", t0 + HOUR, 'Maison du matin');
    await publishCopy(db, "kind = 'tiers_lieu'", t0 + 13 * HOUR, 'Tiers-lieu du soir');
    await publishCopy(db, "territory_code = '50' AND kind = 'home'", t0 + 13 * HOUR, 'Manche cottage not yet');
    time.advance(DAY);
    const reads = vi.spyOn(PreparedReader.prototype, 'execute');
    onTestFinished(() => reads.mockRestore());
    expect(await runDigest(ctx)).toEqual({ due: 1, emails: 1, offers: 2, skipped: 0 });

    // The searches read: the French person's two, none of the English person's.
    const tokens = async (userId: number) =>
      (
        await db
          .select({ token: savedSearches.unsubscribeToken })
          .from(savedSearches)
          .where(eq(savedSearches.userId, userId))
      ).map((r) => r.token);
    const read = reads.mock.calls.flatMap(([text], i) =>
      text.includes('"unsubscribe_token"')
        ? reads.mock.results[i]!.value.rows.map((row: Record<string, unknown>) => row.unsubscribe_token)
        : [],
    );
    expect(read.sort()).toEqual((await tokens(fr.id)).sort());
    expect(read).not.toContain((await tokens(en.id))[0]);

    const sent = await mails(db);
    expect(sent.map((m) => m.to)).toEqual([fr.email]);
    expect(sent[0]!.text).toContain('Maison du matin');
    expect(sent[0]!.text).toContain('Tiers-lieu du soir');
    expect(sent[0]!.text).not.toContain('Manche cottage');
    const after = await db
      .select({ id: savedSearches.id, lastDigestAt: savedSearches.lastDigestAt })
      .from(savedSearches)
      .orderBy(savedSearches.id);
    const now = new Date(time.at()).toISOString();
    expect(after).toEqual(
      [
        { id: gersHomes.id, lastDigestAt: now },
        { id: manche.id, lastDigestAt: recent },
        { id: coworkings.id, lastDigestAt: now },
      ].sort((a, b) => a.id - b.id),
    );
  });

  it('two processes at once (cron and a server, or two servers) write each person one digest', async () => {
    const { db, path, time, ctx } = await setup();
    const more: SessionUser[] = [];
    for (let i = 0; i < 10; i++) more.push(await person(db, 'family', i % 2 ? 'en' : 'fr'));
    for (const p of more) await saveSearch(ctx, p, { requete: 'territoire=32', nom: 'Gers' }, p.locale);
    await publishCopy(db, "kind = 'home' AND territory_code = '32'", time.at() + HOUR, 'Maison pour tous');
    await publishCopy(db, "territory_code = '50'", time.at() + HOUR, 'Manche for one');
    time.advance(DAY);
    const reports = await runJobsTogether<{ emails: number; due: number }>([
      ['digest', `file:${path}`, String(time.at())],
      ['digest', `file:${path}`, String(time.at())],
    ]);
    const sent = await mails(db);
    expect(reports.reduce((n, r) => n + r.emails, 0)).toBe(12);
    expect(sent).toHaveLength(12);
    expect(new Set(sent.map((m) => m.to)).size).toBe(12);
    expect(await runDigest(ctx)).toMatchObject({ due: 0, emails: 0 });
  }, 60_000);
});
