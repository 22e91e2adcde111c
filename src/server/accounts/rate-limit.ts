// Rate limits in the database, so that they hold across server processes: a fixed window
// per key, incremented atomically by one upsert.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { Clock } from '../clock.ts';

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

export const LIMITS = {
  signInPerAccount: { max: 5, windowMs: 15 * 60_000 },
  signInPerIp: { max: 30, windowMs: 15 * 60_000 },
  emailPerAddress: { max: 3, windowMs: 60 * 60_000 },
  signUpPerIp: { max: 10, windowMs: 60 * 60_000 },
  // Families fill in the project form together at fairs and in libraries, behind one address.
  enquiryPerIp: { max: 30, windowMs: 60 * 60_000 },
  // An owner's proposals and edits, each of which emails the territory's staff.
  offerPostsPerOwner: { max: 20, windowMs: 24 * 60 * 60_000 },
  // The open-data API, per address: a harvester pages through everything well within it.
  apiPerIp: { max: 300, windowMs: 60_000 },
} satisfies Record<string, Limit>;

export interface LimitResult {
  allowed: boolean;
  /** Hits left in this window. */
  remaining: number;
  /** Seconds until the window ends, for Retry-After. */
  retryAfter: number;
}

/** Counts one hit for `key` and says whether it is within the limit. */
export async function hit(db: Db, key: string, limit: Limit, clock: Clock): Promise<LimitResult> {
  const now = clock.now().getTime();
  const windowStart = now - (now % limit.windowMs);
  const rows = await db.all<{ count: number; window_start: number }>(sql`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
      window_start = excluded.window_start
    RETURNING count, window_start`);
  const count = Number(rows[0]?.count ?? 1);
  return {
    allowed: count <= limit.max,
    remaining: Math.max(0, limit.max - count),
    retryAfter: Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000)),
  };
}

/** Takes back one hit, e.g. an address's sign-in attempt that turned out right. */
export async function refund(db: Db, key: string): Promise<void> {
  await db.run(sql`UPDATE rate_limits SET count = max(count - 1, 0) WHERE key = ${key}`);
}

/** Clears a key, e.g. an account's failed sign-ins once it signs in or resets its password. */
export async function clearLimit(db: Db, key: string): Promise<void> {
  await db.run(sql`DELETE FROM rate_limits WHERE key = ${key}`);
}
