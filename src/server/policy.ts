// Who may do what: roles and territory scope, as predicates and as SQL conditions. The one
// place that reads a user's role (a unit test fails on `role ===` anywhere else); guards
// (src/server/http/guards.ts), domain commands and views ask it.
import { inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Role } from '../../db/schema/index.ts';
import type { SessionUser } from './accounts/session.ts';

type Actor = Pick<SessionUser, 'role' | 'territories'>;

type Someone = { role: Role } | null | undefined;

export const hasRole = (u: Someone, roles: readonly Role[]): boolean => !!u && roles.includes(u.role);

export const isFamily = (u: Someone): boolean => hasRole(u, ['family']);

/** Owners and tiers-lieux managers: they propose offers, which agents moderate. */
export const isOwner = (u: Someone): boolean => hasRole(u, ['owner']);

const staffRoles = ['agent', 'territory_admin', 'platform_admin'] satisfies Role[];

/** Agents and administrators: the back office. */
export const isStaff = (u: Someone): boolean => hasRole(u, staffRoles);

/** The same as SQL on the role column (a job that reads only staff accounts). */
export const staffRoleSql = (role: SQLWrapper): SQL => inArray(role, staffRoles);

/** Territory and platform administrators: staff management and reports. */
export const isAdmin = (u: Someone): boolean => hasRole(u, ['territory_admin', 'platform_admin']);

export const isPlatformAdmin = (u: Someone): boolean => hasRole(u, ['platform_admin']);

/**
 * Accounts deleted after years without use (families and owners); staff accounts are
 * deactivated by their administrators instead. As SQL on the role column.
 */
export const expiresWhenInactive = (role: SQLWrapper): SQL => inArray(role, ['family', 'owner'] satisfies Role[]);

/**
 * Where a role lands after signing in when no return path was given (a French path; the
 * family's pages exist in both languages): families and owners their account, agents their
 * home, territory administrators their reports, the platform admin its staff page.
 */
export function homePath(u: Someone): string {
  if (isPlatformAdmin(u)) return '/admin';
  if (isAdmin(u)) return '/agent/rapports';
  if (isStaff(u)) return '/agent';
  return '/compte';
}

/** The territories an actor works in: null = every territory (the platform admin). */
export function territoryScope(actor: Actor): string[] | null {
  if (isPlatformAdmin(actor)) return null;
  return isStaff(actor) ? actor.territories : [];
}

/** True when the actor works in `territory`. */
export function actsIn(actor: Actor, territory: string): boolean {
  const scope = territoryScope(actor);
  return scope === null || scope.includes(territory);
}

/** True when the actor works in at least one of `territories`. */
export const actsInAny = (actor: Actor, territories: readonly string[]): boolean =>
  territories.some((code) => actsIn(actor, code));

/** Keeps the items of the actor's territories (every item for the platform admin). */
export function withinScope<T>(actor: Actor, items: readonly T[], code: (item: T) => string): T[] {
  return items.filter((item) => actsIn(actor, code(item)));
}

/**
 * The SQL condition "`column` is one of the actor's territories": undefined (no condition)
 * for the platform admin, never true for an actor without territories.
 */
export function territoryCondition(actor: Actor, column: SQLWrapper): SQL | undefined {
  const scope = territoryScope(actor);
  if (scope === null) return undefined;
  return scope.length ? inArray(column as never, scope) : sql`0`;
}

/** Families keep favourites and saved searches; visitors are offered to sign in; staff see none. */
export const mayKeepFavourites = (u: Someone): boolean => !u || isFamily(u);

/**
 * A territory's settings: the platform admin (every territory, and creating them) and the
 * territory's own administrators. Without `territory`: whether the actor configures any.
 */
export function mayConfigureTerritory(actor: Actor, territory?: string): boolean {
  return isAdmin(actor) && (territory === undefined || actsIn(actor, territory));
}

/** Open-data imports: the platform admin (all of France) and territory admins (their départements' communes). */
export const mayImport = isAdmin;

/** Undelivered emails: administrators list them and send them again (their territories' files; the platform admin every one). */
export const mayResendEmails = isAdmin;

/** Reports: territory admins (their territories) and the platform admin (all and the total). */
export const mayReport = isAdmin;

/**
 * The staff access log (/admin/journal): territory admins read their territories' entries,
 * the platform admin every one; agents none.
 */
export const mayReadAccessLog = isAdmin;

/** The development mailbox shows every email: the platform admin only. */
export const mayReadMailbox = isPlatformAdmin;

/** Magic links sign in families and owners only (staff use their password). */
export const mayUseMagicLink = (u: Someone): boolean => isFamily(u) || isOwner(u);

/** Proposing offers to a territory's moderation: owners (staff create offers directly). */
export const mayProposeOffers = isOwner;

/**
 * An administrator may change a staff member's role, territories or access only when every
 * territory of that member is one of theirs: a territory admin of 32 does not change the
 * powers of an agent who also serves 50 (the platform admin may).
 */
export function mayManageStaff(actor: Actor, member: Pick<SessionUser, 'territories'>): boolean {
  return isAdmin(actor) && member.territories.every((code) => actsIn(actor, code));
}

/** Agents and administrators sign in with a second factor (TOTP): they enrol before anything else. */
export const mustUseTwoFactor = isStaff;

/** Subscribing a calendar to one's tasks and discovery stays (a secret URL). */
export const mayUseCalendarFeed = isStaff;

/** Families and owners chose two-factor sign-in, and may turn it off; staff may not. */
export const mayTurnOffTwoFactor = (u: Someone): boolean => !!u && !mustUseTwoFactor(u);

/** Ambassadors (decision 024): a family whose file is settled may opt in. */
export const mayBeAmbassador = (u: Someone, stage: string | null | undefined): boolean =>
  isFamily(u) && stage === 'settled';

/** Introducing a candidate file to one of its territory's ambassadors: the territory's staff. */
/** An offer not published is seen (its photos) by the staff of its territory and by its owner only. */
export const maySeeUnpublishedOffer = (
  viewer: (Actor & Pick<SessionUser, 'id'>) | null,
  offer: { territoryCode: string; ownerId: number | null },
): boolean => !!viewer && (offer.ownerId === viewer.id || (isStaff(viewer) && actsIn(viewer, offer.territoryCode)));

export const mayIntroduce = (actor: Actor, territory: string): boolean => isStaff(actor) && actsIn(actor, territory);

/** The territory's ambassadors and the moderation of their stories: the territory's staff. */
export const mayModerateStories = (actor: Actor, territory?: string): boolean =>
  isStaff(actor) && (territory === undefined || actsIn(actor, territory));
