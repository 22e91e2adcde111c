// What the account pages share beyond the form wrapper: starting a session after a
// successful sign-in, sign-up confirmation, reset or invitation, and sending it on to its
// second step when the account has one (decision 015).
import { sessions } from '../../server/auth.ts';
import type { RequestContext } from '../../server/http/context.ts';
import type { FormState } from '../../server/http/form.ts';
import { redirect, secondStepUrl, type Redirect } from '../../server/http/respond.ts';
import { homePath } from '../../server/policy.ts';
import { localizedPath, type Locale } from '../../i18n/index.ts';
import type { Role } from '../../../db/schema/index.ts';

/** What every account form view takes: the refused post's state and the page's notice. */
export type FormViewProps = { state: FormState; notice?: string };

/**
 * Starts a fresh session for `userId` (a new id on every sign-in) and sets its cookie; says
 * what it still lacks (a code, an app to set up) unless `twoFactorVerified`, and the
 * account's home (where it lands without a return path).
 */
export async function startSession(
  ctx: Pick<RequestContext, 'locals' | 'cookies'>,
  userId: number,
  twoFactorVerified = false,
): Promise<{ secondStep: 'verify' | 'enrol' | null; home: string }> {
  if (ctx.locals.sessionId) await sessions.invalidateSession(ctx.locals.sessionId);
  const { id, cookie, secondStep, role } = await sessions.createSession(userId, { twoFactorVerified });
  ctx.cookies.set(cookie.name, cookie.value, cookie.attributes);
  ctx.locals.sessionId = id;
  return { secondStep, home: homeOf(ctx.locals.locale, role ? { role } : null) };
}

/** A role's home after signing in, in the visitor's language where the page has one. */
export const homeOf = (locale: Locale, user: { role: Role } | null) => {
  const path = homePath(user);
  return path === '/compte' ? localizedPath(path, locale) : path;
};

/**
 * Signs `userId` in after a password or an emailed link, then goes to `target` (a local
 * path), or without one ('') to the account's home — through the second step first when
 * the account has one or must set one up (which then sends to the same place).
 */
export async function signedIn(
  ctx: Pick<RequestContext, 'locals' | 'cookies'>,
  userId: number,
  target: string,
): Promise<Redirect> {
  const { secondStep, home } = await startSession(ctx, userId);
  return redirect(secondStep ? secondStepUrl(ctx.locals.locale, secondStep, target) : target || home, 303);
}
