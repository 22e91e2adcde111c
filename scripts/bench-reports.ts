// The reports case of `npm run bench`: 100 000 candidate files with 1 000 000 stage history
// rows (and as many timeline events) over three years, half of them in the Gers; then each
// report of one year (quarter, month) of the Gers, timed as a whole and section by section;
// then, on the built server, the report pages and one CSV table as a platform admin gets them.
// Goals: a year of the Gers ≤ 100 ms; the page of every territory for a year ≤ 300 ms and
// ≤ 300 KB of HTML; one CSV table ≤ 50 ms.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { pipeline } from '../src/server/candidates/stages.ts';
import { stageBit, type Stage } from '../db/schema/candidates.ts';
import { createRandom } from '../db/seed/random.ts';
import { stayDays } from '../db/seed/candidates.ts';
import { buildReport } from '../src/server/reports/queries.ts';
import { parsePeriod } from '../src/server/reports/period.ts';
import { impactFigures } from '../src/server/reports/impact.ts';
import { DAY_MS as DAY, HOUR_MS } from '../src/lib/time.ts';
import { tableIds } from '../src/server/reports/tables.ts';
import { users } from '../db/schema/index.ts';
import { createSessions } from '../src/server/accounts/session.ts';
import { SESSION_COOKIE_NAME } from '../src/server/accounts/session-cookie.ts';
import type { BenchServer } from './bench-mixed.ts';

const YEAR_GOAL_MS = 100;
const PAGE_GOAL_MS = 300;
const PAGE_GOAL_BYTES = 300 * 1024;
const CSV_GOAL_MS = 50;
const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');

const FILES = Number(process.env.BENCH_FILES ?? 100_000);
const STAYS_PER_FILE = 10;
const TERRITORIES = ['32', '32', '50', '46', '23', '32', '50', '32'] as const; // half in the Gers

async function seedFiles(db: Db, now: Date) {
  // The bench's own files (other benches add a few files of their own, ids taken): the
  // missing ones are added after the last id.
  const [{ n, lastId }] = (await db.all<{ n: number; lastId: number }>(
    sql`SELECT (SELECT count(*) FROM candidates WHERE consent_text_version = 'bench') AS n, coalesce(max(id), 0) AS lastId FROM candidates`,
  )) as [{ n: number; lastId: number }];
  if (n >= FILES) return;
  const started = Date.now();
  const random = createRandom(4242);
  const communes = new Map<string, string[]>();
  for (const code of new Set(TERRITORIES)) {
    communes.set(
      code,
      (await db.all<{ code: string }>(sql`SELECT code FROM communes WHERE department_code = ${code} LIMIT 200`)).map(
        (r) => r.code,
      ),
    );
  }
  const statuses = ['employee', 'freelancer', 'founder', 'job_seeker'];
  const reasons = ['housing', 'job', 'connectivity', 'schools', 'personal', 'other_territory', 'no_answer'];
  const esc = (s: string | null) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
  for (let base = n; base < FILES; base += 1000) {
    const files: string[] = [];
    const history: string[] = [];
    const events: string[] = [];
    for (let i = base; i < Math.min(FILES, base + 1000); i++) {
      const id = lastId + i - n + 1;
      const territory = TERRITORIES[i % TERRITORIES.length]!;
      let at = now.getTime() - random.int(0, 3 * 365) * DAY - random.int(0, 86_399) * 1000;
      const created = new Date(at).toISOString();
      // Ten stays: forward or back one stage at a time; some end withdrawn.
      const stays: Array<{ stage: string; entered: string; left: string | null }> = [];
      let stage: string = 'enquiry';
      for (let s = 0; s < STAYS_PER_FILE; s++) {
        stays.push({ stage, entered: new Date(at).toISOString(), left: null });
        const next = at + random.int(1, 40) * DAY + random.int(0, 86_399) * 1000;
        if (s === STAYS_PER_FILE - 1) break;
        stays[s]!.left = new Date(next).toISOString();
        at = next;
        const k = pipeline.indexOf(stage as (typeof pipeline)[number]);
        if (s === STAYS_PER_FILE - 2 && random.chance(0.15)) stage = 'withdrawn';
        else if (k === 0) stage = pipeline[1]!;
        else if (k === pipeline.length - 1) stage = pipeline[k - 1]!;
        else stage = random.chance(0.6) ? pipeline[k + 1]! : pipeline[k - 1]!;
      }
      const last = stays.at(-1)!;
      const settled = stays.some((s) => s.stage === 'settled');
      const commune = random.pick(communes.get(territory)!);
      const adults = random.int(1, 2);
      const children = Array.from({ length: random.int(0, 3) }, () => random.int(0, 16));
      files.push(
        `(${id}, 'bench${id}', ${esc(territory)}, ${esc(last.stage)}, ${esc(last.entered)}, 'Famille ${id}', 'bench${id}@exemple.test', ${esc(JSON.stringify({ adults, children }))}, ${esc(JSON.stringify([{ profession: 'Profession', status: random.pick(statuses) }]))}, ${esc(random.pick(['Paris (75)', 'Lyon (69)', '33000 Bordeaux', 'Bruxelles (Belgique)']))}, ${esc(JSON.stringify([territory]))}, 'bench', ${esc(created)}, ${last.stage === 'withdrawn' ? esc(random.pick(reasons)) : 'NULL'}, ${settled ? esc(commune) : 'NULL'}, ${settled ? adults + children.length : 'NULL'}, ${esc(created)}, ${esc(created)}, ${esc(last.entered)}, ${stays.reduce((bits, s) => bits | stageBit(s.stage as Stage), 0)}, ${esc(stays.find((s) => s.stage === 'settled')?.entered ?? null)}, ${esc(stays[1]?.entered ?? null)}, ${stays[1] ? Math.round(((Date.parse(stays[1].entered) - Date.parse(created)) / HOUR_MS) * 10) / 10 : 'NULL'})`,
      );
      for (const s of stays)
        history.push(
          `(${id}, ${esc(s.stage)}, ${esc(s.entered)}, ${esc(s.left)}, ${stayDays(s.entered, s.left) ?? 'NULL'}, ${esc(territory)})`,
        );
      events.push(`(${id}, 'created', '{}', NULL, ${esc(created)})`);
      for (let s = 1; s < stays.length; s++) events.push(`(${id}, 'stage_change', '{}', 1, ${esc(stays[s]!.entered)})`);
    }
    await db.transaction(async (tx) => {
      await tx.run(
        sql.raw(
          `INSERT INTO candidates (id, public_id, territory_code, stage, stage_entered_at, name, email, household, professions, current_place, wished_territories, consent_text_version, consent_at, withdrawal_reason, settled_commune_code, settled_household_size, last_contact_at, created_at, updated_at, reached_stages, first_settled_at, first_response_at, response_hours) VALUES ${files.join(',')}`,
        ),
      );
      for (let k = 0; k < history.length; k += 2000)
        await tx.run(
          sql.raw(
            `INSERT INTO stage_history (candidate_id, stage, entered_at, left_at, days, territory_code) VALUES ${history.slice(k, k + 2000).join(',')}`,
          ),
        );
      for (let k = 0; k < events.length; k += 2000)
        await tx.run(
          sql.raw(
            `INSERT INTO candidate_events (candidate_id, kind, data, by_user_id, at) VALUES ${events.slice(k, k + 2000).join(',')}`,
          ),
        );
    });
  }
  await db.$client.execute('ANALYZE');
  console.log(
    `seeded ${FILES - n} candidate files, ${(FILES - n) * STAYS_PER_FILE} stage history rows and as many timeline events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchReports(db: Db): Promise<void> {
  const now = new Date('2026-11-01T09:00:00Z');
  // A staff account for the events' author (foreign key), if the bench database has none.
  await db.run(
    sql`INSERT OR IGNORE INTO users (id, email, name, role, created_at) VALUES (1, 'bench@exemple.test', 'Bench', 'agent', ${now.toISOString()})`,
  );
  await seedFiles(db, now);
  const [{ h }] = (await db.all<{ h: number }>(sql`SELECT count(*) AS h FROM stage_history`)) as [{ h: number }];
  console.log(`\nreports: ${h} stage history rows in the database`);
  const gers = { territories: ['32'], label: 'Gers' };
  for (const params of [
    { periode: 'year', annee: '2025' },
    { periode: 'quarter', annee: '2026', trimestre: '2' },
    { periode: 'month', annee: '2026', mois: '10' },
  ]) {
    const period = parsePeriod(params, now);
    const times: number[] = [];
    const sections: Record<string, number[]> = {};
    let families = 0;
    // A first run, shown apart (as for the pages): JIT and the connection's page cache are cold.
    const first = performance.now();
    await buildReport(db, gers, period, now);
    const firstMs = performance.now() - first;
    for (let run = 0; run < 5; run++) {
      const timings: Record<string, number> = {};
      const t0 = performance.now();
      const report = await buildReport(db, gers, period, now, timings);
      times.push(performance.now() - t0);
      for (const [name, ms] of Object.entries(timings)) (sections[name] ??= []).push(ms);
      families = report.summary.families;
    }
    const worst = (xs: number[]) => Math.max(...xs);
    console.log(
      `  Gers, ${params.periode} ${period.from} → ${period.to} (${families} families settled): whole report first ${firstMs.toFixed(0)} ms, then median ${median(times).toFixed(0)} ms, worst ${worst(times).toFixed(0)} ms of 5   (goal ≤ ${YEAR_GOAL_MS} ms: ${goal(worst(times) <= YEAR_GOAL_MS)})`,
    );
    for (const [name, ms] of Object.entries(sections)) {
      console.log(
        `      ${name.padEnd(16)} median ${median(ms).toFixed(1).padStart(6)} ms, worst ${worst(ms).toFixed(1).padStart(6)} ms`,
      );
    }
  }
  const all = parsePeriod({ periode: 'year', annee: '2025' }, now);
  const t0 = performance.now();
  await buildReport(db, { territories: null, label: 'all' }, all, now);
  console.log(`  every territory, year 2025 (platform total): ${(performance.now() - t0).toFixed(0)} ms`);
  const t1 = performance.now();
  await impactFigures(db);
  console.log(`  /impact figures: ${(performance.now() - t1).toFixed(0)} ms`);
}

/** Times one GET `runs` times after a first one (printed apart: caches warm up on it). */
async function timedGet(base: string, cookie: string, path: string, runs = 5, status = 200) {
  const get = async () => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { Cookie: cookie } });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== status) throw new Error(`${path} → ${res.status}`);
    return { ms: performance.now() - t0, bytes: body.length, body };
  };
  const first = await get();
  const times: number[] = [];
  let last = first;
  for (let i = 0; i < runs; i++) {
    last = await get();
    times.push(last.ms);
  }
  return { first: first.ms, median: median(times), worst: Math.max(...times), bytes: last.bytes, body: last.body };
}

/**
 * The report pages on the built server, as a platform admin: the Gers and every territory for
 * a year (time and HTML weight), and one CSV table (each of the Gers' tables, the worst counted).
 */
export async function benchReportPages(
  db: Db,
  startServer: (env: Record<string, string>) => Promise<BenchServer>,
): Promise<void> {
  const now = new Date();
  const email = 'bench.reports@bench.invalid';
  await db
    .insert(users)
    .values({
      email,
      name: 'Bench reports',
      role: 'platform_admin',
      emailVerifiedAt: now.toISOString(),
      createdAt: now.toISOString(),
    })
    .onConflictDoNothing();
  const [admin] = await db.all<{ id: number }>(sql`SELECT id FROM users WHERE email = ${email}`);
  const sessions = createSessions(db, { secure: false, clock: { now: () => now } });
  const { cookie } = await sessions.createSession(admin!.id, { twoFactorVerified: true });
  const server = await startServer({});
  try {
    const session = `${SESSION_COOKIE_NAME}=${cookie.value}`;
    const year = 'periode=year&annee=2025';
    console.log('\nreport pages on the built server (platform admin, 5 runs after a first one)');
    for (const [name, path, timeGoal, sizeGoal] of [
      ['Gers, year 2025', `/agent/rapports?${year}&territoire=32`, null, null],
      ['every territory, year 2025', `/agent/rapports?${year}&territoire=tous`, PAGE_GOAL_MS, PAGE_GOAL_BYTES],
      ['annual report, every territory', `/agent/rapports/annuel?annee=2025&territoire=tous`, null, null],
    ] as const) {
      const r = await timedGet(server.base, session, path);
      const html = r.body.toString();
      const images = [...html.matchAll(/<image[^>]* href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
      console.log(
        `  ${name}: first ${r.first.toFixed(0)} ms, median ${r.median.toFixed(0)} ms, worst ${r.worst.toFixed(0)} ms, ${(r.bytes / 1024).toFixed(0)} KB of HTML, ${(html.match(/<circle/g) ?? []).length} circles` +
          (timeGoal === null
            ? ''
            : `   (goal ≤ ${timeGoal} ms: ${goal(r.worst <= timeGoal)}; ≤ ${sizeGoal / 1024} KB: ${goal(r.bytes <= sizeGoal)})`),
      );
      for (const image of images) {
        const bg = await timedGet(server.base, session, image, 1);
        console.log(
          `      map background ${image.split('?')[0]}: ${(bg.bytes / 1024).toFixed(0)} KB, first ${bg.first.toFixed(0)} ms, then ${bg.worst.toFixed(0)} ms`,
        );
      }
    }
    const tables = tableIds;
    for (const scope of ['32', 'tous']) {
      const times: Array<{ table: string; median: number; worst: number }> = [];
      for (const table of tables) {
        const r = await timedGet(
          server.base,
          session,
          `/agent/rapports/export.csv?${year}&territoire=${scope}&table=${table}`,
          5,
        );
        times.push({ table, median: r.median, worst: r.worst });
      }
      const worst = times.reduce((a, b) => (b.worst > a.worst ? b : a));
      const name = scope === 'tous' ? 'every territory' : 'the Gers';
      console.log(
        `  CSV tables of ${name}, median of 5: ${times.map((x) => `${x.table} ${x.median.toFixed(0)}`).join(', ')} ms`,
      );
      console.log(
        `  one CSV table of ${name} (each of the 12, 5 runs): worst ${worst.worst.toFixed(0)} ms (${worst.table})   (goal ≤ ${CSV_GOAL_MS} ms: ${goal(worst.worst <= CSV_GOAL_MS)})`,
      );
    }
    // What any signed-in request costs here (session, scope; no query, no access log written).
    const floor = await timedGet(server.base, session, `/agent/rapports/export.csv?${year}&table=none`, 5, 404);
    console.log(`  for comparison, an unknown table (404): median ${floor.median.toFixed(0)} ms`);
    console.log(
      '  reproduce: npm run build && BENCH_DIR=<a folder kept between runs> BENCH_ONLY=reports npm run bench',
    );
  } finally {
    server.process.kill('SIGTERM');
    await new Promise((r) => server.process.once('exit', r));
  }
}
