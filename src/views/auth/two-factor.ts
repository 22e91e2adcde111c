// The two-factor pages (decision 015): `/connexion/verification`, the second step of a
// sign-in (a code of the app or a recovery code), and `/compte/securite`, where an app is
// set up (a QR code drawn on the server, and the key as text), recovery codes are shown
// once or made anew, the app replaced, and — for families and owners — the whole turned off.
import { renderSVG } from 'uqr';
import type { SessionUser } from '../../server/accounts/session.ts';
import {
  cancelReplacement,
  confirmEnrolment,
  disableTwoFactor,
  pendingKey,
  regenerateRecoveryCodes,
  startReplacement,
  twoFactorState,
  verifySecondStep,
  type TwoFactorState,
} from '../../server/accounts/two-factor.ts';
import { sessions, twoFactorContext } from '../../server/auth.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, submitForm, type FormFields, type FormState } from '../../server/http/form.ts';
import { requireEnrolment, requireSecondStep } from '../../server/http/guards.ts';
import { redirect, render, type Outcome, type Redirect } from '../../server/http/respond.ts';
import { safeReturnPath } from '../../server/http/return-path.ts';
import { mayTurnOffTwoFactor } from '../../server/policy.ts';
import { localizedPath, t } from '../../i18n/index.ts';
import { homeOf, startSession } from './form.ts';
import type { FormView } from './pages.ts';

/** Without a return path, an account goes back to its role's home. */
const home = (ctx: RequestContext, user: { role: SessionUser['role'] }) => homeOf(ctx.locals.locale, user);
const securityPath = (ctx: RequestContext) => localizedPath('/compte/securite', ctx.locals.locale);

/** `/connexion/verification`: the code that completes a sign-in; a new, verified session then. */
export async function secondStepPage(ctx: RequestContext): Promise<Outcome<FormView<{ back: string }>>> {
  const returnPath = safeReturnPath(ctx.url.searchParams.get('retour'), '');
  if (ctx.locals.user) return redirect(returnPath || home(ctx, ctx.locals.user));
  const user = requireSecondStep(ctx);
  if (!isPost(ctx)) return render({ state: emptyState(), back: returnPath });
  const form = await readForm(ctx.request);
  const target = safeReturnPath(form.retour, '') || home(ctx, user);
  const r = await submitForm(ctx, form, async (): Promise<Redirect> => {
    const outcome = await verifySecondStep(twoFactorContext, user, ctx.locals.sessionId ?? '', form);
    if ('startOver' in outcome) {
      const blank = sessions.blankCookie();
      ctx.cookies.set(blank.name, blank.value, blank.attributes);
      const signIn = localizedPath('/connexion', ctx.locals.locale);
      return redirect(`${signIn}?recommencer=1&retour=${encodeURIComponent(target)}`, 303);
    }
    await startSession(ctx, user.id, true);
    // A recovery code is a sign of a lost phone: the security page says how many are left.
    if (outcome.used === 'recovery')
      return redirect(`${securityPath(ctx)}?ok=secours&retour=${encodeURIComponent(target)}`, 303);
    return redirect(target, 303);
  });
  if (!r.ok) return render({ state: r.state, back: target }, r.status, r.headers);
  return r.value;
}

/** The forms of the security page, each refused post shown again on its own form. */
export type SecurityForm = 'confirm' | 'regenerate' | 'replace' | 'disable';

export interface SecurityView {
  user: SessionUser;
  /** An account that must set up an app before anything else. */
  enrolling: boolean;
  back: string;
  status: TwoFactorState;
  /** The key to add to an app (first set-up or replacement): as a QR code (SVG) and as text. */
  enrolment: { qr: string; key: string } | null;
  /** Recovery codes just made: shown this once. */
  codes: string[] | null;
  mayTurnOff: boolean;
  /** A refused post's form and its state. */
  refused: { form: SecurityForm; state: FormState } | null;
  notice?: string;
  /** A post the page does not know. */
  alert?: string;
}

/** The key in groups of four characters, as people copy it. */
const grouped = (base32: string) => base32.match(/.{1,4}/g)!.join(' ');

async function securityView(
  user: SessionUser,
  enrolling: boolean,
  back: string,
  extra: Partial<SecurityView> = {},
): Promise<SecurityView> {
  // An account that must use an app gets its key at once; others ask for one (`start`).
  const key = extra.codes ? null : await pendingKey(twoFactorContext, user, { create: enrolling });
  return {
    user,
    enrolling,
    back,
    status: await twoFactorState(twoFactorContext.db, user.id),
    enrolment: key && { qr: renderSVG(key.uri, { border: 2 }), key: grouped(key.base32) },
    codes: null,
    mayTurnOff: mayTurnOffTwoFactor(user),
    refused: null,
    ...extra,
  };
}

type Action = (
  ctx: RequestContext,
  user: SessionUser,
  form: FormFields,
) => Promise<{ codes: string[] } | { ok: string }>;

/** The page's posts, by intent. */
const securityActions: Record<SecurityForm | 'start' | 'cancel', Action> = {
  // A family or an owner turns it on: a key to add to their app.
  start: async (_ctx, user) => {
    await pendingKey(twoFactorContext, user, { create: true });
    return { ok: 'cle' };
  },
  // The app's first code: two-factor sign-in is on, and this session has passed it.
  confirm: async (ctx, user, form) => {
    const codes = await confirmEnrolment(twoFactorContext, user, form);
    await startSession(ctx, user.id, true);
    return { codes };
  },
  regenerate: async (_ctx, user, form) => ({ codes: await regenerateRecoveryCodes(twoFactorContext, user, form) }),
  replace: async (_ctx, user, form) => {
    await startReplacement(twoFactorContext, user, form);
    return { ok: 'nouvelle-application' };
  },
  cancel: async (_ctx, user) => {
    await cancelReplacement(twoFactorContext, user);
    return { ok: 'annule' };
  },
  disable: async (ctx, user, form) => {
    await disableTwoFactor(twoFactorContext, user, ctx.locals.sessionId ?? '', form);
    return { ok: 'desactive' };
  },
};

const notices: Record<string, (ctx: RequestContext, status: TwoFactorState) => string> = {
  cle: (ctx) => t(ctx.locals.locale, 'security.keyReady'),
  secours: (ctx, status) => t(ctx.locals.locale, 'security.usedRecovery', { count: status.recoveryCodesLeft }),
  'nouvelle-application': (ctx) => t(ctx.locals.locale, 'security.replacing'),
  annule: (ctx) => t(ctx.locals.locale, 'security.replaceCancelled'),
  desactive: (ctx) => t(ctx.locals.locale, 'security.turnedOff'),
};

/** `/compte/securite`: set up an app, recovery codes, replace the app, turn it off. */
export async function securityPage(ctx: RequestContext): Promise<Outcome<SecurityView>> {
  const { user, enrolling } = requireEnrolment(ctx);
  const back = safeReturnPath(ctx.url.searchParams.get('retour'), home(ctx, user));
  if (!isPost(ctx)) {
    const view = await securityView(user, enrolling, back);
    const ok = okAfterRedirect(ctx);
    return render({ ...view, notice: ok && Object.hasOwn(notices, ok) ? notices[ok]!(ctx, view.status) : undefined });
  }
  const form = await readForm(ctx.request);
  const intent = field(form, 'intent');
  const target = safeReturnPath(form.retour, home(ctx, user));
  const r = await submitForm(ctx, form, async () => {
    if (!Object.hasOwn(securityActions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
    // Until an app is set up, setting one up is all there is to do.
    if (enrolling && intent !== 'confirm') throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
    return securityActions[intent as SecurityForm](ctx, user, form);
  });
  if (!r.ok) {
    const known = Object.hasOwn(securityActions, intent) && !['start', 'cancel'].includes(intent);
    const refused = known ? { form: intent as SecurityForm, state: r.state } : null;
    const view = await securityView(user, enrolling, target, { refused });
    return render(
      known ? view : { ...view, notice: undefined, refused: null, alert: r.state.alert },
      r.status,
      r.headers,
    );
  }
  if ('codes' in r.value) return render(await securityView(user, false, target, { codes: r.value.codes }), 200);
  return redirect(`${securityPath(ctx)}?ok=${r.value.ok}&retour=${encodeURIComponent(target)}`, 303);
}
