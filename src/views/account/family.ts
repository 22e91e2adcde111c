// The family's part of /compte: its file, the offers proposed (accept / decline), the
// discovery stay, messages with the agent, and erasing the file. Plain form posts.
import type { AstroGlobal } from 'astro';
import { accounts } from '../../server/auth.ts';
import { eraseFamilyFiles, familyAccount, familyFile } from '../../server/candidates/family.ts';
import { markRead, sendFamilyMessage } from '../../server/candidates/messages.ts';
import { answerProposal } from '../../server/candidates/proposals.ts';
import { db } from '../../server/db.ts';
import { Invalid, NotFound } from '../../server/errors.ts';
import { localizedPath, t } from '../../i18n/index.ts';
import { localizedErrors, readForm } from '../auth/form.ts';

const ctx = { db, clock: accounts.clock, siteUrl: accounts.siteUrl };

export type FamilyPart = Awaited<ReturnType<typeof familyAccount>>;

export interface FamilyPartResult {
  status: number;
  family: FamilyPart;
  errors: Record<string, string>;
  /** What was typed, kept when the post is refused. */
  values: Record<string, string>;
  alert?: string;
  notice?: string;
}

const notices = { answer: 'account.answered', message: 'account.messageSent', erased: 'account.erased' } as const;

export async function familyPart(astro: AstroGlobal): Promise<{ redirect: string } | FamilyPartResult> {
  const user = astro.locals.user!;
  const locale = astro.locals.locale;
  const back = localizedPath('/compte', locale);
  let errors: Record<string, string> = {};
  let values: Record<string, string> = {};
  let alert: string | undefined;
  let status = 200;
  if (astro.request.method === 'POST' && user.role === 'family') {
    const form = await readForm(astro.request);
    values = Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'));
    try {
      if (form.intent === 'erase') {
        await eraseFamilyFiles(ctx, user, form);
        return { redirect: `${back}?ok=erased#dossier` };
      }
      const file = await familyFile(db, user);
      if (!file) throw new NotFound('candidate');
      if (form.intent === 'answer') {
        await answerProposal(ctx, user, file, form);
        return { redirect: `${back}?ok=answer#propositions` };
      }
      if (form.intent === 'message') {
        await sendFamilyMessage(ctx, user, file, form);
        return { redirect: `${back}?ok=message#messages` };
      }
      throw new Invalid([{ field: 'intent', key: 'errors.invalid_value' }]);
    } catch (error) {
      if (error instanceof Invalid) {
        errors = localizedErrors(locale, error);
        alert = t(locale, 'form.errors');
        status = 400;
      } else if (error instanceof NotFound) {
        alert = t(locale, 'account.noFile');
        status = 404;
      } else throw error;
    }
  }
  const family = user.role === 'family' ? await familyAccount(db, user) : null;
  // The family sees its agent's messages: they are read.
  if (family) await markRead(db, family.file.id, true, accounts.clock.now().toISOString());
  const ok = astro.url.searchParams.get('ok');
  const notice = ok && ok in notices ? t(locale, notices[ok as keyof typeof notices]) : undefined;
  return { status, family, errors, values, alert, notice };
}
