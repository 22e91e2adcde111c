// Writing an email = inserting it in the outbox, inside the caller's transaction: the
// message exists exactly when the change that causes it is committed.
import { randomUUID } from 'node:crypto';
import { and, ne, type SQL } from 'drizzle-orm';
import type { Db, Tx as Transaction } from '../../../db/client.ts';
import { outbox } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { renderMail, type MailLocale, type RenderedMail, type TemplateName } from './templates.ts';

/** What the outbox records as the kind of a message: a template, or the saved searches' digest. */
export type MailKind = TemplateName | 'search_digest' | 'morning_brief';

type Tx = Pick<Db, 'insert'>;

export async function enqueueMail(
  tx: Tx,
  clock: Clock,
  message: {
    to: string;
    template: TemplateName;
    locale: MailLocale;
    params: Record<string, string> & { url: string };
    /** The file the email is about, if any. */
    candidateId?: number;
  },
): Promise<number> {
  return enqueueRenderedMail(tx, clock, {
    to: message.to,
    template: message.template,
    locale: message.locale,
    rendered: renderMail(message.template, message.locale, message.params),
    candidateId: message.candidateId,
  });
}

/** The same, for a message rendered by its own function (the saved searches' digest). */
export async function enqueueRenderedMail(
  tx: Tx,
  clock: Clock,
  message: { to: string; template: MailKind; locale: MailLocale; rendered: RenderedMail; candidateId?: number },
): Promise<number> {
  const now = clock.now();
  const [row] = await tx
    .insert(outbox)
    .values({
      idempotencyKey: `cc-${randomUUID()}`,
      to: message.to,
      subject: message.rendered.subject,
      html: message.rendered.html,
      text: message.rendered.text,
      template: message.template,
      locale: message.locale,
      nextAttemptAt: now.getTime(),
      candidateId: message.candidateId ?? null,
      createdAt: now.toISOString(),
    })
    .returning({ id: outbox.id });
  return row!.id;
}

/**
 * Forgets the emails `which` selects (an erased family's, or about its files): unsent ones
 * are deleted — they will never go out —, sent ones keep only their row, without address,
 * subject or body.
 */
export async function forgetMail(tx: Transaction, which: SQL | undefined): Promise<void> {
  await tx.delete(outbox).where(and(which, ne(outbox.status, 'sent')));
  await tx.update(outbox).set({ to: 'erased@invalid', subject: '—', html: '', text: '' }).where(which);
}
