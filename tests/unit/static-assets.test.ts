// The built client files served by our server (scripts/lib/static-assets.ts): the .br or .gz
// written at build time, decoded by the client into exactly the asset's bytes, or the file
// itself; any other address goes to the pages without touching the disk.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortalServer } from '../../scripts/lib/server.ts';
import { acceptedEncodings } from '../../scripts/lib/static-assets.ts';

const SCRIPT = `export const hello = () => ${JSON.stringify('é'.repeat(2000))};\n`;

let dir: string;
let port: number;
let server: http.Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-assets-'));
  await mkdir(join(dir, '_astro'));
  await writeFile(join(dir, '_astro', 'app.Ab12.js'), SCRIPT);
  await writeFile(join(dir, '_astro', 'app.Ab12.js.br'), brotliCompressSync(SCRIPT));
  await writeFile(join(dir, '_astro', 'app.Ab12.js.gz'), gzipSync(SCRIPT));
  await writeFile(join(dir, '_astro', 'plain.Cd34.js'), SCRIPT); // no compressed twin
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>'); // from public/
  // The pages stand behind: they say who answered.
  server = createPortalServer((_req, res) => res.end('pages'), { clientDir: dir });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

/** The raw answer, not decoded (fetch would decode it). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('precompressed assets', () => {
  it('sends brotli to a browser, and the bytes decode to the asset', async () => {
    const res = await get('/_astro/app.Ab12.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(res.headers['content-length'])).toBe(res.body.byteLength);
    expect(res.body.byteLength).toBeLessThan(Buffer.byteLength(SCRIPT) / 10);
    expect(brotliDecompressSync(res.body).toString()).toBe(SCRIPT);
  });

  it('sends gzip to a client without brotli', async () => {
    const res = await get('/_astro/app.Ab12.js', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).toString()).toBe(SCRIPT);
    const refused = await get('/_astro/app.Ab12.js?v=1', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(refused.headers['content-encoding']).toBe('gzip');
  });

  it('sends the file itself to a client accepting no encoding, or without a twin; HEAD without a body', async () => {
    for (const res of [
      await get('/_astro/app.Ab12.js', { 'accept-encoding': 'identity' }),
      await get('/_astro/app.Ab12.js'),
      await get('/_astro/plain.Cd34.js', { 'accept-encoding': 'br' }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.body.toString()).toBe(SCRIPT);
    }
    expect((await get('/_astro/app.Ab12.js')).headers['vary']).toBe('Accept-Encoding');
    const head = await get('/_astro/app.Ab12.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.body.byteLength).toBe(0);
  });

  it('revalidates a public/ file by its entity tag, the same for every encoding', async () => {
    const icon = await get('/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=0');
    const etag = icon.headers['etag']!;
    expect(etag).toMatch(/^W\/"/);
    expect((await get('/favicon.svg', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/favicon.svg', { 'if-none-match': `"other", ${etag.slice(2)}` })).status).toBe(304);
    expect((await get('/favicon.svg', { 'if-none-match': '"other"' })).status).toBe(200);
    const [plain, br] = [
      await get('/_astro/app.Ab12.js'),
      await get('/_astro/app.Ab12.js', { 'accept-encoding': 'br' }),
    ];
    expect(br.headers['etag']).toBe(plain.headers['etag']);
  });

  it('leaves every other address and method to the pages, never a path out of the folder', async () => {
    for (const path of [
      '/offres',
      '/_astro/missing.js',
      '/_astro/../_astro/app.Ab12.js',
      '/_astro/app.Ab12.js.br',
      '/../package.json',
    ])
      expect((await get(path, { 'accept-encoding': 'br' })).body.toString(), path).toBe('pages');
    expect((await get('/_astro/app.Ab12.js', {}, 'POST')).body.toString()).toBe('pages');
    // An address that cannot be decoded is refused before anything reads it.
    const bad = await get('/offres/%E0%A4%A');
    expect(bad.status).toBe(400);
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(acceptedEncodings('gzip, deflate, br')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('br;q=0.5, gzip')).toEqual(['gzip', 'br']);
    expect(acceptedEncodings('br;q=0, gzip;q=0')).toEqual([]);
    expect(acceptedEncodings('*')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('identity')).toEqual([]);
    expect(acceptedEncodings(undefined)).toEqual([]);
  });
});
