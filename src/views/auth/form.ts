// What the account pages share beyond the form wrapper: starting a session after a
// successful sign-in, sign-up confirmation, reset or invitation, and sending it on to its
// second step when the account has one (decision 015).
import { sessions } from '../../server/auth.ts';
import type { RequestContext } from '../../server/http/context.ts';
import type { FormState } from '../../server/http/form.ts';
import { redirect, secondStepUrl, type Redirect } from '../../server/http/respond.ts';

/** What every account form view takes: the refused post's state and the page's notice. */
export type FormViewProps = { state: FormState; notice?: string };

/**
 * Starts a fresh session for `userId` (a new id on every sign-in) and sets its cookie; says
 * what it still lacks (a code, an app to set up) unless `twoFactorVerified`.
 */
export async function startSession(
  ctx: Pick<RequestContext, 'locals' | 'cookies'>,
  userId: number,
  twoFactorVerified = false,
): Promise<'verify' | 'enrol' | null> {
  if (ctx.locals.sessionId) await sessions.invalidateSession(ctx.locals.sessionId);
  const { id, cookie, secondStep } = await sessions.createSession(userId, { twoFactorVerified });
  ctx.cookies.set(cookie.name, cookie.value, cookie.attributes);
  ctx.locals.sessionId = id;
  return secondStep;
}

/**
 * Signs `userId` in after a password or an emailed link, then goes to `target` (a local
 * path) — through the second step first when the account has one or must set one up.
 */
export async function signedIn(
  ctx: Pick<RequestContext, 'locals' | 'cookies'>,
  userId: number,
  target: string,
): Promise<Redirect> {
  const need = await startSession(ctx, userId);
  return redirect(need ? secondStepUrl(ctx.locals.locale, need, target) : target, 303);
}
