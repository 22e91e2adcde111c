// Account use cases. Each takes the acting user where it matters and enforces roles and
// territories here (never only in pages). Emails go to the outbox in the same transaction.
import { and, asc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { territories, users, userTerritories, type Role, type TokenPurpose } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { Conflict, DomainError, fieldErrors, Forbidden, Invalid, NotFound, RateLimited } from '../errors.ts';
import { isAdmin, mayManageStaff, mayUseMagicLink, territoryScope } from '../policy.ts';
import { logAccess } from '../audit/access-log.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { MailLocale } from '../mail/templates.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { clearLimit, failed, hit, hitsOf, LIMITS, refund, throttled, type LimitResult } from './rate-limit.ts';
import {
  EmailOnlySchema,
  InviteSchema,
  PlatformAdminSchema,
  NewPasswordSchema,
  SignInSchema,
  SignUpSchema,
  StaffUpdateSchema,
} from './schemas.ts';
import type { SessionUser } from './session.ts';
import { consumeToken, issueToken } from './tokens.ts';
import { clearTwoFactorDelays } from './two-factor.ts';
import { groupRows } from '../../lib/group.ts';
import type { z } from 'astro/zod';
import type { MessageKey } from '../../i18n/index.ts';

export interface AccountsContext {
  db: Db;
  clock: Clock;
  /** Public URL of the site, for the links in emails. */
  siteUrl: string;
}

/** Too many attempts: the page answers 429 with Retry-After. */
export { RateLimited };

/** A sign-in that cannot proceed, with a reason the page can show. */
export class SignInRefused extends DomainError {
  constructor(key: MessageKey) {
    super(key, 400, key);
  }
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new Invalid(fieldErrors(result.error.issues));
}

const link = (ctx: AccountsContext, locale: MailLocale, path: string, token: string) =>
  `${ctx.siteUrl.replace(/\/$/, '')}${locale === 'en' ? '/en' : ''}${path}?token=${encodeURIComponent(token)}`;

function limited(result: LimitResult): void {
  if (!result.allowed) throw new RateLimited(result.retryAfter);
}

async function findUserByEmail(db: Db, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  return user;
}

/**
 * A family or an owner signs up. The answer is the same whether the address is new or not (no account
 * enumeration): a new address gets a verification link, a known one a notice.
 */
export async function signUp(ctx: AccountsContext, input: unknown, ip: string): Promise<void> {
  const data = parse(SignUpSchema, input);
  limited(await hit(ctx.db, `signup:ip:${ip}`, LIMITS.signUpPerIp, ctx.clock));
  limited(await hit(ctx.db, `email:${data.email}`, LIMITS.emailPerAddress, ctx.clock));
  const passwordHash = await hashPassword(data.password);
  await ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(users).where(eq(users.email, data.email));
    if (existing) {
      const token = await issueToken(tx, existing.id, 'reset_password', ctx.clock);
      await enqueueMail(tx, ctx.clock, {
        to: existing.email,
        template: 'signup_exists',
        locale: existing.locale,
        params: { name: existing.name, url: link(ctx, existing.locale, '/mot-de-passe-oublie/nouveau', token) },
      });
      return;
    }
    const [user] = await tx
      .insert(users)
      .values({
        email: data.email,
        name: data.name,
        passwordHash,
        role: data.account,
        locale: data.locale,
        createdAt: ctx.clock.now().toISOString(),
      })
      .returning({ id: users.id });
    const token = await issueToken(tx, user!.id, 'verify_email', ctx.clock);
    await enqueueMail(tx, ctx.clock, {
      to: data.email,
      template: 'verify_email',
      locale: data.locale,
      params: { name: data.name, url: link(ctx, data.locale, '/inscription/confirmer', token) },
    });
  });
}

/** Confirms an address from the emailed link; returns the user to sign in, or null. */
export async function verifyEmail(ctx: AccountsContext, token: string): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, 'verify_email', ctx.clock);
    if (userId === null) return null;
    await tx.update(users).set({ emailVerifiedAt: ctx.clock.now().toISOString() }).where(eq(users.id, userId));
    return userId;
  });
}

export type SignInOutcome = { userId: number } | { confirmByEmail: true };

/**
 * Checks a password sign-in. Per address, at most LIMITS.signInPerIp failures; per account
 * and address, growing delays after a few failures (`throttled`). Many failures for one
 * account from anywhere never lock it: its owner's right password then gets an emailed
 * link that completes the sign-in (`confirmByEmail`), which a stranger cannot follow.
 */
export async function signIn(ctx: AccountsContext, input: unknown, ip: string): Promise<SignInOutcome> {
  const data = parse(SignInSchema, input);
  const pair = `signin:pair:${data.email}|${ip}`;
  const account = `signin:account:${data.email}`;
  limited(await hit(ctx.db, `signin:ip:${ip}`, LIMITS.signInPerIp, ctx.clock));
  limited(await throttled(ctx.db, pair, ctx.clock));
  const user = await findUserByEmail(ctx.db, data.email);
  // Verify against a real hash even for unknown accounts, so timing does not tell them apart.
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, data.password).catch(() => false);
  if (!user || !user.passwordHash || !ok || user.deactivatedAt) {
    await failed(ctx.db, pair, ctx.clock);
    await hit(ctx.db, account, LIMITS.signInPerAccount, ctx.clock);
    throw new SignInRefused('errors.signin_failed');
  }
  if (!user.emailVerifiedAt) throw new SignInRefused('errors.email_not_verified');
  // Per address, only failed attempts count: many people share one address (offices, schools).
  await refund(ctx.db, `signin:ip:${ip}`);
  await clearLimit(ctx.db, pair);
  if ((await hitsOf(ctx.db, account, LIMITS.signInPerAccount, ctx.clock)) < LIMITS.signInPerAccount.max)
    return { userId: user.id };
  // Not the address's budget of emails: a stranger asking reset links would keep the owner out.
  limited(await hit(ctx.db, `signin-link:${data.email}`, LIMITS.signInLinksPerAccount, ctx.clock));
  await ctx.db.transaction(async (tx) => {
    const token = await issueToken(tx, user.id, 'sign_in', ctx.clock);
    await enqueueMail(tx, ctx.clock, {
      to: user.email,
      template: 'confirm_sign_in',
      locale: user.locale,
      params: { name: user.name, url: link(ctx, user.locale, '/connexion/lien', token) },
    });
  });
  return { confirmByEmail: true };
}

// Argon2id hash of a random string: verifying against it costs what a real check costs.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$7MAXnNA4eUAajpZXUxbxAw$nmHVpjUVmgYkfxYhSAupmDRq03JRv7+JUf6B9mCcFRA';

/** Sends a reset link (or a magic link) if the address has an account; same answer either way. */
export async function requestEmailLink(
  ctx: AccountsContext,
  input: unknown,
  purpose: 'reset_password' | 'magic_link',
): Promise<void> {
  const data = parse(EmailOnlySchema, input);
  limited(await hit(ctx.db, `email:${data.email}`, LIMITS.emailPerAddress, ctx.clock));
  await ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.email, data.email));
    if (!user || user.deactivatedAt) return;
    // Magic links are for families; staff sign in with their password.
    if (purpose === 'magic_link' && (!mayUseMagicLink(user) || !user.emailVerifiedAt)) return;
    const token = await issueToken(tx, user.id, purpose, ctx.clock);
    const path = purpose === 'reset_password' ? '/mot-de-passe-oublie/nouveau' : '/connexion/lien';
    await enqueueMail(tx, ctx.clock, {
      to: user.email,
      template: purpose,
      locale: user.locale,
      params: { name: user.name, url: link(ctx, user.locale, path, token) },
    });
  });
}

/**
 * Consumes the emailed link's token and sets the password of its account, whose email is
 * then verified as `emailVerifiedAt(now)` says; returns the account's id.
 */
async function setPasswordFromLink(
  ctx: AccountsContext,
  input: unknown,
  purpose: TokenPurpose,
  emailVerifiedAt: (now: string) => string | SQL,
): Promise<number> {
  const data = parse(NewPasswordSchema, input);
  const passwordHash = await hashPassword(data.password);
  const userId = await ctx.db.transaction(async (tx) => {
    const id = await consumeToken(tx, data.token, purpose, ctx.clock);
    if (id === null) return null;
    await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: emailVerifiedAt(ctx.clock.now().toISOString()) })
      .where(eq(users.id, id));
    return id;
  });
  if (userId === null) throw new Invalid([{ field: 'token', key: 'errors.link_invalid' }]);
  return userId;
}

/** Sets a new password from a reset link: every session of the account ends. */
export async function resetPassword(
  ctx: AccountsContext,
  input: unknown,
  invalidateUserSessions: (userId: number) => Promise<void>,
): Promise<number> {
  // The link came by email: the address is verified, if it was not already.
  const userId = await setPasswordFromLink(
    ctx,
    input,
    'reset_password',
    (now) => sql`coalesce(${users.emailVerifiedAt}, ${now})`,
  );
  await invalidateUserSessions(userId);
  const [user] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (user) await clearLimit(ctx.db, `signin:account:${user.email}`);
  // Whoever slowed the second step down with wrong codes no longer has the password.
  await clearTwoFactorDelays(ctx.db, userId);
  return userId;
}

/**
 * Signs in from an emailed link — a family's magic link, or the link that confirms a
 * sign-in to an account under attack (which then starts afresh); returns the user id or null.
 */
export async function consumeMagicLink(ctx: AccountsContext, token: string): Promise<number | null> {
  const userId = await ctx.db.transaction(
    async (tx) =>
      (await consumeToken(tx, token, 'magic_link', ctx.clock)) ?? (await consumeToken(tx, token, 'sign_in', ctx.clock)),
  );
  if (userId === null) return null;
  const [user] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (user) await clearLimit(ctx.db, `signin:account:${user.email}`);
  return userId;
}

// ——— Staff: invitations and management ——————————————————————————————————————————————

/** Territories an administrator manages: all for the platform admin, theirs otherwise. */
async function managedTerritories(db: Db, actor: SessionUser): Promise<string[]> {
  if (!isAdmin(actor)) return [];
  return territoryScope(actor) ?? (await db.select({ code: territories.code }).from(territories)).map((t) => t.code);
}

/** A member the actor may change: one of theirs (else not found) wholly within their territories (else 403). */
async function manageableStaff(db: Db, actor: SessionUser, userId: number): Promise<StaffMember> {
  const member = await getStaff(db, actor, userId);
  if (!mayManageStaff(actor, member)) throw new Forbidden();
  return member;
}

export interface StaffMember {
  id: number;
  name: string;
  email: string;
  role: Role;
  territories: string[];
  active: boolean;
  invitationPending: boolean;
}

/** Agents and territory admins of the actor's territories. */
export async function listStaff(db: Db, actor: SessionUser): Promise<StaffMember[]> {
  if (!isAdmin(actor)) throw new Forbidden();
  const codes = await managedTerritories(db, actor);
  if (codes.length === 0) return [];
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      deactivatedAt: users.deactivatedAt,
      passwordHash: users.passwordHash,
      territory: userTerritories.territoryCode,
    })
    .from(users)
    .innerJoin(userTerritories, eq(userTerritories.userId, users.id))
    .where(
      and(
        inArray(users.role, ['agent', 'territory_admin']),
        // Members with at least one of the actor's territories, with all of their territories.
        inArray(
          users.id,
          db
            .select({ id: userTerritories.userId })
            .from(userTerritories)
            .where(inArray(userTerritories.territoryCode, codes)),
        ),
      ),
    )
    .orderBy(asc(users.name), asc(users.id));
  return groupRows(
    rows,
    (r) => r.id,
    (r): StaffMember => ({
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role,
      territories: [],
      active: !r.deactivatedAt,
      invitationPending: !r.passwordHash,
    }),
    (member, r) => member.territories.push(r.territory),
  );
}

/** One staff member, if the actor manages one of their territories; NotFound otherwise. */
export async function getStaff(db: Db, actor: SessionUser, userId: number): Promise<StaffMember> {
  const member = (await listStaff(db, actor)).find((m) => m.id === userId);
  if (!member) throw new NotFound('staff member');
  return member;
}

function checkTerritories(actorCodes: string[], wanted: string[]): void {
  if (wanted.some((c) => !actorCodes.includes(c)))
    throw new Invalid([{ field: 'territories', key: 'errors.territory_not_yours' }]);
}

export async function inviteStaff(ctx: AccountsContext, actor: SessionUser, input: unknown): Promise<number> {
  if (!isAdmin(actor)) throw new Forbidden();
  const data = parse(InviteSchema, input);
  const codes = await managedTerritories(ctx.db, actor);
  checkTerritories(codes, data.territories);
  return ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, data.email));
    if (existing) throw new Conflict('errors.email_taken', 'email');
    const now = ctx.clock.now().toISOString();
    const [user] = await tx
      .insert(users)
      .values({ email: data.email, name: data.name, role: data.role, locale: data.locale, createdAt: now })
      .returning({ id: users.id });
    await tx
      .insert(userTerritories)
      .values(data.territories.map((territoryCode) => ({ userId: user!.id, territoryCode })));
    await logAccess(tx, {
      at: now,
      actor,
      action: 'staff_invited',
      territories: data.territories,
      targetUserId: user!.id,
      target: data.name,
      details: { role: data.role, territories: [...data.territories].sort() },
    });
    const names = await tx
      .select({ name: territories.name })
      .from(territories)
      .where(inArray(territories.code, data.territories));
    const token = await issueToken(tx, user!.id, 'invitation', ctx.clock);
    await enqueueMail(tx, ctx.clock, {
      to: data.email,
      template: 'invitation',
      locale: data.locale,
      params: {
        name: data.name,
        inviter: actor.name,
        territories: names.map((n) => n.name).join(', '),
        url: link(ctx, data.locale, '/invitation', token),
      },
    });
    return user!.id;
  });
}

/**
 * A platform administrator without a password (`npm run admin:create`): returns the
 * one-time link (an invitation, valid 7 days) where they choose it. An existing email is
 * refused, whatever its role: the script never changes an account.
 */
export async function createPlatformAdmin(ctx: AccountsContext, input: unknown): Promise<string> {
  const data = parse(PlatformAdminSchema, input);
  return ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, data.email));
    if (existing) throw new Conflict('errors.email_taken', 'email');
    const now = ctx.clock.now().toISOString();
    const [user] = await tx
      .insert(users)
      .values({ ...data, role: 'platform_admin', createdAt: now })
      .returning({ id: users.id });
    // From the command line: no actor; about no territory (the platform admins' journal).
    await logAccess(tx, {
      at: now,
      actor: null,
      action: 'staff_invited',
      territories: [],
      targetUserId: user!.id,
      target: data.name,
      details: { role: 'platform_admin' },
    });
    return link(ctx, data.locale, '/invitation', await issueToken(tx, user!.id, 'invitation', ctx.clock));
  });
}

/** The invitee chooses a password; the account becomes active and verified. */
export async function acceptInvitation(ctx: AccountsContext, input: unknown): Promise<number> {
  return setPasswordFromLink(ctx, input, 'invitation', (now) => now);
}

export async function updateStaff(
  ctx: AccountsContext,
  actor: SessionUser,
  userId: number,
  input: unknown,
): Promise<void> {
  const member = await manageableStaff(ctx.db, actor, userId);
  if (member.id === actor.id) throw new Invalid([{ field: 'role', key: 'errors.not_yourself' }]);
  const data = parse(StaffUpdateSchema, input);
  const codes = await managedTerritories(ctx.db, actor);
  checkTerritories(codes, data.territories);
  // Territories the actor does not manage stay as they were.
  const after = {
    role: data.role,
    territories: [...new Set([...member.territories.filter((c) => !codes.includes(c)), ...data.territories])].sort(),
  };
  const before = { role: member.role, territories: [...member.territories].sort() };
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ role: data.role }).where(eq(users.id, userId));
    await tx
      .delete(userTerritories)
      .where(and(eq(userTerritories.userId, userId), inArray(userTerritories.territoryCode, codes)));
    await tx.insert(userTerritories).values(data.territories.map((territoryCode) => ({ userId, territoryCode })));
    // One entry per kind of change, each with the whole before and after; none when nothing changed.
    // (What changed, for the log; who may do what is policy.ts's.)
    const differs = (k: keyof typeof before) => String(before[k]) !== String(after[k]);
    const changes = [
      differs('role') && ('role_changed' as const),
      differs('territories') && ('territories_changed' as const),
    ].filter((c) => c !== false);
    for (const action of changes)
      await logAccess(tx, {
        at: ctx.clock.now(),
        actor,
        action,
        territories: [...before.territories, ...after.territories],
        targetUserId: userId,
        target: member.name,
        details: { before, after },
      });
  });
}

/** Deactivates a staff member: their sessions end at once. */
export async function deactivateStaff(
  ctx: AccountsContext,
  actor: SessionUser,
  userId: number,
  invalidateUserSessions: (userId: number) => Promise<void>,
): Promise<void> {
  const member = await manageableStaff(ctx.db, actor, userId);
  if (member.id === actor.id) throw new Invalid([{ field: 'user', key: 'errors.not_yourself' }]);
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now().toISOString();
    await tx
      .update(users)
      .set({ deactivatedAt: now })
      .where(and(eq(users.id, userId), isNotNull(users.id)));
    await logAccess(tx, staffEntry(now, actor, 'staff_deactivated', member));
  });
  await invalidateUserSessions(userId);
}

export async function reactivateStaff(ctx: AccountsContext, actor: SessionUser, userId: number): Promise<void> {
  const member = await manageableStaff(ctx.db, actor, userId);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, userId));
    await logAccess(tx, staffEntry(ctx.clock.now(), actor, 'staff_reactivated', member));
  });
}

/** The access log's entry of a change of a member's access, in each of their territories. */
const staffEntry = (
  at: Date | string,
  actor: SessionUser,
  action: 'staff_deactivated' | 'staff_reactivated',
  member: StaffMember,
) => ({
  at,
  actor,
  action,
  territories: member.territories,
  targetUserId: member.id,
  target: member.name,
  details: { role: member.role, territories: [...member.territories].sort() },
});
