// Two-factor sign-in (decision 015): a TOTP app (RFC 6238 — 30 s, 6 digits, SHA-1, the
// step before and after accepted) and 10 single-use recovery codes. The key is sealed at
// rest (secret-box.ts); the codes are kept as SHA-256. Each code works once: only a time
// step after the last accepted one is accepted, by one conditional UPDATE. Wrong codes
// slow down their account (growing delays, rate-limit.ts) and end a pending sign-in after
// SECOND_STEP_MAX_FAILURES. Staff must use it (`mustUseTwoFactor`); families and owners may.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { and, count, eq, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { recoveryCodes, sessions, twoFactor, users } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid, RateLimited, fieldErrors } from '../errors.ts';
import { mayTurnOffTwoFactor } from '../policy.ts';
import { verifyPassword } from './password.ts';
import { clearLimit, failed, throttled } from './rate-limit.ts';
import { EnrolSchema, ProofSchema, SecondStepSchema } from './schemas.ts';
import { open, seal } from './secret-box.ts';
import type { SessionUser } from './session.ts';
import type { z } from 'astro/zod';

export interface TwoFactorContext {
  db: Db;
  clock: Clock;
  /** TOTP_KEY: seals the TOTP keys at rest. */
  key: Uint8Array;
}

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clocks drift, people type slowly). */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Wrong codes in one pending sign-in, after which it ends and starts over with the password. */
export const SECOND_STEP_MAX_FAILURES = 5;
/** The name an authenticator app shows beside the account. */
export const TOTP_ISSUER = 'Campagne Connectée';

type Person = Pick<SessionUser, 'id' | 'email' | 'role'>;

/** The TOTP time step of an instant. */
export const stepAt = (ms: number) => Math.floor(ms / 1000 / TOTP_PERIOD_SECONDS);

/** The code of `step` for a raw key (HOTP of the step: RFC 6238). */
export const totpCode = (key: Uint8Array, step: number) => generateHOTP(key, BigInt(step), TOTP_DIGITS);

/** A key as the base32 people type into an app, and back. */
export const keyToBase32 = (key: Uint8Array) => encodeBase32UpperCaseNoPadding(key);
export const keyFromBase32 = (text: string) => decodeBase32IgnorePadding(text.replace(/\s/g, '').toUpperCase());

const sealContext = (userId: number) => `totp:${userId}`;
const throttleKey = (userId: number) => `2fa:${userId}`;
const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new Invalid(fieldErrors(result.error.issues));
}

async function row(db: Db, userId: number) {
  const [found] = await db.select().from(twoFactor).where(eq(twoFactor.userId, userId));
  return found;
}

/** Whether an account signs in with a second step. */
export async function twoFactorEnabled(db: Db, userId: number): Promise<boolean> {
  const [found] = await db
    .select({ enabledAt: twoFactor.enabledAt })
    .from(twoFactor)
    .where(eq(twoFactor.userId, userId));
  return !!found?.enabledAt;
}

export interface TwoFactorState {
  enabled: boolean;
  enabledAt: string | null;
  /** A key shown for enrolment or replacement, waiting for a code from it. */
  pending: boolean;
  recoveryCodesLeft: number;
}

export async function twoFactorState(db: Db, userId: number): Promise<TwoFactorState> {
  const found = await row(db, userId);
  const [left] = await db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return {
    enabled: !!found?.enabledAt,
    enabledAt: found?.enabledAt ?? null,
    pending: !!found?.pendingSecret,
    recoveryCodesLeft: found?.enabledAt ? Number(left?.n ?? 0) : 0,
  };
}

/** What an app needs to add the account: its key in base32 and the otpauth:// URI of the QR code. */
export interface EnrolmentKey {
  base32: string;
  uri: string;
}

const keyOf = (ctx: TwoFactorContext, userId: number, sealed: string) => open(ctx.key, sealContext(userId), sealed);

/**
 * Whether `key` opens the TOTP keys already sealed in the database (true when there is none).
 * A server started with another TOTP_KEY than the one they were sealed with could not check
 * any code: the start refuses it rather than answer every second step with an error.
 */
export async function keyOpensSealedSecrets(db: Db, key: Uint8Array): Promise<boolean> {
  const [found] = await db
    .select({
      userId: twoFactor.userId,
      sealed: sql<string>`coalesce(${twoFactor.secret}, ${twoFactor.pendingSecret})`,
    })
    .from(twoFactor)
    .where(sql`coalesce(${twoFactor.secret}, ${twoFactor.pendingSecret}) is not null`)
    .limit(1);
  if (!found) return true;
  try {
    open(key, sealContext(found.userId), found.sealed);
    return true;
  } catch {
    return false;
  }
}

function enrolmentKeyOf(key: Uint8Array, user: Person): EnrolmentKey {
  return {
    base32: keyToBase32(key),
    uri: createTOTPKeyURI(TOTP_ISSUER, user.email, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS),
  };
}

/**
 * The key waiting for confirmation, the same on every reload (a QR code already scanned stays
 * right), or null. With `create`, when there is none and two-factor sign-in is off, a new
 * one: 20 random bytes (160 bits, RFC 4226's recommendation), sealed.
 */
export async function pendingKey(
  ctx: TwoFactorContext,
  user: Person,
  { create = false }: { create?: boolean } = {},
): Promise<EnrolmentKey | null> {
  const found = await row(ctx.db, user.id);
  if (found?.pendingSecret) return enrolmentKeyOf(keyOf(ctx, user.id, found.pendingSecret), user);
  if (found?.enabledAt || !create) return null;
  const key = new Uint8Array(randomBytes(20));
  const sealed = seal(ctx.key, sealContext(user.id), key);
  await ctx.db
    .insert(twoFactor)
    .values({ userId: user.id, pendingSecret: sealed, createdAt: ctx.clock.now().toISOString() })
    .onConflictDoUpdate({ target: twoFactor.userId, set: { pendingSecret: sealed } });
  return enrolmentKeyOf(key, user);
}

/** The step whose code `code` is, within the window around now, or null. */
function matchingStep(ctx: TwoFactorContext, key: Uint8Array, code: string): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = stepAt(ctx.clock.now().getTime());
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++)
    if (same(totpCode(key, step), code)) return step;
  return null;
}

/** Accepts a code of the confirmed key once: its step must come after the last accepted one. */
async function acceptCode(ctx: TwoFactorContext, userId: number, code: string): Promise<boolean> {
  const found = await row(ctx.db, userId);
  if (!found?.secret || !found.enabledAt) return false;
  const step = matchingStep(ctx, keyOf(ctx, userId, found.secret), code);
  if (step === null) return false;
  const accepted = await ctx.db
    .update(twoFactor)
    .set({ lastStep: step })
    .where(and(eq(twoFactor.userId, userId), lt(twoFactor.lastStep, step)))
    .returning({ userId: twoFactor.userId });
  return accepted.length === 1;
}

/** Uses a recovery code once. */
async function acceptRecoveryCode(ctx: TwoFactorContext, userId: number, code: string): Promise<boolean> {
  const used = await ctx.db
    .update(recoveryCodes)
    .set({ usedAt: ctx.clock.now().toISOString() })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashCode(normalRecoveryCode(code))),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return used.length === 1;
}

const normalRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A recovery code: 10 characters of base32 (50 bits), shown as "abcde-fghij". */
function newRecoveryCode(): string {
  const chars = [...randomBytes(10)].map((b) => RECOVERY_ALPHABET[b & 31]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** New recovery codes for the account; the earlier ones stop working. Returns them, to show once. */
async function replaceRecoveryCodes(tx: Tx, clock: Clock, userId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const createdAt = clock.now().toISOString();
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx
    .insert(recoveryCodes)
    .values(codes.map((code) => ({ userId, codeHash: hashCode(normalRecoveryCode(code)), createdAt })));
  return codes;
}

/** Refuses while the account waits out its growing delay; `attempt` then records a failure. */
async function throttledAttempt<T>(
  ctx: TwoFactorContext,
  userId: number,
  attempt: () => Promise<T | null>,
  onFailure: () => Promise<never>,
): Promise<T> {
  const limit = await throttled(ctx.db, throttleKey(userId), ctx.clock);
  if (!limit.allowed) throw new RateLimited(limit.retryAfter);
  const result = await attempt();
  if (result === null) {
    await failed(ctx.db, throttleKey(userId), ctx.clock);
    return onFailure();
  }
  await clearLimit(ctx.db, throttleKey(userId));
  return result;
}

const wrong = (field: string, key: 'errors.code_wrong' | 'errors.proof_wrong') => async (): Promise<never> => {
  throw new Invalid([{ field, key }]);
};

/**
 * Confirms the pending key with a code from it: two-factor sign-in is on (or uses the new
 * app), with 10 new recovery codes, returned to be shown once.
 */
export async function confirmEnrolment(ctx: TwoFactorContext, user: Person, input: unknown): Promise<string[]> {
  const { otp: code } = parse(EnrolSchema, input);
  return throttledAttempt(
    ctx,
    user.id,
    async () => {
      const found = await row(ctx.db, user.id);
      if (!found?.pendingSecret) return null;
      const step = matchingStep(ctx, keyOf(ctx, user.id, found.pendingSecret), code);
      if (step === null) return null;
      const now = ctx.clock.now().toISOString();
      return ctx.db.transaction(async (tx) => {
        const confirmed = await tx
          .update(twoFactor)
          .set({ secret: found.pendingSecret, pendingSecret: null, enabledAt: found.enabledAt ?? now, lastStep: step })
          .where(and(eq(twoFactor.userId, user.id), eq(twoFactor.pendingSecret, found.pendingSecret!)))
          .returning({ userId: twoFactor.userId });
        if (confirmed.length === 0) return null;
        return replaceRecoveryCodes(tx, ctx.clock, user.id);
      });
    },
    wrong('otp', 'errors.code_wrong'),
  );
}

/**
 * The second step of a sign-in: a code of the app or a recovery code. Each wrong one slows
 * the account down and counts against the pending session: at SECOND_STEP_MAX_FAILURES it
 * ends (`startOver`). Returns what was used.
 */
export async function verifySecondStep(
  ctx: TwoFactorContext,
  user: Person,
  sessionId: string,
  input: unknown,
): Promise<{ used: 'app' | 'recovery' } | { startOver: true }> {
  const { otp: code } = parse(SecondStepSchema, input);
  const limit = await throttled(ctx.db, throttleKey(user.id), ctx.clock);
  if (!limit.allowed) throw new RateLimited(limit.retryAfter);
  const used = /^\d{6}$/.test(code)
    ? (await acceptCode(ctx, user.id, code)) && 'app'
    : (await acceptRecoveryCode(ctx, user.id, code)) && 'recovery';
  if (used) {
    await clearLimit(ctx.db, throttleKey(user.id));
    return { used };
  }
  await failed(ctx.db, throttleKey(user.id), ctx.clock);
  const [session] = await ctx.db
    .update(sessions)
    .set({ secondStepFailures: sql`${sessions.secondStepFailures} + 1` })
    .where(eq(sessions.id, sessionId))
    .returning({ failures: sessions.secondStepFailures });
  if (!session || session.failures >= SECOND_STEP_MAX_FAILURES) {
    await ctx.db.delete(sessions).where(eq(sessions.id, sessionId));
    return { startOver: true };
  }
  throw new Invalid([{ field: 'otp', key: 'errors.code_wrong' }]);
}

/** The password, or a code of the app: what confirms a change of the settings. */
async function checkProof(ctx: TwoFactorContext, user: Person, input: unknown): Promise<void> {
  const { proof } = parse(ProofSchema, input);
  if (!(await twoFactorEnabled(ctx.db, user.id))) throw new Invalid([{ field: 'proof', key: 'errors.two_factor_off' }]);
  await throttledAttempt(
    ctx,
    user.id,
    async () => {
      const code = proof.replace(/\s/g, '');
      if (/^\d{6}$/.test(code)) return (await acceptCode(ctx, user.id, code)) || null;
      const [found] = await ctx.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id));
      const ok = !!found?.hash && (await verifyPassword(found.hash, proof).catch(() => false));
      return ok || null;
    },
    wrong('proof', 'errors.proof_wrong'),
  );
}

/** New recovery codes (the earlier ones stop working), after the password or a code. */
export async function regenerateRecoveryCodes(ctx: TwoFactorContext, user: Person, input: unknown): Promise<string[]> {
  await checkProof(ctx, user, input);
  return ctx.db.transaction((tx) => replaceRecoveryCodes(tx, ctx.clock, user.id));
}

/**
 * Starts replacing the app (a new phone, a lost one), after the password or a code: a new
 * key is shown, and the current one keeps working until a code of the new one confirms it.
 */
export async function startReplacement(ctx: TwoFactorContext, user: Person, input: unknown): Promise<void> {
  await checkProof(ctx, user, input);
  const sealed = seal(ctx.key, sealContext(user.id), new Uint8Array(randomBytes(20)));
  await ctx.db.update(twoFactor).set({ pendingSecret: sealed }).where(eq(twoFactor.userId, user.id));
}

/** Forgets a replacement key that was never confirmed. */
export async function cancelReplacement(ctx: TwoFactorContext, user: Person): Promise<void> {
  await ctx.db.update(twoFactor).set({ pendingSecret: null }).where(eq(twoFactor.userId, user.id));
}

/**
 * Turns two-factor sign-in off (families and owners only; staff must keep it), after the
 * password or a code: the key and the recovery codes are deleted, and so are the other
 * sessions still waiting for their second step.
 */
export async function disableTwoFactor(
  ctx: TwoFactorContext,
  user: Person,
  sessionId: string,
  input: unknown,
): Promise<void> {
  if (!mayTurnOffTwoFactor(user)) throw new Forbidden();
  await checkProof(ctx, user, input);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(twoFactor).where(eq(twoFactor.userId, user.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, user.id), eq(sessions.twoFactorVerified, false), ne(sessions.id, sessionId)));
  });
}

/** Clears an account's wrong-code delays (a password reset: whoever guessed no longer has the password). */
export const clearTwoFactorDelays = (db: Db, userId: number) => clearLimit(db, throttleKey(userId));

/**
 * Seeds a confirmed key (demo data: db/seed/demo.ts), sealed like any other.
 */
export async function enableWithKey(ctx: TwoFactorContext, userId: number, key: Uint8Array): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insert(twoFactor)
    .values({ userId, secret: seal(ctx.key, sealContext(userId), key), enabledAt: now, createdAt: now });
}
