// Throwing guards: a page handler asks for the user it needs and gets it, or the request
// ends in the one error mapping (src/server/http/respond.ts): sign in, 403 or 404.
import type { Role } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Forbidden, NotFound, SignInRequired } from '../errors.ts';
import { actsIn, hasRole, isAdmin, isFamily, isStaff } from '../policy.ts';
import type { RequestContext } from './context.ts';

type Ctx = Pick<RequestContext, 'locals'>;

/** The signed-in user; a visitor is sent to sign in and back. */
export function requireUser(ctx: Ctx): SessionUser {
  const user = ctx.locals.user;
  if (!user) throw new SignInRequired();
  return user;
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
