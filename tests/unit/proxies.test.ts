import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, readConfig } from '../../scripts/lib/config.ts';
import { clientAddress, compileTrust, normalizeAddress, TrustedProxiesError } from '../../scripts/lib/proxies.ts';
import { createPortalServer } from '../../scripts/lib/server.ts';
import { clientIp } from '../../src/server/http/context.ts';

const from = (peer: string, forwarded?: string) => ({
  socket: { remoteAddress: peer },
  headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
});

describe('TRUSTED_PROXIES', () => {
  it('accepts addresses, CIDR ranges and named ranges, IPv4 and IPv6', () => {
    const trust = compileTrust(' 10.0.0.5, 172.18.0.0/16,::1 , fd00::/8,loopback ');
    expect(trust('10.0.0.5', 0)).toBe(true);
    expect(trust('10.0.0.6', 0)).toBe(false);
    expect(trust('172.18.200.3', 0)).toBe(true);
    expect(trust('fd12::1', 0)).toBe(true);
    expect(trust('127.0.0.9', 0)).toBe(true);
    expect(trust('203.0.113.1', 0)).toBe(false);
    // Empty: nobody is trusted.
    expect(compileTrust(undefined)('127.0.0.1', 0)).toBe(false);
    expect(compileTrust(' , ')('127.0.0.1', 0)).toBe(false);
  });

  it.each(['10.0.0', 'proxy.example', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '10.0.0.0/x', '*'])(
    'refuses %j, naming it',
    (entry) => {
      expect(() => compileTrust(`127.0.0.1, ${entry}`)).toThrow(TrustedProxiesError);
      expect(() => compileTrust(`127.0.0.1, ${entry}`)).toThrow(JSON.stringify(entry));
    },
  );

  it('is checked with the rest of the configuration, in one line', () => {
    expect(readConfig({ TRUSTED_PROXIES: '172.18.0.0/16, ::1' }).TRUSTED_PROXIES).toBe('172.18.0.0/16, ::1');
    expect(readConfig({}).TRUSTED_PROXIES).toBeUndefined();
    expect(() => readConfig({ TRUSTED_PROXIES: '10.0.0.1, caddy' })).toThrow(ConfigError);
    expect(() => readConfig({ TRUSTED_PROXIES: '10.0.0.1, caddy' })).toThrow(
      /TRUSTED_PROXIES has an invalid entry \("caddy"\)/,
    );
  });
});

describe('the client address', () => {
  const proxy = compileTrust('10.0.0.0/8, ::1');

  it('is the socket peer when the peer is not a trusted proxy: a spoofed header is ignored', () => {
    expect(clientAddress(from('203.0.113.7', '198.51.100.1'), proxy)).toBe('203.0.113.7');
    expect(clientAddress(from('203.0.113.7', '10.0.0.1'), proxy)).toBe('203.0.113.7');
    // Nobody trusted: the header never counts, whoever sends it.
    expect(clientAddress(from('10.0.0.2', '198.51.100.1'), compileTrust(''))).toBe('10.0.0.2');
    expect(clientAddress(from('10.0.0.2'), proxy)).toBe('10.0.0.2');
  });

  it('is the right-most untrusted address of X-Forwarded-For through a chain of trusted proxies', () => {
    expect(clientAddress(from('10.0.0.2', '198.51.100.1'), proxy)).toBe('198.51.100.1');
    // CDN → load balancer → proxy: both inner hops trusted.
    expect(clientAddress(from('10.0.0.2', '198.51.100.1, 10.1.2.3, 10.0.0.9'), proxy)).toBe('198.51.100.1');
    // What the client wrote itself stands left of what the proxy appended: never believed.
    expect(clientAddress(from('10.0.0.2', '6.6.6.6, 198.51.100.1'), proxy)).toBe('198.51.100.1');
    expect(clientAddress(from('10.0.0.2', '6.6.6.6, 198.51.100.1, 10.0.0.3'), proxy)).toBe('198.51.100.1');
    // Every hop trusted: the left-most one.
    expect(clientAddress(from('10.0.0.2', '10.9.9.9, 10.0.0.3'), proxy)).toBe('10.9.9.9');
  });

  it('handles IPv6 and IPv4-mapped IPv6, one key per client', () => {
    expect(clientAddress(from('::1', '2001:DB8:0:0::1'), proxy)).toBe('2001:db8::1');
    expect(clientAddress(from('::1', '2001:db8::1, ::1'), proxy)).toBe('2001:db8::1');
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: trusted as their IPv4 address.
    expect(clientAddress(from('::ffff:10.0.0.2', '198.51.100.1'), proxy)).toBe('198.51.100.1');
    expect(clientAddress(from('::ffff:203.0.113.7', '198.51.100.1'), proxy)).toBe('203.0.113.7');
    expect(clientAddress(from('::1', '::ffff:198.51.100.1'), proxy)).toBe('198.51.100.1');
    expect(normalizeAddress('::FFFF:C633:6401')).toBe('198.51.100.1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1%eth0');
  });
});

describe('the portal server', () => {
  /** Our server in front of a handler that answers what the app would see, after a real await. */
  async function serve(options: Parameters<typeof createPortalServer>[1]) {
    const server = createPortalServer(async (req, res) => {
      for await (const _ of req); // the body read, as a form post's
      await new Promise((r) => setTimeout(r, 5));
      res.end(JSON.stringify({ ip: clientIp({ clientAddress: 'from-astro' }), origin: req.headers.origin ?? null }));
    }, options);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    return (headers: Record<string, string>, method = 'GET') =>
      new Promise<{ ip: string; origin: string | null }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/', method, headers }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(JSON.parse(body)));
        });
        req.on('error', reject);
        req.end(method === 'POST' ? 'a=1' : undefined);
      });
  }

  it('hands the app the resolved address, never the header of an untrusted peer', async () => {
    const untrusted = await serve({});
    expect(await untrusted({ 'X-Forwarded-For': '198.51.100.1' })).toMatchObject({ ip: '127.0.0.1' });
    const behindProxy = await serve({ trust: compileTrust('127.0.0.1') });
    expect(await behindProxy({ 'X-Forwarded-For': '6.6.6.6, 198.51.100.1' }, 'POST')).toMatchObject({
      ip: '198.51.100.1',
    });
    expect(await behindProxy({})).toMatchObject({ ip: '127.0.0.1' });
    // Outside a request of our server (astro dev, tests): Astro's own address.
    expect(clientIp({ clientAddress: '192.0.2.4' })).toBe('192.0.2.4');
  });

  it('answers a malformed address with a short page in the visitor’s language, the API with its problem', async () => {
    let reached = 0;
    const server = createPortalServer(
      (_req, res) => {
        reached++;
        res.end('app');
      },
      { publicSiteUrl: 'https://portail.example.org' },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    const ask = (path: string, method = 'GET') =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of ['/offres?q=%', '/compte?x=%ZZ', '/mise-en-relation?jeton=%E0%A4%A']) {
      const page = await ask(path);
      expect(page.status, path).toBe(400);
      expect(page.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'content-language': 'fr',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'cache-control': 'no-store',
      });
      // Nothing runs or loads: no script, no style, in the page or allowed by its policy.
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.body).not.toMatch(/<script|<style|style=/);
      expect(page.body).toContain('<html lang="fr">');
      expect(page.body).toContain('<title>Adresse mal formée · Campagne Connectée</title>');
      expect(page.body).toContain('<h1>Adresse mal formée</h1>');
      expect(page.body).toContain(
        '<p>Cette adresse est mal formée\u00a0: elle a peut-être été coupée. Revenez à l’accueil, ou vérifiez le lien.</p>',
      );
      expect(page.body).toContain('<a href="/">Retour à l’accueil</a>');
    }
    const english = await ask('/en/offres?q=%');
    expect(english).toMatchObject({ status: 400, headers: { 'content-language': 'en' } });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('<h1>Malformed address</h1>');
    expect(english.body).toContain('<a href="/en/">Back to the home page</a>');
    const head = await ask('/offres?q=%', 'HEAD');
    expect(head).toMatchObject({ status: 400, body: '' });
    // The open-data API keeps its problem+json, in its language.
    const api = await ask('/api/v1/offres?commune=%E0%A4%A&lang=en');
    expect(api.status).toBe(400);
    expect(api.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(api.body)).toMatchObject({ status: 400, errors: [{ parameter: 'url' }] });
    expect(reached).toBe(0);
  });

  it('lets a form of the https public site through when TLS ended at the proxy, and no other origin', async () => {
    const post = await serve({ publicSiteUrl: 'https://portail.example.org' });
    const site = { Host: 'portail.example.org' };
    expect(await post({ ...site, Origin: 'https://portail.example.org' }, 'POST')).toMatchObject({
      origin: 'http://portail.example.org',
    });
    expect(await post({ ...site, Origin: 'https://evil.example' }, 'POST')).toMatchObject({
      origin: 'https://evil.example',
    });
    expect(await post({ Host: 'other.example', Origin: 'https://portail.example.org' }, 'POST')).toMatchObject({
      origin: 'https://portail.example.org',
    });
    const plain = await serve({ publicSiteUrl: 'http://portail.example.org' });
    expect(await plain({ ...site, Origin: 'http://portail.example.org' }, 'POST')).toMatchObject({
      origin: 'http://portail.example.org',
    });
  });
});
