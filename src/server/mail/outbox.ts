// Writing an email = inserting it in the outbox, inside the caller's transaction: the
// message exists exactly when the change that causes it is committed.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, lt, ne, type SQL } from 'drizzle-orm';
import type { Db, Tx as Transaction } from '../../../db/client.ts';
import { outbox } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { DAY_MS, monthsBefore } from '../../lib/time.ts';
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

/**
 * A sent email's subject and text are kept this many days (to answer "I lost the link"),
 * then emptied: its one-time link is then no longer anywhere but in the person's mailbox.
 */
export const MAIL_TEXT_DAYS = 30;
/** A sent or failed email's row (address, kind, dates) is deleted after this many months. */
export const MAIL_MONTHS = 12;

/** The daily retention of the outbox (the privacy notice states both periods); what it did. */
export async function pruneOutbox(db: Db, clock: Clock): Promise<{ emptied: number; deleted: number }> {
  const now = clock.now();
  const textsBefore = new Date(now.getTime() - MAIL_TEXT_DAYS * DAY_MS).toISOString();
  const emptied = await db
    .update(outbox)
    .set({ subject: '—', html: '', text: '' })
    .where(and(eq(outbox.status, 'sent'), lt(outbox.sentAt, textsBefore), ne(outbox.text, '')));
  const deleted = await db
    .delete(outbox)
    .where(
      and(
        inArray(outbox.status, ['sent', 'failed']),
        lt(outbox.createdAt, monthsBefore(now, MAIL_MONTHS).toISOString()),
      ),
    );
  return { emptied: emptied.rowsAffected, deleted: deleted.rowsAffected };
}
