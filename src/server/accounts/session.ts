// Sessions, behind this one module (docs/decisions/002): lucia v3 with its drizzle adapter
// stores them; this module adds what lucia does not know: a lifetime per role, idle and
// absolute, enforced on every validation with an injectable clock; and the second step
// (decision 015): a session of an account with two-factor sign-in is worth nothing until it
// passed it, and one of an account that must use it, until its app is set up.
import { DrizzleSQLiteAdapter } from '@lucia-auth/adapter-drizzle';
import { eq } from 'drizzle-orm';
import { Lucia, TimeSpan, type Cookie } from 'lucia';
import type { Db } from '../../../db/client.ts';
import { sessions, twoFactor, users, userTerritories, type Role } from '../../../db/schema/index.ts';
import { mustUseTwoFactor } from '../policy.ts';
import { systemClock, type Clock } from '../clock.ts';
import { SESSION_COOKIE_MAX_AGE_DAYS, SESSION_COOKIE_NAME } from './session-cookie.ts';
import { DAY_MS, HOUR_MS } from '../../lib/time.ts';

/** Idle timeout and absolute lifetime of a session, by role. */
export const SESSION_LIFETIMES: Record<Role, { idleMs: number; absoluteMs: number }> = {
  family: { idleMs: 30 * DAY_MS, absoluteMs: 30 * DAY_MS },
  owner: { idleMs: 30 * DAY_MS, absoluteMs: 30 * DAY_MS },
  agent: { idleMs: 8 * HOUR_MS, absoluteMs: 7 * DAY_MS },
  territory_admin: { idleMs: 8 * HOUR_MS, absoluteMs: 7 * DAY_MS },
  platform_admin: { idleMs: 8 * HOUR_MS, absoluteMs: 7 * DAY_MS },
};

/** A session waiting for its second step (a code, or an app to set up) ends after this. */
export const SECOND_STEP_MS = 15 * 60_000;

/** What a session still lacks: a code (`verify`), an app to set up (`enrol`), or nothing. */
export type SecondStep = 'verify' | 'enrol' | null;

/** lastActiveAt is written at most once a minute, not on every request. */
const ACTIVITY_WRITE_MS = 60_000;

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: 'fr' | 'en';
  territories: string[];
}

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    UserId: number;
    DatabaseSessionAttributes: { createdAt: number; lastActiveAt: number; twoFactorVerified: boolean };
    DatabaseUserAttributes: {
      email: string;
      name: string;
      role: Role;
      locale: 'fr' | 'en';
      deactivatedAt: string | null;
      emailVerifiedAt: string | null;
    };
  }
}

function createLucia(db: Db, secure: boolean) {
  return new Lucia(new DrizzleSQLiteAdapter(db, sessions, users), {
    sessionExpiresIn: new TimeSpan(SESSION_COOKIE_MAX_AGE_DAYS, 'd'),
    sessionCookie: { name: SESSION_COOKIE_NAME, expires: true, attributes: { secure, sameSite: 'lax' } },
    getSessionAttributes: (a) => ({
      createdAt: a.createdAt,
      lastActiveAt: a.lastActiveAt,
      twoFactorVerified: !!a.twoFactorVerified,
    }),
    getUserAttributes: (a) => ({
      email: a.email,
      name: a.name,
      role: a.role,
      locale: a.locale,
      deactivatedAt: a.deactivatedAt,
      emailVerifiedAt: a.emailVerifiedAt,
    }),
  });
}

export type Sessions = ReturnType<typeof createSessions>;

export function createSessions(db: Db, { secure, clock = systemClock }: { secure: boolean; clock?: Clock }) {
  const lucia = createLucia(db, secure);

  /** The account is in use: it will not expire for inactivity (src/server/privacy/retention.ts). */
  const seen = (userId: number, now: number) =>
    db
      .update(users)
      .set({ lastSeenAt: new Date(now).toISOString(), inactivityWarnedAt: null })
      .where(eq(users.id, userId));

  /** What a session of `user` still lacks, given whether it passed the second step. */
  async function secondStepOf(user: { id: number; role: Role }, verified: boolean): Promise<SecondStep> {
    if (verified) return null;
    const [found] = await db
      .select({ enabledAt: twoFactor.enabledAt })
      .from(twoFactor)
      .where(eq(twoFactor.userId, user.id));
    if (found?.enabledAt) return 'verify';
    return mustUseTwoFactor(user) ? 'enrol' : null;
  }

  return {
    /**
     * A new session (new id from a CSPRNG) for a user who just proved who they are: with the
     * password or an emailed link only (`twoFactorVerified` false), or with the second step
     * too. Says what the session still lacks.
     */
    async createSession(
      userId: number,
      { twoFactorVerified = false }: { twoFactorVerified?: boolean } = {},
    ): Promise<{ id: string; cookie: Cookie; secondStep: SecondStep; role: Role | null }> {
      const now = clock.now().getTime();
      const session = await lucia.createSession(userId, { createdAt: now, lastActiveAt: now, twoFactorVerified });
      const [user] = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId));
      const secondStep = user ? await secondStepOf(user, twoFactorVerified) : null;
      // A password without its second step is not the account's owner in use.
      if (!secondStep) await seen(userId, now);
      return { id: session.id, cookie: lucia.createSessionCookie(session.id), secondStep, role: user?.role ?? null };
    },

    /**
     * The user of a session id, and what the session still lacks (`secondStep`: then the
     * user is not signed in yet); or null (unknown, expired, idle, deactivated, or waiting
     * for its second step longer than SECOND_STEP_MS).
     */
    async validateSession(
      sessionId: string,
    ): Promise<{ user: SessionUser; sessionId: string; cookie?: Cookie; secondStep: SecondStep } | null> {
      if (typeof sessionId !== 'string' || sessionId.length > 100) return null;
      const { session, user } = await lucia.validateSession(sessionId);
      if (!session || !user) return null;
      const now = clock.now().getTime();
      const lifetime = SESSION_LIFETIMES[user.role];
      if (
        user.deactivatedAt ||
        now - session.createdAt >= lifetime.absoluteMs ||
        now - session.lastActiveAt >= lifetime.idleMs
      ) {
        await lucia.invalidateSession(session.id);
        return null;
      }
      const secondStep = await secondStepOf(user, session.twoFactorVerified);
      if (secondStep && now - session.createdAt >= SECOND_STEP_MS) {
        await lucia.invalidateSession(session.id);
        return null;
      }
      if (now - session.lastActiveAt > ACTIVITY_WRITE_MS) {
        await db.update(sessions).set({ lastActiveAt: now }).where(eq(sessions.id, session.id));
        if (!secondStep) await seen(user.id, now);
      }
      const territories = (
        await db
          .select({ code: userTerritories.territoryCode })
          .from(userTerritories)
          .where(eq(userTerritories.userId, user.id))
      ).map((t) => t.code);
      return {
        user: { id: user.id, email: user.email, name: user.name, role: user.role, locale: user.locale, territories },
        sessionId: session.id,
        cookie: session.fresh ? lucia.createSessionCookie(session.id) : undefined,
        secondStep,
      };
    },

    invalidateSession: (sessionId: string) => lucia.invalidateSession(sessionId),
    invalidateUserSessions: (userId: number) => lucia.invalidateUserSessions(userId),
    blankCookie: (): Cookie => lucia.createBlankSessionCookie(),
  };
}
