// The built assets (dist/client/_astro: hashed names, never changed) served precompressed:
// `astro build` writes a .br and a .gz beside each script, stylesheet and SVG
// (astro-compressor in astro.config.mjs); a client that accepts brotli gets the .br, else one
// that accepts gzip the .gz, with Content-Encoding and Vary. Everything else — an asset
// without a compressed twin, a client accepting neither, public/ files — goes on to the
// adapter's static handler, which sends the file as it is (decision 020).
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

export const ASSETS_PREFIX = '/_astro/';

type Encoding = 'br' | 'gzip';

interface Asset {
  type: string;
  /** Paths of the compressed twins, read once on first use. */
  files: Partial<Record<Encoding, string>>;
  bytes: Partial<Record<Encoding, Buffer>>;
}

/**
 * The encodings the client accepts among ours, best first (RFC 9110 §12.5.3: a coding with
 * q=0 is refused; `*` stands for the ones not named).
 */
export function acceptedEncodings(header: string | undefined): Encoding[] {
  if (!header) return [];
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(name, weight === undefined ? 1 : Number(weight));
  }
  const weightOf = (name: string) => q.get(name) ?? (name === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
  return (['br', 'gzip'] as const).filter((e) => weightOf(e) > 0).sort((a, b) => weightOf(b) - weightOf(a));
}

/** Indexes `<clientDir>/_astro` once: the assets that have a compressed twin. */
function indexAssets(clientDir: string): Map<string, Asset> {
  const dir = join(clientDir, ASSETS_PREFIX);
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  const present = new Set(names);
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const files: Asset['files'] = {};
    if (present.has(`${name}.br`)) files.br = join(dir, `${name}.br`);
    if (present.has(`${name}.gz`)) files.gzip = join(dir, `${name}.gz`);
    if (files.br || files.gzip) assets.set(`${ASSETS_PREFIX}${name}`, { type, files, bytes: {} });
  }
  return assets;
}

/**
 * A handler for the precompressed assets of `clientDir`: answers and returns true, or
 * returns false (not one of them, or not wanted compressed) and leaves the response alone.
 */
export function precompressedAssets(clientDir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const assets = indexAssets(clientDir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    if (!url.startsWith(ASSETS_PREFIX)) return false;
    const asset = assets.get(url.split('?')[0]!);
    if (!asset) return false;
    const encoding = acceptedEncodings(req.headers['accept-encoding']?.toString()).find((e) => asset.files[e]);
    // The adapter sends the file itself; a shared cache must still know that it varies.
    res.setHeader('Vary', 'Accept-Encoding');
    if (!encoding) return false;
    const bytes = (asset.bytes[encoding] ??= readFileSync(asset.files[encoding]!));
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Encoding': encoding,
      'Content-Length': bytes.byteLength,
      Vary: 'Accept-Encoding',
      // The name holds the content's hash: the same as the adapter gives these files.
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  };
}
