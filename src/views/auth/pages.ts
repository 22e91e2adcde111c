// The account pages' request handling, shared by both locales. Each returns either a
// redirect or what the view shows with its status.
import type { AstroGlobal } from 'astro';
import {
  acceptInvitation,
  consumeMagicLink,
  requestEmailLink,
  resetPassword,
  signIn,
  signUp,
  verifyEmail,
} from '../../server/accounts/commands.ts';
import { peekToken } from '../../server/accounts/tokens.ts';
import { accounts, sessions } from '../../server/auth.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import { familyPart, type FamilyPartResult } from '../account/family.ts';
import { localizedPath, t } from '../../i18n/index.ts';
import { emptyState, handleForm, readForm, returnPath, signInUrl, startSession, type FormState } from './form.ts';

export type PageResult<V = object> =
  { redirect: string } | ({ status: number; retryAfter?: number; state: FormState; notice?: string } & V);

const ip = (astro: AstroGlobal) => {
  try {
    return astro.clientAddress;
  } catch {
    return 'unknown';
  }
};
const home = (astro: AstroGlobal) => localizedPath('/compte', astro.locals.locale);
const ok = <V extends object>(extra: V, notice?: string): PageResult<V> => ({
  status: 200,
  state: emptyState(),
  notice,
  ...extra,
});

export async function signInPage(astro: AstroGlobal): Promise<PageResult<{ back: string }>> {
  const locale = astro.locals.locale;
  const back = returnPath(astro.url.searchParams.get('retour'), home(astro));
  if (astro.request.method !== 'POST')
    return ok({ back }, astro.url.searchParams.get('confirme') ? t(locale, 'auth.verified') : undefined);
  const form = await readForm(astro.request);
  if (form.intent === 'magic') {
    const outcome = await handleForm(locale, form, async () => {
      await requestEmailLink(accounts, { email: form.email, locale }, 'magic_link');
      return '';
    });
    if ('redirect' in outcome) return ok({ back }, t(locale, 'auth.magicSent'));
    return { ...outcome, back };
  }
  const target = returnPath(form.retour, home(astro));
  const outcome = await handleForm(locale, form, async () => {
    const userId = await signIn(accounts, form, ip(astro));
    await startSession(astro, userId);
    return target;
  });
  return 'redirect' in outcome ? outcome : { ...outcome, back: target };
}

export async function magicLinkPage(astro: AstroGlobal): Promise<PageResult> {
  const userId = await consumeMagicLink(accounts, astro.url.searchParams.get('token') ?? '');
  if (userId === null)
    return { status: 400, state: { ...emptyState(), alert: t(astro.locals.locale, 'errors.link_invalid') } };
  await startSession(astro, userId);
  return { redirect: home(astro) };
}

export async function signUpPage(astro: AstroGlobal): Promise<PageResult<{ done: boolean }>> {
  const locale = astro.locals.locale;
  if (astro.request.method !== 'POST') return ok({ done: false });
  const form = await readForm(astro.request);
  const outcome = await handleForm(locale, form, async () => {
    await signUp(accounts, { ...form, locale }, ip(astro));
    return '';
  });
  if ('redirect' in outcome)
    return ok(
      { done: true },
      t(locale, 'auth.checkEmail', {
        email: String(form.email ?? '')
          .trim()
          .toLowerCase(),
      }),
    );
  return { ...outcome, done: false };
}

export async function confirmEmailPage(astro: AstroGlobal): Promise<PageResult> {
  const userId = await verifyEmail(accounts, astro.url.searchParams.get('token') ?? '');
  if (userId === null)
    return { status: 400, state: { ...emptyState(), alert: t(astro.locals.locale, 'errors.link_invalid') } };
  await startSession(astro, userId);
  return { redirect: `${home(astro)}?bienvenue=1` };
}

export async function forgotPasswordPage(astro: AstroGlobal): Promise<PageResult> {
  const locale = astro.locals.locale;
  if (astro.request.method !== 'POST') return ok({});
  const form = await readForm(astro.request);
  const outcome = await handleForm(locale, form, async () => {
    await requestEmailLink(accounts, { email: form.email, locale }, 'reset_password');
    return '';
  });
  return 'redirect' in outcome ? ok({}, t(locale, 'auth.resetSent')) : outcome;
}

/** Reset and invitation: a token in the URL opens a "choose a password" form. */
export async function newPasswordPage(
  astro: AstroGlobal,
  purpose: 'reset_password' | 'invitation',
): Promise<PageResult<{ token: string; valid: boolean }>> {
  const locale = astro.locals.locale;
  if (astro.request.method !== 'POST') {
    const token = astro.url.searchParams.get('token') ?? '';
    const valid = (await peekToken(accounts.db, token, purpose, accounts.clock)) !== null;
    return valid
      ? ok({ token, valid })
      : { status: 400, state: { ...emptyState(), alert: t(locale, 'errors.link_invalid') }, token, valid };
  }
  const form = await readForm(astro.request);
  const token = typeof form.token === 'string' ? form.token : '';
  const outcome = await handleForm(locale, form, async () => {
    const userId =
      purpose === 'reset_password'
        ? await resetPassword(accounts, form, (id) => sessions.invalidateUserSessions(id))
        : await acceptInvitation(accounts, form);
    await startSession(astro, userId);
    return home(astro);
  });
  return 'redirect' in outcome ? outcome : { ...outcome, token, valid: !outcome.state.errors.token };
}

export async function signOutPage(astro: AstroGlobal): Promise<{ redirect: string }> {
  const form = astro.request.method === 'POST' ? await readForm(astro.request) : {};
  if (astro.request.method === 'POST' && astro.locals.user) {
    if (form.everywhere === '1') await sessions.invalidateUserSessions(astro.locals.user.id);
    else if (astro.locals.sessionId) await sessions.invalidateSession(astro.locals.sessionId);
    const blank = sessions.blankCookie();
    astro.cookies.set(blank.name, blank.value, blank.attributes);
  }
  return { redirect: localizedPath('/', astro.locals.locale) };
}

/** /compte: who is signed in and, for a family, its file (see ../account/family.ts). */
export async function accountPage(
  astro: AstroGlobal,
): Promise<{ redirect: string } | { user: SessionUser; part: FamilyPartResult; welcome: boolean }> {
  const user = astro.locals.user;
  if (!user) return { redirect: signInUrl(astro) };
  const part = await familyPart(astro);
  if ('redirect' in part) return part;
  return { user, part, welcome: astro.url.searchParams.has('bienvenue') };
}
