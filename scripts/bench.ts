// npm run bench — performance goals of the catalogue, measured on a separate database:
// 100 000 offers spread over all French communes, the built server, autocannon at 25
// connections on /offres (a typical filter set) against a minimal page of the same server,
// the JavaScript sent to /offres before the map is opened, the query plan of each filter,
// publishing one offer in a territory of 100 000 (scripts/bench-publish.ts), importing ARCEP's
// national coverage file (scripts/bench-import.ts), and the reports
// over 100 000 candidate files (scripts/bench-reports.ts), and a mixed scenario — two server
// processes on one file, 200 visitors and 10 agents writing — (scripts/bench-mixed.ts).
// Prints figures; exits non-zero only when something fails, not when a goal is missed.
import autocannon from 'autocannon';
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createDb, type Db } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';
import { placedCommunes } from '../db/seed/demo.ts';
import { insertBenchOffers } from './lib/bench-offers.ts';
import { departments, territories } from '../db/schema/index.ts';
import { refreshNearestTiersLieux } from '../src/server/offers/nearest.ts';
import { explainSearch } from '../src/server/offers/queries.ts';
import type { OfferSearchInput } from '../src/server/offers/schemas.ts';
import { loadReferential } from '../src/server/places/referential.ts';
import { benchImport } from './bench-import.ts';
import { benchPublish } from './bench-publish.ts';
import { benchReports } from './bench-reports.ts';
import { benchMixed, type BenchServer } from './bench-mixed.ts';

const OFFERS = Number(process.env.BENCH_OFFERS ?? 100_000);
const CONNECTIONS = 25;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const TYPICAL = '/offres?type=logement&fibre=1&debit_min=100&territoire=32&prix_max=300000&tri=prix';
const root = new URL('..', import.meta.url);

async function seed(db: Db): Promise<void> {
  await applyMigrations(db);
  await loadReferential(db);
  const now = new Date('2026-11-01T09:00:00Z');
  const deps = await db.select().from(departments);
  await db
    .insert(territories)
    .values(deps.map((d) => ({ code: d.code, name: d.name, createdAt: now.toISOString() })))
    .onConflictDoNothing();
  const places = await placedCommunes(db);
  const started = Date.now();
  await insertBenchOffers(db, { count: OFFERS, seed: 100_000, places });
  await refreshNearestTiersLieux(db);
  await db.$client.execute('ANALYZE');
  console.log(
    `seeded ${OFFERS} offers over ${places.length} communes in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function load(
  url: string,
): Promise<{ rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number }> {
  const times: number[] = [];
  // As a browser does: compressed responses accepted.
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: DURATION_S, headers: { 'accept-encoding': 'gzip, deflate, br' } },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) times.push(ms);
    });
  });
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? Number.NaN;
  return {
    rps: result.requests.average,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function javascriptWeight(base: string): Promise<{ beforeMap: number; map: number }> {
  const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage();
  const sizes = new Map<string, number>();
  page.on('response', async (res) => {
    if (res.request().resourceType() !== 'script') return;
    try {
      sizes.set(res.url(), gzipSync(await res.body()).length);
    } catch {
      // a body that is gone (navigation) is not counted
    }
  });
  await page.goto(`${base}${TYPICAL}`, { waitUntil: 'networkidle' });
  await page.locator('form[data-hydrated="true"]').waitFor();
  const beforeMap = [...sizes.values()].reduce((a, b) => a + b, 0);
  await page.getByRole('button', { name: 'Afficher la carte' }).click();
  await page.locator('#offer-map[data-markers]').waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  await browser.close();
  return { beforeMap, map: total - beforeMap };
}

async function plans(db: Db): Promise<void> {
  const cases: Array<[string, OfferSearchInput, string]> = [
    ['fibre', { fibre: '1' }, 'offers_fibre_idx'],
    ['territoire', { territoire: '32' }, 'offers_territory_idx'],
    ['type', { type: 'logement' }, 'offers_listing_idx'],
    ['transaction', { transaction: 'location' }, 'offers_transaction_idx'],
    ['commune', { commune: '32013' }, 'offers_commune_status_idx'],
    ['rayon', { commune: '32013', rayon: 20 }, 'offers_public_point_idx'],
    ['debit_min', { debit_min: 1000 }, 'offers_download_idx'],
    ['upload_min', { upload_min: 700 }, 'offers_upload_idx'],
    ['techno', { techno: 'cable' }, 'offers_technology_idx'],
    ['mobile', { mobile: '5g' }, 'offers_mobile_idx'],
    ['prix', { prix_min: 100, prix_max: 400 }, 'offers_price_idx'],
    ['surface_min', { surface_min: 220 }, 'offers_surface_idx'],
    ['pieces_min', { pieces_min: 8 }, 'offers_rooms_idx'],
    ['tl_km', { tl_km: 2 }, 'offers_nearest_tl_idx'],
    ['q', { q: 'grange' }, 'offers_fts'],
  ];
  // The count touches every match, so it must use the filter's index; the page of 20 may
  // instead walk the sort order and stop early when matches are common (SQLite's choice).
  console.log('\nquery plans (100k offers): count query / page query');
  for (const [name, query, expected] of cases) {
    const plan = await explainSearch(db, query);
    const count = plan.count.join(' | ');
    const list = plan.list.join(' | ');
    const ok = count.includes(expected) && ![...plan.count, ...plan.list].some((l) => /^SCAN offers\b/.test(l));
    console.log(`  ${ok ? 'ok  ' : 'WARN'} ${name.padEnd(12)} count: ${count}\n       ${''.padEnd(12)} page:  ${list}`);
  }
}

/** Starts the built server on the bench database; its request lines are dropped, the rest kept. */
async function startServer(dbPath: string, env: Record<string, string>): Promise<BenchServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: `file:${dbPath}`,
      PHOTOS_DIR: join(dbPath, '..', 'photos'),
      HOST: '127.0.0.1',
      PORT: String(port),
      ASTRO_NODE_LOGGING: 'disabled',
      MAP_TILE_URL: `${base}/no-tiles/{z}/{x}/{y}.png`,
      // A production start needs the key that seals two-factor secrets: one for this run.
      TOTP_KEY: process.env.TOTP_KEY ?? randomBytes(32).toString('base64'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    // Request lines are kept only when slow (over a second), to say where the time went.
    for (const line of parts) if (!line.includes('"msg":"request"') || /"ms":\d{4,}/.test(line)) lines.push(line);
  });
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { base, process: child, lines };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not start:\n${lines.join('\n')}`);
}

// BENCH_DIR keeps the seeded database between runs (seeded once, reused after).
const keep = process.env.BENCH_DIR;
const dir = keep ?? (await mkdtemp(join(tmpdir(), 'cc-bench-')));
let server: ReturnType<typeof spawn> | undefined;
try {
  const dbPath = join(dir, 'bench.db');
  const reuse = existsSync(dbPath);
  const db = await createDb(`file:${dbPath}`);
  if (!reuse) await seed(db);
  // A database kept from an earlier run may predate the newest migrations.
  else await applyMigrations(db);
  // `BENCH_ONLY=mixed npm run bench` (with BENCH_DIR) runs the mixed scenario alone.
  if (process.env.BENCH_ONLY === 'mixed') {
    db.$client.close();
    await benchMixed(dir, dbPath, (env) => startServer(dbPath, env));
    process.exit(0);
  }
  await plans(db);
  await benchPublish(dir);
  await benchImport(dir);
  await benchReports(db);
  db.$client.close();

  if (!existsSync(new URL('dist/server/entry.mjs', root))) throw new Error('run `npm run build` first');
  let jsBase = '';
  for (const pageCache of ['on', 'off'] as const) {
    const started = await startServer(dbPath, { PAGE_CACHE: pageCache });
    server = started.process;
    const base = started.base;
    const probe = await fetch(`${base}${TYPICAL}`);
    const html = await probe.text();
    console.log(
      `\n[page cache ${pageCache}] ${TYPICAL} → ${probe.status}, ${/data-total="(\d+)"/.exec(html)?.[1]} results`,
    );
    // Warm up both routes, then measure.
    await load(`${base}/ping`);
    await load(`${base}${TYPICAL}`);
    const baseline = await load(`${base}/ping`);
    const offres = await load(`${base}${TYPICAL}`);
    const fmt = (r: typeof baseline) =>
      `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}, non-2xx ${r.non2xx}`;
    console.log(`autocannon, ${CONNECTIONS} connections, ${DURATION_S} s each`);
    console.log(`  /ping (minimal page): ${fmt(baseline)}`);
    console.log(`  /offres (typical):    ${fmt(offres)}`);
    const ratio = offres.rps / baseline.rps;
    console.log(`  ratio /offres ÷ /ping: ${ratio.toFixed(2)}   (goal ≥ 0.6: ${ratio >= 0.6 ? 'met' : 'NOT met'})`);
    console.log(
      `  /offres p95: ${offres.p95.toFixed(1)} ms       (goal ≤ 30 ms: ${offres.p95 <= 30 ? 'met' : 'NOT met'})`,
    );
    if (pageCache === 'off') {
      jsBase = base;
      break; // keep this server for the JavaScript measure
    }
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  }

  const js = await javascriptWeight(jsBase);
  server?.kill('SIGTERM');
  server = undefined;
  console.log(
    `\nJavaScript sent to /offres before the map is opened: ${(js.beforeMap / 1024).toFixed(1)} KB gzip (goal ≤ 20 KB: ${js.beforeMap <= 20 * 1024 ? 'met' : 'NOT met'})`,
  );
  console.log(`JavaScript added when the map opens: ${(js.map / 1024).toFixed(1)} KB gzip`);

  await benchMixed(dir, dbPath, (env) => startServer(dbPath, env));
} finally {
  server?.kill('SIGTERM');
  if (!keep) await rm(dir, { recursive: true, force: true });
}
