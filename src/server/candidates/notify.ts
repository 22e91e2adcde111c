// Emails caused by a change of a file, written to the outbox in the change's transaction.
// Mails to the family also appear on the file's timeline ("email sent", or not delivered);
// every mail about a file names it (outbox.candidate_id).
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { users, userTerritories } from '../../../db/schema/index.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { TemplateName } from '../mail/templates.ts';
import type { Clock } from '../clock.ts';
import { addEvent, type CandidateRow } from './commands.ts';

export interface NotifyContext {
  clock: Clock;
  siteUrl: string;
}

const site = (ctx: NotifyContext) => ctx.siteUrl.replace(/\/$/, '');

/** The family's account page, in the language of its file. */
export const familyUrl = (ctx: NotifyContext, file: Pick<CandidateRow, 'locale'>) =>
  `${site(ctx)}${file.locale === 'en' ? '/en' : ''}/compte`;
export const fileUrl = (ctx: NotifyContext, file: Pick<CandidateRow, 'publicId'>) =>
  `${site(ctx)}/agent/candidats/${file.publicId}`;

/** An email to the family about its file, and its "email" event on the timeline. `params.url` may name the page to open (else their account). */
export async function mailFamily(
  tx: Tx,
  ctx: NotifyContext,
  file: Pick<CandidateRow, 'id' | 'email' | 'name' | 'locale'>,
  template: TemplateName,
  params: Record<string, string>,
  byUserId: number | null,
) {
  const outboxId = await enqueueMail(tx, ctx.clock, {
    to: file.email,
    template,
    locale: file.locale,
    params: { name: file.name, url: familyUrl(ctx, file), ...params },
    candidateId: file.id,
  });
  // The event names its email: the timeline shows it when it could not be delivered.
  await addEvent(tx, file.id, 'email', { template, to: 'family', outboxId }, byUserId, ctx.clock.now().toISOString());
}

/** The file's agent, or every active agent of its territory when nobody has it yet. */
export async function mailStaff(
  tx: Tx,
  ctx: NotifyContext,
  file: CandidateRow,
  template: TemplateName,
  params: Record<string, string> | ((locale: 'fr' | 'en') => Record<string, string>),
  exceptUserId?: number,
) {
  const recipients = file.assignedAgentId
    ? await tx
        .select({ id: users.id, email: users.email, name: users.name, locale: users.locale })
        .from(users)
        .where(and(eq(users.id, file.assignedAgentId), isNull(users.deactivatedAt)))
    : file.territoryCode
      ? await tx
          .selectDistinct({ id: users.id, email: users.email, name: users.name, locale: users.locale })
          .from(users)
          .innerJoin(userTerritories, eq(userTerritories.userId, users.id))
          .where(
            and(
              eq(userTerritories.territoryCode, file.territoryCode),
              inArray(users.role, ['agent', 'territory_admin']),
              isNull(users.deactivatedAt),
            ),
          )
      : [];
  for (const r of recipients) {
    if (r.id === exceptUserId) continue;
    await enqueueMail(tx, ctx.clock, {
      to: r.email,
      template,
      locale: r.locale,
      params: {
        name: r.name,
        family: file.name,
        ...(typeof params === 'function' ? params(r.locale) : params),
        url: fileUrl(ctx, file),
      },
      candidateId: file.id,
    });
  }
}
