// Messages between a family and the staff of its file. Each one is on the file's timeline
// and tells the other side by email (without the text: it is read on the site).
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { totalRows, withTotal } from '../../../db/total.ts';
import { candidates, messages, users } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { addEvent, findCandidate, type CandidateRow, type CandidatesContext } from './commands.ts';
import { mailFamily, mailStaff, type NotifyContext } from './notify.ts';
import { MessageSchema, parseInput } from './schemas.ts';

type Ctx = CandidatesContext & NotifyContext;

async function write(tx: Tx, ctx: Ctx, file: CandidateRow, author: SessionUser, fromFamily: boolean, body: string) {
  const now = ctx.clock.now().toISOString();
  await tx.insert(messages).values({ candidateId: file.id, authorId: author.id, fromFamily, body, at: now });
  await addEvent(tx, file.id, 'message', { fromFamily, text: body }, author.id, now);
  await tx.update(candidates).set({ lastContactAt: now, updatedAt: now }).where(eq(candidates.id, file.id));
}

export async function sendAgentMessage(ctx: Ctx, actor: SessionUser, publicId: string, input: unknown): Promise<void> {
  const { body } = parseInput(MessageSchema, input);
  await ctx.db.transaction(async (tx) => {
    const file = await findCandidate(tx, actor, publicId);
    await write(tx, ctx, file, actor, false, body);
    await mailFamily(tx, ctx, file, 'message_for_family', { agent: actor.name }, actor.id);
  });
}

/** A family writes about its own file (the caller found it with `familyFile`). */
export async function sendFamilyMessage(
  ctx: Ctx,
  family: SessionUser,
  file: CandidateRow,
  input: unknown,
): Promise<void> {
  const { body } = parseInput(MessageSchema, input);
  await ctx.db.transaction(async (tx) => {
    await write(tx, ctx, file, family, true, body);
    await mailStaff(tx, ctx, file, 'message_for_agent', {});
  });
}

/** The last `shown` messages of a file, oldest first, and how many it has in all. */
export async function listMessages(db: Db, candidateId: number, shown: number) {
  const { rows, total } = await db
    .select({
      id: messages.id,
      fromFamily: messages.fromFamily,
      body: messages.body,
      at: messages.at,
      readAt: messages.readAt,
      author: users.name,
      total: totalRows,
    })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorId))
    .where(eq(messages.candidateId, candidateId))
    .orderBy(desc(messages.at), desc(messages.id))
    .limit(shown)
    .then(withTotal);
  return { rows: rows.reverse(), total };
}

/**
 * The reader has seen the other side's messages. Read first: most openings of a file find
 * nothing unread, and a write would cost them a transaction and its sync to disk.
 */
export async function markRead(db: Db, candidateId: number, readerIsFamily: boolean, at: string) {
  const unread = and(
    eq(messages.candidateId, candidateId),
    eq(messages.fromFamily, !readerIsFamily),
    isNull(messages.readAt),
  );
  const [any] = await db.select({ id: messages.id }).from(messages).where(unread).limit(1);
  if (any) await db.update(messages).set({ readAt: at }).where(unread);
}
