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

/** Rows changed per statement of the retention: a first run over years of mail takes turns. */
const PRUNE_CHUNK = 500;

/**
 * The daily retention of the outbox (the privacy notice states both periods); what it did.
 * A failed email keeps its text, to be sent again, until its row goes. Chunks of
 * PRUNE_CHUNK rows, the event loop given back between them.
 */
export async function pruneOutbox(db: Db, clock: Clock): Promise<{ emptied: number; deleted: number }> {
  const now = clock.now();
  const textsBefore = new Date(now.getTime() - MAIL_TEXT_DAYS * DAY_MS).toISOString();
  const rowsBefore = monthsBefore(now, MAIL_MONTHS).toISOString();
  const textKept = and(eq(outbox.status, 'sent'), lt(outbox.sentAt, textsBefore), ne(outbox.text, ''));
  const rowKept = and(inArray(outbox.status, ['sent', 'failed']), lt(outbox.createdAt, rowsBefore));
  const chunk = (where: SQL | undefined) => db.select({ id: outbox.id }).from(outbox).where(where).limit(PRUNE_CHUNK);
  let emptied = 0;
  let deleted = 0;
  for (;;) {
    const ids = (await chunk(textKept)).map((r) => r.id);
    if (ids.length === 0) break;
    emptied += (await db.update(outbox).set({ subject: '—', html: '', text: '' }).where(inArray(outbox.id, ids)))
      .rowsAffected;
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (;;) {
    const ids = (await chunk(rowKept)).map((r) => r.id);
    if (ids.length === 0) break;
    deleted += (await db.delete(outbox).where(inArray(outbox.id, ids))).rowsAffected;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { emptied, deleted };
}
