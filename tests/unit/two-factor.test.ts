// Two-factor sign-in (decision 015): enrolment, codes once and within ±1 step, recovery
// codes, throttling, who may turn it off, the key sealed at rest, and the guards that keep
// a session without its second step out of every account page.
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DEMO_TOTP_SECRET } from '../../db/seed/demo.ts';
import { recoveryCodes, sessions as sessionsTable, twoFactor, users } from '../../db/schema/index.ts';
import { FREE_FAILURES } from '../../src/server/accounts/rate-limit.ts';
import {
  DEVELOPMENT_TOTP_KEY,
  open,
  parseTotpKey,
  resolveTotpKey,
  seal,
} from '../../src/server/accounts/secret-box.ts';
import { createSessions, SECOND_STEP_MS, type SessionUser } from '../../src/server/accounts/session.ts';
import {
  confirmEnrolment,
  disableTwoFactor,
  keyFromBase32,
  pendingKey,
  RECOVERY_CODE_COUNT,
  regenerateRecoveryCodes,
  SECOND_STEP_MAX_FAILURES,
  startReplacement,
  stepAt,
  totpCode,
  twoFactorState,
  verifySecondStep,
  type TwoFactorContext,
} from '../../src/server/accounts/two-factor.ts';
import { Forbidden, Invalid, RateLimited, SecondStepRequired } from '../../src/server/errors.ts';
import type { RequestContext } from '../../src/server/http/context.ts';
import {
  requireAdmin,
  requireEnrolment,
  requireFamily,
  requireSecondStep,
  requireStaff,
  requireUser,
} from '../../src/server/http/guards.ts';
import { errorOutcome } from '../../src/server/http/respond.ts';
import { ConfigError, readConfig, totpKeyOf } from '../../scripts/lib/config.ts';
import { prepareDb } from '../../scripts/lib/prepare-db.ts';
import { actors, testDb } from '../helpers/db.ts';

const demoKey = keyFromBase32(DEMO_TOTP_SECRET);

/** A seeded database, a clock to move, and the two-factor context over them. */
async function setup<const E extends readonly string[]>(...emails: E) {
  const { db } = await testDb();
  let now = Date.UTC(2026, 11, 5, 9, 0, 10);
  const clock = { now: () => new Date(now) };
  const ctx: TwoFactorContext = { db, clock, key: DEVELOPMENT_TOTP_KEY };
  return {
    db,
    ctx,
    advance: (ms: number) => (now += ms),
    step: () => stepAt(now),
    sessions: createSessions(db, { secure: false, clock }),
    people: await actors(db, ...emails),
  };
}

/** A family with an app set up: the raw key and its first recovery codes. */
async function enrolled(ctx: TwoFactorContext, user: SessionUser, step: number) {
  const key = keyFromBase32((await pendingKey(ctx, user, { create: true }))!.base32);
  const codes = await confirmEnrolment(ctx, user, { otp: totpCode(key, step) });
  return { key, codes };
}

const rejectsWith = async (promise: Promise<unknown>, field: string, key: string) =>
  expect(promise).rejects.toSatisfy(
    (e) => e instanceof Invalid && e.errors.some((x) => x.field === field && x.key === key),
  );

describe('enrolment', () => {
  it('shows one key until a right code confirms it, then gives 10 recovery codes', async () => {
    const { ctx, db, step, advance, people } = await setup('famille@demo.test');
    const [family] = people;
    expect(await pendingKey(ctx, family)).toBeNull(); // nothing made without asking
    const shown = (await pendingKey(ctx, family, { create: true }))!;
    expect(shown.uri).toMatch(/^otpauth:\/\/totp\/Campagne%20Conn/);
    expect(shown.uri).toContain('period=30');
    expect(shown.uri).toContain('digits=6');
    expect(keyFromBase32(shown.base32)).toHaveLength(20);
    expect((await pendingKey(ctx, family, { create: true }))!.base32).toBe(shown.base32); // a reload: the same key
    const key = keyFromBase32(shown.base32);

    await rejectsWith(confirmEnrolment(ctx, family, { otp: '12345' }), 'otp', 'errors.code_format');
    const wrong = totpCode(key, step() + 5);
    await rejectsWith(confirmEnrolment(ctx, family, { otp: wrong }), 'otp', 'errors.code_wrong');
    expect((await twoFactorState(db, family.id)).enabled).toBe(false);

    advance(1000);
    const codes = await confirmEnrolment(ctx, family, { otp: totpCode(key, step()) });
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(await twoFactorState(db, family.id)).toMatchObject({
      enabled: true,
      pending: false,
      recoveryCodesLeft: RECOVERY_CODE_COUNT,
    });
    // Only hashes are kept.
    const stored = await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, family.id));
    expect(stored.map((r) => r.codeHash).some((h) => codes.some((c) => h.includes(c.replace('-', ''))))).toBe(false);
    // Nothing waits for confirmation any more: the page shows no key.
    await expect(pendingKey(ctx, family, { create: true })).resolves.toBeNull();
  });

  it('keeps the key sealed at rest, bound to its account', async () => {
    const { ctx, db, people } = await setup('famille@demo.test', 'proprietaire@demo.test');
    const [family, owner] = people;
    const shown = (await pendingKey(ctx, family, { create: true }))!;
    const [row] = await db.select().from(twoFactor).where(eq(twoFactor.userId, family.id));
    expect(row!.pendingSecret).toMatch(/^v1\./);
    expect(row!.pendingSecret).not.toContain(shown.base32);
    expect(open(DEVELOPMENT_TOTP_KEY, `totp:${family.id}`, row!.pendingSecret!)).toEqual(keyFromBase32(shown.base32));
    expect(() => open(DEVELOPMENT_TOTP_KEY, `totp:${owner.id}`, row!.pendingSecret!)).toThrow();
    expect(() => open(new Uint8Array(32), `totp:${family.id}`, row!.pendingSecret!)).toThrow();
    const sealed = seal(DEVELOPMENT_TOTP_KEY, 'x', new Uint8Array([1, 2, 3]));
    expect(sealed).not.toBe(seal(DEVELOPMENT_TOTP_KEY, 'x', new Uint8Array([1, 2, 3]))); // a fresh IV each time
  });
});

describe('the second step', () => {
  it('accepts a code once, the step before and after too, never an older one', async () => {
    const { ctx, sessions, step, people } = await setup('agent.gers@demo.test');
    const [agent] = people;
    const { id } = await sessions.createSession(agent.id);
    const now = step();
    expect(await verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, now - 1) })).toEqual({ used: 'app' });
    // Replayed: refused, even within its 30 seconds.
    await rejectsWith(
      verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, now - 1) }),
      'otp',
      'errors.code_wrong',
    );
    expect(await verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, now) })).toEqual({ used: 'app' });
    expect(await verifySecondStep(ctx, agent, id, { otp: ` ${totpCode(demoKey, now + 1)} ` })).toEqual({
      used: 'app',
    });
    // Outside the window of one step either side.
    await rejectsWith(
      verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, now + 2) }),
      'otp',
      'errors.code_wrong',
    );
  });

  it('refuses a code of an older step than the last one used', async () => {
    const { ctx, sessions, step, people } = await setup('agent.gers@demo.test');
    const [agent] = people;
    const { id } = await sessions.createSession(agent.id);
    expect(await verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, step() + 1) })).toEqual({ used: 'app' });
    await rejectsWith(verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, step()) }), 'otp', 'errors.code_wrong');
  });

  it('takes a recovery code once, however it is typed', async () => {
    const { ctx, db, sessions, step, people } = await setup('famille@demo.test');
    const [family] = people;
    const { codes } = await enrolled(ctx, family, step());
    const { id } = await sessions.createSession(family.id);
    expect(await verifySecondStep(ctx, family, id, { otp: codes[3]!.toUpperCase().replace('-', ' ') })).toEqual({
      used: 'recovery',
    });
    await rejectsWith(verifySecondStep(ctx, family, id, { otp: codes[3]! }), 'otp', 'errors.code_wrong');
    expect((await twoFactorState(db, family.id)).recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT - 1);
    expect(await verifySecondStep(ctx, family, id, { otp: codes[4]! })).toEqual({ used: 'recovery' });
  });

  it('slows the account down after a few wrong codes, and ends the sign-in after five', async () => {
    const { ctx, db, sessions, advance, step, people } = await setup('agent.gers@demo.test');
    const [agent] = people;
    const { id } = await sessions.createSession(agent.id);
    const wrong = { otp: totpCode(demoKey, step() + 9) };
    for (let i = 0; i < FREE_FAILURES; i++)
      await rejectsWith(verifySecondStep(ctx, agent, id, wrong), 'otp', 'errors.code_wrong');
    // Even the right code waits its turn: the delay is the account's, not the code's.
    await expect(verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, step()) })).rejects.toBeInstanceOf(
      RateLimited,
    );
    advance(1000);
    await rejectsWith(verifySecondStep(ctx, agent, id, wrong), 'otp', 'errors.code_wrong'); // 4th
    advance(2000);
    expect(await verifySecondStep(ctx, agent, id, wrong)).toEqual({ startOver: true }); // 5th
    expect(await db.select().from(sessionsTable).where(eq(sessionsTable.id, id))).toEqual([]);
    expect(SECOND_STEP_MAX_FAILURES).toBe(5);

    // A new sign-in; the right code clears the delays.
    advance(4000);
    const again = await sessions.createSession(agent.id);
    expect(await verifySecondStep(ctx, agent, again.id, { otp: totpCode(demoKey, step()) })).toEqual({ used: 'app' });
    const next = await sessions.createSession(agent.id);
    await rejectsWith(verifySecondStep(ctx, agent, next.id, wrong), 'otp', 'errors.code_wrong');
  });
});

describe('recovery codes, another app, turning it off', () => {
  it('makes new recovery codes after the password or a code; the old ones stop working', async () => {
    const { ctx, sessions, step, advance, people } = await setup('famille@demo.test');
    const [family] = people;
    const { key, codes } = await enrolled(ctx, family, step());
    await rejectsWith(regenerateRecoveryCodes(ctx, family, { proof: '' }), 'proof', 'errors.proof_required');
    await rejectsWith(
      regenerateRecoveryCodes(ctx, family, { proof: 'pas le mot de passe' }),
      'proof',
      'errors.proof_wrong',
    );
    const fresh = await regenerateRecoveryCodes(ctx, family, { proof: 'demo-password-2026' });
    advance(31_000);
    const again = await regenerateRecoveryCodes(ctx, family, { proof: totpCode(key, step()) });
    expect(again).toHaveLength(RECOVERY_CODE_COUNT);
    const { id } = await sessions.createSession(family.id);
    await rejectsWith(verifySecondStep(ctx, family, id, { otp: codes[0]! }), 'otp', 'errors.code_wrong');
    await rejectsWith(verifySecondStep(ctx, family, id, { otp: fresh[0]! }), 'otp', 'errors.code_wrong');
    expect(await verifySecondStep(ctx, family, id, { otp: again[0]! })).toEqual({ used: 'recovery' });
  });

  it('replaces the app only once a code of the new one confirms it', async () => {
    const { ctx, sessions, step, advance, people } = await setup('agent.gers@demo.test');
    const [agent] = people;
    await startReplacement(ctx, agent, { proof: 'demo-password-2026' });
    const next = keyFromBase32((await pendingKey(ctx, agent))!.base32);
    expect(next).not.toEqual(demoKey);
    const { id } = await sessions.createSession(agent.id);
    // Until confirmed, the current app still signs in.
    expect(await verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, step()) })).toEqual({ used: 'app' });
    advance(30_000);
    expect(await confirmEnrolment(ctx, agent, { otp: totpCode(next, step()) })).toHaveLength(RECOVERY_CODE_COUNT);
    advance(30_000);
    await rejectsWith(verifySecondStep(ctx, agent, id, { otp: totpCode(demoKey, step()) }), 'otp', 'errors.code_wrong');
    expect(await verifySecondStep(ctx, agent, id, { otp: totpCode(next, step()) })).toEqual({ used: 'app' });
  });

  it('lets families and owners turn it off, never staff', async () => {
    const { ctx, db, sessions, step, people } = await setup(
      'famille@demo.test',
      'agent.gers@demo.test',
      'direction.gers@demo.test',
      'admin@demo.test',
    );
    const [family, ...staff] = people;
    for (const member of staff) {
      await expect(disableTwoFactor(ctx, member, 'x', { proof: 'demo-password-2026' })).rejects.toBeInstanceOf(
        Forbidden,
      );
      expect((await twoFactorState(db, member.id)).enabled).toBe(true);
    }
    await enrolled(ctx, family, step());
    const current = await sessions.createSession(family.id, { twoFactorVerified: true });
    const waiting = await sessions.createSession(family.id);
    expect((await sessions.validateSession(waiting.id))?.secondStep).toBe('verify');
    await rejectsWith(
      disableTwoFactor(ctx, family, current.id, { proof: 'mauvais mot de passe' }),
      'proof',
      'errors.proof_wrong',
    );
    await disableTwoFactor(ctx, family, current.id, { proof: 'demo-password-2026' });
    expect(await twoFactorState(db, family.id)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, family.id))).toEqual([]);
    // The session that was waiting for a code is gone; this one goes on.
    expect(await sessions.validateSession(waiting.id)).toBeNull();
    expect((await sessions.validateSession(current.id))?.secondStep).toBeNull();
  });
});

describe('sessions and guards', () => {
  const locals = (over: Partial<App.Locals>): App.Locals => ({
    locale: 'fr',
    requestId: 'test',
    user: null,
    sessionId: null,
    ...over,
  });
  const request = (path: string, over: Partial<App.Locals>): RequestContext =>
    ({
      request: new Request(`http://cc.test${path}`),
      url: new URL(`http://cc.test${path}`),
      locals: locals(over),
    }) as RequestContext;

  it('keeps a session without its second step out of every page of an account', async () => {
    const { db, sessions, advance, people } = await setup('agent.gers@demo.test', 'admin@demo.test');
    const [agent] = people;
    const pending = await sessions.createSession(agent.id);
    expect(pending.secondStep).toBe('verify');
    const checked = (await sessions.validateSession(pending.id))!;
    expect(checked.secondStep).toBe('verify');

    const ctx = request('/agent/candidats?etape=enquiry', { secondStep: { user: checked.user, need: 'verify' } });
    for (const guard of [requireUser, requireStaff, requireAdmin, requireFamily, requireEnrolment])
      expect(() => guard(ctx)).toThrow(SecondStepRequired);
    expect(requireSecondStep(ctx)).toMatchObject({ id: agent.id });
    let thrown: unknown;
    try {
      requireStaff(ctx);
    } catch (error) {
      thrown = error;
    }
    expect(errorOutcome(ctx, thrown)).toEqual({
      redirect: '/connexion/verification?retour=%2Fagent%2Fcandidats%3Fetape%3Denquiry',
      status: 302,
    });

    // An agent whose app is not set up yet: enrolment, and nothing else.
    await db.delete(twoFactor).where(eq(twoFactor.userId, agent.id));
    const enrolling = await sessions.createSession(agent.id);
    expect(enrolling.secondStep).toBe('enrol');
    const mustEnrol = request('/en/agent', { locale: 'en', secondStep: { user: checked.user, need: 'enrol' } });
    expect(() => requireStaff(mustEnrol)).toThrow(SecondStepRequired);
    expect(() => requireSecondStep(mustEnrol)).toThrow(SecondStepRequired);
    expect(requireEnrolment(mustEnrol)).toEqual({ user: checked.user, enrolling: true });
    try {
      requireUser(mustEnrol);
    } catch (error) {
      expect(errorOutcome(mustEnrol, error)).toMatchObject({ redirect: '/en/compte/securite?retour=%2Fen%2Fagent' });
    }

    // A waiting session lasts 15 minutes; a verified one the role's lifetime.
    const verified = await sessions.createSession(agent.id, { twoFactorVerified: true });
    expect(verified.secondStep).toBeNull();
    advance(SECOND_STEP_MS);
    expect(await sessions.validateSession(enrolling.id)).toBeNull();
    expect((await sessions.validateSession(verified.id))?.secondStep).toBeNull();
  });

  it('signs families in as before while they have not turned it on', async () => {
    const { sessions, people } = await setup('famille@demo.test', 'proprietaire@demo.test');
    for (const person of people) {
      const session = await sessions.createSession(person.id);
      expect(session.secondStep).toBeNull();
      expect((await sessions.validateSession(session.id))?.secondStep).toBeNull();
    }
  });

  it('gives the demo staff the documented key, and every account that must use it an app', async () => {
    const { db } = await testDb();
    const rows = await db
      .select({ email: users.email, secret: twoFactor.secret, enabledAt: twoFactor.enabledAt, id: users.id })
      .from(twoFactor)
      .innerJoin(users, eq(users.id, twoFactor.userId));
    expect(rows.map((r) => r.email).sort()).toEqual([
      'admin@demo.test',
      'agent.gers@demo.test',
      'agent.manche@demo.test',
      'direction.gers@demo.test',
    ]);
    for (const r of rows) expect(open(DEVELOPMENT_TOTP_KEY, `totp:${r.id}`, r.secret!)).toEqual(demoKey);
  });
});

describe('TOTP_KEY', () => {
  it('is 32 bytes of base64, required by a production server only', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(parseTotpKey(key)).toHaveLength(32);
    expect(parseTotpKey(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(parseTotpKey('not base64!')).toBeNull();
    expect(() => readConfig({ TOTP_KEY: 'short' })).toThrow(/TOTP_KEY is invalid/);
    expect(() => readConfig({ TOTP_KEY: 'short' })).not.toThrow(/short/); // the value is not echoed
    expect(() => totpKeyOf(readConfig({}))).toThrow(ConfigError);
    expect(totpKeyOf(readConfig({ TOTP_KEY: key }))).toEqual(new Uint8Array(Buffer.alloc(32, 7)));
    expect(totpKeyOf(readConfig({ APP_ENV: 'demo' }))).toEqual(DEVELOPMENT_TOTP_KEY);
    expect(() => resolveTotpKey(undefined, true)).toThrow(/TOTP_KEY/);
    expect(resolveTotpKey(undefined, false)).toEqual(DEVELOPMENT_TOTP_KEY);
  });

  it('must open the keys already sealed: a start with another key is refused, the data untouched', async () => {
    const { db, path } = await testDb(); // the demo's staff keys, sealed with the development key
    const config = readConfig({ APP_ENV: 'demo', DATABASE_URL: `file:${path}` });
    const other = new Uint8Array(32).fill(9);
    await expect(prepareDb(config, { demo: true, totpKey: other })).rejects.toThrow(
      /TOTP_KEY is not the key .* sealed with/,
    );
    // The right key starts; the scripts that check no code (imports, admin:create) need none.
    (await prepareDb(config, { demo: true })).$client.close();
    const reopened = await prepareDb(config, { demo: true, totpKey: DEVELOPMENT_TOTP_KEY });
    reopened.$client.close();
    const [row] = await db.select({ n: count() }).from(twoFactor);
    expect(row!.n).toBe(4);
    // An empty database has nothing sealed: any key starts it.
    const { path: empty } = await testDb('empty');
    const fresh = await prepareDb(readConfig({ DATABASE_URL: `file:${empty}` }), { demo: false, totpKey: other });
    fresh.$client.close();
  });
});
