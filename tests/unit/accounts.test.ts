import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Db } from '../../db/client.ts';
import { authTokens, outbox, sessions as sessionsTable, users } from '../../db/schema/index.ts';
import {
  acceptInvitation,
  consumeMagicLink,
  createPlatformAdmin,
  deactivateStaff,
  getStaff,
  inviteStaff,
  listStaff,
  RateLimited,
  requestEmailLink,
  resetPassword,
  signIn,
  SignInRefused,
  signUp,
  updateStaff,
  verifyEmail,
  type AccountsContext,
} from '../../src/server/accounts/commands.ts';
import { PasswordSchema, EmailSchema } from '../../src/server/accounts/schemas.ts';
import { createSessions } from '../../src/server/accounts/session.ts';
import { consumeToken, hashToken, issueToken } from '../../src/server/accounts/tokens.ts';
import {
  delayAfter,
  failed,
  FREE_FAILURES,
  hit,
  pruneRateLimits,
  RATE_ROW_LIFE_MS,
  sharedLimiter,
  throttled,
} from '../../src/server/accounts/rate-limit.ts';
import { createDb } from '../../db/client.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { actor, actors, testDb } from '../helpers/db.ts';
import { HOUR_MS as HOUR } from '../../src/lib/time.ts';

function context(db: Db, start = Date.UTC(2026, 10, 23, 9)) {
  let now = start;
  const clock = { now: () => new Date(now) };
  const ctx: AccountsContext = { db, clock, siteUrl: 'https://cc.test' };
  return { ctx, clock, advance: (ms: number) => (now += ms) };
}

/** A session that passed the second step (staff must: decision 015). */
const verified = { twoFactorVerified: true };

/** A fresh database, sessions on a clock that starts now, and the users with these emails. */
async function withSessions<const E extends readonly string[]>(secure: boolean, ...emails: E) {
  const { db } = await testDb();
  const { ctx, clock, advance } = context(db, Date.now());
  return { db, ctx, advance, sessions: createSessions(db, { secure, clock }), people: await actors(db, ...emails) };
}

const tokenFromLastMail = async (db: Db) => {
  const [mail] = await db
    .select()
    .from(outbox)
    .orderBy(outbox.id)
    .limit(1)
    .offset((await db.select().from(outbox)).length - 1);
  return { mail: mail!, token: decodeURIComponent(/token=([\w-]+)/.exec(mail!.text)![1]!) };
};

/** An invitation of an agent to the Gers, with `over` changed. */
const invitation = (over: Record<string, unknown> = {}) => ({
  name: 'Zoé',
  email: 'zoe@exemple.fr',
  role: 'agent',
  territories: ['32'],
  locale: 'fr',
  ...over,
});

describe('input rules', () => {
  it('normalises emails and refuses short or common passwords', () => {
    expect(EmailSchema.parse('  Ana.Martin@Exemple.FR ')).toBe('ana.martin@exemple.fr');
    expect(EmailSchema.safeParse('pas-une-adresse').success).toBe(false);
    expect(PasswordSchema.safeParse('court').error?.issues[0]?.message).toBe('errors.password_length');
    expect(PasswordSchema.safeParse('x'.repeat(129)).error?.issues[0]?.message).toBe('errors.password_length');
    expect(PasswordSchema.safeParse('qwerty123456').error?.issues[0]?.message).toBe('errors.password_common');
    expect(PasswordSchema.safeParse('le chat dort sur la grange').success).toBe(true);
  });
});

describe('tokens', () => {
  it('are single use, expire, store only a hash, and replace earlier ones', async () => {
    const { db } = await testDb();
    const { clock, advance } = context(db);
    const token = await issueToken(db, 1, 'reset_password', clock);
    const rows = await db.select().from(authTokens);
    expect(rows[0]!.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    const newer = await issueToken(db, 1, 'reset_password', clock);
    expect(await consumeToken(db, token, 'reset_password', clock)).toBeNull();
    expect(await consumeToken(db, newer, 'magic_link', clock)).toBeNull();
    expect(await consumeToken(db, newer, 'reset_password', clock)).toBe(1);
    expect(await consumeToken(db, newer, 'reset_password', clock)).toBeNull();
    const late = await issueToken(db, 1, 'reset_password', clock);
    advance(HOUR + 1);
    expect(await consumeToken(db, late, 'reset_password', clock)).toBeNull();
  });
});

describe('rate limits', () => {
  it('count per key in a window shared through the database', async () => {
    const { db } = await testDb();
    const { clock, advance } = context(db);
    const limit = { max: 2, windowMs: 60_000 };
    expect((await hit(db, 'k', limit, clock)).allowed).toBe(true);
    expect((await hit(db, 'k', limit, clock)).allowed).toBe(true);
    const third = await hit(db, 'k', limit, clock);
    expect(third.allowed).toBe(false);
    expect(third.retryAfter).toBeGreaterThan(0);
    expect((await hit(db, 'other', limit, clock)).allowed).toBe(true);
    advance(60_000);
    expect((await hit(db, 'k', limit, clock)).allowed).toBe(true);
  });

  it('forget the rows that no longer count, and only those', async () => {
    const { db } = await testDb();
    const { clock, advance } = context(db);
    const day = { max: 2, windowMs: 24 * 3_600_000 };
    const keys = async () =>
      (await db.all<{ key: string }>(sql`SELECT key FROM rate_limits ORDER BY key`)).map((r) => r.key);
    await db.run(sql`DELETE FROM rate_limits`);
    await hit(db, 'old', day, clock);
    await failed(db, 'throttle-old', clock);
    advance(RATE_ROW_LIFE_MS + day.windowMs);
    await hit(db, 'day', day, clock);
    await hit(db, 'day', day, clock);
    for (let i = 0; i < FREE_FAILURES + 1; i++) await failed(db, 'throttle', clock);
    expect(await pruneRateLimits(db, clock)).toBe(2);
    expect(await keys()).toEqual(['day', 'throttle']);
    // What is kept still counts: the window's hits and the throttle's wait.
    expect((await hit(db, 'day', day, clock)).allowed).toBe(false);
    expect((await throttled(db, 'throttle', clock)).allowed).toBe(false);
    expect(await pruneRateLimits(db, clock)).toBe(0);
  });

  it('count at once in each process and add up across processes at each sync', async () => {
    const { db, path } = await testDb();
    // A second process: its own connection to the same file, and its own counts.
    const other = await createDb(`file:${path}`);
    onTestFinished(() => other.$client.close());
    const { clock, advance } = context(db);
    const limit = { max: 5, windowMs: 60_000 };
    const here = sharedLimiter(db, limit, clock);
    const there = sharedLimiter(other, limit, clock);
    const rows = async () =>
      (await db.all<{ key: string; count: number }>(sql`SELECT key, count FROM rate_limits ORDER BY key`)).map(
        (r) => `${r.key}=${r.count}`,
      );
    // Within one process the count is exact, before any write.
    expect([1, 2, 3].map(() => here.hit('k').remaining)).toEqual([4, 3, 2]);
    expect(await rows()).toEqual([]);
    expect(there.hit('k').remaining).toBe(4);
    expect(there.hit('other').allowed).toBe(true);
    // Each sync adds its hits once, and reads back the total of both.
    await here.sync();
    await there.sync();
    expect(await rows()).toEqual(['k=4', 'other=1']);
    expect(there.hit('k')).toMatchObject({ allowed: true, remaining: 0 });
    expect(there.hit('k')).toMatchObject({ allowed: false, remaining: 0 });
    // The other process learns of those two hits at its next sync, not before.
    expect(here.hit('k').allowed).toBe(true);
    await here.sync();
    expect(here.hit('k').allowed).toBe(false);
    await there.sync();
    expect(await rows()).toEqual(['k=7', 'other=1']);
    // A new window starts from nothing, in memory and in the database.
    advance(60_000);
    expect(here.hit('k')).toMatchObject({ allowed: true, remaining: 4 });
    await here.sync();
    expect(await rows()).toEqual(['k=1', 'other=1']);
  });

  it('count the hits a sync is writing while another process holds the write lock', async () => {
    const { db, path } = await testDb();
    const other = await createDb(`file:${path}`);
    onTestFinished(() => other.$client.close());
    const { clock } = context(db);
    const limiter = sharedLimiter(db, { max: 3, windowMs: 60_000 }, clock);
    limiter.hit('k');
    limiter.hit('k');
    const lock = await other.$client.transaction('write');
    const syncing = limiter.sync();
    await new Promise(setImmediate); // the sync has taken its hits and waits for the lock
    // Its two hits still count: the fourth is refused.
    expect(limiter.hit('k')).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.hit('k').allowed).toBe(false);
    await lock.commit();
    await syncing;
    expect(limiter.hit('k').allowed).toBe(false);
    await limiter.sync();
    expect(await db.all(sql`SELECT count FROM rate_limits WHERE key = 'k'`)).toEqual([{ count: 5 }]);
  });

  it('write each hit once when a later part of a large sync fails', async () => {
    const { db } = await testDb();
    const { clock } = context(db);
    const limiter = sharedLimiter(db, { max: 3, windowMs: 60_000 }, clock);
    // More keys than one statement takes; the second statement is refused.
    for (let i = 0; i < 6_000; i++) limiter.hit(`k${i}`);
    await db.run(
      sql.raw(
        `CREATE TRIGGER refuse BEFORE INSERT ON rate_limits WHEN NEW.key = 'k5500' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      ),
    );
    await expect(limiter.sync()).rejects.toThrow();
    await db.run(sql`DROP TRIGGER refuse`);
    await limiter.sync();
    const counts = await db.all<{ n: number; total: number }>(
      sql`SELECT count(*) AS n, sum(count) AS total FROM rate_limits WHERE key LIKE 'k%'`,
    );
    expect(counts).toEqual([{ n: 6_000, total: 6_000 }]);
  });

  it('keep counting when a sync fails, and add those hits at the next one', async () => {
    const { db } = await testDb();
    const { clock } = context(db);
    const limiter = sharedLimiter(db, { max: 3, windowMs: 60_000 }, clock);
    limiter.hit('k');
    await db.run(sql`ALTER TABLE rate_limits RENAME TO rate_limits_away`);
    await expect(limiter.sync()).rejects.toThrow();
    expect(limiter.hit('k').remaining).toBe(1);
    await db.run(sql`ALTER TABLE rate_limits_away RENAME TO rate_limits`);
    await limiter.sync();
    expect(await db.all(sql`SELECT key, count FROM rate_limits`)).toEqual([{ key: 'k', count: 2 }]);
  });
});

describe('sign-up and sign-in', () => {
  it('signs up a family, emails a link in the same transaction, and verifies the address', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    await signUp(
      ctx,
      { name: 'Ana Martin', email: ' Ana@Exemple.fr', password: 'le chat dort sur la grange', locale: 'fr' },
      '1.2.3.4',
    );
    const [user] = await db.select().from(users).where(eq(users.email, 'ana@exemple.fr'));
    expect(user).toMatchObject({ role: 'family', emailVerifiedAt: null });
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const { mail, token } = await tokenFromLastMail(db);
    expect(mail).toMatchObject({ to: 'ana@exemple.fr', template: 'verify_email', status: 'pending' });
    expect(mail.text).toContain('https://cc.test/inscription/confirmer?token=');
    await expect(
      signIn(ctx, { email: 'ana@exemple.fr', password: 'le chat dort sur la grange' }, '1.2.3.4'),
    ).rejects.toMatchObject({ key: 'errors.email_not_verified' });
    expect(await verifyEmail(ctx, token)).toBe(user!.id);
    expect(await verifyEmail(ctx, token)).toBeNull();
    expect(await signIn(ctx, { email: 'ANA@exemple.fr', password: 'le chat dort sur la grange' }, '1.2.3.4')).toEqual({
      userId: user!.id,
    });
  });

  it('does not reveal that an address has an account', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const before = await db.select().from(users);
    await signUp(
      ctx,
      { name: 'Intrus', email: 'famille@demo.test', password: 'une phrase assez longue', locale: 'fr' },
      '1.2.3.4',
    );
    expect(await db.select().from(users)).toHaveLength(before.length);
    const { mail } = await tokenFromLastMail(db);
    expect(mail).toMatchObject({ to: 'famille@demo.test', template: 'signup_exists' });
  });

  it('refuses invalid input with field errors and changes nothing', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const error = await signUp(ctx, { name: '', email: 'nope', password: 'short' }, '1.2.3.4').catch((e: Invalid) => e);
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).errors.map((e) => e.field).sort()).toEqual(['email', 'name', 'password']);
    expect(await db.select().from(outbox)).toEqual([]);
  });

  it('counts only failed sign-ins per address: people behind one address sign in all day, guessing stops', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const { LIMITS } = await import('../../src/server/accounts/rate-limit.ts');
    for (let i = 0; i < LIMITS.signInPerIp.max + 10; i++)
      expect(
        await signIn(ctx, { email: 'agent.gers@demo.test', password: 'demo-password-2026' }, '10.9.9.9'),
      ).toHaveProperty('userId');
    for (let i = 0; i < LIMITS.signInPerIp.max; i++) {
      await expect(
        signIn(ctx, { email: `inconnu${i}@exemple.fr`, password: 'devinette' }, '10.9.9.9'),
      ).rejects.toBeInstanceOf(SignInRefused);
    }
    await expect(
      signIn(ctx, { email: 'agent.gers@demo.test', password: 'demo-password-2026' }, '10.9.9.9'),
    ).rejects.toBeInstanceOf(RateLimited);
  });

  it('never locks an account: after many wrong passwords its owner gets in with the right one and an emailed link', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const wrong = { email: 'famille@demo.test', password: 'mauvais mot de passe' };
    // A stranger tries from many addresses, one attempt each: no delay applies to them either.
    for (let i = 0; i < 12; i++) await expect(signIn(ctx, wrong, `10.0.0.${i}`)).rejects.toBeInstanceOf(SignInRefused);
    const right = { ...wrong, password: 'demo-password-2026' };
    expect(await signIn(ctx, right, '10.0.1.1')).toEqual({ confirmByEmail: true });
    const { mail, token } = await tokenFromLastMail(db);
    expect(mail).toMatchObject({ to: 'famille@demo.test', template: 'confirm_sign_in' });
    expect(mail.text).toContain('https://cc.test/connexion/lien?token=');
    const [family] = await db.select().from(users).where(eq(users.email, 'famille@demo.test'));
    expect(await consumeMagicLink(ctx, token)).toBe(family!.id);
    expect(await consumeMagicLink(ctx, token)).toBeNull();
    // Confirmed: the account starts afresh.
    expect(await signIn(ctx, right, '10.0.1.1')).toEqual({ userId: family!.id });
    // A wrong password never gets the link.
    for (let i = 0; i < 6; i++) await expect(signIn(ctx, wrong, `10.0.2.${i}`)).rejects.toBeInstanceOf(SignInRefused);
    const mails = (await db.select().from(outbox)).length;
    await expect(signIn(ctx, wrong, '10.0.3.1')).rejects.toBeInstanceOf(SignInRefused);
    expect(await db.select().from(outbox)).toHaveLength(mails);
  });

  it('keeps the owner’s way in when a stranger also uses up the address’s reset links', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const { LIMITS } = await import('../../src/server/accounts/rate-limit.ts');
    const wrong = { email: 'famille@demo.test', password: 'mauvais mot de passe' };
    for (let i = 0; i < 6; i++) await expect(signIn(ctx, wrong, `10.7.7.${i}`)).rejects.toBeInstanceOf(SignInRefused);
    for (let i = 0; i < LIMITS.emailPerAddress.max; i++)
      await requestEmailLink(ctx, { email: wrong.email, locale: 'fr' }, 'reset_password');
    await expect(requestEmailLink(ctx, { email: wrong.email, locale: 'fr' }, 'reset_password')).rejects.toBeInstanceOf(
      RateLimited,
    );
    // The owner, with the right password, from home: the confirmation link goes out.
    expect(await signIn(ctx, { ...wrong, password: 'demo-password-2026' }, '10.8.8.8')).toEqual({
      confirmByEmail: true,
    });
    const { mail } = await tokenFromLastMail(db);
    expect(mail).toMatchObject({ to: 'famille@demo.test', template: 'confirm_sign_in' });
  });

  it('slows down guesses of one account from one address with growing delays, and nobody else', async () => {
    const { db } = await testDb();
    const { ctx, advance } = context(db);
    const wrong = { email: 'agent.gers@demo.test', password: 'mauvais mot de passe' };
    const guess = () => signIn(ctx, wrong, '10.5.5.5');
    for (let i = 0; i < FREE_FAILURES; i++) await expect(guess()).rejects.toBeInstanceOf(SignInRefused);
    // Then 1 s, 2 s, 4 s… between guesses.
    for (const seconds of [1, 2, 4, 8]) {
      await expect(guess()).rejects.toMatchObject({ retryAfter: seconds });
      advance(seconds * 1000 - 1);
      await expect(guess()).rejects.toBeInstanceOf(RateLimited);
      advance(1);
      await expect(guess()).rejects.toBeInstanceOf(SignInRefused);
    }
    // Another account from that address, and that account from another address, are not slowed down.
    await expect(signIn(ctx, { ...wrong, email: 'famille@demo.test' }, '10.5.5.5')).rejects.toBeInstanceOf(
      SignInRefused,
    );
    expect(await signIn(ctx, { ...wrong, password: 'demo-password-2026' }, '10.6.6.6')).toEqual({
      confirmByEmail: true,
    });
    // The delay never exceeds 15 minutes, and a quiet quarter of an hour forgets the guesses.
    expect(delayAfter(50)).toBe(15 * 60_000);
    advance(16 * 60_000);
    await expect(guess()).rejects.toBeInstanceOf(SignInRefused);
  });

  it('lets a person whose account was attacked reset their password', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const wrong = { email: 'famille@demo.test', password: 'mauvais mot de passe' };
    for (let i = 0; i < 5; i++) await expect(signIn(ctx, wrong, `10.0.0.${i}`)).rejects.toBeInstanceOf(SignInRefused);
    await requestEmailLink(ctx, { email: 'famille@demo.test', locale: 'fr' }, 'reset_password');
    const { token } = await tokenFromLastMail(db);
    await resetPassword(ctx, { token, password: 'une toute nouvelle phrase' }, async () => {});
    expect(
      await signIn(ctx, { email: 'famille@demo.test', password: 'une toute nouvelle phrase' }, '10.0.1.1'),
    ).toHaveProperty('userId');
  });

  it('resets a password once, within an hour, ending every other session', async () => {
    const { db } = await testDb();
    const { ctx, advance } = context(db);
    const ended: number[] = [];
    await requestEmailLink(ctx, { email: 'famille@demo.test', locale: 'fr' }, 'reset_password');
    const { token } = await tokenFromLastMail(db);
    const userId = await resetPassword(
      ctx,
      { token, password: 'encore une autre phrase' },
      async (id) => void ended.push(id),
    );
    expect(ended).toEqual([userId]);
    await expect(
      resetPassword(ctx, { token, password: 'encore une autre phrase' }, async () => {}),
    ).rejects.toBeInstanceOf(Invalid);
    await requestEmailLink(ctx, { email: 'famille@demo.test', locale: 'fr' }, 'reset_password');
    const late = (await tokenFromLastMail(db)).token;
    advance(HOUR + 1000);
    await expect(
      resetPassword(ctx, { token: late, password: 'encore une autre phrase' }, async () => {}),
    ).rejects.toBeInstanceOf(Invalid);
  });

  it('answers the same for an unknown address, and limits emails per address', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    await requestEmailLink(ctx, { email: 'inconnu@exemple.fr', locale: 'fr' }, 'reset_password');
    expect(await db.select().from(outbox)).toEqual([]);
    for (let i = 0; i < 3; i++)
      await requestEmailLink(ctx, { email: 'famille@demo.test', locale: 'fr' }, 'reset_password');
    await expect(
      requestEmailLink(ctx, { email: 'famille@demo.test', locale: 'fr' }, 'reset_password'),
    ).rejects.toBeInstanceOf(RateLimited);
  });
});

describe('sessions', () => {
  it('end after the idle timeout and the absolute lifetime of the role', async () => {
    const { db, advance, sessions: s, people } = await withSessions(true, 'agent.gers@demo.test', 'famille@demo.test');
    const [agent, family] = people;

    const a = await s.createSession(agent.id, verified);
    expect(a.cookie.attributes).toMatchObject({ httpOnly: true, secure: true, sameSite: 'lax' });
    expect(a.id.length).toBeGreaterThanOrEqual(25);
    expect((await s.validateSession(a.id))?.user).toMatchObject({ id: agent.id, role: 'agent', territories: ['32'] });
    advance(7 * HOUR);
    expect(await s.validateSession(a.id)).not.toBeNull(); // active: the idle clock restarts
    advance(8 * HOUR + 1000);
    expect(await s.validateSession(a.id)).toBeNull(); // idle for more than 8 h
    expect(await db.select().from(sessionsTable).where(eq(sessionsTable.id, a.id))).toEqual([]);

    const b = await s.createSession(agent.id, verified);
    for (let i = 0; i < 24; i++) {
      advance(7 * HOUR);
      const alive = await s.validateSession(b.id);
      if (i < 23) expect(alive).not.toBeNull();
      else expect(alive).toBeNull(); // 7 days absolute
    }

    const f = await s.createSession(family.id);
    advance(29 * 24 * HOUR);
    expect(await s.validateSession(f.id)).not.toBeNull();
    advance(2 * 24 * HOUR);
    expect(await s.validateSession(f.id)).toBeNull();
  });

  it('end when the user signs out everywhere or is deactivated, and a new sign-in gets a new id', async () => {
    const { db, sessions: s, people } = await withSessions(false, 'agent.gers@demo.test');
    const [agent] = people;
    const one = await s.createSession(agent.id, verified);
    const two = await s.createSession(agent.id, verified);
    expect(one.id).not.toBe(two.id);
    await s.invalidateUserSessions(agent.id);
    expect(await s.validateSession(one.id)).toBeNull();
    expect(await s.validateSession(two.id)).toBeNull();
    const three = await s.createSession(agent.id, verified);
    await db.update(users).set({ deactivatedAt: new Date().toISOString() }).where(eq(users.id, agent.id));
    expect(await s.validateSession(three.id)).toBeNull();
    expect(await s.validateSession('x'.repeat(500))).toBeNull();
  });
});

describe('staff', () => {
  it('a territory admin invites an agent of their territory only; the invitee sets a password', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const gers = await actor(db, 'direction.gers@demo.test');
    await expect(inviteStaff(ctx, gers, invitation({ territories: ['50'] }))).rejects.toBeInstanceOf(Invalid);
    const id = await inviteStaff(ctx, gers, invitation({ email: 'Zoe@Exemple.fr' }));
    const { mail, token } = await tokenFromLastMail(db);
    expect(mail).toMatchObject({ to: 'zoe@exemple.fr', template: 'invitation' });
    expect(mail.text).toContain('Direction du Gers');
    await expect(
      signIn(ctx, { email: 'zoe@exemple.fr', password: 'une phrase de passe' }, '1.1.1.1'),
    ).rejects.toBeInstanceOf(SignInRefused);
    expect(await acceptInvitation(ctx, { token, password: 'une phrase de passe' })).toBe(id);
    expect(await signIn(ctx, { email: 'zoe@exemple.fr', password: 'une phrase de passe' }, '1.1.1.1')).toEqual({
      userId: id,
    });
    await expect(inviteStaff(ctx, gers, invitation())).rejects.toThrow();
  });

  it('creates the first platform admin on an empty database, with a one-time link; an existing email is refused', async () => {
    const { db } = await testDb('referential');
    const { ctx } = context(db);
    const url = await createPlatformAdmin(ctx, { email: 'Ops@Exemple.fr', name: 'Camille Ops', locale: 'fr' });
    const token = new URL(url).searchParams.get('token')!;
    expect(url).toBe(`https://cc.test/invitation?token=${encodeURIComponent(token)}`);
    const [admin] = await db.select().from(users).where(eq(users.email, 'ops@exemple.fr'));
    expect(admin).toMatchObject({ role: 'platform_admin', passwordHash: null });
    // Any email with an account is refused, and that account is left as it was.
    await expect(createPlatformAdmin(ctx, { email: 'ops@exemple.fr', name: 'X' })).rejects.toBeInstanceOf(Conflict);
    await expect(createPlatformAdmin(ctx, { email: 'not an email', name: 'X' })).rejects.toBeInstanceOf(Invalid);
    expect(await db.select().from(users)).toHaveLength(1);
    expect(await acceptInvitation(ctx, { token, password: 'une phrase de passe' })).toBe(admin!.id);
    expect(await signIn(ctx, { email: 'ops@exemple.fr', password: 'une phrase de passe' }, '1.1.1.1')).toEqual({
      userId: admin!.id,
    });
    await expect(acceptInvitation(ctx, { token, password: 'une autre phrase' })).rejects.toThrow();
  });

  it('keeps each administrator to their territories: another territory’s agent is not found', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const [gers, platform, agentGers, agentManche] = await actors(
      db,
      'direction.gers@demo.test',
      'admin@demo.test',
      'agent.gers@demo.test',
      'agent.manche@demo.test',
    );
    expect((await listStaff(db, gers)).map((m) => m.email).sort()).toEqual([
      'agent.gers@demo.test',
      'direction.gers@demo.test',
    ]);
    expect((await listStaff(db, platform)).map((m) => m.email)).toContain('agent.manche@demo.test');
    await expect(getStaff(db, gers, agentManche.id)).rejects.toBeInstanceOf(NotFound);
    await expect(getStaff(db, gers, 999_999)).rejects.toBeInstanceOf(NotFound);
    await expect(updateStaff(ctx, gers, agentManche.id, { role: 'agent', territories: ['32'] })).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(listStaff(db, agentGers)).rejects.toBeInstanceOf(Forbidden);
    await expect(inviteStaff(ctx, agentGers, invitation({ name: 'X', email: 'x@exemple.fr' }))).rejects.toBeInstanceOf(
      Forbidden,
    );
    await updateStaff(ctx, gers, agentGers.id, { role: 'territory_admin', territories: ['32'] });
    expect((await getStaff(db, gers, agentGers.id)).role).toBe('territory_admin');
    await updateStaff(ctx, platform, agentManche.id, { role: 'agent', territories: ['50', '32'] });
    expect((await getStaff(db, gers, agentManche.id)).territories.sort()).toEqual(['32', '50']);
  });

  it('a territory admin cannot change the powers of an agent who also serves another territory', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    const [gers, platform, shared] = await actors(
      db,
      'direction.gers@demo.test',
      'admin@demo.test',
      'agent.manche@demo.test',
    );
    await updateStaff(ctx, platform, shared.id, { role: 'agent', territories: ['50', '32'] });
    const before = await getStaff(db, platform, shared.id);
    await expect(
      updateStaff(ctx, gers, shared.id, { role: 'territory_admin', territories: ['32'] }),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(deactivateStaff(ctx, gers, shared.id, async () => {})).rejects.toBeInstanceOf(Forbidden);
    expect(await getStaff(db, platform, shared.id)).toEqual(before);
    // The platform admin may.
    await updateStaff(ctx, platform, shared.id, { role: 'territory_admin', territories: ['32', '50'] });
    expect((await getStaff(db, platform, shared.id)).role).toBe('territory_admin');
  });

  it('deactivation ends the sessions at once', async () => {
    const { ctx, sessions: s, people } = await withSessions(false, 'direction.gers@demo.test', 'agent.gers@demo.test');
    const [gers, agent] = people;
    const session = await s.createSession(agent.id, verified);
    await deactivateStaff(ctx, gers, agent.id, (id) => s.invalidateUserSessions(id));
    expect(await s.validateSession(session.id)).toBeNull();
    await expect(
      signIn(ctx, { email: 'agent.gers@demo.test', password: 'demo-password-2026' }, '1.1.1.1'),
    ).rejects.toBeInstanceOf(SignInRefused);
    await expect(deactivateStaff(ctx, gers, gers.id, async () => {})).rejects.toBeInstanceOf(Invalid);
  });
});

describe('malformed posts', () => {
  it('a reset or invitation post without a usable token is a field error, not a crash', async () => {
    const { db } = await testDb();
    const { ctx } = context(db);
    for (const input of [
      {},
      { token: 'x' },
      { token: ['a', 'b'], password: 1 },
      { token: 'y'.repeat(500), password: 'une phrase assez longue' },
    ]) {
      const e1 = await resetPassword(ctx, input, async () => {}).catch((e: unknown) => e);
      const e2 = await acceptInvitation(ctx, input).catch((e: unknown) => e);
      for (const e of [e1, e2]) {
        expect(e).toBeInstanceOf(Invalid);
        for (const fe of (e as Invalid).errors) expect(fe.key).toMatch(/^errors\./);
      }
    }
  });
});
