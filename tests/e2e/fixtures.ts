// Playwright fixtures: each worker starts the built portal (`scripts/start.ts --demo`)
// on a free port with a fresh temporary database, and stops it afterwards.
import AxeBuilder from '@axe-core/playwright';
import {
  request as playwrightRequest,
  test as base,
  expect,
  type APIRequestContext,
  type Cookie,
  type Page,
} from '@playwright/test';
import { createClient, type Client } from '@libsql/client';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { shoot } from './layout-check.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Portal {
  url: string;
  dbUrl: string;
  /** Direct SQL on the portal's database, to check what pages show against it. */
  sql: Client;
  process: ChildProcess;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A test's own connection to a portal's database. The portal writes in the background too
 * (its jobs, the API limiter's sync each second): a test's write waits for that lock, up to
 * 5 s, rather than failing at once with SQLITE_BUSY.
 */
export const sqlClient = (url: string): Client => createClient({ url, timeout: 5_000 });

/**
 * Starts `node scripts/start.ts` (with `--demo` unless told otherwise) and resolves once it listens and /healthz answers 200.
 * Other test runs on the machine pick free ports too: a port taken between our check and the
 * server's listen is retried with another one, and a /healthz answered by someone else's
 * server on that port is not mistaken for ours (ours must have said it listens).
 */
export async function startPortal(
  dbPath: string,
  extraEnv: Record<string, string> = {},
  { demo = true }: { demo?: boolean } = {},
): Promise<Omit<Portal, 'sql'> & { logs: () => string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchPortal(dbPath, extraEnv, demo);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error;
    }
  }
}

class PortTaken extends Error {}

const greyTile =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGN4AQAA6gDp3uJOLwAAAABJRU5ErkJggg==';

async function launchPortal(
  dbPath: string,
  extraEnv: Record<string, string>,
  demo: boolean,
): Promise<Omit<Portal, 'sql'> & { logs: () => string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dbUrl = `file:${dbPath}`;
  const child = spawn(process.execPath, ['scripts/start.ts', ...(demo ? ['--demo'] : [])], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      PHOTOS_DIR: join(dirname(dbPath), 'photos'),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_SITE_URL: url,
      // No tile server in tests: tiles 404 on the portal itself, markers still show.
      // Map tiles drawn without a request: a light grey PNG as a data URL (the fragment
      // only carries the placeholders the setting requires).
      MAP_TILE_URL: `${greyTile}#{z}/{x}/{y}`,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  // A cold start migrates and seeds a fresh database: minutes on a busy machine.
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      if (/EADDRINUSE/.test(output)) throw new PortTaken(output);
      throw new Error(`portal exited with ${child.exitCode}:\n${output}`);
    }
    if (output.includes('Server listening on')) {
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.status === 200) return { url, dbUrl, process: child, logs: () => output };
      } catch {
        // not answering yet
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`portal did not become healthy in time:\n${output}`);
}

export async function stopPortal(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export const test = base.extend<{ axe: (page: Page) => Promise<void> }, { portal: Portal }>({
  portal: [
    async ({}, use) => {
      const dir = await mkdtemp(join(tmpdir(), 'cc-e2e-'));
      const started = await startPortal(join(dir, 'portal.db'));
      // A portal that dies under the tests says why (otherwise only "connection refused").
      const died = (code: number | null) =>
        console.error(`portal exited with ${code} during the tests:\n${started.logs()}`);
      started.process.once('exit', died);
      const sql = sqlClient(started.dbUrl);
      await use({ ...started, sql });
      started.process.off('exit', died);
      await keepLogs(started.logs(), sql);
      sql.close();
      await stopPortal(started.process);
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  baseURL: async ({ portal }, use) => use(portal.url),
  axe: async ({ browser, javaScriptEnabled }, use) => {
    await use(async (page: Page) => {
      if (javaScriptEnabled !== false) return checkAxe(page);
      // axe runs inside the page: a page without JavaScript (as test.use set it) is checked
      // as a copy of its HTML, served at its own address so its styles load, in a page
      // that runs scripts; a refused post is checked as it was shown.
      const html = await page.content();
      const context = await browser.newContext({ javaScriptEnabled: true });
      try {
        const copy = await context.newPage();
        await copy.route('**/*', (route) =>
          route.request().isNavigationRequest()
            ? route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' })
            : route.continue(),
        );
        await copy.goto(page.url());
        await checkAxe(copy);
      } finally {
        await context.close();
      }
    });
  },
});

async function checkAxe(page: Page): Promise<void> {
  // Legacy mode runs axe.run() in the page itself; the default runs it per frame and then
  // opens a blank page to merge the results, twice the time. The portal has no frames, and
  // legacy mode still tests same-origin ones: the same rules on the same nodes.
  const results = await new AxeBuilder({ page })
    .setLegacyMode()
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

export { expect };

/** Where each worker's portal leaves its logs, for the check of the whole run (global-teardown.ts). */
export const logsDir = join(root, 'test-results', 'e2e', 'portal-logs');

/**
 * Keeps a portal's logs with the personal data its database held at the end (the seeded
 * families and those the tests created): none of it may appear in the logs.
 */
async function keepLogs(logs: string, sql: Client): Promise<void> {
  const rows = await sql.execute(
    `SELECT name, email, phone FROM candidates WHERE anonymised_at IS NULL
     UNION ALL SELECT name, email, NULL FROM users WHERE role IN ('family', 'owner')`,
  );
  const personal = [
    ...new Set(rows.rows.flatMap((r) => [r.name, r.email, r.phone].filter((v): v is string => typeof v === 'string'))),
  ];
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(logsDir, { recursive: true });
  await writeFile(join(logsDir, `portal-${process.pid}-${Date.now()}.json`), JSON.stringify({ logs, personal }));
}

/** Full-page screenshots at phone and desktop widths under test-results/screenshots (`shoot`). */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [360, 780],
    [1280, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    await shoot(page, name);
  }
}

/** The whole sitemap: its index, then every part it names (each a 200 XML answer), as one text. */
export async function sitemapText(request: APIRequestContext): Promise<string> {
  const index = await request.get('/sitemap.xml');
  expect(index.headers()['content-type']).toContain('application/xml');
  const names = [...(await index.text()).matchAll(/<sitemap><loc>([^<]+)<\/loc><\/sitemap>/g)];
  expect(names.length).toBeGreaterThan(0);
  const parts: string[] = [];
  for (const [, url] of names) {
    const part = await request.get(new URL(url!).pathname);
    expect(part.status(), url).toBe(200);
    expect(part.headers()['content-type']).toContain('application/xml');
    parts.push(await part.text());
  }
  return parts.join('\n');
}

/** Counts published offers with an SQL condition, to check what a page shows. */
export async function countOffers(portal: Portal, where: string, args: Array<string | number> = []): Promise<number> {
  const rs = await portal.sql.execute({
    sql: `SELECT count(*) AS n FROM offers WHERE status = 'published' AND (${where})`,
    args,
  });
  return Number(rs.rows[0]!.n);
}

/** The newest email to `to` in the outbox, and the first link it holds. */
export async function lastMail(portal: Portal, to: string): Promise<{ subject: string; text: string; link: string }> {
  const rs = await portal.sql.execute({
    // The staff's morning brief comes by the clock (from 7:00 Paris time), not by what a test does.
    sql: `SELECT subject, text FROM outbox WHERE "to" = ? AND template <> 'morning_brief' ORDER BY id DESC LIMIT 1`,
    args: [to],
  });
  const row = rs.rows[0];
  if (!row) throw new Error(`no email to ${to}`);
  const text = String(row.text);
  return { subject: String(row.subject), text, link: /(https?:\/\/\S+)/.exec(text)?.[1] ?? '' };
}

// ——— Two-factor sign-in (decision 015) ————————————————————————————————————————————————

/** The demo staff accounts' TOTP key, as `DEMO_TOTP_SECRET` in db/seed/demo.ts (demo data only). */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const STEP_MS = 30_000;

/** The accounts whose TOTP key the helpers know: the demo staff, and those a test set up (`rememberTotpKey`). */
const totpKeys = new Map<string, string>(
  ['admin@demo.test', 'agent.gers@demo.test', 'agent.manche@demo.test', 'direction.gers@demo.test'].map((e) => [
    e,
    DEMO_TOTP_SECRET,
  ]),
);

/** Lets the sign-in helpers pass the second step of an account a test enrolled (its key as the page showed it). */
export const rememberTotpKey = (email: string, key: string) => totpKeys.set(email, key.replace(/\s/g, ''));

/** The account no longer gives a code (it turned two-step verification off). */
export const forgetTotpKey = (email: string) => totpKeys.delete(email);

/** The code of a base32 key for a time step (30 s). */
export const totpCode = (key: string, step: number) =>
  generateHOTP(decodeBase32IgnorePadding(key.replace(/\s/g, '').toUpperCase()), BigInt(step), 6);

/** The time step now. */
export const currentStep = () => Math.floor(Date.now() / STEP_MS);

/** Per portal and account, the last step whose code the helpers gave: a code works once. */
const givenSteps = new Map<string, number>();

/**
 * Passes a second step with fresh codes: the portal accepts the step before and after the
 * current one, so three sign-ins of one account fit in 30 s without waiting; a fourth
 * waits for the next step. `submit` says whether the code was taken; a refused one (given
 * elsewhere, or the step moved on meanwhile) makes the next step's code the next try.
 */
export async function withFreshCode(
  portalUrl: string,
  email: string,
  submit: (code: string) => Promise<boolean>,
): Promise<void> {
  const key = totpKeys.get(email);
  if (!key) throw new Error(`no TOTP key known for ${email}`);
  const account = `${portalUrl}|${email}`;
  for (let tries = 0; tries < 5; tries++) {
    const now = currentStep();
    const step = Math.max(now - 1, (givenSteps.get(account) ?? -Infinity) + 1);
    if (step > now + 1) {
      await new Promise((r) => setTimeout(r, (step - 1) * STEP_MS - Date.now() + 100));
      continue;
    }
    givenSteps.set(account, step);
    if (await submit(totpCode(key, step))) return;
  }
  throw new Error(`no code of ${email} was accepted`);
}

/** Whether the sign-in of `email` asks for a code (an account whose key the helpers know). */
export const hasSecondStep = (email: string) => totpKeys.has(email);

/** Passes the second step open on `page` (after the password) with a fresh code; lands where it leads. */
export async function passSecondStep(page: Page, email: string): Promise<void> {
  await page.waitForURL(/\/connexion\/verification/);
  const origin = new URL(page.url()).origin;
  await withFreshCode(origin, email, async (code) => {
    await page.locator('input[name="otp"]').fill(code);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/connexion\/verification/.test(r.url())),
      page.locator('form:has(input[name="otp"]) button[type="submit"]').click(),
    ]);
    return response.status() === 303;
  });
  await page.waitForURL((url) => !/\/connexion\/verification/.test(url.pathname));
}

/**
 * Sets up an app on the security page open on `page` (an account that must, after its
 * password): reads the key the page shows, confirms with its code, and returns the recovery
 * codes shown once; the helpers then know the key for later sign-ins.
 */
export async function enrolOnPage(page: Page, email: string): Promise<string[]> {
  await page.waitForURL(/\/compte\/securite/);
  const key = (await page.getByTestId('totp-key').textContent())!.trim();
  rememberTotpKey(email, key);
  const origin = new URL(page.url()).origin;
  await withFreshCode(origin, email, async (code) => {
    await page.locator('input[name="otp"]').fill(code);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/compte\/securite/.test(r.url())),
      page.locator('form:has(input[name="otp"]) button[type="submit"]').click(),
    ]);
    return response.status() === 200;
  });
  await expect(page.getByTestId('recovery-codes')).toBeVisible();
  return (await page.getByTestId('recovery-codes').locator('code').allTextContents()).map((c) => c.trim());
}

/**
 * Fills and sends the sign-in form open on `page` (e.g. where a page for members sent a
 * visitor); an account with a second step passes it too (demo staff: their known key).
 */
export async function submitSignIn(page: Page, email: string, password = 'demo-password-2026'): Promise<void> {
  await page.getByLabel('Adresse email').first().fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Me connecter' }).click();
  if (hasSecondStep(email)) await passSecondStep(page, email);
}

/**
 * The sessions this worker's tests opened, by portal, account and password: their cookies
 * and where the sign-in landed. A sign-in costs a password hash and, for staff, a TOTP time
 * step of which each code works once (a fourth sign-in of one account within a minute waits
 * for the next step): a later test of the same worker goes on with the session instead.
 */
const openSessions = new Map<string, { cookies: Cookie[]; landing: string }>();

/**
 * Signs in through the real form, or goes on with the session an earlier test of this worker
 * opened for the same account when it is still valid (signed out, expired or revoked, it
 * signs in again); lands on the account's home (families /compte, staff their own).
 */
export async function signInAs(page: Page, email: string, password = 'demo-password-2026'): Promise<void> {
  await page.goto('/connexion');
  const key = `${new URL(page.url()).origin}|${email}|${password}`;
  const open = openSessions.get(key);
  if (open) {
    await page.context().addCookies(open.cookies);
    await page.goto(open.landing);
    if (page.url() === open.landing) return;
    openSessions.delete(key);
    await page.context().clearCookies();
    await page.goto('/connexion');
  }
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/\/(compte|agent|admin)(\/|$)/);
  openSessions.set(key, { cookies: await page.context().cookies(), landing: page.url() });
}

/**
 * A request context (no redirects followed), signed in as `email` through the real forms
 * when given: the password, then a fresh code for an account with a second step.
 */
export async function apiAs(portal: Pick<Portal, 'url'>, email?: string): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL: portal.url, maxRedirects: 0 });
  if (email) {
    const res = await ctx.post('/connexion', {
      form: { email, password: 'demo-password-2026' },
      headers: { Origin: portal.url },
    });
    expect(res.status(), `sign-in of ${email}`).toBe(303);
    if (hasSecondStep(email)) {
      expect(res.headers()['location']).toMatch(/^\/connexion\/verification\?retour=/);
      await withFreshCode(portal.url, email, async (code) => {
        const step = await ctx.post('/connexion/verification', {
          form: { otp: code },
          headers: { Origin: portal.url },
        });
        return step.status() === 303;
      });
    }
  }
  return ctx;
}

/**
 * A verified family account of its own (the demo password), made in SQL, for tests that
 * change a family's data without touching the demo family others rely on.
 */
export async function throwawayFamily(portal: Portal, label: string): Promise<string> {
  const email = `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`;
  await portal.sql.execute({
    sql: `INSERT INTO users (email, name, password_hash, role, locale, email_verified_at, created_at)
          SELECT ?, ?, password_hash, 'family', 'fr', created_at, created_at FROM users WHERE email = 'famille@demo.test'`,
    args: [email, `Famille ${label}`],
  });
  return email;
}

/**
 * Creates a family account through the real form (on the page already open when it is the
 * sign-up form, e.g. reached from an email's link), then follows the verification email.
 */
export async function signUp(
  page: Page,
  portal: Portal,
  account: { name: string; email: string; password?: string },
): Promise<void> {
  if (!/\/inscription/.test(page.url())) await page.goto('/inscription');
  await page.getByLabel('Nom').fill(account.name);
  await page.getByLabel('Adresse email').fill(account.email);
  await page.getByLabel('Mot de passe').fill(account.password ?? 'nous partons vivre à la campagne');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.goto((await lastMail(portal, account.email)).link);
}

/**
 * The public pages that answer in English under `/en` as well (route patterns, French
 * paths). The authorization matrix requests each of them in both locales, whether the
 * English twin is a file under src/pages/en or a rewrite.
 */
export const localizedRoutes = [
  '/',
  '/offres',
  '/offres/[ref]',
  '/territoires/[code]',
  '/connexion',
  '/connexion/lien',
  '/connexion/verification',
  '/inscription',
  '/inscription/confirmer',
  '/mot-de-passe-oublie',
  '/mot-de-passe-oublie/nouveau',
  '/invitation',
  '/deconnexion',
  '/compte',
  '/compte/favoris',
  '/compte/comparer',
  '/compte/recherches',
  '/compte/securite',
  '/compte/offres',
  '/compte/offres/[id]',
  '/compte/reprises',
  '/compte/reprises/[id]',
  '/emplois',
  '/emplois/[id]',
  '/reprises',
  '/reprises/[id]',
  '/proposer-une-offre',
  '/alertes/desabonnement',
  '/alertes/fibre',
  '/mise-en-relation',
  '/communes/[ref]',
  '/projet',
  '/impact',
  '/api',
  '/mentions-legales',
  '/confidentialite',
  '/accessibilite',
  '/cookies',
] as const;

/** `path` (a French path, with its query) in `locale`. */
export const inLocale = (path: string, locale: 'fr' | 'en') => (locale === 'fr' ? path : `/en${path}`);

/** Every page and endpoint under src/pages, as a route pattern ("/offres/[ref]"). */
export function routesOnDisk(): string[] {
  const dir = join(root, 'src', 'pages');
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
    );
  return walk(dir)
    .map((f) => '/' + relative(dir, f).replace(/\\/g, '/'))
    .filter((f) => /\.(astro|ts)$/.test(f) && !f.split('/').some((p) => p.startsWith('_')))
    .map((f) => f.replace(/\.(astro|ts)$/, '').replace(/\/index$/, '') || '/');
}

/** An offer form's fields (back office and owners), by name: their French label and how to fill them. */
const offerFormFields = {
  title: ['Titre', 'text'],
  description: ['Description', 'text'],
  price: ['Prix (€, loyer mensuel ou prix de vente ; au mois pour un tiers-lieu)', 'text'],
  transaction: ['Location ou vente', 'select'],
  homeType: ['Type de logement', 'select'],
  typology: ['Type de tiers-lieu', 'select'],
  priceDay: ['Prix à la journée', 'text'],
  openingHours: ['Horaires', 'text'],
  // A text field, a combobox once its suggestions are wired (the `list` attribute).
  commune: ['Commune', 'text'],
  address: ['Adresse (privée : jamais publiée)', 'text'],
  lat: ['Latitude du point exact (privée)', 'text'],
  lng: ['Longitude du point exact (privée)', 'text'],
  bestTechnology: ['Meilleure technologie fixe', 'select'],
  downloadMbps: ['Débit descendant', 'text'],
  uploadMbps: ['Débit montant', 'text'],
  fibreStatus: ['Fibre (FTTH)', 'select'],
} as const;

/** Fills the offer form open on `page`, field by field, in the order given. */
export async function fillOffer(
  page: Page,
  values: Partial<Record<keyof typeof offerFormFields, string>>,
): Promise<void> {
  for (const [name, value] of Object.entries(values) as Array<[keyof typeof offerFormFields, string]>) {
    const [label, how] = offerFormFields[name];
    if (how === 'select') await page.getByLabel(label).selectOption(value);
    else await page.getByLabel(label, { exact: true }).fill(value);
  }
}
