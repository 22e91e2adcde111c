// Throwing guards: a page handler asks for the user it needs and gets it, or the request
// ends in the one error mapping (src/server/http/respond.ts): sign in, 403 or 404.
import type { Role } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Forbidden, NotFound, SecondStepRequired, SignInRequired } from '../errors.ts';
import { actsIn, hasRole, isAdmin, isFamily, isStaff } from '../policy.ts';
import type { RequestContext } from './context.ts';

type Ctx = Pick<RequestContext, 'locals'>;

/**
 * The signed-in user; a visitor is sent to sign in and back, and a session that passed the
 * password only, to its second step (a code, or setting up an app) and back. Every guard
 * below starts here, so no page of an account is reached without the second step.
 */
export function requireUser(ctx: Ctx): SessionUser {
  const user = ctx.locals.user;
  if (user) return user;
  if (ctx.locals.secondStep) throw new SecondStepRequired(ctx.locals.secondStep.need);
  throw new SignInRequired();
}

/** A session waiting for a code (the second step's page); others go where `requireUser` sends them. */
export function requireSecondStep(ctx: Ctx): SessionUser {
  const pending = ctx.locals.secondStep;
  if (pending?.need === 'verify') return pending.user;
  if (pending) throw new SecondStepRequired(pending.need);
  throw new SignInRequired();
}

/**
 * The account security page: a signed-in user, or one who must set up an app before
 * anything else (`enrolling`). A session waiting for a code must give it first.
 */
export function requireEnrolment(ctx: Ctx): { user: SessionUser; enrolling: boolean } {
  const pending = ctx.locals.secondStep;
  if (pending?.need === 'enrol') return { user: pending.user, enrolling: true };
  return { user: requireUser(ctx), enrolling: false };
}

/** A signed-in user with one of `roles`; anyone else signed in gets 403. */
export function requireRole(ctx: Ctx, ...roles: Role[]): SessionUser {
  const user = requireUser(ctx);
  if (!hasRole(user, roles)) throw new Forbidden();
  return user;
}

export function requireFamily(ctx: Ctx): SessionUser {
  const user = requireUser(ctx);
  if (!isFamily(user)) throw new Forbidden();
  return user;
}

/**
 * A member of staff; with `territory`, one who works there — another territory's staff get
 * "not found", exactly as for something that does not exist.
 */
export function requireStaff(ctx: Ctx, territory?: string | null): SessionUser {
  const user = requireUser(ctx);
  if (!isStaff(user)) throw new Forbidden();
  if (territory && !actsIn(user, territory)) throw new NotFound('territory');
  return user;
}

/** A territory or platform administrator. */
export function requireAdmin(ctx: Ctx): SessionUser {
  const user = requireUser(ctx);
  if (!isAdmin(user)) throw new Forbidden();
  return user;
}
