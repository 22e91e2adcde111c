// What the account pages share beyond the form wrapper: starting a session after a
// successful sign-in, sign-up confirmation, reset or invitation.
import { sessions } from '../../server/auth.ts';
import type { RequestContext } from '../../server/http/context.ts';
import type { FormState } from '../../server/http/form.ts';

/** What every account form view takes: the refused post's state and the page's notice. */
export type FormViewProps = { state: FormState; notice?: string };

/** Starts a fresh session for `userId` (a new id on every sign-in) and sets its cookie. */
export async function startSession(ctx: Pick<RequestContext, 'locals' | 'cookies'>, userId: number): Promise<void> {
  if (ctx.locals.sessionId) await sessions.invalidateSession(ctx.locals.sessionId);
  const { cookie } = await sessions.createSession(userId);
  ctx.cookies.set(cookie.name, cookie.value, cookie.attributes);
}
