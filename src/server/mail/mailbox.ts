// The development mailbox: the outbox as a platform admin reads it where no email is sent.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { outbox } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { mayReadMailbox } from '../policy.ts';

function requirePlatformAdmin(actor: SessionUser | null): void {
  if (!mayReadMailbox(actor)) throw new Forbidden();
}

export async function listMailbox(db: Db, actor: SessionUser | null, limit = 100) {
  requirePlatformAdmin(actor);
  return db
    .select({
      id: outbox.id,
      to: outbox.to,
      subject: outbox.subject,
      status: outbox.status,
      createdAt: outbox.createdAt,
      template: outbox.template,
    })
    .from(outbox)
    .orderBy(desc(outbox.id))
    .limit(limit);
}

export async function readMailboxMessage(db: Db, actor: SessionUser | null, id: number) {
  requirePlatformAdmin(actor);
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
  if (!row) throw new NotFound('message');
  return row;
}
