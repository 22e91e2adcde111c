// Sessions, behind this one module (docs/decisions/002): lucia v3 with its drizzle adapter
// stores them; this module adds what lucia does not know: a lifetime per role, idle and
// absolute, enforced on every validation with an injectable clock.
import { DrizzleSQLiteAdapter } from '@lucia-auth/adapter-drizzle';
import { eq } from 'drizzle-orm';
import { Lucia, TimeSpan, type Cookie } from 'lucia';
import type { Db } from '../../../db/client.ts';
import { sessions, users, userTerritories, type Role } from '../../../db/schema/index.ts';
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
    DatabaseSessionAttributes: { createdAt: number; lastActiveAt: number };
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
    getSessionAttributes: (a) => ({ createdAt: a.createdAt, lastActiveAt: a.lastActiveAt }),
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
  return {
    /** A new session (new id from a CSPRNG) for a user who just proved who they are. */
    async createSession(userId: number): Promise<{ id: string; cookie: Cookie }> {
      const now = clock.now().getTime();
      const session = await lucia.createSession(userId, { createdAt: now, lastActiveAt: now });
      await seen(userId, now);
      return { id: session.id, cookie: lucia.createSessionCookie(session.id) };
    },

    /** The signed-in user of a session id, or null (unknown, expired, idle, deactivated). */
    async validateSession(
      sessionId: string,
    ): Promise<{ user: SessionUser; sessionId: string; cookie?: Cookie } | null> {
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
      if (now - session.lastActiveAt > ACTIVITY_WRITE_MS) {
        await db.update(sessions).set({ lastActiveAt: now }).where(eq(sessions.id, session.id));
        await seen(user.id, now);
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
      };
    },

    invalidateSession: (sessionId: string) => lucia.invalidateSession(sessionId),
    invalidateUserSessions: (userId: number) => lucia.invalidateUserSessions(userId),
    blankCookie: (): Cookie => lucia.createBlankSessionCookie(),
  };
}
