// The mixed scenario of `npm run bench`: two server processes on one database file (the
// 100 000-offer bench database), 200 visitors searching with different queries — never the
// same address twice in a row — and reading offers, while 10 agents write (notes, messages,
// stage moves, offer edits), for BENCH_MIXED_SECONDS (60). Prints req/s, p50/p95/p99, errors,
// each process's peak RSS and event-loop delay, and checks that no acknowledged write is lost.
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { createDb, type Db } from '../db/client.ts';
import { users, userTerritories } from '../db/schema/index.ts';
import { createEnquiry } from '../src/server/candidates/enquiry.ts';
import { createSessions } from '../src/server/accounts/session.ts';
import { SESSION_COOKIE_NAME } from '../src/server/accounts/session-cookie.ts';
import { createRandom } from '../db/seed/random.ts';

const SECONDS = Number(process.env.BENCH_MIXED_SECONDS ?? 60);
const VISITORS = 200;
const AGENTS = 10;
const TERRITORIES = ['32', '50', '12', '46', '24', '47', '40', '64', '65', '31'];

interface Agent {
  cookie: string;
  files: string[];
  draft: number;
  commune: string;
  notes: string[];
  title: { acked: string; inFlight: string | null };
}

/** Ten agents of ten territories, each with five files and a draft offer, signed in. */
async function agents(db: Db, now: Date): Promise<Agent[]> {
  const sessions = createSessions(db, { secure: false, clock: { now: () => now } });
  const ctx = { db, clock: { now: () => now }, siteUrl: 'http://bench.invalid' };
  const out: Agent[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const territory = TERRITORIES[i]!;
    const email = `agent.bench.${i}.${now.getTime()}@bench.invalid`;
    const [user] = await db
      .insert(users)
      .values({
        email,
        name: `Agent ${i}`,
        role: 'agent',
        emailVerifiedAt: now.toISOString(),
        createdAt: now.toISOString(),
      })
      .returning({ id: users.id });
    await db.insert(userTerritories).values({ userId: user!.id, territoryCode: territory });
    const files: string[] = [];
    for (let f = 0; f < 5; f++) {
      const { publicId } = await createEnquiry(
        ctx,
        {
          name: `Famille Bench ${i}-${f}`,
          email: `famille.bench.${i}.${f}.${now.getTime()}@bench.invalid`,
          adults: '2',
          wishedTerritories: territory,
          consent: 'yes',
          locale: 'fr',
        },
        `bench-${i}-${f}`,
      );
      files.push(publicId);
    }
    const [draft] = await db.all<{ id: number; commune: string }>(
      sql`SELECT id, commune_code AS commune FROM offers WHERE territory_code = ${territory} LIMIT 1`,
    );
    await db.run(sql`UPDATE offers SET status = 'draft' WHERE id = ${draft!.id}`);
    // As after the sign-in's second step (staff sign in with a code: decision 015).
    const { cookie } = await sessions.createSession(user!.id, { twoFactorVerified: true });
    out.push({
      cookie: `${SESSION_COOKIE_NAME}=${cookie.value}`,
      files,
      draft: draft!.id,
      commune: draft!.commune,
      notes: [],
      title: { acked: '', inFlight: null },
    });
  }
  return out;
}

/** A realistic search, different each time: a place, a kind, filters, a sort, a page. */
function searches(seed: number, communes: string[]): () => string {
  const random = createRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random.next() * list.length)]!;
  let last = '';
  return () => {
    for (;;) {
      const p = new URLSearchParams();
      if (random.chance(0.6)) p.set('territoire', pick(TERRITORIES));
      else {
        p.set('commune', pick(communes));
        p.set('rayon', String(pick([5, 10, 20, 30, 50])));
      }
      if (random.chance(0.8)) p.set('type', random.chance(0.85) ? 'logement' : 'tiers-lieu');
      if (random.chance(0.6)) p.set('transaction', pick(['location', 'vente']));
      if (random.chance(0.5)) p.set('fibre', '1');
      if (random.chance(0.3)) p.set('debit_min', String(pick([30, 100, 300, 1000])));
      if (random.chance(0.4)) p.set('prix_max', String(pick([600, 900, 1500, 150_000, 250_000, 400_000])));
      if (random.chance(0.15)) p.set('q', pick(['jardin', 'longère', 'calme', 'centre', 'grange', 'vue']));
      if (random.chance(0.5)) p.set('tri', pick(['recent', 'prix', 'prix-desc', 'debit']));
      if (random.chance(0.25)) p.set('page', String(2 + Math.floor(random.next() * 4)));
      const path = `/offres?${p}`;
      if (path !== last) return (last = path);
    }
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Peak resident memory of a process (Linux), in MiB. */
const peakRss = (pid: number) => {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
};

export interface BenchServer {
  base: string;
  process: ChildProcess;
  /** The server's log lines other than requests. */
  lines: string[];
}

export async function benchMixed(
  dir: string,
  dbPath: string,
  startServer: (env: Record<string, string>) => Promise<BenchServer>,
): Promise<void> {
  const db = await createDb(`file:${dbPath}`);
  const now = new Date();
  const team = await agents(db, now);
  const offerIds = (
    await db.all<{ id: number }>(sql`SELECT id FROM offers WHERE status = 'published' ORDER BY random() LIMIT 5000`)
  ).map((r) => r.id);
  const communes = (
    await db.all<{ code: string }>(
      sql`SELECT DISTINCT commune_code AS code FROM offers WHERE status = 'published' LIMIT 3000`,
    )
  ).map((r) => r.code);
  const servers = [
    await startServer({ EVENT_LOOP_LOG_MS: '5000', PHOTOS_DIR: join(dir, 'photos') }),
    await startServer({ EVENT_LOOP_LOG_MS: '5000', PHOTOS_DIR: join(dir, 'photos') }),
  ];
  console.log(`\n[mixed] two processes on one file, ${VISITORS} visitors, ${AGENTS} agents writing, ${SECONDS} s`);

  const loadStarted = new Date().toISOString();
  // Visitors: half on each process; 70 % searches, 30 % offer pages.
  const times: number[] = [];
  /** 5xx answers (errors) and 4xx ones (a page past the last of a narrow search is a 404). */
  let failed = 0;
  let notFound = 0;
  const visitors = servers.map((s, i) => {
    const next = searches(1000 + i, communes);
    const random = createRandom(2000 + i);
    return new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: s.base,
          connections: VISITORS / servers.length,
          duration: SECONDS,
          headers: { 'accept-encoding': 'gzip, deflate, br' },
          requests: [
            {
              setupRequest: (req) => ({
                ...req,
                path: random.chance(0.7) ? next() : `/offres/${offerIds[Math.floor(random.next() * offerIds.length)]}`,
              }),
            },
          ],
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      );
      instance.on('response', (_client, status, _bytes, ms) => {
        times.push(ms);
        if (status >= 500) failed++;
        else if (status >= 400) notFound++;
      });
    });
  });

  // Agents: each writes in a loop, on one process then the other, until the time is up.
  const deadline = Date.now() + SECONDS * 1000;
  let agentWrites = 0;
  const agentErrors: string[] = [];
  const post = async (base: string, agent: Agent, path: string, form: Record<string, string>) => {
    const res = await fetch(base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: base, Cookie: agent.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const writers = team.map(async (agent, a) => {
    for (let n = 0; Date.now() < deadline; n++) {
      const base = servers[n % servers.length]!.base;
      const file = `/agent/candidats/${agent.files[n % agent.files.length]}`;
      try {
        if (n % 3 === 2) {
          const title = `Offre bench ${now.getTime()} ${a}-${n}`;
          agent.title.inFlight = title;
          const status = await post(base, agent, `/agent/offres/${agent.draft}`, {
            intent: 'save',
            title,
            commune: agent.commune,
          });
          agent.title.inFlight = null;
          if (status === 303) agent.title.acked = title;
          else if (status !== 400) agentErrors.push(`offer edit: ${status}`);
        } else {
          const note = `Note bench ${now.getTime()} ${a}-${n}`;
          const status = await post(
            base,
            agent,
            file,
            n % 3 === 0 ? { intent: 'note', note } : { intent: 'message', body: note },
          );
          if (status === 303) {
            if (n % 3 === 0) agent.notes.push(note);
          } else agentErrors.push(`${n % 3 === 0 ? 'note' : 'message'}: ${status}`);
        }
        agentWrites++;
      } catch (error) {
        agentErrors.push(String(error));
      }
    }
  });
  const [results] = await Promise.all([Promise.all(visitors), Promise.all(writers)]);
  const rss = servers.map((s) => peakRss(s.process.pid!));
  for (const s of servers) {
    const exited = new Promise((r) => s.process.once('exit', r));
    s.process.kill('SIGTERM');
    await exited;
  }

  // No acknowledged write is lost.
  let lost = 0;
  for (const agent of team) {
    for (const note of agent.notes) {
      const [row] = await db.all<{ n: number }>(
        sql`SELECT count(*) AS n FROM candidate_events WHERE kind = 'note' AND data ->> 'text' = ${note}`,
      );
      if (Number(row!.n) !== 1) lost++;
    }
  }
  // The slowest requests of the load (over a second), by route: not the start's warm-up.
  const slow = servers
    .flatMap((s) => s.lines)
    .filter((l) => l.includes('"msg":"request"'))
    .map((l) => JSON.parse(l) as { time: string; route: string; ms: number })
    .filter((r) => r.time > loadStarted)
    .sort((a, b) => b.ms - a.ms);
  console.log(
    `  requests over 1 s: ${slow.length}; slowest: ${slow
      .slice(0, 5)
      .map((r) => `${r.route} ${r.ms} ms`)
      .join(', ')}`,
  );
  // What the servers' jobs did meanwhile (they share the processes with the visitors).
  for (const line of servers.flatMap((s) => s.lines).filter((l) => l.includes('"job"'))) console.log(`  ${line}`);
  const delays = servers.map((s) =>
    s.lines
      .filter((l) => l.includes('"eventLoopMs"'))
      .map(
        (l) =>
          JSON.parse(l) as {
            time: string;
            eventLoopMs: { p99: number; max: number; ownMax: number };
            lockWaits: { count: number; waitedMs: number; maxSyncMs: number };
          },
      )
      // The windows that ended once the load had started (start-up is not what users meet).
      .filter((l) => l.time > loadStarted),
  );
  db.$client.close();

  times.sort((a, b) => a - b);
  const errors = results.reduce((n, r) => n + r.errors, 0) + failed + agentErrors.length;
  const rps = results.reduce((n, r) => n + r.requests.average, 0) + agentWrites / SECONDS;
  console.log(`  visitors and agents: ${rps.toFixed(0)} req/s (agents: ${agentWrites} writes)`);
  console.log(
    `  visitors' latency: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms`,
  );
  console.log(
    `  errors: ${errors} (goal 0: ${errors === 0 ? 'met' : 'NOT met'})${agentErrors.length ? ' — ' + [...new Set(agentErrors)].slice(0, 5).join('; ') : ''}`,
  );
  console.log(
    `  acknowledged notes lost: ${lost} of ${team.reduce((n, a) => n + a.notes.length, 0)} (goal 0: ${lost === 0 ? 'met' : 'NOT met'})`,
  );
  servers.forEach((_, i) => {
    const windows = delays[i]!;
    const max = Math.max(...windows.map((d) => d.eventLoopMs.max));
    const p99 = Math.max(...windows.map((d) => d.eventLoopMs.p99));
    const waits = windows.reduce((n, d) => n + d.lockWaits.count, 0);
    const waited = windows.reduce((n, d) => n + d.lockWaits.waitedMs, 0);
    const sync = Math.max(0, ...windows.map((d) => d.lockWaits.maxSyncMs));
    console.log(`  process ${i + 1}: peak RSS ${rss[i]!.toFixed(0)} MiB`);
    console.log(
      `    the other process's locks: met ${waits} times, ${waited} ms waited asynchronously; longest synchronous wait ${sync} ms (goal ≤ 100 ms: ${sync <= 100 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `    event-loop delay, all causes: p99 ${p99} ms, max ${max} ms (goal max ≤ 100 ms: ${max <= 100 ? 'met' : 'NOT met'}; beyond the locks: the process's own synchronous work, below, and its waits for one of the cores the servers and the load share)`,
    );
    // When the longest delays came: the first windows share the process with its start jobs.
    console.log(`    longest delay of each 5 s window: ${windows.map((d) => d.eventLoopMs.max).join(', ')} ms`);
    const own = Math.max(...windows.map((d) => d.eventLoopMs.ownMax));
    console.log(
      `    of which its own work (a late tick bounded by the CPU the process used meanwhile): max ${own} ms, per window ${windows.map((d) => d.eventLoopMs.ownMax).join(', ')} ms`,
    );
  });
}
