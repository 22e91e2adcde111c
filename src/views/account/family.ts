// The family's part of /compte: its file, the offers proposed (accept / decline), the
// discovery stay, messages with the agent, and erasing the file. Plain form posts.
import type { SessionUser } from '../../server/accounts/session.ts';
import { familyAccount, familyFile } from '../../server/candidates/family.ts';
import { eraseFamily } from '../../server/family/erase.ts';
import { accounts as accounts, sessions } from '../../server/auth.ts';
import { markRead, sendFamilyMessage } from '../../server/candidates/messages.ts';
import { answerProposal } from '../../server/candidates/proposals.ts';
import { ambassadorAccount, saveProfile, saveStory, setStatus } from '../../server/ambassadors/ambassadors.ts';
import { accountIntroductions, answerAsAmbassador, answerAsFamily } from '../../server/ambassadors/introductions.ts';
import { db } from '../../server/db.ts';
import { Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, fieldList, readForm, submitForm } from '../../server/http/form.ts';
import { redirect, type Redirect } from '../../server/http/respond.ts';
import { isFamily } from '../../server/policy.ts';
import { localizedPath, t } from '../../i18n/index.ts';
import { parseFileLists } from '../../server/candidates/schemas.ts';

const ctx = { db, clock: accounts.clock, siteUrl: accounts.siteUrl };

export type FamilyPart = Awaited<ReturnType<typeof familyAccount>>;

export interface FamilyPartResult {
  status: number;
  family: FamilyPart;
  /** The ambassadors' programme (decision 024): null when the family may not join and never did. */
  ambassador: Awaited<ReturnType<typeof ambassadorAccount>>;
  introductions: Awaited<ReturnType<typeof accountIntroductions>>;
  errors: Record<string, string>;
  /** What was typed, kept when the post is refused. */
  values: Record<string, string>;
  /** The languages ticked in a refused post (a list, which `values` does not keep). */
  typedLanguages: string[];
  alert?: string;
  notice?: string;
  headers?: Record<string, string>;
}

const notices = {
  answer: 'account.answered',
  'answer-work': 'account.answered',
  message: 'account.messageSent',
  ambassador: 'ambassador.saved',
  status: 'ambassador.statusSaved',
  story: 'ambassador.storySaved',
  'story-unchanged': 'ambassador.storyUnchanged',
  introduction: 'ambassador.answerSaved',
} as const;

/** Where an erased account lands: its session is gone with it. */
const ERASED = 'erased';

/** The family's posts: intent → command, and where to go after it. */
const intents = {
  erase: async (user: SessionUser, form: Record<string, string | string[]>) => {
    await eraseFamily(ctx, user, form);
    return ERASED;
  },
  answer: async (user: SessionUser, form: Record<string, string | string[]>) => {
    await answerProposal(ctx, user, await fileOf(user), form);
    return '?ok=answer#propositions';
  },
  'answer-work': async (user: SessionUser, form: Record<string, string | string[]>) => {
    await answerProposal(ctx, user, await fileOf(user), form, 'work');
    return '?ok=answer-work#emplois';
  },
  message: async (user: SessionUser, form: Record<string, string | string[]>) => {
    await sendFamilyMessage(ctx, user, await fileOf(user), form);
    return '?ok=message#messages';
  },
  ambassador: async (user: SessionUser, form: Record<string, string | string[]>) => {
    await saveProfile(ctx, user, form);
    return '?ok=ambassador#ambassadeur';
  },
  'ambassador-status': async (user: SessionUser, form: Record<string, string | string[]>) => {
    await setStatus(ctx, user, form);
    return '?ok=status#ambassadeur';
  },
  story: async (user: SessionUser, form: Record<string, string | string[]>) =>
    (await saveStory(ctx, user, form)) ? '?ok=story#recit' : '?ok=story-unchanged#recit',
  'introduction-family': async (user: SessionUser, form: Record<string, string | string[]>) => {
    await answerAsFamily(ctx, user, form);
    return '?ok=introduction#mises-en-relation';
  },
  'introduction-ambassador': async (user: SessionUser, form: Record<string, string | string[]>) => {
    await answerAsAmbassador(ctx, user, form);
    return '?ok=introduction#mises-en-relation';
  },
};

const FILE = 'candidate file';

async function fileOf(user: SessionUser) {
  const file = await familyFile(db, user);
  if (!file) throw new NotFound(FILE);
  return file;
}

export async function familyPart(rc: RequestContext, user: SessionUser): Promise<Redirect | FamilyPartResult> {
  const locale = rc.locals.locale;
  const back = localizedPath('/compte', locale);
  let state = emptyState();
  let status = 200;
  let headers: Record<string, string> = {};
  let typedLanguages: string[] = [];
  if (isPost(rc)) {
    if (!isFamily(user)) throw new Forbidden();
    const form = await readForm(rc.request);
    const intent = field(form, 'intent');
    const r = await submitForm(
      rc,
      form,
      () => {
        if (!Object.hasOwn(intents, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
        return intents[intent as keyof typeof intents](user, form);
      },
      // No file at all, or an item of the page (a proposal, an introduction) that is gone.
      { gone: (error) => (error.what === FILE ? 'account.noFile' : 'errors.item_gone') },
    );
    if (r.ok && r.value === ERASED) {
      const blank = sessions.blankCookie();
      rc.cookies.set(blank.name, blank.value, blank.attributes);
      return redirect(`${localizedPath('/connexion', locale)}?efface=1`, 303);
    }
    if (r.ok) return redirect(`${back}${r.value}`, 303);
    ({ state, status, headers } = r);
    typedLanguages = fieldList(form, 'languages');
  }
  const family = isFamily(user) ? await familyAccount(db, user, parseFileLists(rc.url.searchParams).messages) : null;
  const [ambassador, introductions] = isFamily(user)
    ? await Promise.all([ambassadorAccount(db, user), accountIntroductions(db, user)])
    : [null, { asAmbassador: [], asFamily: [] }];
  // The family sees its agent's messages: they are read.
  if (family) await markRead(db, family.file.id, true, accounts.clock.now().toISOString());
  const ok = okAfterRedirect(rc);
  const notice = ok && Object.hasOwn(notices, ok) ? t(locale, notices[ok as keyof typeof notices]) : undefined;
  return {
    status,
    family,
    ambassador,
    introductions,
    errors: state.errors,
    values: state.values,
    typedLanguages,
    alert: state.alert,
    notice,
    headers,
  };
}
