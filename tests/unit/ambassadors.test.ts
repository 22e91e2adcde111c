// Ambassadors (decision 024): opting in only when settled, stories and their moderation,
// introductions within the file's territory, both consents before any contact detail, a
// refusal ends it, leaving and erasure. Real temporary databases, the demo seed's accounts.
import { and, eq, gt } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import {
  ambassadorStories,
  ambassadors,
  candidateEvents,
  candidates,
  introductions,
  outbox,
} from '../../db/schema/index.ts';
import {
  ambassadorAccount,
  ambassadorOf,
  moderateStory,
  publicStories,
  saveProfile,
  saveStory,
  setStatus,
  shortName,
} from '../../src/server/ambassadors/ambassadors.ts';
import {
  accountIntroductions,
  answerAsAmbassador,
  answerAsFamily,
  answerByToken,
  introduce,
  introductionByToken,
  territoryAmbassadors,
} from '../../src/server/ambassadors/introductions.ts';
import { Conflict, Forbidden, Invalid, NotFound, RateLimited } from '../../src/server/errors.ts';
import { hit, hitsOf, LIMITS } from '../../src/server/accounts/rate-limit.ts';
import { eraseFamily } from '../../src/server/family/erase.ts';
import { actors, testDb } from '../helpers/db.ts';

const start = Date.UTC(2026, 10, 23, 9);
const FAMILY_FILE = 'demoFamilleMartn';

async function setup() {
  const { db } = await testDb();
  const ctx = { db, clock: { now: () => new Date(start) }, siteUrl: 'https://cc.test' };
  const [lucie, yann, famille, claire, thomas] = await actors(
    db,
    'agent.gers@demo.test',
    'agent.manche@demo.test',
    'famille@demo.test',
    'ambassadeur.gers@demo.test',
    'ambassadeur.manche@demo.test',
  );
  const gers = (await ambassadorOf(db, claire.id))!;
  const manche = (await ambassadorOf(db, thomas.id))!;
  return { db, ctx, lucie, yann, famille, claire, thomas, gers, manche };
}

/** The ambassador's story as stored. */
const storyOf = async (db: Db, ambassadorId: number) =>
  (await db.select().from(ambassadorStories).where(eq(ambassadorStories.ambassadorId, ambassadorId)))[0]!;

/** The emails written since `afterId`. */
const mailsAfter = (db: Db, afterId: number) => db.select().from(outbox).where(gt(outbox.id, afterId));
const lastMailId = async (db: Db) =>
  (await db.select({ id: outbox.id }).from(outbox)).reduce((m, r) => Math.max(m, r.id), 0);
const tokenIn = (text: string) => decodeURIComponent(/jeton=([^\s&]+)/.exec(text)![1]!);

const profile = {
  profession: 'Boulangère',
  languages: ['fr', 'es'],
  byEmail: 'yes',
  byPhone: 'yes',
  phone: '06 11 22 33 44',
  bestTimes: 'Le soir',
  presentation: 'Installés depuis un an.',
};

describe('the demo ambassadors', () => {
  it('are settled families with an approved story on their territory page, no contact in it', async () => {
    const { db, gers, manche } = await setup();
    expect(gers.territoryCode).toBe('32');
    expect(manche.territoryCode).toBe('50');
    const [file] = await db.select().from(candidates).where(eq(candidates.id, gers.candidateId));
    expect(file!.stage).toBe('settled');
    const stories = await publicStories(db, '32');
    expect(stories).toHaveLength(1);
    expect(stories[0]!.author).toBe('Claire D.');
    expect(JSON.stringify(stories)).not.toMatch(/@|0612345678/);
    expect((await publicStories(db, '50'))[0]!.locale).toBe('en');
  });

  it('shortName keeps a first name and an initial', () => {
    expect(shortName('Claire Dubois')).toBe('Claire D.');
    expect(shortName('Anne Marie de la Tour')).toBe('Anne T.');
    expect(shortName('Solo')).toBe('Solo');
  });
});

describe('opting in', () => {
  it('is only for a family whose file is settled', async () => {
    const { ctx, db, famille, lucie, claire } = await setup();
    await expect(saveProfile(ctx, famille, profile)).rejects.toBeInstanceOf(Forbidden);
    await expect(saveProfile(ctx, lucie, profile)).rejects.toBeInstanceOf(Forbidden);
    expect(await ambassadorAccount(db, famille)).toBeNull();
    await saveProfile(ctx, claire, profile);
    const me = (await ambassadorOf(db, claire.id))!;
    expect(me).toMatchObject({
      profession: 'Boulangère',
      languages: ['fr', 'es'],
      phone: '0611223344',
      byVideo: false,
    });
  });

  it('refuses bad input with one error per field and changes nothing', async () => {
    const { ctx, db, claire } = await setup();
    const before = await ambassadorOf(db, claire.id);
    const bad = { ...profile, languages: [], byEmail: '', byPhone: '', presentation: ' ' };
    const error = await saveProfile(ctx, claire, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).errors.map((e) => e.field).sort()).toEqual(['byEmail', 'languages', 'presentation']);
    await expect(saveProfile(ctx, claire, { ...profile, byEmail: '', byPhone: '' })).rejects.toMatchObject({
      errors: [{ field: 'byEmail', key: 'errors.ambassador_contact_required' }],
    });
    await expect(saveProfile(ctx, claire, { ...profile, phone: '' })).rejects.toMatchObject({
      errors: [{ field: 'phone', key: 'errors.ambassador_phone_required' }],
    });
    await expect(saveProfile(ctx, claire, { ...profile, languages: ['xx'] })).rejects.toBeInstanceOf(Invalid);
    expect(await ambassadorOf(db, claire.id)).toEqual(before);
  });
});

describe('stories', () => {
  it('wait for the territory’s moderation; only its staff decide, with a message to refuse', async () => {
    const { ctx, db, claire, lucie, yann, gers } = await setup();
    const before = await lastMailId(db);
    await saveStory(ctx, claire, { locale: 'en', title: 'Our first winter', body: 'It was mild.' });
    // The Gers' staff are told it waits (the Manche's are not).
    const told = await mailsAfter(db, before);
    expect(told.map((m) => [m.to, m.template]).sort()).toEqual([
      ['agent.gers@demo.test', 'story_submitted'],
      ['direction.gers@demo.test', 'story_submitted'],
    ]);
    expect(told[0]!.text).toContain('/agent/ambassadeurs');
    expect(told[0]!.text).not.toContain('ambassadeur.gers@demo.test');
    const story = await storyOf(db, gers.id);
    expect(story.status).toBe('pending');
    // An edited story leaves the page until approved again.
    expect(await publicStories(db, '32')).toHaveLength(0);
    const read = { story: story.id, version: story.updatedAt };
    await expect(moderateStory(ctx, yann, 'approve', read)).rejects.toBeInstanceOf(NotFound);
    await expect(moderateStory(ctx, lucie, 'reject', read)).rejects.toMatchObject({
      errors: [{ field: 'note' }],
    });
    const mark = await lastMailId(db);
    await moderateStory(ctx, lucie, 'changes', { ...read, note: 'Un peu plus long ?' });
    const [mail] = await mailsAfter(db, mark);
    expect(mail).toMatchObject({ to: 'ambassadeur.gers@demo.test', template: 'story_changes_requested' });
    expect(mail!.text).toContain('Un peu plus long ?');
    // Decided already (another agent, a second click): said so.
    await expect(moderateStory(ctx, lucie, 'approve', read)).rejects.toMatchObject({
      key: 'errors.story_already_decided',
    });
    await saveStory(ctx, claire, { locale: 'en', title: 'Our first winter', body: 'It was mild, and long.' });
    await moderateStory(ctx, lucie, 'approve', { story: story.id, version: (await storyOf(db, gers.id)).updatedAt });
    expect((await publicStories(db, '32')).map((s) => s.title)).toEqual(['Our first winter']);
    await expect(saveStory(ctx, claire, { locale: 'de', title: '', body: '' })).rejects.toBeInstanceOf(Invalid);
  });

  it('an agent decides on the version they read: a story changed meanwhile is a 409', async () => {
    const { ctx, db, claire, lucie, gers } = await setup();
    await saveStory(ctx, claire, { locale: 'fr', title: 'Notre hiver', body: 'Relu par l’agent.' });
    const read = await storyOf(db, gers.id);
    // Changed while the agent reads the first version (a later clock: another updatedAt).
    const later = { ...ctx, clock: { now: () => new Date(start + 60_000) } };
    await saveStory(later, claire, { locale: 'fr', title: 'Notre hiver', body: 'Jamais relu : http://spam.test' });
    await expect(
      moderateStory(ctx, lucie, 'approve', { story: read.id, version: read.updatedAt }),
    ).rejects.toMatchObject({ key: 'errors.story_changed' });
    // A decision that names no version applies to none.
    await expect(moderateStory(ctx, lucie, 'approve', { story: read.id })).rejects.toBeInstanceOf(Conflict);
    expect(await storyOf(db, gers.id)).toMatchObject({ status: 'pending', body: 'Jamais relu : http://spam.test' });
    expect(await publicStories(db, '32')).toEqual([]);
    const now = await storyOf(db, gers.id);
    await moderateStory(ctx, lucie, 'reject', { story: now.id, version: now.updatedAt, note: 'Pas de lien.' });
    expect((await storyOf(db, gers.id)).status).toBe('rejected');
  });

  it('the same text saved again changes nothing; changed saves email the staff 10 times a day at most', async () => {
    const { ctx, db, claire, lucie, gers } = await setup();
    const text = { locale: 'fr', title: 'Notre hiver', body: 'Doux.' };
    expect(await saveStory(ctx, claire, text)).toBe(true);
    const first = await storyOf(db, gers.id);
    await moderateStory(ctx, lucie, 'approve', { story: first.id, version: first.updatedAt });
    const mark = await lastMailId(db);
    // Saved again as it is: still approved and online, nobody emailed.
    expect(await saveStory(ctx, claire, text)).toBe(false);
    expect((await storyOf(db, gers.id)).status).toBe('approved');
    expect((await publicStories(db, '32')).map((s) => s.title)).toEqual(['Notre hiver']);
    expect(await mailsAfter(db, mark)).toEqual([]);
    // Ten changed saves a day (the first counted), then a 429 that changes nothing.
    for (let i = 2; i <= LIMITS.storySavesPerAmbassador.max; i++)
      expect(await saveStory(ctx, claire, { ...text, body: `Doux, ${i}.` })).toBe(true);
    const before = await storyOf(db, gers.id);
    const mails = (await mailsAfter(db, mark)).length;
    await expect(saveStory(ctx, claire, { ...text, body: 'Encore.' })).rejects.toBeInstanceOf(RateLimited);
    expect(await storyOf(db, gers.id)).toEqual(before);
    expect(await mailsAfter(db, mark)).toHaveLength(mails);
  });

  it('a family that is not an ambassador writes none', async () => {
    const { ctx, famille } = await setup();
    await expect(saveStory(ctx, famille, { locale: 'fr', title: 'T', body: 'B' })).rejects.toBeInstanceOf(Forbidden);
  });
});

describe('introductions', () => {
  it('only to an active ambassador of the file’s territory, by its staff', async () => {
    const { ctx, lucie, yann, gers, manche, db } = await setup();
    await expect(introduce(ctx, lucie, FAMILY_FILE, { ambassador: manche.id })).rejects.toMatchObject({
      errors: [{ field: 'ambassador', key: 'errors.ambassador_unavailable' }],
    });
    await expect(introduce(ctx, yann, FAMILY_FILE, { ambassador: manche.id })).rejects.toBeInstanceOf(NotFound);
    expect((await territoryAmbassadors(db, '32')).map((a) => a.id)).toEqual([gers.id]);
    // A settled file is not a candidate any more.
    const [settled] = await db.select().from(candidates).where(eq(candidates.id, gers.candidateId));
    await expect(introduce(ctx, lucie, settled!.publicId, { ambassador: gers.id })).rejects.toMatchObject({
      errors: [{ key: 'errors.introduction_stage' }],
    });
    expect(await db.select().from(introductions)).toHaveLength(0);
  });

  it('exchange contact details only once both accepted, never before', async () => {
    const { ctx, db, lucie, famille, claire, gers } = await setup();
    await saveProfile(ctx, claire, { ...profile, byVideo: 'yes' });
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, FAMILY_FILE));
    await db.update(candidates).set({ phone: '0700000001' }).where(eq(candidates.id, file!.id));
    const mark = await lastMailId(db);
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id, note: 'Deux enfants, comme vous.' });
    await expect(introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id })).rejects.toMatchObject({
      errors: [{ key: 'errors.introduction_exists' }],
    });
    const asked = await mailsAfter(db, mark);
    expect(asked.map((m) => [m.to, m.template]).sort()).toEqual([
      ['ambassadeur.gers@demo.test', 'introduction_for_ambassador'],
      ['famille@demo.test', 'introduction_for_family'],
    ]);
    // Each side's email names nothing of the other's contact (nor, to the ambassador, who the family is).
    const secretsOf: Record<string, string[]> = {
      'famille@demo.test': ['ambassadeur.gers@demo.test', '0611223344', 'Dubois'],
      'ambassadeur.gers@demo.test': ['famille@demo.test', '0700000001', 'Martin'],
    };
    for (const m of asked) {
      const body = `${m.subject}\n${m.text}\n${m.html}`;
      for (const s of secretsOf[m.to]!) expect(body).not.toContain(s);
      expect(body).toContain('Deux enfants, comme vous.');
    }
    const familyMail = asked.find((m) => m.to === 'famille@demo.test')!;
    const token = tokenIn(familyMail.text);
    const found = await introductionByToken(db, token, new Date(start));
    expect(found).toMatchObject({ shortName: 'Claire D.', profession: 'Boulangère' });
    expect(JSON.stringify(found)).not.toMatch(/@|0611223344/);
    // What /compte lists on either side: no contact either.
    const lists = [await accountIntroductions(db, famille), await accountIntroductions(db, claire)];
    expect(JSON.stringify(lists)).not.toMatch(/@|0611223344|0700000001|Famille Martin/);

    await answerByToken(ctx, token, { answer: 'accepted' });
    // The link worked once.
    expect(await introductionByToken(db, token, new Date(start))).toBeNull();
    await expect(answerByToken(ctx, token, { answer: 'accepted' })).rejects.toBeInstanceOf(NotFound);
    expect(await mailsAfter(db, mark)).toHaveLength(2);
    const [intro] = await db.select().from(introductions);
    await expect(answerAsFamily(ctx, famille, { introduction: intro!.id, answer: 'declined' })).rejects.toBeInstanceOf(
      Conflict,
    );

    await answerAsAmbassador(ctx, claire, { introduction: intro!.id, answer: 'accepted' });
    const contacts = (await mailsAfter(db, mark)).slice(2);
    const toFamily = contacts.find((m) => m.template === 'introduction_contacts_for_family')!;
    const toAmbassador = contacts.find((m) => m.template === 'introduction_contacts_for_ambassador')!;
    expect(toFamily.to).toBe('famille@demo.test');
    expect(toFamily.text).toContain('ambassadeur.gers@demo.test');
    expect(toFamily.text).toContain('0611223344');
    expect(toFamily.text).toContain('appel vidéo');
    expect(toAmbassador.to).toBe('ambassadeur.gers@demo.test');
    expect(toAmbassador.text).toContain('famille@demo.test');
    expect(toAmbassador.text).toContain('0700000001');
    const [done] = await db.select().from(introductions);
    expect(done).toMatchObject({ status: 'accepted', familyTokenHash: null });
    const events = await db
      .select({ data: candidateEvents.data })
      .from(candidateEvents)
      .where(and(eq(candidateEvents.candidateId, file!.id), eq(candidateEvents.kind, 'introduction')))
      .orderBy(candidateEvents.id);
    expect(events.map((e) => e.data.kind)).toEqual(['proposed', 'answered', 'answered', 'accepted']);
  });

  it('ends when either side declines; nothing is sent; another family cannot answer', async () => {
    const { ctx, db, lucie, claire, thomas, gers } = await setup();
    const mark = await lastMailId(db);
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id });
    const [intro] = await db.select().from(introductions);
    await expect(answerAsFamily(ctx, claire, { introduction: intro!.id, answer: 'accepted' })).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(
      answerAsAmbassador(ctx, thomas, { introduction: intro!.id, answer: 'accepted' }),
    ).rejects.toBeInstanceOf(NotFound);
    await answerAsAmbassador(ctx, claire, { introduction: intro!.id, answer: 'declined' });
    const [ended] = await db.select().from(introductions);
    expect(ended).toMatchObject({ status: 'declined', familyTokenHash: null });
    const token = tokenIn((await mailsAfter(db, mark)).find((m) => m.template === 'introduction_for_family')!.text);
    await expect(answerByToken(ctx, token, { answer: 'accepted' })).rejects.toBeInstanceOf(NotFound);
    expect((await mailsAfter(db, mark)).map((m) => m.template).sort()).toEqual([
      'introduction_for_ambassador',
      'introduction_for_family',
    ]);
    // Once ended, a new introduction to the same ambassador may be made.
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id });
  });

  it('none to an ambassador who paused; leaving cancels those waiting and hides the story', async () => {
    const { ctx, db, lucie, claire, gers } = await setup();
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id });
    await setStatus(ctx, claire, { status: 'paused' });
    expect(await territoryAmbassadors(db, '32')).toHaveLength(0);
    await expect(introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id })).rejects.toBeInstanceOf(Invalid);
    expect(await publicStories(db, '32')).toHaveLength(1);
    await setStatus(ctx, claire, { status: 'left' });
    expect(await publicStories(db, '32')).toHaveLength(0);
    const [intro] = await db.select().from(introductions);
    expect(intro!.status).toBe('cancelled');
    await expect(setStatus(ctx, claire, { status: 'active' })).rejects.toBeInstanceOf(Invalid);
    // Opting in again makes the profile active.
    await saveProfile(ctx, claire, profile);
    expect((await ambassadorOf(db, claire.id))!.status).toBe('active');
  });

  it('an agent’s introductions are rate-limited; a refused one is not counted', async () => {
    const { ctx, db, lucie, gers } = await setup();
    // 29 introductions sent today, as the limit counts them.
    const key = `introductions:agent:${lucie.id}`;
    for (let i = 0; i < LIMITS.introductionsPerAgent.max - 1; i++)
      await hit(db, key, LIMITS.introductionsPerAgent, ctx.clock);
    // Refused ones email nobody and leave the count as it was.
    for (let i = 0; i < 5; i++)
      await expect(introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id + 1000 })).rejects.toBeInstanceOf(Invalid);
    expect(await hitsOf(db, key, LIMITS.introductionsPerAgent, ctx.clock)).toBe(29);
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id });
    await expect(introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id })).rejects.toMatchObject({
      status: 429,
    });
    expect(await db.select().from(introductions)).toHaveLength(1);
  });
});

describe('erasure', () => {
  it('an erased family stops being an ambassador: profile, story and introductions go', async () => {
    const { ctx, db, lucie, claire, gers } = await setup();
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id, note: 'Un mot' });
    await eraseFamily(ctx, claire, { confirm: 'yes' });
    expect(await db.select().from(ambassadors).where(eq(ambassadors.id, gers.id))).toHaveLength(0);
    expect(await db.select().from(ambassadorStories).where(eq(ambassadorStories.ambassadorId, gers.id))).toHaveLength(
      0,
    );
    expect(await db.select().from(introductions)).toHaveLength(0);
    expect(await publicStories(db, '32')).toHaveLength(0);
  });

  it('an erased candidate family’s introductions go (the agent’s note with them)', async () => {
    const { ctx, db, lucie, famille, gers } = await setup();
    await introduce(ctx, lucie, FAMILY_FILE, { ambassador: gers.id, note: 'Un mot' });
    await eraseFamily(ctx, famille, { confirm: 'yes' });
    expect(await db.select().from(introductions)).toHaveLength(0);
    expect(await ambassadorOf(db, gers.userId)).not.toBeNull();
  });
});
