// The search case of `npm run bench`: what visitors meet, not what a cache already answered.
// Against the built server on catalogues of 1 000, 10 000 and 100 000 offers, autocannon at
// 25 connections sends a *different* realistic search each request (scripts/lib/searches.ts,
// seeded) to /offres and /api/v1/offres, varying offer pages, and one repeated /offres URL
// (the cache-hit figure), each beside /ping measured in the same run; the server's CPU per
// request comes from /proc. Then every SQL statement those requests run is replayed on its
// own connection and SQLite's own counters say how much of each table it walked.
import autocannon from 'autocannon';
import Database from 'libsql';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { drizzle } from 'drizzle-orm/libsql';
import { createDb, type Db } from '../db/client.ts';
import * as schema from '../db/schema/index.ts';
import { createRandom } from '../db/seed/random.ts';
import { randomSearch, type SearchContext } from './lib/searches.ts';
import { parseOfferSearch } from '../src/server/offers/schemas.ts';
import { getPublishedOffer, searchOffers, findNearbyOffers } from '../src/server/offers/queries.ts';
import { publicPointOf } from '../src/server/offers/position.ts';
import { getCommuneCoverage } from '../src/server/places/queries.ts';

const CONNECTIONS = 25;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);

export interface Load {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU (user + system) per answered request, ms. */
  cpuMs: number;
}

export const fmt = (r: Load) =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, CPU ${r.cpuMs.toFixed(2)} ms/req, errors ${r.errors}, non-2xx ${r.non2xx}`;

export const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** CPU time of a process so far, ms (utime + stime from /proc, in clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** autocannon on `base`, with `next()` giving each request's path; as a browser, gzip accepted. */
export async function load(base: string, server: ChildProcess, next: () => string): Promise<Load> {
  const times: number[] = [];
  let clients = 0;
  const cpuBefore = cpuOf(server.pid!);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: DURATION_S,
        headers: { 'accept-encoding': 'gzip, deflate, br' },
        // Visitors from many addresses behind the proxy, as in production (TRUSTED_PROXIES=loopback):
        // per-address limits apply to each, not to the bench as one client.
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              path: next(),
              headers: { ...req.headers, 'x-forwarded-for': `198.18.${(clients >> 8) & 255}.${clients++ & 255}` },
            }),
          },
        ],
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) times.push(ms);
    });
  });
  const cpu = cpuOf(server.pid!) - cpuBefore;
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? Number.NaN;
  return {
    rps: result.requests.average,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    errors: result.errors,
    non2xx: result.non2xx,
    cpuMs: cpu / Math.max(1, result.requests.total),
  };
}

/** Territories with offers, communes with a position, and words of the offers' texts. */
export async function searchContext(db: Db): Promise<SearchContext> {
  const territories = (
    await db.$client.execute("SELECT DISTINCT territory_code FROM offers WHERE status = 'published'")
  ).rows.map((r) => String(r[0]));
  const communes = (
    await db.$client.execute(
      "SELECT DISTINCT commune_code FROM offers WHERE status = 'published' ORDER BY commune_code LIMIT 3000",
    )
  ).rows.map((r) => String(r[0]));
  return {
    territories,
    communes,
    words: ['maison', 'grange', 'jardin', 'lumineux', 'calme', 'village', 'bureau', 'ferme', 'gare', 'coworking'],
  };
}

/** An endless seeded series of /offres query strings, never the same twice in a row. */
export function searches(ctx: SearchContext, seed: number): () => string {
  const random = createRandom(seed);
  let last = '';
  return () => {
    let qs = '';
    do qs = randomSearch(random, ctx).toString();
    while (qs === last);
    last = qs;
    return qs;
  };
}

/** Published offers in a random order, to read varying offer pages. */
export async function offerRefs(db: Db): Promise<Array<{ id: number; path: string }>> {
  return (
    await db.$client.execute("SELECT id, slug FROM offers WHERE status = 'published' ORDER BY random() LIMIT 20000")
  ).rows.map((r) => ({ id: Number(r[0]), path: `/offres/${Number(r[0])}-${String(r[1])}` }));
}

interface Walked {
  statement: string;
  runs: number;
  /** Distinct arguments it ran with (the full-text query runs once per text and version). */
  distinct: number;
  /** The most VM steps of one run (each row visited costs a few). */
  maxSteps: number;
  /** Steps of full scans of a table (SQLITE_STMTSTATUS_FULLSCAN_STEP), at most. */
  maxFullScan: number;
  /** Rows of automatic indexes built, at most. */
  maxAutoIndex: number;
}

/**
 * Runs `searchCount` generated searches and `pageCount` offer pages in this process with
 * every SQL statement recorded, then replays each on a connection of its own, reading
 * SQLite's counters for it (the `sqlite_stmt` table): VM steps, full-scan steps, automatic
 * index rows. A statement that walks a table instead of seeking in it shows here.
 */
export async function walkedRows(dbPath: string, ctx: SearchContext, searchCount: number, pageCount: number) {
  const plain = await createDb(`file:${dbPath}`);
  const ids = (await offerRefs(plain)).map((r) => r.id);
  const recorded: Array<{ sql: string; args: unknown[] }> = [];
  // The same client seen through a recorder of every read it runs (raw or built by drizzle).
  const client = new Proxy(plain.$client, {
    get(target, prop) {
      if (prop !== 'execute') return Reflect.get(target, prop, target);
      return (stmt: string | { sql: string; args?: unknown[] }) => {
        const s = typeof stmt === 'string' ? { sql: stmt, args: [] } : { sql: stmt.sql, args: stmt.args ?? [] };
        if (/^\s*select/i.test(s.sql)) recorded.push(s);
        return target.execute(stmt as never);
      };
    },
  });
  const db = drizzle(client, { schema }) as Db;
  await searchOffers(db, {}); // builds the index: its whole read is not a request's
  recorded.length = 0;
  const next = searches(ctx, 4242);
  for (let i = 0; i < searchCount; i++) {
    const { query } = parseOfferSearch(new URLSearchParams(next()));
    await searchOffers(db, query).catch(() => undefined);
  }
  for (let i = 0; i < pageCount; i++) {
    const offer = await getPublishedOffer(db, ids[i % ids.length]!);
    await findNearbyOffers(db, publicPointOf(offer), offer.kind === 'home' ? 'tiers_lieu' : 'home', {
      excludeId: offer.id,
    });
    await getCommuneCoverage(db, offer.communeCode);
  }
  plain.$client.close();

  const raw = new Database(dbPath, { readonly: true });
  const walked = new Map<string, Walked>();
  const seenArgs = new Set<string>();
  const shape = (sql: string) =>
    sql
      .replace(/\s+/g, ' ')
      .replace(/(\?, )+\?/g, '?…')
      .slice(0, 150);
  for (const [i, { sql, args }] of recorded.entries()) {
    // A comment of its own, so that its row of sqlite_stmt is this run's and no other.
    const text = `${sql} /* ${i} */`;
    const stmt = raw.prepare(text);
    stmt.all(...(args as never[]));
    const [status] = raw.prepare('SELECT nstep, nscan, naidx FROM sqlite_stmt WHERE sql = ?').all(text) as Array<{
      nstep: number;
      nscan: number;
      naidx: number;
    }>;
    const key = shape(sql);
    const w = walked.get(key) ?? { statement: key, runs: 0, distinct: 0, maxSteps: 0, maxFullScan: 0, maxAutoIndex: 0 };
    w.runs++;
    const argsKey = `${key}|${JSON.stringify(args)}`;
    if (!seenArgs.has(argsKey)) {
      seenArgs.add(argsKey);
      w.distinct++;
    }
    w.maxSteps = Math.max(w.maxSteps, status?.nstep ?? 0);
    w.maxFullScan = Math.max(w.maxFullScan, status?.nscan ?? 0);
    w.maxAutoIndex = Math.max(w.maxAutoIndex, status?.naidx ?? 0);
    walked.set(key, w);
  }
  raw.close();
  return [...walked.values()];
}
