// Emails the dispatcher gave up on (refused by the provider, or still failing after its 72 h
// of retries): listed on their file's timeline and in /admin/emails, where staff send one
// again. A platform admin sees every one; other staff those about files of their territories.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { candidates, outbox } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { NotFound } from '../errors.ts';
import { territoryCondition, territoryScope } from '../policy.ts';

export interface UndeliveredEmail {
  id: number;
  to: string;
  subject: string;
  template: string;
  lastError: string | null;
  attempts: number;
  createdAt: string;
  file: { publicId: string; name: string } | null;
}

/** The actor's undelivered emails, newest first; of one file when `candidateId` is given. */
export async function listUndelivered(
  db: Db,
  actor: SessionUser,
  { candidateId, id, limit = 200 }: { candidateId?: number; id?: number; limit?: number } = {},
): Promise<UndeliveredEmail[]> {
  // Emails about no file (accounts, owners, alerts) are the platform admin's alone.
  const scoped = territoryScope(actor) === null;
  const rows = await db
    .select({
      id: outbox.id,
      to: outbox.to,
      subject: outbox.subject,
      template: outbox.template,
      lastError: outbox.lastError,
      attempts: outbox.attempts,
      createdAt: outbox.createdAt,
      publicId: candidates.publicId,
      name: candidates.name,
    })
    .from(outbox)
    .leftJoin(candidates, eq(candidates.id, outbox.candidateId))
    .where(
      and(
        eq(outbox.status, 'failed'),
        candidateId === undefined ? undefined : eq(outbox.candidateId, candidateId),
        id === undefined ? undefined : eq(outbox.id, id),
        scoped ? undefined : sql`${candidates.id} IS NOT NULL`,
        territoryCondition(actor, candidates.territoryCode),
      ),
    )
    .orderBy(desc(outbox.id))
    .limit(limit);
  return rows.map(({ publicId, name, ...r }) => ({ ...r, file: publicId ? { publicId, name: name! } : null }));
}

/**
 * Sends an undelivered email again: it is pending from now, with a new retry window and the
 * same idempotency key (the provider never delivers it twice). Another territory's email,
 * or one that is not failed, is not found.
 */
export async function resendEmail(
  db: Db,
  clock: Clock,
  actor: SessionUser,
  id: number,
  candidateId?: number,
): Promise<void> {
  const [mine] = await listUndelivered(db, actor, { candidateId, id, limit: 1 });
  if (!mine) throw new NotFound('email');
  const now = clock.now();
  await db
    .update(outbox)
    .set({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now.getTime(),
      lockedUntil: null,
      // The 72 h of retries count from the new request.
      createdAt: now.toISOString(),
    })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'failed')));
}
