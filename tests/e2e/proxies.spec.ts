// Behind a reverse proxy: X-Forwarded-For is believed only from TRUSTED_PROXIES, so the
// per-address limits count the real client there, and nothing a client writes elsewhere.
// The API's RateLimit header says how much of its address's window is left.
import { request as playwrightRequest } from '@playwright/test';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDatabase } from '../../db/backup.ts';
import { DEVELOPMENT_TOTP_KEY } from '../../src/server/accounts/secret-box.ts';
import { expect, startPortal, stopPortal, test } from './fixtures.ts';

/** What is left of the address's API window, and how long until it ends. */
async function left(baseURL: string, forwardedFor?: string): Promise<{ r: number; t: number }> {
  const api = await playwrightRequest.newContext({ baseURL });
  try {
    const res = await api.get('/api/v1/territoires', {
      headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
    });
    expect(res.status()).toBe(200);
    const [, r, t] = /r=(\d+);t=(\d+)/.exec(res.headers()['ratelimit']!)!;
    return { r: Number(r), t: Number(t) };
  } finally {
    await api.dispose();
  }
}

/** Two requests in one window of the limit (a window may end between them: then again). */
async function inOneWindow(baseURL: string, first: string, second: string) {
  for (let attempt = 0; ; attempt++) {
    const a = await left(baseURL, first);
    const b = await left(baseURL, second);
    if (b.t <= a.t || attempt === 2) return [a.r, b.r] as const;
  }
}

/** A form post with these Host and Origin headers (a browser behind the proxy would send them). */
function postForm(url: string, host: string, origin: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        path: '/connexion',
        method: 'POST',
        headers: { Host: host, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end('email=nobody%40example.org&password=wrong');
  });
}

test('an untrusted peer shares one limit whatever X-Forwarded-For says', async ({ portal }) => {
  // The worker's portal has no TRUSTED_PROXIES: these two "clients" are one address, 127.0.0.1.
  const [a, b] = await inOneWindow(portal.url, '198.51.100.1', '198.51.100.2');
  expect(b).toBe(a - 1);
  const [c, d] = await inOneWindow(portal.url, '198.51.100.3', '');
  expect(d).toBe(c - 1);
});

test('behind a trusted proxy each client has its own limit, and the public https site may post', async ({ portal }) => {
  test.slow();
  // A second portal on a copy of the worker's database, behind "a proxy" on loopback.
  const dir = await mkdtemp(join(tmpdir(), 'cc-proxy-'));
  const { path } = await backupDatabase(portal.dbUrl, join(dir, 'portal.db'));
  const proxied = await startPortal(
    path,
    {
      TRUSTED_PROXIES: '127.0.0.1/8, ::1',
      PUBLIC_SITE_URL: 'https://portail.example.org',
      APP_ENV: 'production',
      // Production needs its TOTP_KEY (decision 015): a copy of a database keeps the key its
      // staff's apps were sealed with (the demo's, here) — any other and the portal will not start.
      TOTP_KEY: Buffer.from(DEVELOPMENT_TOTP_KEY).toString('base64'),
    },
    { demo: false },
  );
  try {
    const [a, b] = await inOneWindow(proxied.url, '198.51.100.1', '198.51.100.2');
    expect([a, b]).toEqual([299, 299]);
    // The same client through a chain of proxies, and with a value of its own in front: one key.
    const [c, d] = await inOneWindow(proxied.url, '198.51.100.9, 127.0.0.5', '6.6.6.6, 198.51.100.9');
    expect([c, d]).toEqual([299, 298]);
    // No header: the proxy itself.
    const [e, f] = await inOneWindow(proxied.url, '', '');
    expect(f).toBe(e - 1);

    // TLS ends at the proxy: a post from the public site's own pages passes Astro's origin
    // check (a refused sign-in, not a 403); from any other origin it is still refused.
    expect(await postForm(proxied.url, 'portail.example.org', 'https://portail.example.org')).not.toBe(403);
    expect(await postForm(proxied.url, 'portail.example.org', 'https://evil.example')).toBe(403);
  } finally {
    await stopPortal(proxied.process);
    await rm(dir, { recursive: true, force: true });
  }
});
