// Bad input, generated: every form of the portal (found by reading the pages each role
// sees) and every endpoint of the open-data API receives generated bad inputs — wrong
// types, huge strings, invalid UTF-8, NUL bytes, nested JSON, duplicate parameters,
// malformed multipart, SQL and HTML payloads. No answer is a 5xx, the server never dies,
// and a refused request changes nothing: triggers log every change to the data, and a
// checksum of every table is compared around each form that refused everything.
// `npm test` sends FUZZ_PER_TARGET (15) inputs to each; `npm run test:faults` 10 000.
import { createHash } from 'node:crypto';
import { Browser, prng } from './faults-kit.ts';
import type { Client } from '@libsql/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, sqlClient, startPortal, test, type Portal } from './fixtures.ts';

const PER_TARGET = Number(process.env.FUZZ_PER_TARGET ?? (process.env.FAULTS === 'long' ? 10_000 : 15));

/** Tables whose changes are not data: counters and session activity. */
const NOT_DATA = new Set(['rate_limits', 'sessions', 'fuzz_log', 'sqlite_sequence']);
/** Columns that any signed-in request may write: the account's activity (retention reads it). */
const ACTIVITY: Record<string, string[]> = { users: ['last_seen_at', 'inactivity_warned_at'] };

async function columnsOf(sql: Client, table: string): Promise<string[]> {
  const rs = await sql.execute(`PRAGMA table_info("${table}")`);
  return rs.rows.map((r) => String(r.name)).filter((c) => !(ACTIVITY[table] ?? []).includes(c));
}

interface Target {
  who: string;
  method: 'GET' | 'POST';
  /** Path and query the form is sent to. */
  action: string;
  fields: string[];
  /** Values the page offers for a field (an intent's buttons, a select's options). */
  values: Record<string, string[]>;
  multipart: boolean;
}

const attr = (tag: string, name: string) =>
  new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')
    .exec(tag)
    ?.slice(1)
    .find((v) => v !== undefined);
const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** The forms of a page's HTML: where they go, their fields and the values it offers. */
function formsOf(html: string, page: string, who: string): Target[] {
  const targets: Target[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, open, inner] = match;
    const action = unescape(attr(open!, 'action') ?? page) || page;
    if (!action.startsWith('/')) continue;
    const method = (attr(open!, 'method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const values: Record<string, string[]> = {};
    // Its controls, and those elsewhere in the page that name it (`form="<id>"`: the hearts).
    const id = attr(open!, 'id');
    const outside = id
      ? [...html.matchAll(/<(input|select|textarea|button)\b([^>]*)>/gi)].filter((c) => attr(c[2]!, 'form') === id)
      : [];
    for (const control of [...inner!.matchAll(/<(input|select|textarea|button|option)\b([^>]*)>/gi), ...outside]) {
      const name = attr(control[2]!, 'name');
      if (!name) continue;
      (values[name] ??= []).push(unescape(attr(control[2]!, 'value') ?? ''));
    }
    targets.push({
      who,
      method,
      action,
      fields: Object.keys(values),
      values,
      multipart: /multipart/i.test(attr(open!, 'enctype') ?? ''),
    });
  }
  return targets;
}

// ——— Bad values ———————————————————————————————————————————————————————————————————

const payloads = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  '99999999999999999999999999',
  '-0.0000001',
  '2026-02-30',
  '9999-12-31',
  '0000-00-00',
  'true',
  'null',
  'undefined',
  '[object Object]',
  "' OR '1'='1",
  '1; DROP TABLE offers; --',
  "'); DELETE FROM candidates; --",
  '1 UNION SELECT password_hash FROM users',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '//evil.example/',
  'https://evil.example/',
  '../../../../etc/passwd',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  '\ud83d\ude00'.repeat(300),
  '\r\nSet-Cookie: x=1',
  '32',
  '50',
  '2A',
  '32013',
  '99999',
  'x'.repeat(5_001),
  'é'.repeat(70_000),
];

/** Raw (already encoded) form pieces that URLSearchParams would never write. */
const rawPieces = [
  '%ff%fe',
  '%c3%28',
  '%ed%a0%80',
  '%00',
  '%',
  '%zz',
  '%e2%82',
  '\xff',
  '&&&',
  '==',
  '=x',
  'a[b][c]=1',
  'a[]=1&a[]=2',
];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** One generated bad request for a target: method, path, headers and body. */
function badRequest(
  target: Target,
  random: () => number,
): { path: string; init: RequestInit & { headers: Record<string, string> } } {
  const fieldValue = (field: string) => {
    const r = random();
    if (r < 0.5) return encodeURIComponent(pick(random, payloads));
    if (r < 0.7) return pick(random, rawPieces);
    if (r < 0.85 && target.values[field]?.length) return encodeURIComponent(pick(random, target.values[field]!));
    return encodeURIComponent(String(Math.floor(random() * 2 ** 31)));
  };
  const pairs: string[] = [];
  for (const field of target.fields) {
    if (random() < 0.15) continue; // left out
    const times = random() < 0.1 ? 2 + Math.floor(random() * 3) : 1; // duplicated
    for (let i = 0; i < times; i++) pairs.push(`${encodeURIComponent(field)}=${fieldValue(field)}`);
  }
  if (random() < 0.2)
    pairs.push(
      `${pick(random, ['__proto__', 'constructor[prototype][x]', 'intent', 'a'.repeat(300)])}=${fieldValue('x')}`,
    );
  let query = pairs.join('&');
  const kind = random();
  const headers: Record<string, string> = {};
  let body: string | Uint8Array | undefined;
  if (target.method === 'GET') {
    if (kind < 0.05) query += '&q=' + 'x'.repeat(20_000); // an overlong address
    return { path: target.action.split('?')[0] + '?' + query, init: { method: 'GET', headers } };
  }
  if (kind < 0.55) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = query;
  } else if (kind < 0.65) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    // Raw bytes that are not UTF-8, and a NUL, outside any percent-encoding.
    body = Buffer.concat([Buffer.from(query + '&'), Buffer.from([0xff, 0xfe, 0x3d, 0xc3, 0x28, 0x00, 0x26])]);
  } else if (kind < 0.72) {
    headers['Content-Type'] = 'application/json';
    const depth = 1 + Math.floor(random() * 5000);
    body =
      random() < 0.5
        ? '['.repeat(depth) + ']'.repeat(depth)
        : JSON.stringify(Object.fromEntries(target.fields.map((f) => [f, { $ne: null, nested: [[{}]] }])));
  } else if (kind < 0.82) {
    const boundary = 'fuzz' + Math.floor(random() * 1e9);
    const variants = [
      `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nsave\r\n`, // never closed
      `--other\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--other--\r\n`, // another boundary
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../x.csv"\r\nContent-Type: text/csv\r\n\r\n${'a;b\n'.repeat(50)}\r\n--${boundary}--\r\n`,
      `--${boundary}\r\n${'X-Header: ' + 'h'.repeat(100_000)}\r\n\r\nx\r\n--${boundary}--\r\n`,
      '\u0000\u0001garbage',
    ];
    headers['Content-Type'] = random() < 0.2 ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`;
    body = pick(random, variants);
  } else if (kind < 0.88) {
    headers['Content-Type'] = pick(random, [
      'text/plain',
      'application/xml',
      'application/octet-stream',
      'x/y; charset=klingon',
      '',
    ]);
    body = query;
  } else if (kind < 0.94) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = random() < 0.5 ? `x=${'a'.repeat(1_100_000)}` : Array.from({ length: 1_200 }, (_, i) => `k${i}=v`).join('&');
  } else {
    headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=iso-8859-1';
    body = Buffer.from(query.replace(/%[0-9a-f]{2}/gi, ''), 'latin1');
  }
  return { path: target.action, init: { method: 'POST', headers, body: body as BodyInit } };
}

// ——— The database's witness ————————————————————————————————————————————————————————

async function dataTables(sql: Client): Promise<string[]> {
  const rs = await sql.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' AND name NOT LIKE '\\_%' ESCAPE '\\'",
  );
  return rs.rows.map((r) => String(r.name)).filter((t) => !NOT_DATA.has(t));
}

/** Triggers that log every insert, update and delete of data (the test's own witness). */
async function installWitness(sql: Client): Promise<void> {
  await sql.execute(
    'CREATE TABLE IF NOT EXISTS fuzz_log (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL)',
  );
  for (const table of await dataTables(sql)) {
    const columns = (await columnsOf(sql, table)).map((c) => `"${c}"`).join(', ');
    for (const op of ['INSERT', 'UPDATE', 'DELETE'])
      await sql.execute(
        `CREATE TRIGGER IF NOT EXISTS fuzz_${table}_${op.toLowerCase()} AFTER ${op === 'UPDATE' ? `UPDATE OF ${columns}` : op} ON "${table}" BEGIN INSERT INTO fuzz_log (tbl, op) VALUES ('${table}', '${op}'); END`,
      );
  }
}

async function dropWitness(sql: Client): Promise<void> {
  const rs = await sql.execute(
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'fuzz\\_%' ESCAPE '\\'",
  );
  for (const row of rs.rows) await sql.execute(`DROP TRIGGER "${String(row.name)}"`);
  await sql.execute('DROP TABLE IF EXISTS fuzz_log');
}

const lastChange = async (sql: Client) =>
  Number((await sql.execute('SELECT coalesce(max(id), 0) AS n FROM fuzz_log')).rows[0]!.n);

/** A SHA-256 of each data table's rows, in rowid order. */
async function checksum(sql: Client): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of await dataTables(sql)) {
    // Each row as SQLite quotes it (exact: reals round-trip, blobs in hex), joined in SQL:
    // the 35 000 communes hash in a tenth of the time rows read one by one take.
    const row = (await columnsOf(sql, table)).map((c) => `quote("${c}")`).join(" || ',' || ");
    const rs = await sql.execute(
      `SELECT count(*) AS n, group_concat(${row}, char(10) ORDER BY rowid) AS rows FROM "${table}"`,
    );
    const { n, rows } = rs.rows[0]!;
    sums[table] = createHash('sha256')
      .update(`${String(n)}\n${String(rows ?? '')}`)
      .digest('hex');
  }
  return sums;
}

// ——— The run ——————————————————————————————————————————————————————————————————————

/** The pages each role opens to find its forms (French paths; ids filled from the database). */
async function pagesToRead(portal: Portal): Promise<Record<string, string[]>> {
  const one = async (query: string) => (await portal.sql.execute(query)).rows[0]!;
  const file = await one(
    "SELECT public_id FROM candidates WHERE territory_code = '32' AND merged_into_id IS NULL AND stage = 'discovery' LIMIT 1",
  );
  const offer = await one("SELECT id FROM offers WHERE territory_code = '32' AND status = 'published' LIMIT 1");
  const draft = await one("SELECT id FROM offers WHERE territory_code = '32' AND status <> 'published' LIMIT 1");
  const ownerOffer = await one(
    "SELECT o.id FROM offers o JOIN users u ON u.id = o.owner_id WHERE u.email = 'proprietaire@demo.test' LIMIT 1",
  );
  const agent = await one("SELECT id FROM users WHERE email = 'agent.gers@demo.test'");
  return {
    anonymous: [
      '/connexion',
      '/inscription',
      '/mot-de-passe-oublie',
      '/projet',
      '/offres',
      `/offres/${offer.id}`,
      '/communes/32369-sainte-christie-d-armagnac',
    ],
    family: [
      '/compte',
      '/compte/favoris',
      '/compte/recherches',
      '/compte/securite',
      `/offres/${offer.id}`,
      '/offres?territoire=32',
    ],
    owner: ['/proposer-une-offre', '/proposer-une-offre?type=tiers-lieu', `/compte/offres/${ownerOffer.id}`],
    agent: [
      '/compte/securite',
      `/agent/candidats/${file.public_id}`,
      `/agent/candidats/${file.public_id}/proposer`,
      '/agent/candidats',
      `/agent/offres/${offer.id}`,
      `/agent/offres/${draft.id}`,
      '/agent/offres/nouvelle',
      '/agent/offres',
    ],
    admin: [
      '/admin',
      `/admin/agents/${agent.id}`,
      '/admin/territoires',
      '/admin/territoires/32',
      '/admin/imports',
      '/admin/emails',
      '/agent/rapports',
    ],
  };
}

/**
 * A portal of the fuzz's own: accepted inputs (an erasure, a deactivation, new settings)
 * must not change what other tests of the worker find. It is used once its jobs' first
 * passes are over (they run at start), so that every change seen is a request's.
 */
async function ownPortal(dir: string): Promise<Portal> {
  // Behind a trusted proxy, so that each bad request may come from an address of its own.
  const started = await startPortal(join(dir, 'portal.db'), { LOG_LEVEL: 'debug', TRUSTED_PROXIES: 'loopback' });
  await expect
    .poll(
      () =>
        ['digest', 'freshness', 'retention', 'catalogue-changes'].every((job) =>
          started.logs().includes(`"job":"${job}","msg":"pass done"`),
        ),
      {
        timeout: 120_000,
      },
    )
    .toBe(true);
  return { ...started, sql: sqlClient(started.dbUrl) };
}

test('generated bad input: no 5xx, no crash, and nothing changed by a refused request', async () => {
  test.setTimeout(PER_TARGET > 100 ? 24 * 3_600_000 : 10 * 60_000);
  const dir = await mkdtemp(join(tmpdir(), 'cc-fuzz-'));
  const portal = await ownPortal(dir);
  try {
    await fuzz(portal);
  } finally {
    portal.sql.close();
    portal.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

async function fuzz(portal: Portal): Promise<void> {
  const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);
  console.log(`bad input: seed ${seed} (FAULTS_SEED replays it)`);
  const people: Record<string, Browser> = {
    anonymous: new Browser(portal.url),
    family: await new Browser(portal.url).signIn('famille@demo.test'),
    owner: await new Browser(portal.url).signIn('proprietaire@demo.test'),
    agent: await new Browser(portal.url).signIn('agent.gers@demo.test'),
    admin: await new Browser(portal.url).signIn('direction.gers@demo.test'),
  };
  const targets = new Map<string, Target>();
  for (const [who, pages] of Object.entries(await pagesToRead(portal)))
    for (let page of pages) {
      // An offer's short address answers 301 to its full one; a search page may add its defaults.
      let res = await people[who]!.send(page);
      for (let hops = 0; hops < 3 && [301, 302, 303].includes(res.status); hops++) {
        const to = new URL(res.headers.get('location')!, portal.url);
        res = await people[who]!.send((page = to.pathname + to.search));
      }
      expect(res.status, `${who} ${page}`).toBe(200);
      for (const form of formsOf(await res.text(), page, who)) {
        // One target per form shape: a role, a method, a path and its fields.
        const key = `${who} ${form.method} ${form.action.split('?')[0]!.replace(/\/\d+|\/[A-Za-z0-9_-]{16,}/g, '/:id')} ${form.fields.sort().join(',')}`;
        if (!targets.has(key)) targets.set(key, form);
      }
    }
  // Pages that show their form only with a valid emailed token: their fields as they post them.
  for (const [action, fields] of [
    ['/alertes/fibre', ['intent', 'token']],
    ['/alertes/desabonnement', ['token']],
    ['/mot-de-passe-oublie/nouveau', ['token', 'password']],
    ['/invitation', ['token', 'password']],
  ] as const)
    targets.set(`token ${action}`, {
      who: 'anonymous',
      method: 'POST',
      action,
      fields: [...fields],
      values: { intent: ['confirm', 'end'] },
      multipart: false,
    });
  // The open-data API: every endpoint with its parameters, from the OpenAPI document.
  const openapi = (await (await fetch(`${portal.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, { get: { parameters?: Array<{ name: string; in: string }> } }>;
  };
  for (const [path, item] of Object.entries(openapi.paths)) {
    const fields = (item.get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    const action = '/api/v1' + path.replace('{commune}', '32013');
    targets.set(`api ${path}`, { who: 'anonymous', method: 'GET', action, fields, values: {}, multipart: false });
    if (path.includes('{'))
      targets.set(`api ${path} bad`, {
        who: 'anonymous',
        method: 'GET',
        action: '/api/v1' + path.replace(/\{[^}]+\}/, '%ff%00<x>'),
        fields,
        values: {},
        multipart: false,
      });
  }
  const posts = [...targets.values()].filter((t) => t.method === 'POST');
  // The crawl found the forms it must: sign-in, the enquiry, the file's, an offer's, the admin's.
  for (const path of ['/connexion', '/projet', '/agent/candidats/', '/agent/offres/', '/admin/territoires', '/compte'])
    expect(
      posts.some((t) => t.action.startsWith(path)),
      path,
    ).toBe(true);
  expect(posts.length).toBeGreaterThanOrEqual(25);

  await installWitness(portal.sql);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let refused = 0;
  try {
    let before = await checksum(portal.sql);
    for (const target of targets.values()) {
      const browser = people[target.who]!;
      let accepted = 0;
      for (let n = 0; n < PER_TARGET; n++) {
        // Keep reaching the handlers: each request from its own address (the API's per-address
        // limit is counted in the server's memory), and the per-account counters cleared.
        if (n % 100 === 0) await portal.sql.execute('DELETE FROM rate_limits');
        const { path, init } = badRequest(target, random);
        init.headers['X-Forwarded-For'] = `198.18.${(n >> 8) & 255}.${n & 255}`;
        const changesBefore = await lastChange(portal.sql);
        let status: number;
        try {
          const res = await browser.send(path, init);
          status = res.status;
          await res.arrayBuffer();
        } catch (error) {
          // Node closes a connection whose headers pass its limit (16 KiB) while answering 431.
          if (path.length > 16_384 && (await fetch(`${portal.url}/healthz`)).ok) {
            refused++;
            continue;
          }
          // What was sent, to replay it: the type and size of the body.
          const sent = `${init.headers['Content-Type'] ?? 'no type'}, ${init.body ? Buffer.byteLength(init.body as string | Uint8Array) : 0} bytes`;
          failures.push(
            `${target.who} ${init.method} ${path.slice(0, 120)} (${sent}): no answer (${String((error as Error).cause ?? error)})`,
          );
          break;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) failures.push(`${target.who} ${init.method} ${path.slice(0, 120)}: ${status}`);
        const changed = (await lastChange(portal.sql)) > changesBefore;
        if (status >= 400) {
          refused++;
          if (changed)
            failures.push(`${target.who} ${init.method} ${path.slice(0, 120)}: refused (${status}) but changed data`);
        } else if (changed) accepted++;
        if (target.method === 'GET' && changed)
          failures.push(`${target.who} GET ${path.slice(0, 120)}: a GET changed data`);
      }
      const after = await checksum(portal.sql);
      if (accepted === 0) {
        const moved = Object.keys(after).filter((t) => after[t] !== before[t]);
        expect(moved, `${target.who} ${target.method} ${target.action}: tables whose checksum moved`).toEqual([]);
      }
      before = after;
      expect(portal.process.exitCode, 'the portal died').toBeNull();
      // The long form runs for hours: each target's end is a line, so a run stopped early still tells how far it went.
      if (PER_TARGET > 100)
        console.log(
          `bad input: ${target.who} ${target.method} ${target.action} (${target.fields.join(', ')}) done, ${failures.length} failure(s) so far`,
        );
      if (failures.length > 20) break;
    }
  } finally {
    await dropWitness(portal.sql);
    // Wrong codes and passwords slowed accounts down: later tests of this worker sign them in.
    await portal.sql.execute('DELETE FROM rate_limits');
  }
  console.log(
    `bad input: ${targets.size} targets (${posts.length} forms) × ${PER_TARGET} (seed ${seed}); ${refused} refused; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  expect(failures).toEqual([]);
}
