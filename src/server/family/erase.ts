// "Erase my data" (GDPR art. 17), for any family, with or without a file: its files are
// anonymised (what reports count stays, anonymous), then the account goes with everything
// tied to it — sessions, tokens, favourites, saved searches, fibre alerts, the emails to its
// address, its rate-limit counters (keyed by the address). A test searches every table for
// the family's name, email and phone afterwards.
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'astro/zod';
import type { Db, Tx } from '../../../db/client.ts';
import {
  candidateEvents,
  candidates,
  fibreAlerts,
  messages,
  offerEvents,
  opportunities,
  opportunityEvents,
  workProposals,
  offers,
  outbox,
  stageHistory,
  users,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { anonymiseFiles } from '../candidates/anonymise.ts';
import { forgetMail } from '../mail/outbox.ts';
import { parseInput } from '../candidates/schemas.ts';
import type { Clock } from '../clock.ts';
import { Forbidden } from '../errors.ts';
import { isFamily } from '../policy.ts';

export const EraseSchema = z.object({ confirm: z.literal('yes', { error: 'errors.erase_confirm_required' }) });

/** Erases the family's account and anonymises its files; returns how many files were anonymised. */
export async function eraseFamily(ctx: { db: Db; clock: Clock }, user: SessionUser, input: unknown): Promise<number> {
  parseInput(EraseSchema, input);
  if (!isFamily(user)) throw new Forbidden();
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const [account] = await tx.select({ email: users.email }).from(users).where(eq(users.id, user.id));
    if (!account) return 0;
    const own = await tx
      .select({ id: candidates.id })
      .from(candidates)
      .where(
        and(
          or(eq(candidates.familyUserId, user.id), eq(candidates.email, account.email)),
          isNull(candidates.anonymisedAt),
        ),
      );
    const ownIds = own.map((f) => f.id);
    // Files merged into the family's files are the family's too.
    const files = await tx
      .select({
        id: candidates.id,
        publicId: candidates.publicId,
        email: candidates.email,
        currentPlace: candidates.currentPlace,
      })
      .from(candidates)
      .where(
        and(
          isNull(candidates.anonymisedAt),
          ownIds.length ? or(inArray(candidates.id, ownIds), inArray(candidates.mergedIntoId, ownIds)) : sql`0`,
        ),
      );
    await anonymiseFiles(tx, files, null, now);
    await eraseAccount(tx, user.id, account.email);
    return files.length;
  });
}

/**
 * Deletes an account and what is tied to it (its files are not touched: `eraseFamily`
 * anonymises them first; the retention job leaves them to their own retention period).
 */
export async function eraseAccount(tx: Tx, userId: number, email: string): Promise<void> {
  // What the account did stays in the files' and offers' history, by nobody.
  await tx.update(candidateEvents).set({ byUserId: null }).where(eq(candidateEvents.byUserId, userId));
  await tx.update(stageHistory).set({ byUserId: null }).where(eq(stageHistory.byUserId, userId));
  await tx.update(messages).set({ authorId: null }).where(eq(messages.authorId, userId));
  await tx.update(offerEvents).set({ byUserId: null }).where(eq(offerEvents.byUserId, userId));
  // The database's own rule for offers' owners predates `ON DELETE SET NULL`: said here.
  await tx.update(offers).set({ ownerId: null }).where(eq(offers.ownerId, userId));
  // Jobs and businesses (issue 16): the same for their history, their owner and proposals.
  await tx.update(opportunityEvents).set({ byUserId: null }).where(eq(opportunityEvents.byUserId, userId));
  await tx.update(opportunities).set({ ownerId: null }).where(eq(opportunities.ownerId, userId));
  await tx.update(workProposals).set({ proposedById: null }).where(eq(workProposals.proposedById, userId));
  await tx.update(candidates).set({ familyUserId: null }).where(eq(candidates.familyUserId, userId));
  await tx.delete(fibreAlerts).where(eq(fibreAlerts.email, email));
  await forgetMail(tx, eq(outbox.to, email));
  await tx.run(sql`DELETE FROM rate_limits WHERE instr(key, ${email}) > 0`);
  // Sessions, tokens, territories, favourites, saved searches and its fibre alerts cascade.
  await tx.delete(users).where(eq(users.id, userId));
}
