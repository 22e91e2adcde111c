// Writing an email = inserting it in the outbox, inside the caller's transaction: the
// message exists exactly when the change that causes it is committed.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/client.ts';
import { outbox } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { renderMail, type MailLocale, type TemplateName } from './templates.ts';

type Tx = Pick<Db, 'insert'>;

export async function enqueueMail(
  tx: Tx,
  clock: Clock,
  message: { to: string; template: TemplateName; locale: MailLocale; params: Record<string, string> & { url: string } },
): Promise<void> {
  const rendered = renderMail(message.template, message.locale, message.params);
  const now = clock.now();
  await tx.insert(outbox).values({
    idempotencyKey: `cc-${randomUUID()}`,
    to: message.to,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    template: message.template,
    locale: message.locale,
    nextAttemptAt: now.getTime(),
    createdAt: now.toISOString(),
  });
}
