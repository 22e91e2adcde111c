// What forms and searches make of values a person (or a script) may send: a repeated value,
// a number out of range, a commune name several départements share, a page that does not
// exist, an empty commune, a choice the form does not offer. Each is read or refused in
// words, never a 500.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { candidates, opportunities, userTerritories, users } from '../../db/schema/index.ts';
import { inviteStaff, updateStaff, type AccountsContext } from '../../src/server/accounts/commands.ts';
import { ProfileSchema } from '../../src/server/ambassadors/schemas.ts';
import { createEnquiry, enquiryErrors } from '../../src/server/candidates/enquiry.ts';
import { Invalid } from '../../src/server/errors.ts';
import { localizedErrors } from '../../src/server/http/form.ts';
import { searchOffers } from '../../src/server/offers/queries.ts';
import { createWork, getManagedWork } from '../../src/server/opportunities/manage.ts';
import { proposeBusiness } from '../../src/server/opportunities/owners.ts';
import { searchWork, WORK_RESULTS_PAGE } from '../../src/server/opportunities/queries.ts';
import { parseWorkSearch } from '../../src/server/opportunities/schemas.ts';
import { resolveCommuneList } from '../../src/server/places/queries.ts';
import { TerritorySettingsSchema } from '../../src/server/places/territory-schemas.ts';
import type { Db } from '../../db/client.ts';
import { actors, seededWith, testDb } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-07T10:00:00Z') };
const accounts = (db: Db): AccountsContext => ({ db, clock, siteUrl: 'https://cc.test' });

/** What a refused post says, field by field, in a locale. */
async function refusal(locale: 'fr' | 'en', run: Promise<unknown>): Promise<Record<string, string>> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  return localizedErrors(locale, error as Invalid);
}

const jobForm = (over: Record<string, unknown> = {}) => ({
  title: 'Menuisier·ère agenceur',
  commune: '32013',
  employer: 'Menuiserie Dupuy',
  ...over,
});
const businessForm = (over: Record<string, unknown> = {}) => ({
  title: 'Épicerie fine',
  description: 'Épicerie de produits locaux, 70 m², bail récent.',
  commune: 'Granville',
  sector: 'food',
  priceMax: '60000',
  ...over,
});

describe('repeated values of a form', () => {
  it('a territory ticked twice in a staff invitation or edit is read once', async () => {
    const { db } = await testDb();
    const [gers, agent] = await actors(db, 'direction.gers@demo.test', 'agent.gers@demo.test');
    const id = await inviteStaff(accounts(db), gers, {
      name: 'Zoé',
      email: 'zoe@exemple.fr',
      role: 'agent',
      territories: ['32', '32'],
      locale: 'fr',
    });
    const codesOf = async (userId: number) =>
      (await db.select().from(userTerritories).where(eq(userTerritories.userId, userId))).map((r) => r.territoryCode);
    expect(await codesOf(id)).toEqual(['32']);
    await updateStaff(accounts(db), gers, agent.id, { role: 'territory_admin', territories: ['32', '32'] });
    expect(await codesOf(agent.id)).toEqual(['32']);
    const [changed] = await db.select().from(users).where(eq(users.id, agent.id));
    expect(changed!.role).toBe('territory_admin');
  });

  it('a language ticked twice in an ambassador’s profile is kept once', () => {
    const profile = {
      languages: ['fr', 'fr', 'en', 'fr', 'en', 'fr', 'fr', 'fr', 'fr'],
      byEmail: 'yes',
      presentation: 'Installés depuis deux ans.',
    };
    expect(ProfileSchema.parse(profile).languages).toEqual(['fr', 'en']);
  });

  it('a wished territory sent twice with a project makes a file wishing it once', async () => {
    const { db } = await testDb();
    const ctx = { db, clock, siteUrl: 'https://cc.test' };
    const { publicId, territoryCode } = await createEnquiry(
      ctx,
      {
        name: 'Famille Durand',
        email: 'durand.repeat@exemple.fr',
        adults: '2',
        children: '',
        wishedTerritories: ['32', '32'],
        consent: 'yes',
        locale: 'fr',
      },
      '9.9.9.42',
    );
    expect(territoryCode).toBe('32');
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    expect(file!.wishedTerritories).toEqual(['32']);
  });

  it('repeats are read once before the limit; a list truly over it says the limit in words', async () => {
    const { db } = await testDb();
    const project = (wishedTerritories: string[], wishedCommunes: string[] = []) => ({
      name: 'Famille Durand',
      email: 'durand.eleven@exemple.fr',
      adults: '2',
      children: '',
      wishedTerritories,
      wishedCommunes,
      consent: 'yes',
      locale: 'fr',
    });
    const said = (locale: 'fr' | 'en', input: unknown) => localizedErrors(locale, new Invalid(enquiryErrors(input)));
    // Eleven times the Gers, or Auch: one wish each.
    const eleven = <T>(v: T) => Array.from({ length: 11 }, () => v);
    expect(enquiryErrors(project(eleven('32'), eleven('32013')))).toEqual([]);
    const { publicId } = await createEnquiry(
      { db, clock, siteUrl: 'https://cc.test' },
      project(eleven('32'), eleven('32013')),
      '9.9.9.43',
    );
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    expect(file).toMatchObject({ wishedTerritories: ['32'], wishedCommunes: ['32013'] });
    // Eleven different ones: the limit, in words.
    const territories = Array.from({ length: 11 }, (_, i) => String(i + 1).padStart(2, '0'));
    expect(said('fr', project(territories)).wishedTerritories).toBe('Choisissez 10 territoires au plus.');
    expect(said('en', project(territories)).wishedTerritories).toBe('Choose at most 10 territories.');
    const communes = Array.from({ length: 11 }, (_, i) => String(32001 + i));
    expect(said('fr', project(['32'], communes)).wishedCommunes).toBe(
      '10 communes au plus, séparées par des virgules.',
    );
    // Typed by name on the form: "Auch" eleven times is one commune, not "too many".
    const typed = await resolveCommuneList(db, eleven('Auch').join(', ') + ', auch', 'wishedCommunes');
    expect(typed).toEqual({ codes: ['32013'], error: null });
    // One commune written three ways counts once: ten communes are not "too many".
    const gers = (
      await db.all<{ code: string }>(
        sql`SELECT code FROM communes WHERE department_code = '32' AND code > '32001' ORDER BY code LIMIT 10`,
      )
    ).map((c) => c.code);
    const ten = await resolveCommuneList(
      db,
      ['Aignan', 'Aignan (32290)', '32001', ...gers.slice(0, 9)].join(', '),
      'wishedCommunes',
    );
    expect(ten).toEqual({ codes: ['32001', ...gers.slice(0, 9)], error: null });
    expect((await resolveCommuneList(db, ['32001', ...gers].join(', '), 'wishedCommunes')).error).toMatchObject({
      key: 'errors.communes_too_many',
    });
  });
});

describe('a role the staff forms do not offer', () => {
  it('is refused as a choice outside the list, in the invitation and the edit', async () => {
    const { db } = await testDb();
    const [gers, agent] = await actors(db, 'direction.gers@demo.test', 'agent.gers@demo.test');
    const invite = (role: string) =>
      inviteStaff(accounts(db), gers, { name: 'X', email: 'x@exemple.fr', role, territories: ['32'], locale: 'fr' });
    expect((await refusal('fr', invite('platform_admin'))).role).toBe('Choisissez une valeur de la liste.');
    expect((await refusal('en', invite('bogus'))).role).toBe('Choose a value from the list.');
    const edit = refusal(
      'fr',
      updateStaff(accounts(db), gers, agent.id, { role: 'platform_admin', territories: ['32'] }),
    );
    expect((await edit).role).toBe('Choisissez une valeur de la liste.');
    expect(await db.select().from(users).where(eq(users.email, 'x@exemple.fr'))).toEqual([]);
  });
});

describe('numbers out of range', () => {
  it('say the range, its bounds written for the locale; what is no number keeps its message', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test', 'agent.manche@demo.test');
    const [gers, manche] = people;
    const hours = refusal('fr', createWork(db, clock, gers, 'job', jobForm({ hoursPerWeek: '99999' })));
    expect((await hours).hoursPerWeek).toBe('Indiquez un nombre de 1 à 60.');
    const price = (locale: 'fr' | 'en', priceMax: string) =>
      refusal(locale, createWork(db, clock, manche, 'business', businessForm({ priceMax })));
    expect((await price('fr', '150000000')).priceMax).toBe('Indiquez un nombre de 0 à 100\u202f000\u202f000.');
    expect((await price('en', '150 000 000 €')).priceMax).toBe('Enter a number from 0 to 100,000,000.');
    // However many digits.
    expect((await price('fr', '99999999999999999999999')).priceMax).toBe(
      'Indiquez un nombre de 0 à 100\u202f000\u202f000.',
    );
    expect((await price('fr', 'beaucoup')).priceMax).toBe(
      'Indiquez un nombre entier positif, par exemple 250\u00a0000.',
    );
    expect((await price('fr', '12,5')).priceMax).toBe('Indiquez un nombre entier positif, par exemple 250\u00a0000.');
    // Typed amounts are still read.
    const id = await createWork(db, clock, manche, 'business', businessForm({ priceMax: '250 000 €' }));
    expect((await getManagedWork(db, manche, id, 'business')).priceMax).toBe(250_000);
  });

  it('say the range in a family’s project too; a field with a message of its own keeps it', async () => {
    const { db } = await testDb();
    const ctx = { db, clock, siteUrl: 'https://cc.test' };
    const project = {
      name: 'Famille Durand',
      email: 'durand.range@exemple.fr',
      adults: '2',
      children: '',
      wishedTerritories: '32',
      budgetMax: '150 000 000',
      minDownloadMbps: '200000',
      consent: 'yes',
      locale: 'fr',
    };
    const said = await refusal('fr', createEnquiry(ctx, project, '9.9.9.43'));
    expect(said.budgetMax).toBe('Indiquez un nombre de 0 à 100\u202f000\u202f000.');
    expect(said.minDownloadMbps).toBe('Indiquez un nombre de 0 à 100\u202f000.');
    const settings = TerritorySettingsSchema.safeParse({ name: 'Gers', retentionMonths: '500' });
    expect(settings.error?.issues[0]?.message).toBe('errors.retention_months');
  });
});

describe('an empty commune on the job and business forms', () => {
  it('asks for the commune', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test', 'proprietaire@demo.test');
    const [gers, owner] = people;
    expect((await refusal('fr', createWork(db, clock, gers, 'job', jobForm({ commune: '' })))).commune).toBe(
      'Indiquez la commune.',
    );
    expect((await refusal('en', createWork(db, clock, gers, 'business', businessForm({ commune: ' ' })))).commune).toBe(
      'Enter the commune.',
    );
    const proposal = proposeBusiness({ db, clock, siteUrl: 'https://cc.test' }, owner, businessForm({ commune: '' }));
    expect((await refusal('fr', proposal)).commune).toBe('Indiquez la commune.');
  });
});

describe('a commune name shared by several départements in a public search', () => {
  const isle = "L'Isle-Jourdain";

  it('means the chosen territory’s one; without a territory that settles it, it stays ambiguous', async () => {
    const { db } = await testDb();
    for (const kind of ['job', 'business'] as const) {
      const found = await searchWork(db, kind, { commune: isle, territoire: '32', teletravail: false });
      expect(found.commune?.code).toBe('32160');
    }
    const jobs = await searchWork(db, 'job', { commune: isle, territoire: '32', teletravail: false });
    expect(jobs.cards.length).toBeGreaterThan(0);
    expect(jobs.cards.every((c) => c.communeCode === '32160')).toBe(true);
    expect((await searchOffers(db, { commune: isle, territoire: '32' })).commune?.code).toBe('32160');
    for (const territoire of [undefined, '50'])
      await expect(searchWork(db, 'job', { commune: isle, territoire, teletravail: false })).rejects.toMatchObject({
        errors: [{ field: 'commune', key: 'errors.ambiguous_commune' }],
      });
    await expect(searchOffers(db, { commune: isle })).rejects.toMatchObject({
      errors: [{ field: 'commune', key: 'errors.ambiguous_commune' }],
    });
  });
});

describe('the page of /emplois and /reprises', () => {
  it('is never an error: the nearest page, the first for anything that is no page number', async () => {
    const read = (qs: string) => parseWorkSearch(new URLSearchParams(qs));
    for (const [qs, page] of [
      ['page=0', 1],
      ['page=-1', undefined],
      ['page=abc', undefined],
      ['page=1.5', undefined],
      ['page=1&page=2', undefined],
      ['page=3', 3],
      ['page=99999', 99_999],
      ['page=99999999999999999999999', 1_000_000],
    ] as const) {
      const parsed = read(qs);
      expect(parsed.errors, qs).toEqual([]);
      expect(parsed.query.page, qs).toBe(page);
    }
    // Other filters are still named.
    expect(read('page=0&rayon=999').errors).toEqual([{ field: 'rayon', key: 'errors.work_radius', value: '999' }]);
  });

  it('past the last page is the last page', async () => {
    const { db } = await testDb();
    // Enough published jobs for a few pages.
    const [job] = await db
      .select()
      .from(opportunities)
      .where(and(eq(opportunities.kind, 'job'), eq(opportunities.status, 'published')))
      .limit(1);
    const { id: _, ...copy } = job!;
    await db.insert(opportunities).values(Array.from({ length: 3 * WORK_RESULTS_PAGE }, () => copy));
    for (const qs of ['page=99999', 'page=99999999999999999999999']) {
      const { query } = parseWorkSearch(new URLSearchParams(qs));
      const result = await searchWork(db, 'job', { teletravail: false, ...query });
      expect(result.pages, qs).toBeGreaterThan(3);
      expect(result.page, qs).toBe(result.pages);
      expect(result.cards.length, qs).toBeGreaterThan(0);
    }
  });
});
