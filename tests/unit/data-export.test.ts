// "Download my data" (/compte/donnees.json, GDPR art. 15): every table that holds something
// about an account is in the export or named as left out, and why; the ambassadors'
// programme (profile, story, introductions on either side) and fibre alerts are in it, the
// other side of an introduction only as the account was shown it; no secret ever is.
// Real temporary databases, the demo seed's accounts.
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import {
  ambassadorStories,
  authTokens,
  calendarFeeds,
  candidateEvents,
  candidates,
  communeCoverage,
  introductions,
  offerPhotos,
  offers,
  outbox,
  recoveryCodes,
  sessions,
  twoFactor,
} from '../../db/schema/index.ts';
import type { SessionUser } from '../../src/server/accounts/session.ts';
import { ambassadorOf, moderateStory, saveProfile, saveStory } from '../../src/server/ambassadors/ambassadors.ts';
import { answerAsAmbassador, answerAsFamily, introduce } from '../../src/server/ambassadors/introductions.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { ACCOUNT_DATA, exportFamilyData } from '../../src/server/candidates/family.ts';
import { moderateOffer } from '../../src/server/offers/owners.ts';
import { photoUrl } from '../../src/server/offers/photos.ts';
import { subscribeFibreAlert } from '../../src/server/family/fibre-alerts.ts';
import { saveSearch } from '../../src/server/family/saved-searches.ts';
import { actors, testDb } from '../helpers/db.ts';

const start = Date.UTC(2026, 10, 23, 9);
const FAMILY_FILE = 'demoFamilleMartn';
const FAMILY_PHONE = '0700000001';
const lectoure = { code: '32208', name: 'Lectoure' };
const auch = { code: '32013', name: 'Auch' };

/** The columns that tie a row to a person: its account, its address, a file or a profile of theirs. */
const PERSONAL_COLUMNS = new Set(['user_id', 'email', 'to']);
const PERSONAL_TABLES = new Set(['users', 'candidates', 'ambassadors']);

/** The database's tables that hold something about an account (by column name or reference). */
async function personalTables(db: Db): Promise<string[]> {
  const tables = await db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const columns = await db.all<{ name: string }>(sql`SELECT name FROM pragma_table_info(${name})`);
    const references = await db.all<{ table: string }>(sql`SELECT "table" FROM pragma_foreign_key_list(${name})`);
    if (columns.some((c) => PERSONAL_COLUMNS.has(c.name)) || references.some((r) => PERSONAL_TABLES.has(r.table)))
      found.push(name);
  }
  return found;
}

/** Every secret the database holds, column by column: none may appear in any export. */
async function secrets(db: Db): Promise<Record<string, string[]>> {
  const of = async (query: ReturnType<typeof sql>) =>
    (await db.all<{ v: string | null }>(query)).map((r) => r.v).filter((v): v is string => !!v);
  const links = (await db.select({ text: outbox.text }).from(outbox)).flatMap((m) =>
    [...m.text.matchAll(/(?:jeton|token)=([^\s&]+)/g)].map((x) => decodeURIComponent(x[1]!)),
  );
  return {
    passwordHashes: await of(sql`SELECT password_hash AS v FROM users`),
    sessionIds: await of(sql`SELECT id AS v FROM sessions`),
    totpKeys: await of(sql`SELECT secret AS v FROM two_factor UNION ALL SELECT pending_secret FROM two_factor`),
    recoveryCodeHashes: await of(sql`SELECT code_hash AS v FROM recovery_codes`),
    emailTokenHashes: await of(sql`SELECT token_hash AS v FROM auth_tokens`),
    calendarHashes: await of(sql`SELECT token_hash AS v FROM calendar_feeds`),
    unsubscribeTokens: await of(sql`SELECT unsubscribe_token AS v FROM saved_searches`),
    alertTokens: await of(sql`SELECT token AS v FROM fibre_alerts`),
    introductionHashes: await of(sql`SELECT family_token_hash AS v FROM ambassador_introductions`),
    idempotencyKeys: await of(sql`SELECT idempotency_key AS v FROM outbox`),
    linksInEmails: links,
  };
}

/** A session, a TOTP key, recovery codes, an emailed link and a calendar feed, as the account's modules store them. */
async function securityRows(db: Db, user: SessionUser, tag: string) {
  const at = new Date(start).toISOString();
  await db.insert(sessions).values({
    id: `session-id-${tag}-0123456789abcdef`,
    userId: user.id,
    expiresAt: Math.floor(start / 1000) + 86_400,
    createdAt: start,
    lastActiveAt: start + 60_000,
    twoFactorVerified: true,
  });
  await db
    .insert(twoFactor)
    .values({
      userId: user.id,
      secret: `sealed-totp-${tag}-secret`,
      pendingSecret: `sealed-totp-${tag}-pending`,
      enabledAt: at,
      createdAt: at,
    })
    .onConflictDoNothing();
  await db.insert(recoveryCodes).values([
    { userId: user.id, codeHash: `recovery-hash-${tag}-1`, createdAt: at },
    { userId: user.id, codeHash: `recovery-hash-${tag}-2`, usedAt: at, createdAt: at },
  ]);
  await db.insert(authTokens).values({
    tokenHash: `email-link-hash-${tag}`,
    purpose: 'magic_link',
    userId: user.id,
    expiresAt: new Date(start + 900_000).toISOString(),
    createdAt: at,
  });
  await db
    .insert(calendarFeeds)
    .values({ userId: user.id, tokenHash: `calendar-hash-${tag}`, createdAt: at })
    .onConflictDoNothing();
}

async function setup() {
  const { db } = await testDb();
  const ctx = { db, clock: { now: () => new Date(start) }, siteUrl: 'https://cc.test' };
  const [lucie, famille, claire, other] = await actors(
    db,
    'agent.gers@demo.test',
    'famille@demo.test',
    'ambassadeur.gers@demo.test',
    'ambassadeur.manche@demo.test',
  );
  return { db, ctx, lucie, famille, claire, other };
}

describe('the data export names every table about an account', () => {
  it('each one with a user id, an address or a file of a person’s is exported or left out, for a reason', async () => {
    const { db, famille } = await setup();
    const { exported, leftOut } = ACCOUNT_DATA;
    const named = [...Object.keys(exported), ...Object.keys(leftOut)];
    // A new table about people must be decided on here (src/server/candidates/family.ts).
    const found = await personalTables(db);
    expect(found).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'ambassadors',
        'ambassador_introductions',
        'fibre_alerts',
        'outbox',
      ]),
    );
    expect(found.filter((t) => !named.includes(t))).toEqual([]);
    // No table is both, and each named one exists.
    expect(Object.keys(exported).filter((t) => t in leftOut)).toEqual([]);
    const tables = (
      await db.all<{ name: string }>(
        sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
      )
    ).map((t) => t.name);
    expect(named.filter((t) => !tables.includes(t))).toEqual([]);
    for (const reason of Object.values(leftOut)) expect(reason.length).toBeGreaterThan(10);
    // Each exported table's place is a key of the export.
    const data = await exportFamilyData(db, famille, new Date(start));
    for (const place of Object.values(exported)) expect(Object.keys(data)).toContain(/^\w+/.exec(place)![0]);
  });
});

describe('the data export', () => {
  it('holds the ambassador’s profile, story and introductions on both sides, fibre alerts, no secret', async () => {
    const { db, ctx, lucie, famille, claire, other } = await setup();
    const gers = (await ambassadorOf(db, claire.id))!;
    // Claire shares a phone; her story waits for changes the agent asked.
    await saveProfile(ctx, claire, {
      profession: 'Boulangère',
      languages: ['fr', 'es'],
      byEmail: 'yes',
      byPhone: 'yes',
      phone: '06 11 22 33 44',
      bestTimes: 'Le soir',
      presentation: 'Installés depuis un an.',
    });
    await saveStory(ctx, claire, { locale: 'fr', title: 'Notre premier hiver', body: 'Il a fait doux.' });
    const [story] = await db.select().from(ambassadorStories).where(eq(ambassadorStories.ambassadorId, gers.id));
    await moderateStory(ctx, lucie, 'changes', {
      story: story!.id,
      note: 'Un mot sur l’école ?',
      version: story!.updatedAt,
    });
    // The demo family's file is introduced to her; both accept: contacts go by email.
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, FAMILY_FILE));
    await db.update(candidates).set({ phone: FAMILY_PHONE }).where(eq(candidates.id, file!.id));
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id, note: 'Deux enfants, comme vous.' });
    const [intro] = await db.select().from(introductions);
    await answerAsFamily(ctx, famille, { introduction: intro!.id, answer: 'accepted' });
    await answerAsAmbassador(ctx, claire, { introduction: intro!.id, answer: 'accepted' });
    // Another candidate file's introduction still waits, with its one-time link (only its hash kept).
    const [waiting] = await db
      .select()
      .from(candidates)
      .where(
        and(eq(candidates.territoryCode, '32'), eq(candidates.stage, 'qualified'), isNull(candidates.anonymisedAt)),
      )
      .limit(1);
    await introduce(ctx, lucie, waiting!.publicId, { ambassador: gers.id });
    // Fibre alerts: the family's, signed in; one asked with its address signed out (not
    // confirmed); someone else's.
    await db
      .update(communeCoverage)
      .set({ ftthShare: 0 })
      .where(inArray(communeCoverage.communeCode, [lectoure.code, auch.code]));
    await subscribeFibreAlert(ctx, { user: famille, ip: '1.1.1.1', locale: 'fr' }, lectoure, { threshold: 'half' });
    await subscribeFibreAlert(ctx, { user: null, ip: '1.1.1.2', locale: 'en' }, auch, {
      threshold: 'most',
      email: 'famille@demo.test',
    });
    await subscribeFibreAlert(ctx, { user: other, ip: '1.1.1.3', locale: 'en' }, lectoure, { threshold: 'any' });
    await saveSearch(ctx, famille, { requete: 'fibre=1&type=logement', nom: 'Maisons fibrées' }, 'fr');
    await securityRows(db, famille, 'famille');
    await securityRows(db, claire, 'claire');

    const asFamily = await exportFamilyData(db, famille, new Date(start));
    const asAmbassador = await exportFamilyData(db, claire, new Date(start));

    // The existing keys stay.
    for (const data of [asFamily, asAmbassador])
      expect(Object.keys(data)).toEqual(
        expect.arrayContaining([
          'exportedAt',
          'account',
          'files',
          'favourites',
          'savedSearches',
          'offers',
          'businesses',
        ]),
      );

    // The ambassador: what she shares, her story with the moderators' message, the
    // introductions asked of her as she saw them (the household's size, the note).
    expect(asAmbassador.ambassador).toMatchObject({
      status: 'active',
      territoryCode: '32',
      profession: 'Boulangère',
      languages: ['fr', 'es'],
      byEmail: true,
      byPhone: true,
      byVideo: false,
      phone: '0611223344',
      bestTimes: 'Le soir',
      presentation: 'Installés depuis un an.',
      story: {
        title: 'Notre premier hiver',
        body: 'Il a fait doux.',
        status: 'changes_requested',
        moderationNote: 'Un mot sur l’école ?',
      },
    });
    const household = file!.household.adults + file!.household.children.length;
    expect(asAmbassador.ambassador!.introductions).toEqual([
      expect.objectContaining({
        householdSize: household,
        note: 'Deux enfants, comme vous.',
        status: 'accepted',
        answer: 'accepted',
      }),
      expect.objectContaining({
        householdSize: waiting!.household.adults + waiting!.household.children.length,
        note: null,
        status: 'pending',
        answer: null,
      }),
    ]);
    // …and nothing of who the families are, even after both accepted.
    const ambassadorText = JSON.stringify(asAmbassador);
    for (const s of ['famille@demo.test', FAMILY_PHONE, 'Famille Martin', FAMILY_FILE, waiting!.publicId])
      expect(ambassadorText).not.toContain(s);
    for (const s of [waiting!.name, waiting!.email, waiting!.phone]) if (s) expect(ambassadorText).not.toContain(s);

    // The candidate family: its file's introductions, the ambassador as it was shown her.
    expect(asFamily.ambassador).toBeNull();
    const mine = asFamily.files.find((f) => f.publicId === FAMILY_FILE)!;
    expect(mine.introductions).toEqual([
      {
        note: 'Deux enfants, comme vous.',
        status: 'accepted',
        answer: 'accepted',
        createdAt: new Date(start).toISOString(),
        updatedAt: new Date(start).toISOString(),
        ambassador: {
          name: 'Claire D.',
          profession: 'Boulangère',
          commune: expect.any(String),
          languages: ['fr', 'es'],
          presentation: 'Installés depuis un an.',
        },
      },
    ]);
    const familyText = JSON.stringify(asFamily);
    for (const s of ['ambassadeur.gers@demo.test', '0611223344', 'Claire Dubois', 'Le soir'])
      expect(familyText).not.toContain(s);
    expect(familyText).not.toContain('ambassadorAnswer');

    expect(asFamily.savedSearches).toEqual([expect.objectContaining({ name: 'Maisons fibrées', alerts: true })]);

    // Fibre alerts: by the account and by its address, not another person's.
    expect(asFamily.fibreAlerts).toEqual([
      expect.objectContaining({
        email: 'famille@demo.test',
        communeCode: lectoure.code,
        commune: 'Lectoure',
        threshold: 'half',
        confirmedAt: expect.any(String),
      }),
      expect.objectContaining({ communeCode: auch.code, threshold: 'most', locale: 'en', confirmedAt: null }),
    ]);
    expect(asAmbassador.fibreAlerts).toEqual([]);

    // The emails sent to the address: what and when, not their texts.
    expect(asFamily.emails.map((m) => m.template)).toEqual(
      expect.arrayContaining(['introduction_for_family', 'introduction_contacts_for_family', 'fibre_alert_confirm']),
    );
    expect(asAmbassador.emails.map((m) => m.template)).toContain('introduction_contacts_for_ambassador');

    // Security: dates and counts, never a secret.
    expect(asFamily.security).toMatchObject({
      sessions: [
        {
          startedAt: new Date(start).toISOString(),
          lastActiveAt: new Date(start + 60_000).toISOString(),
          secondStep: true,
        },
      ],
      twoFactorEnabledAt: new Date(start).toISOString(),
      recoveryCodesLeft: 1,
      emailLinks: [{ purpose: 'magic_link', usedAt: null }],
      calendarFeedCreatedAt: new Date(start).toISOString(),
    });
    const held = await secrets(db);
    for (const [kind, values] of Object.entries(held)) {
      // Each kind is there to be looked for (the demo's password hashes, the rows above, the links emailed).
      expect(values.length, kind).toBeGreaterThan(0);
      for (const value of values) {
        expect(familyText, kind).not.toContain(value);
        expect(ambassadorText, kind).not.toContain(value);
      }
    }
    for (const text of [familyText, ambassadorText])
      expect(text).not.toMatch(/"(passwordHash|tokenHash|codeHash|token|secret|pendingSecret|idempotencyKey)"/);
  });

  it('holds an owner’s offers with their photos’ addresses and the agents’ last message to them', async () => {
    const { db, ctx } = await setup();
    const [owner, gers, manche] = await actors(
      db,
      'proprietaire@demo.test',
      'agent.gers@demo.test',
      'agent.manche@demo.test',
    );
    const [pending] = await db
      .select()
      .from(offers)
      .where(and(eq(offers.ownerId, owner!.id), eq(offers.moderation, 'pending')))
      .limit(1);
    expect(pending).toBeDefined();
    const agent = pending!.territoryCode === '32' ? gers! : manche!;
    await moderateOffer(ctx, agent, pending!.id, 'changes', { note: 'Une photo de la façade ?' });
    // Photos of the offer (its territory's staff adds them): whatever it had, and one more.
    const [any] = await db.select().from(offerPhotos).limit(1);
    await db.insert(offerPhotos).values({
      offerId: pending!.id,
      storageKey: any!.storageKey,
      width: 1600,
      height: 1200,
      alt: 'La façade côté jardin',
      position: 99,
    });
    const photos = await db
      .select()
      .from(offerPhotos)
      .where(eq(offerPhotos.offerId, pending!.id))
      .orderBy(asc(offerPhotos.position), asc(offerPhotos.id));

    const data = await exportFamilyData(db, owner!, new Date(start), 'https://cc.test/');
    const exported = data.offers.find((o) => o.id === pending!.id)!;
    expect(exported.lastNote).toBe('Une photo de la façade ?');
    expect(exported.photos).toEqual(
      photos.map((p) => ({
        position: p.position,
        alt: p.alt,
        width: p.width,
        height: p.height,
        url: `https://cc.test${photoUrl({ id: p.id, storageKey: p.storageKey }, 1280)}`,
      })),
    );
    expect(exported.photos.at(-1)).toMatchObject({ alt: 'La façade côté jardin', width: 1600, height: 1200 });
    // Not the file's name on disk; an offer without a message says so.
    expect(JSON.stringify(data)).not.toContain(any!.storageKey);
    expect(data.offers.filter((o) => o.id !== pending!.id).every((o) => o.lastNote === null)).toBe(true);
  });

  it('names no other family’s file in its timeline: a duplicate event keeps only the family’s own', async () => {
    const { db, ctx, famille } = await setup();
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, FAMILY_FILE));
    const [other] = await db
      .select()
      .from(candidates)
      .where(
        and(eq(candidates.territoryCode, '32'), isNull(candidates.anonymisedAt), ne(candidates.email, famille.email)),
      )
      .limit(1);
    // The family filed twice: its second file is linked to its first.
    await createEnquiry(
      ctx,
      {
        name: 'Famille Martin',
        email: famille.email,
        adults: '2',
        children: '',
        wishedTerritories: ['32'],
        consent: 'yes',
        locale: 'fr',
      },
      '9.9.9.9',
    );
    // Agents marked its file a duplicate of another household's, merged a third into it, then cleared it.
    const at = new Date(start).toISOString();
    await db.insert(candidateEvents).values([
      { candidateId: file!.id, kind: 'duplicate', data: { of: other!.publicId, name: other!.name }, at },
      {
        candidateId: file!.id,
        kind: 'duplicate',
        data: { merged: other!.publicId, name: other!.name, email: other!.email },
        at,
      },
      { candidateId: file!.id, kind: 'duplicate', data: { cleared: true }, at },
    ]);
    const data = await exportFamilyData(db, famille, new Date(start));
    const duplicates = data.files.flatMap((f) => f.timeline.filter((e) => e.kind === 'duplicate').map((e) => e.data));
    expect(duplicates).toEqual(expect.arrayContaining([{}, {}, { cleared: true }, { of: FAMILY_FILE }]));
    expect(duplicates).toHaveLength(4);
    const text = JSON.stringify(data);
    for (const s of [other!.publicId, other!.name, other!.email]) expect(text).not.toContain(s);
  });

  it('of a member of staff holds their account and territories, and no family’s data', async () => {
    const { db, ctx, lucie, famille, claire } = await setup();
    const gers = (await ambassadorOf(db, claire.id))!;
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id, note: 'Une note' });
    await securityRows(db, lucie, 'lucie');
    const data = await exportFamilyData(db, lucie, new Date(start));
    expect(data.account).toMatchObject({ email: 'agent.gers@demo.test', role: 'agent', territories: ['32'] });
    expect(data.files).toEqual([]);
    expect(data.ambassador).toBeNull();
    expect(data.security.recoveryCodesLeft).toBe(1);
    const text = JSON.stringify(data);
    for (const s of [famille.email, claire.email, 'Une note', 'session-id-lucie', 'sealed-totp-lucie', 'calendar-hash'])
      expect(text).not.toContain(s);
  });
});
