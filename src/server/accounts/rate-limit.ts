// Rate limits in the database, so that they hold across server processes: a fixed window
// per key, incremented atomically by one upsert.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { Clock } from '../clock.ts';
import { errorFields, log } from '../../lib/log.ts';

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

export const LIMITS = {
  // Wrong passwords for one account from anywhere: above this, the right password alone is
  // not enough — the sign-in is confirmed by an emailed link — but the account never locks.
  signInPerAccount: { max: 5, windowMs: 15 * 60_000 },
  signInPerIp: { max: 30, windowMs: 15 * 60_000 },
  emailPerAddress: { max: 3, windowMs: 60 * 60_000 },
  // The sign-in confirmation, sent only for the right password: a budget of its own, which
  // requests for reset links (anyone may ask them for any address) cannot use up.
  signInLinksPerAccount: { max: 5, windowMs: 60 * 60_000 },
  signUpPerIp: { max: 10, windowMs: 60 * 60_000 },
  // Families fill in the project form together at fairs and in libraries, behind one address.
  enquiryPerIp: { max: 30, windowMs: 60 * 60_000 },
  // An owner's proposals and edits, each of which emails the territory's staff.
  offerPostsPerOwner: { max: 20, windowMs: 24 * 60 * 60_000 },
  // An ambassador's saves of a changed story, each of which emails the territory's staff.
  storySavesPerAmbassador: { max: 10, windowMs: 24 * 60 * 60_000 },
  // An agent's introductions to ambassadors, each of which emails a family and an ambassador.
  introductionsPerAgent: { max: 30, windowMs: 24 * 60 * 60_000 },
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
  return windowResult(Number(rows[0]?.count ?? 1), windowStart, limit, now);
}

/** What `count` hits in the window starting at `windowStart` allow. */
const windowResult = (count: number, windowStart: number, limit: Limit, now: number): LimitResult => ({
  allowed: count <= limit.max,
  remaining: Math.max(0, limit.max - count),
  retryAfter: Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000)),
});

/** A limit counted in this process at once and shared with the others through the database. */
export interface SharedLimiter {
  /** Counts one hit for `key` (no database round trip) and says whether it is within the limit. */
  hit(key: string): LimitResult;
  /** Adds this process's hits to the shared counts and reads back what every process counted. */
  sync(): Promise<void>;
}

/** Keys per upsert: three parameters each, under SQLite's 32 766. */
const SYNC_CHUNK = 5_000;
/** Keys a shared limiter keeps in memory for their whole window (~150 bytes each). */
const MAX_KEYS = 100_000;

interface KeyCount {
  windowStart: number;
  shared: number;
  inflight: number;
  pending: number;
}

/**
 * A fixed window per key, like `hit`, for limits met on every read (the open-data API): one
 * write, and its fsync, per read cost a fifth of an API answer's CPU and queued every other
 * write behind it. Each process counts its hits in memory and decides at once; every `syncMs`
 * it adds them to the `rate_limits` rows in one statement and reads back the totals of every
 * process. Across processes a key may so pass its limit by what the others counted since
 * their last sync (about `syncMs` of hits; more while the database is slow to take the
 * write); within one process the count is exact, hits being written included.
 */
export function sharedLimiter(db: Db, limit: Limit, clock: Clock, syncMs = 1_000): SharedLimiter {
  // `shared`: the key's count in the database at the last sync (every process's hits in the
  // window); `pending`: this process's hits since. A key is kept until its window ends —
  // beyond MAX_KEYS (a flood of addresses), synced keys below the limit are let go, and one
  // seen again starts from its next sync's total.
  // `inflight`: the hits a sync is writing, still counted until the total comes back.
  const counts = new Map<string, KeyCount>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;

  async function syncOnce(): Promise<void> {
    // A closed connection: the process (or a test) is done, and so are its windows.
    if (db.$client.closed) return counts.clear();
    const now = clock.now().getTime();
    const batch: Array<{ key: string; c: KeyCount }> = [];
    for (const [key, c] of counts) {
      // A hit of a window that is over no longer limits anyone.
      if (c.windowStart + limit.windowMs <= now) counts.delete(key);
      else if (c.pending > 0) batch.push({ key, c });
    }
    for (const { c } of batch) [c.inflight, c.pending] = [c.pending, 0];
    for (let i = 0; i < batch.length; i += SYNC_CHUNK) {
      const chunk = batch.slice(i, i + SYNC_CHUNK);
      let rows: Array<{ key: string; count: number; window_start: number }>;
      try {
        rows = await db.all(sql`
          INSERT INTO rate_limits (key, window_start, count) VALUES ${sql.join(
            chunk.map(({ key, c }) => sql`(${key}, ${c.windowStart}, ${c.inflight})`),
            sql`, `,
          )}
          ON CONFLICT (key) DO UPDATE SET
            count = CASE
              WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + excluded.count
              WHEN rate_limits.window_start > excluded.window_start THEN rate_limits.count
              ELSE excluded.count END,
            window_start = max(rate_limits.window_start, excluded.window_start)
          RETURNING key, count, window_start`);
      } catch (error) {
        // This chunk and the ones not sent go with the next sync (the earlier ones are written).
        for (const { c } of batch.slice(i)) [c.pending, c.inflight] = [c.pending + c.inflight, 0];
        throw error;
      }
      const totals = new Map(rows.map((r) => [r.key, r]));
      for (const { key, c } of chunk) {
        const row = totals.get(key);
        if (row && Number(row.window_start) === c.windowStart) c.shared = Number(row.count);
        c.inflight = 0;
      }
    }
    if (counts.size > MAX_KEYS)
      for (const [key, c] of counts)
        if (c.pending === 0 && c.inflight === 0 && c.shared < limit.max) counts.delete(key);
  }

  function sync(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    // One sync at a time: a second waits for the first, then runs with what came since.
    const next = (running ?? Promise.resolve()).then(syncOnce);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    running = settled;
    void settled.then(() => {
      if (running === settled) running = undefined;
    });
    return next;
  }

  function later(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      sync().catch((error: unknown) => {
        log.warn({ ...errorFields(error) }, 'rate limits: sync failed');
        later();
      });
    }, syncMs);
    timer.unref?.();
  }

  return {
    hit(key) {
      const now = clock.now().getTime();
      const windowStart = now - (now % limit.windowMs);
      let c = counts.get(key);
      if (!c || c.windowStart !== windowStart)
        counts.set(key, (c = { windowStart, shared: 0, inflight: 0, pending: 0 }));
      c.pending++;
      later();
      return windowResult(c.shared + c.inflight + c.pending, windowStart, limit, now);
    },
    sync,
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

/** Failed attempts that cost nothing; each further one doubles the wait (1 s, 2 s, 4 s… 15 min). */
export const FREE_FAILURES = 3;
export const MAX_DELAY_MS = 15 * 60_000;

/** The wait after `failures` failed attempts of one account from one address. */
export const delayAfter = (failures: number) =>
  failures < FREE_FAILURES ? 0 : Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS);

/**
 * Growing delays for one key (an account from one address): `window_start` holds the last
 * failure, `count` the failures since the key was last quiet for MAX_DELAY_MS. Nobody else
 * can slow the key down, so a stranger cannot keep an account's owner out.
 */
export async function throttled(db: Db, key: string, clock: Clock): Promise<LimitResult> {
  const [row] = await db.all<{ count: number; window_start: number }>(
    sql`SELECT count, window_start FROM rate_limits WHERE key = ${key}`,
  );
  const now = clock.now().getTime();
  if (!row || now - row.window_start > MAX_DELAY_MS) return { allowed: true, remaining: FREE_FAILURES, retryAfter: 0 };
  const wait = row.window_start + delayAfter(row.count) - now;
  return {
    allowed: wait <= 0,
    remaining: Math.max(0, FREE_FAILURES - row.count),
    retryAfter: Math.max(1, Math.ceil(wait / 1000)),
  };
}

/** Records one failure of a throttled key (see `throttled`). */
export async function failed(db: Db, key: string, clock: Clock): Promise<void> {
  const now = clock.now().getTime();
  await db.run(sql`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${now}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN ${now} - rate_limits.window_start > ${MAX_DELAY_MS} THEN 1 ELSE rate_limits.count + 1 END,
      window_start = excluded.window_start`);
}

/** How many hits `key` has in its current window, without counting one. */
export async function hitsOf(db: Db, key: string, limit: Limit, clock: Clock): Promise<number> {
  const now = clock.now().getTime();
  const [row] = await db.all<{ count: number; window_start: number }>(
    sql`SELECT count, window_start FROM rate_limits WHERE key = ${key}`,
  );
  return row && row.window_start === now - (now % limit.windowMs) ? Number(row.count) : 0;
}

/** How long a row of `rate_limits` still counts: the longest window, or a throttle's quiet time. */
export const RATE_ROW_LIFE_MS = Math.max(MAX_DELAY_MS, ...Object.values(LIMITS).map((l) => l.windowMs));

/**
 * Deletes the rows that no longer count (daily, `scripts/start.ts`): without it the table
 * keeps a row for every address and account ever limited. A row gone counts as a new window.
 */
export async function pruneRateLimits(db: Db, clock: Clock): Promise<number> {
  const rs = await db.run(
    sql`DELETE FROM rate_limits WHERE window_start < ${clock.now().getTime() - RATE_ROW_LIFE_MS}`,
  );
  return rs.rowsAffected;
}
