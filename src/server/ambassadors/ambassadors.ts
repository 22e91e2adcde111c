// Ambassadors (decision 024): settled families who agreed to talk with candidate families.
// The family's side (opt in, pause, leave, its story), the staff's (the territory's
// ambassadors, moderating stories) and the public's (approved stories, never a contact).
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  ambassadorStories,
  ambassadors,
  communes,
  introductions,
  territories,
  users,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Conflict, Forbidden, Invalid, NotFound, RateLimited } from '../errors.ts';
import { hit, LIMITS } from '../accounts/rate-limit.ts';
import { parseInput } from '../input.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { isFamily, mayBeAmbassador, mayModerateStories, territoryCondition } from '../policy.ts';
import { familyFile } from '../candidates/family.ts';
import { addEvent, assignableStaff } from '../candidates/commands.ts';
import { ProfileSchema, StatusSchema, StorySchema, StoryModerationSchema } from './schemas.ts';

export interface AmbassadorsContext {
  db: Db;
  clock: Clock;
  siteUrl: string;
}

export type AmbassadorRow = typeof ambassadors.$inferSelect;

const site = (ctx: AmbassadorsContext) => ctx.siteUrl.replace(/\/$/, '');
export const accountUrl = (ctx: AmbassadorsContext, locale: 'fr' | 'en', hash = '#ambassadeur') =>
  `${site(ctx)}${locale === 'en' ? '/en' : ''}/compte${hash}`;

/** "Claire M.": the first name and the initial of the last, what others see of an ambassador. */
export function shortName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return words[0] ?? '';
  return `${words[0]} ${words[words.length - 1]!.charAt(0).toUpperCase()}.`;
}

/** The account's ambassador row, if it ever opted in. */
export async function ambassadorOf(db: Db | Tx, userId: number): Promise<AmbassadorRow | null> {
  const [row] = await db.select().from(ambassadors).where(eq(ambassadors.userId, userId));
  return row ?? null;
}

/** The account's file, when it may be an ambassador (a family whose file is settled in a commune). */
async function settledFile(db: Db, user: SessionUser) {
  const file = await familyFile(db, user);
  if (!file || !mayBeAmbassador(user, file.stage) || !file.territoryCode || !file.settledCommuneCode)
    throw new Forbidden();
  return { ...file, territoryCode: file.territoryCode, settledCommuneCode: file.settledCommuneCode };
}

/** Opting in, or changing what one shares: the profile is (again) active unless paused. */
export async function saveProfile(ctx: AmbassadorsContext, user: SessionUser, input: unknown): Promise<void> {
  const file = await settledFile(ctx.db, user);
  const v = parseInput(ProfileSchema, input);
  const now = ctx.clock.now().toISOString();
  const values = {
    candidateId: file.id,
    territoryCode: file.territoryCode,
    communeCode: file.settledCommuneCode,
    profession: v.profession ?? null,
    languages: v.languages,
    byEmail: v.byEmail,
    byPhone: v.byPhone,
    byVideo: v.byVideo,
    phone: v.phone ?? null,
    bestTimes: v.bestTimes ?? null,
    presentation: v.presentation,
    updatedAt: now,
  };
  await ctx.db
    .insert(ambassadors)
    .values({ ...values, userId: user.id, status: 'active', createdAt: now })
    .onConflictDoUpdate({
      target: ambassadors.userId,
      set: { ...values, status: sql`CASE WHEN ${ambassadors.status} = 'paused' THEN 'paused' ELSE 'active' END` },
    });
}

/** Pausing (no new introductions), resuming, or leaving (introductions waiting end, the story is hidden). */
export async function setStatus(ctx: AmbassadorsContext, user: SessionUser, input: unknown): Promise<void> {
  if (!isFamily(user)) throw new Forbidden();
  const { status } = parseInput(StatusSchema, input);
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    const me = await ambassadorOf(tx, user.id);
    if (!me) throw new NotFound('ambassador');
    if (status === 'active' && me.status === 'left')
      throw new Invalid([{ field: 'status', key: 'errors.invalid_enum' }]);
    await tx.update(ambassadors).set({ status, updatedAt: now }).where(eq(ambassadors.id, me.id));
    if (status === 'left') {
      const waiting = await tx
        .update(introductions)
        .set({ status: 'cancelled', familyTokenHash: null, updatedAt: now })
        .where(and(eq(introductions.ambassadorId, me.id), eq(introductions.status, 'pending')))
        .returning({ candidateId: introductions.candidateId });
      for (const w of waiting) await addEvent(tx, w.candidateId, 'introduction', { kind: 'cancelled' }, null, now);
    }
  });
}

/**
 * The ambassador's story, new or edited: it waits for the territory's moderation again, and
 * the staff are emailed (10 changed saves a day at most). The same text saved again changes
 * nothing: an approved story stays online. Returns whether it was saved.
 */
export async function saveStory(ctx: AmbassadorsContext, user: SessionUser, input: unknown): Promise<boolean> {
  if (!isFamily(user)) throw new Forbidden();
  const me = await ambassadorOf(ctx.db, user.id);
  if (!me || me.status === 'left') throw new Forbidden();
  const v = parseInput(StorySchema, input);
  const [current] = await ctx.db
    .select({ locale: ambassadorStories.locale, title: ambassadorStories.title, body: ambassadorStories.body })
    .from(ambassadorStories)
    .where(eq(ambassadorStories.ambassadorId, me.id));
  if (current && current.locale === v.locale && current.title === v.title && current.body === v.body) return false;
  const limit = await hit(ctx.db, `stories:ambassador:${me.id}`, LIMITS.storySavesPerAmbassador, ctx.clock);
  if (!limit.allowed) throw new RateLimited(limit.retryAfter);
  const now = ctx.clock.now().toISOString();
  const values = {
    ...v,
    status: 'pending' as const,
    moderationNote: null,
    moderatedById: null,
    moderatedAt: null,
    updatedAt: now,
  };
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(ambassadorStories)
      .values({ ...values, ambassadorId: me.id, createdAt: now })
      .onConflictDoUpdate({ target: ambassadorStories.ambassadorId, set: values });
    // The territory's staff are told it waits, as for an owner's offer.
    for (const member of await assignableStaff(tx, me.territoryCode))
      await enqueueMail(tx, ctx.clock, {
        to: member.email,
        template: 'story_submitted',
        locale: member.locale,
        params: {
          name: member.name,
          ambassador: shortName(user.name),
          story: v.title,
          url: `${site(ctx)}/agent/ambassadeurs`,
        },
      });
  });
  return true;
}

/** What /compte shows of the programme: whether the family may join, its profile and story. */
export async function ambassadorAccount(db: Db, user: SessionUser) {
  const file = await familyFile(db, user);
  const me = isFamily(user) ? await ambassadorOf(db, user.id) : null;
  const eligible = !!file && mayBeAmbassador(user, file.stage) && !!file.settledCommuneCode && !!file.territoryCode;
  if (!eligible && !me) return null;
  const communeCode = me?.communeCode ?? file?.settledCommuneCode ?? null;
  const [commune] = communeCode
    ? await db.select({ name: communes.name }).from(communes).where(eq(communes.code, communeCode))
    : [];
  const [story] = me ? await db.select().from(ambassadorStories).where(eq(ambassadorStories.ambassadorId, me.id)) : [];
  const profession = file?.professions.find((p) => p.profession)?.profession ?? null;
  return {
    eligible,
    communeName: commune?.name ?? '',
    /** What the form starts with before the first opt-in. */
    defaults: { profession: profession ?? '', phone: file?.phone ?? '' },
    ambassador: me,
    story: story ?? null,
  };
}

/** The territories' ambassadors for their staff (/agent/ambassadeurs), stories to moderate first. */
export async function staffAmbassadors(db: Db, actor: SessionUser) {
  if (!mayModerateStories(actor)) throw new Forbidden();
  const rows = await db
    .select({
      id: ambassadors.id,
      name: users.name,
      status: ambassadors.status,
      territoryName: territories.name,
      communeName: communes.name,
      profession: ambassadors.profession,
      languages: ambassadors.languages,
      byEmail: ambassadors.byEmail,
      byPhone: ambassadors.byPhone,
      byVideo: ambassadors.byVideo,
      presentation: ambassadors.presentation,
      storyId: ambassadorStories.id,
      storyTitle: ambassadorStories.title,
      storyBody: ambassadorStories.body,
      storyLocale: ambassadorStories.locale,
      storyStatus: ambassadorStories.status,
      storyNote: ambassadorStories.moderationNote,
      storyUpdatedAt: ambassadorStories.updatedAt,
      introductions: sql<number>`(SELECT count(*) FROM ${introductions} WHERE ${introductions.ambassadorId} = ${ambassadors.id})`,
    })
    .from(ambassadors)
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .innerJoin(territories, eq(territories.code, ambassadors.territoryCode))
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .leftJoin(ambassadorStories, eq(ambassadorStories.ambassadorId, ambassadors.id))
    .where(and(territoryCondition(actor, ambassadors.territoryCode), ne(ambassadors.status, 'left')))
    .orderBy(desc(sql`${ambassadorStories.status} = 'pending'`), territories.name, users.name);
  return {
    toModerate: rows.filter((r) => r.storyStatus === 'pending'),
    ambassadors: rows.map((r) => ({ ...r, shortName: shortName(r.name) })),
  };
}

export type ModerationDecision = 'approve' | 'changes' | 'reject';

/** A story approved, sent back for changes or rejected, with a message; the ambassador is emailed. */
export async function moderateStory(
  ctx: AmbassadorsContext,
  actor: SessionUser,
  decision: ModerationDecision,
  input: unknown,
): Promise<void> {
  const { story: storyId, note, version } = parseInput(StoryModerationSchema, input);
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        story: ambassadorStories,
        territoryCode: ambassadors.territoryCode,
        email: users.email,
        name: users.name,
        locale: users.locale,
      })
      .from(ambassadorStories)
      .innerJoin(ambassadors, eq(ambassadors.id, ambassadorStories.ambassadorId))
      .innerJoin(users, eq(users.id, ambassadors.userId))
      .where(and(eq(ambassadorStories.id, storyId), ne(ambassadors.status, 'left')));
    // Another territory's story looks exactly like one that does not exist.
    if (!row || !mayModerateStories(actor, row.territoryCode)) throw new NotFound('story');
    // Decided by another agent (or a second click), or changed by the ambassador since the agent read it.
    if (row.story.status !== 'pending') throw new Conflict('errors.story_already_decided');
    if (version !== row.story.updatedAt) throw new Conflict('errors.story_changed');
    if (decision !== 'approve' && !note) throw new Invalid([{ field: 'note', key: 'errors.story_note_required' }]);
    const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'changes_requested';
    await tx
      .update(ambassadorStories)
      .set({ status, moderationNote: note ?? null, moderatedById: actor.id, moderatedAt: now, updatedAt: now })
      .where(eq(ambassadorStories.id, storyId));
    await enqueueMail(tx, ctx.clock, {
      to: row.email,
      template: `story_${status}`,
      locale: row.locale,
      params: { name: row.name, story: row.story.title, note: note ?? '', url: accountUrl(ctx, row.locale, '#recit') },
    });
  });
}

export interface PublicStory {
  id: number;
  title: string;
  body: string;
  locale: 'fr' | 'en';
  author: string;
  communeName: string;
  profession: string | null;
}

/** The approved stories of a territory's ambassadors who did not leave: no contact, no address. */
export async function publicStories(db: Db, territoryCode: string): Promise<PublicStory[]> {
  const rows = await db
    .select({
      id: ambassadorStories.id,
      title: ambassadorStories.title,
      body: ambassadorStories.body,
      locale: ambassadorStories.locale,
      name: users.name,
      communeName: communes.name,
      profession: ambassadors.profession,
    })
    .from(ambassadorStories)
    .innerJoin(ambassadors, eq(ambassadors.id, ambassadorStories.ambassadorId))
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .where(
      and(
        eq(ambassadors.territoryCode, territoryCode),
        inArray(ambassadors.status, ['active', 'paused']),
        eq(ambassadorStories.status, 'approved'),
      ),
    )
    .orderBy(desc(ambassadorStories.moderatedAt));
  return rows.map(({ name, ...r }) => ({ ...r, author: shortName(name) }));
}
