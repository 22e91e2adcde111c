// The account pages' request handling, shared by both locales. Each reads the request, runs
// one command through the form wrapper, and answers a redirect or its view's data.
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
import { clientIp, isPost, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, submitForm, type FormState, type Refused } from '../../server/http/form.ts';
import { requireUser } from '../../server/http/guards.ts';
import { redirect, render, type Outcome } from '../../server/http/respond.ts';
import { safeReturnPath } from '../../server/http/return-path.ts';
import { familyPart } from '../account/family.ts';
import { localizedPath, t } from '../../i18n/index.ts';
import { signedIn } from './form.ts';

/** What every account form view receives. */
export type FormView<V = object> = { state: FormState; notice?: string } & V;

/** No return path: `signedIn` sends the account to its role's home. */
const home = (_ctx: RequestContext) => '';
const shown = <V extends object>(extra: V, notice?: string): Outcome<FormView<V>> =>
  render({ state: emptyState(), notice, ...extra });
const again = <V extends object>(r: Refused, extra: V): Outcome<FormView<V>> =>
  render({ state: r.state, ...extra }, r.status, r.headers);
const badLink = (ctx: RequestContext) =>
  render({ state: { ...emptyState(), alert: t(ctx.locals.locale, 'errors.link_invalid') } }, 400);

export async function signInPage(ctx: RequestContext): Promise<Outcome<FormView<{ back: string }>>> {
  const locale = ctx.locals.locale;
  const back = safeReturnPath(ctx.url.searchParams.get('retour'), home(ctx));
  if (!isPost(ctx)) {
    const notice = ctx.url.searchParams.get('confirme')
      ? t(locale, 'auth.verified')
      : ctx.url.searchParams.get('efface')
        ? t(locale, 'account.erased')
        : ctx.url.searchParams.get('recommencer')
          ? t(locale, 'auth.secondStep.startOver')
          : undefined;
    return shown({ back }, notice);
  }
  const form = await readForm(ctx.request);
  if (field(form, 'intent') === 'magic') {
    const r = await submitForm(ctx, form, () =>
      requestEmailLink(accounts, { email: form.email, locale }, 'magic_link'),
    );
    return r.ok ? shown({ back }, t(locale, 'auth.magicSent')) : again(r, { back });
  }
  const target = safeReturnPath(form.retour, home(ctx));
  const r = await submitForm(ctx, form, async () => {
    const outcome = await signIn(accounts, form, clientIp(ctx));
    return 'userId' in outcome ? await signedIn(ctx, outcome.userId, target) : outcome;
  });
  if (!r.ok) return again(r, { back: target });
  if ('redirect' in r.value) return r.value;
  // The address stays in the form (not the password), should the link not arrive.
  return render({
    state: { ...emptyState(), values: { email: field(form, 'email') } },
    notice: t(locale, 'auth.confirmSent'),
    back: target,
  });
}

export async function magicLinkPage(ctx: RequestContext): Promise<Outcome<FormView>> {
  const userId = await consumeMagicLink(accounts, ctx.url.searchParams.get('token') ?? '');
  if (userId === null) return badLink(ctx);
  return signedIn(ctx, userId, home(ctx));
}

export async function signUpPage(ctx: RequestContext): Promise<Outcome<FormView<{ done: boolean }>>> {
  const locale = ctx.locals.locale;
  if (!isPost(ctx)) return shown({ done: false });
  const form = await readForm(ctx.request);
  const r = await submitForm(ctx, form, () => signUp(accounts, { ...form, locale }, clientIp(ctx)));
  if (!r.ok) return again(r, { done: false });
  return shown({ done: true }, t(locale, 'auth.checkEmail', { email: field(form, 'email').trim().toLowerCase() }));
}

export async function confirmEmailPage(ctx: RequestContext): Promise<Outcome<FormView>> {
  const userId = await verifyEmail(accounts, ctx.url.searchParams.get('token') ?? '');
  if (userId === null) return badLink(ctx);
  return signedIn(ctx, userId, `${localizedPath('/compte', ctx.locals.locale)}?bienvenue=1`);
}

export async function forgotPasswordPage(ctx: RequestContext): Promise<Outcome<FormView>> {
  const locale = ctx.locals.locale;
  if (!isPost(ctx)) return shown({});
  const form = await readForm(ctx.request);
  const r = await submitForm(ctx, form, () =>
    requestEmailLink(accounts, { email: form.email, locale }, 'reset_password'),
  );
  return r.ok ? shown({}, t(locale, 'auth.resetSent')) : again(r, {});
}

/** Reset and invitation: a token in the URL opens a "choose a password" form. */
export async function newPasswordPage(
  ctx: RequestContext,
  purpose: 'reset_password' | 'invitation',
): Promise<Outcome<FormView<{ token: string; valid: boolean }>>> {
  if (!isPost(ctx)) {
    const token = ctx.url.searchParams.get('token') ?? '';
    const valid = (await peekToken(accounts.db, token, purpose, accounts.clock)) !== null;
    if (valid) return shown({ token, valid });
    return render(
      { state: { ...emptyState(), alert: t(ctx.locals.locale, 'errors.link_invalid') }, token, valid },
      400,
    );
  }
  const form = await readForm(ctx.request);
  const token = field(form, 'token');
  const r = await submitForm(ctx, form, async () => {
    const userId =
      purpose === 'reset_password'
        ? await resetPassword(accounts, form, (id) => sessions.invalidateUserSessions(id))
        : await acceptInvitation(accounts, form);
    // A new password is not a second factor: an account with one still gives a code.
    return signedIn(ctx, userId, home(ctx));
  });
  return r.ok ? r.value : again(r, { token, valid: !r.state.errors.token });
}

export async function signOutPage(ctx: RequestContext): Promise<Outcome<never>> {
  // A session waiting for its second step may be given up too.
  const user = ctx.locals.user ?? ctx.locals.secondStep?.user;
  if (isPost(ctx) && user) {
    const form = await readForm(ctx.request);
    if (field(form, 'everywhere') === '1') await sessions.invalidateUserSessions(user.id);
    else if (ctx.locals.sessionId) await sessions.invalidateSession(ctx.locals.sessionId);
    const blank = sessions.blankCookie();
    ctx.cookies.set(blank.name, blank.value, blank.attributes);
  }
  return redirect(localizedPath('/', ctx.locals.locale), 303);
}

/** /compte: who is signed in and, for a family, its file (see ../account/family.ts). */
export async function accountPage(ctx: RequestContext) {
  const user = requireUser(ctx);
  const part = await familyPart(ctx, user);
  if ('redirect' in part) return part;
  return render({ user, part, welcome: ctx.url.searchParams.has('bienvenue') }, part.status, part.headers);
}
