// Introductions (decision 024): an agent introduces a candidate file to one of its
// territory's active ambassadors. Both sides answer — the family through a one-time link or
// on /compte, the ambassador on /compte —; only when both accepted does each receive the
// other's contact details, as the ambassador chose to share them. Before that no address is
// shown or sent anywhere. Every step is on the file's timeline.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { ambassadors, candidates, communes, introductions, users } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { hit, LIMITS, refund } from '../accounts/rate-limit.ts';
import { addEvent, changeFile, type CandidateRow } from '../candidates/commands.ts';
import { familyFile } from '../candidates/family.ts';
import { mailFamily } from '../candidates/notify.ts';
import { Conflict, Forbidden, Invalid, NotFound, RateLimited } from '../errors.ts';
import { parseInput } from '../input.ts';
import { contactLines } from '../mail/templates.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { isFamily, mayIntroduce } from '../policy.ts';
import { DAY_MS } from '../../lib/time.ts';
import { accountUrl, ambassadorOf, shortName, type AmbassadorsContext } from './ambassadors.ts';
import { AnswerSchema, IntroductionSchema } from './schemas.ts';

/** The family's link works this long, and once. */
export const INTRODUCTION_LINK_MS = 30 * DAY_MS;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const introductionPath = (token: string) => `/mise-en-relation?jeton=${encodeURIComponent(token)}`;

/** Stages a file may be introduced at: a candidate, not yet settled nor withdrawn. */
const introducible = (stage: CandidateRow['stage']) => stage !== 'settled' && stage !== 'withdrawn';

/** The active ambassadors of a territory, as an agent's file box lists them (no contact). */
export async function territoryAmbassadors(db: Db | Tx, territoryCode: string) {
  const rows = await db
    .select({
      id: ambassadors.id,
      name: users.name,
      profession: ambassadors.profession,
      communeName: communes.name,
      languages: ambassadors.languages,
    })
    .from(ambassadors)
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .where(and(eq(ambassadors.territoryCode, territoryCode), eq(ambassadors.status, 'active')))
    .orderBy(asc(communes.name), asc(users.name));
  return rows.map(({ name, ...r }) => ({ ...r, shortName: shortName(name) }));
}

/** The file's introductions, for its page (the state of each, no contact). */
export async function fileIntroductions(db: Db, candidateId: number) {
  const rows = await db
    .select({
      id: introductions.id,
      status: introductions.status,
      familyAnswer: introductions.familyAnswer,
      ambassadorAnswer: introductions.ambassadorAnswer,
      createdAt: introductions.createdAt,
      name: users.name,
      communeName: communes.name,
    })
    .from(introductions)
    .innerJoin(ambassadors, eq(ambassadors.id, introductions.ambassadorId))
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .where(eq(introductions.candidateId, candidateId))
    .orderBy(desc(introductions.createdAt));
  return rows.map(({ name, ...r }) => ({ ...r, shortName: shortName(name) }));
}

/** An agent introduces the file to an ambassador of its territory; both are asked, by email. */
export async function introduce(
  ctx: AmbassadorsContext,
  actor: SessionUser,
  publicId: string,
  input: unknown,
): Promise<void> {
  const { ambassador: ambassadorId, note } = parseInput(IntroductionSchema, input);
  // Each introduction emails two people: counted before the transaction (which writes through
  // its own handle), and given back when it is refused, since nobody was emailed.
  const key = `introductions:agent:${actor.id}`;
  const r = await hit(ctx.db, key, LIMITS.introductionsPerAgent, ctx.clock);
  if (!r.allowed) throw new RateLimited(r.retryAfter);
  await sendIntroduction(ctx, actor, publicId, ambassadorId, note).catch(async (error: unknown) => {
    await refund(ctx.db, key);
    throw error;
  });
}

async function sendIntroduction(
  ctx: AmbassadorsContext,
  actor: SessionUser,
  publicId: string,
  ambassadorId: number,
  note: string | undefined,
): Promise<void> {
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (!file.territoryCode || !mayIntroduce(actor, file.territoryCode)) throw new NotFound('candidate');
    if (!introducible(file.stage)) throw new Invalid([{ field: 'ambassador', key: 'errors.introduction_stage' }]);
    const [amb] = await tx
      .select({ row: ambassadors, name: users.name, email: users.email, locale: users.locale, commune: communes.name })
      .from(ambassadors)
      .innerJoin(users, eq(users.id, ambassadors.userId))
      .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
      .where(
        and(
          eq(ambassadors.id, ambassadorId),
          eq(ambassadors.territoryCode, file.territoryCode),
          eq(ambassadors.status, 'active'),
        ),
      );
    // Another territory's ambassador, one who paused or left: not one the agent may choose.
    if (!amb) throw new Invalid([{ field: 'ambassador', key: 'errors.ambassador_unavailable' }]);
    const [open] = await tx
      .select({ id: introductions.id })
      .from(introductions)
      .where(
        and(
          eq(introductions.candidateId, file.id),
          eq(introductions.ambassadorId, ambassadorId),
          inArray(introductions.status, ['pending', 'accepted']),
        ),
      );
    if (open) throw new Invalid([{ field: 'ambassador', key: 'errors.introduction_exists' }]);
    const token = randomBytes(32).toString('base64url');
    const [row] = await tx
      .insert(introductions)
      .values({
        candidateId: file.id,
        ambassadorId,
        note: note ?? null,
        byUserId: actor.id,
        familyTokenHash: hashToken(token),
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: introductions.id });
    await addEvent(tx, file.id, 'introduction', { kind: 'proposed' }, actor.id, now);
    const site = ctx.siteUrl.replace(/\/$/, '');
    const describe = [shortName(amb.name), amb.row.profession, amb.commune].filter(Boolean).join(', ');
    await mailFamily(
      tx,
      ctx,
      file,
      'introduction_for_family',
      {
        ambassador: describe,
        note: note ?? '',
        url: `${site}${file.locale === 'en' ? '/en' : ''}${introductionPath(token)}`,
      },
      actor.id,
    );
    await enqueueMail(tx, ctx.clock, {
      to: amb.email,
      template: 'introduction_for_ambassador',
      locale: amb.locale,
      params: { name: amb.name, note: note ?? '', url: accountUrl(ctx, amb.locale, `#mise-en-relation-${row!.id}`) },
    });
  });
}

type Side = 'family' | 'ambassador';

/**
 * One side's answer. Declined by either: it ends. Accepted by both: each gets the other's
 * contact details by email, in the same transaction.
 */
async function answer(
  tx: Tx,
  ctx: AmbassadorsContext,
  introductionId: number,
  side: Side,
  choice: 'accepted' | 'declined',
) {
  const now = ctx.clock.now().toISOString();
  const [intro] = await tx.select().from(introductions).where(eq(introductions.id, introductionId));
  if (!intro) throw new NotFound('introduction');
  const mine = side === 'family' ? intro.familyAnswer : intro.ambassadorAnswer;
  if (intro.status !== 'pending' || mine !== null) throw new Conflict('errors.introduction_answered');
  const other = side === 'family' ? intro.ambassadorAnswer : intro.familyAnswer;
  const status = choice === 'declined' ? 'declined' : other === 'accepted' ? 'accepted' : 'pending';
  const done = await tx
    .update(introductions)
    .set({
      ...(side === 'family' ? { familyAnswer: choice, familyTokenHash: null } : { ambassadorAnswer: choice }),
      status,
      ...(status === 'pending' ? {} : { familyTokenHash: null }),
      updatedAt: now,
    })
    .where(
      and(
        eq(introductions.id, intro.id),
        eq(introductions.status, 'pending'),
        isNull(side === 'family' ? introductions.familyAnswer : introductions.ambassadorAnswer),
      ),
    )
    .returning({ id: introductions.id });
  if (!done.length) throw new Conflict('errors.introduction_answered');
  await addEvent(tx, intro.candidateId, 'introduction', { kind: 'answered', from: side, answer: choice }, null, now);
  if (status === 'accepted') await exchangeContacts(tx, ctx, intro.candidateId, intro.ambassadorId, now);
}

/** Both agreed: each side receives the other's contact details as shared. */
async function exchangeContacts(
  tx: Tx,
  ctx: AmbassadorsContext,
  candidateId: number,
  ambassadorId: number,
  now: string,
) {
  const [file] = await tx.select().from(candidates).where(eq(candidates.id, candidateId));
  const [amb] = await tx
    .select({ row: ambassadors, name: users.name, email: users.email, locale: users.locale })
    .from(ambassadors)
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .where(eq(ambassadors.id, ambassadorId));
  if (!file || !amb) throw new NotFound('introduction');
  await mailFamily(
    tx,
    ctx,
    file,
    'introduction_contacts_for_family',
    {
      ambassador: amb.name,
      contacts: contactLines(file.locale, {
        email: amb.row.byEmail || amb.row.byVideo ? amb.email : null,
        phone: amb.row.byPhone ? amb.row.phone : null,
        video: amb.row.byVideo,
        bestTimes: amb.row.bestTimes,
      }),
    },
    null,
  );
  await enqueueMail(tx, ctx.clock, {
    to: amb.email,
    template: 'introduction_contacts_for_ambassador',
    locale: amb.locale,
    params: {
      name: amb.name,
      family: file.name,
      contacts: contactLines(amb.locale, { email: file.email, phone: file.phone, video: false, bestTimes: null }),
      url: accountUrl(ctx, amb.locale, '#mises-en-relation'),
    },
  });
  await addEvent(tx, candidateId, 'introduction', { kind: 'accepted' }, null, now);
}

/** The introduction a family's link names, while it waits for the family's answer; else null. */
export async function introductionByToken(db: Db, token: string, now: Date) {
  if (!token || token.length > 64) return null;
  const [row] = await db
    .select({
      id: introductions.id,
      createdAt: introductions.createdAt,
      note: introductions.note,
      name: users.name,
      profession: ambassadors.profession,
      languages: ambassadors.languages,
      presentation: ambassadors.presentation,
      communeName: communes.name,
    })
    .from(introductions)
    .innerJoin(ambassadors, eq(ambassadors.id, introductions.ambassadorId))
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .where(
      and(
        eq(introductions.familyTokenHash, hashToken(token)),
        eq(introductions.status, 'pending'),
        isNull(introductions.familyAnswer),
      ),
    );
  if (!row || Date.parse(row.createdAt) + INTRODUCTION_LINK_MS < now.getTime()) return null;
  const { name, ...rest } = row;
  return { ...rest, shortName: shortName(name) };
}

/** The family answers through its emailed link (no account needed); the link then stops working. */
export async function answerByToken(ctx: AmbassadorsContext, token: string, input: unknown): Promise<void> {
  const { answer: choice } = parseInput(AnswerSchema.pick({ answer: true }), input);
  const found = await introductionByToken(ctx.db, token, ctx.clock.now());
  if (!found) throw new NotFound('introduction');
  await ctx.db.transaction((tx) => answer(tx, ctx, found.id, 'family', choice));
}

/** A family with an account answers on /compte: only its own file's introductions. */
export async function answerAsFamily(ctx: AmbassadorsContext, user: SessionUser, input: unknown): Promise<void> {
  if (!isFamily(user)) throw new Forbidden();
  const { introduction, answer: choice } = parseInput(AnswerSchema, input);
  const file = await familyFile(ctx.db, user);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ candidateId: introductions.candidateId })
      .from(introductions)
      .where(eq(introductions.id, introduction));
    if (!row || !file || row.candidateId !== file.id) throw new NotFound('introduction');
    await answer(tx, ctx, introduction, 'family', choice);
  });
}

/** The ambassador answers on /compte: only introductions to itself. */
export async function answerAsAmbassador(ctx: AmbassadorsContext, user: SessionUser, input: unknown): Promise<void> {
  if (!isFamily(user)) throw new Forbidden();
  const { introduction, answer: choice } = parseInput(AnswerSchema, input);
  await ctx.db.transaction(async (tx) => {
    const me = await ambassadorOf(tx, user.id);
    const [row] = await tx
      .select({ ambassadorId: introductions.ambassadorId })
      .from(introductions)
      .where(eq(introductions.id, introduction));
    if (!row || !me || row.ambassadorId !== me.id) throw new NotFound('introduction');
    await answer(tx, ctx, introduction, 'ambassador', choice);
  });
}

/** What /compte lists: introductions asked of the account as ambassador, and of its file as candidate. */
export async function accountIntroductions(db: Db, user: SessionUser) {
  if (!isFamily(user)) return { asAmbassador: [], asFamily: [] };
  const [me, file] = await Promise.all([ambassadorOf(db, user.id), familyFile(db, user)]);
  const asAmbassador = me
    ? await db
        .select({
          id: introductions.id,
          note: introductions.note,
          status: introductions.status,
          myAnswer: introductions.ambassadorAnswer,
          createdAt: introductions.createdAt,
          household: candidates.household,
        })
        .from(introductions)
        .innerJoin(candidates, eq(candidates.id, introductions.candidateId))
        .where(eq(introductions.ambassadorId, me.id))
        .orderBy(desc(introductions.createdAt))
    : [];
  const asFamily = file
    ? (
        await db
          .select({
            id: introductions.id,
            note: introductions.note,
            status: introductions.status,
            myAnswer: introductions.familyAnswer,
            createdAt: introductions.createdAt,
            name: users.name,
            profession: ambassadors.profession,
            communeName: communes.name,
            languages: ambassadors.languages,
            presentation: ambassadors.presentation,
          })
          .from(introductions)
          .innerJoin(ambassadors, eq(ambassadors.id, introductions.ambassadorId))
          .innerJoin(users, eq(users.id, ambassadors.userId))
          .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
          .where(eq(introductions.candidateId, file.id))
          .orderBy(desc(introductions.createdAt))
      ).map(({ name, ...r }) => ({ ...r, shortName: shortName(name) }))
    : [];
  return { asAmbassador, asFamily };
}
