// The built client files (dist/client: the hashed assets of _astro and what public/ holds),
// served by our server, so that a page's request never touches the disk on its way to Astro:
// the files are listed once at start (the build's output does not change while a server
// runs), and a request for anything else goes straight to the pages (decision 020). The
// assets' .br and .gz twins (astro-compressor in astro.config.mjs) go to a client that
// accepts brotli, else gzip, with Content-Encoding and Vary; the file itself otherwise.
// Hashed assets are cached a year; the others are revalidated with their entity tag.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const ASSETS_PREFIX = '/_astro/';
const TWINS = { br: '.br', gzip: '.gz' } as const;

type Encoding = keyof typeof TWINS;

interface StaticFile {
  path: string;
  type: string;
  cacheControl: string;
  /** Paths of the compressed twins. */
  twins: Partial<Record<Encoding, string>>;
  /** Read on first use, then kept: the bytes of each form, and the file's entity tag. */
  bytes: Partial<Record<Encoding | 'identity', Buffer>>;
  etag?: string;
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

/** Every file under `clientDir` by its address; a compressed twin is not a file of its own. */
function indexFiles(clientDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = readdirSync(clientDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(clientDir, join(e.parentPath, e.name)));
  } catch {
    return files;
  }
  const present = new Set(names);
  for (const name of names) {
    if (Object.values(TWINS).some((ext) => name.endsWith(ext) && present.has(name.slice(0, -ext.length)))) continue;
    const address = `/${name.split(sep).join('/')}`;
    const path = join(clientDir, name);
    const twins: StaticFile['twins'] = {};
    for (const [encoding, ext] of Object.entries(TWINS) as Array<[Encoding, string]>)
      if (present.has(name + ext)) twins[encoding] = path + ext;
    files.set(address, {
      path,
      type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      // An asset's name holds its content's hash; public/ files keep their name across builds.
      cacheControl: address.startsWith(ASSETS_PREFIX) ? 'public, max-age=31536000, immutable' : 'public, max-age=0',
      twins,
      bytes: {},
    });
  }
  return files;
}

/** Whether the client's If-None-Match names this tag (or `*`), compared weakly. */
const matches = (header: string | undefined, etag: string) =>
  !!header &&
  header.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));

/**
 * A handler for the files of `clientDir`: answers a GET or HEAD of one of them and returns
 * true, or returns false and leaves the response alone (any other address or method).
 */
export function staticFiles(clientDir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const files = indexFiles(clientDir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = files.get((req.url ?? '').split('?')[0]!);
    if (!file) return false;
    const encoding = acceptedEncodings(req.headers['accept-encoding']?.toString()).find((e) => file.twins[e]);
    const form = encoding ?? 'identity';
    const bytes = (file.bytes[form] ??= readFileSync(encoding ? file.twins[encoding]! : file.path));
    // Weak: the same tag for the file and its compressed forms (RFC 9110 §8.8.1).
    file.etag ??= `W/"${createHash('sha256')
      .update((file.bytes.identity ??= readFileSync(file.path)))
      .digest('base64url')
      .slice(0, 27)}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': file.type,
      'Cache-Control': file.cacheControl,
      ETag: file.etag,
      'X-Content-Type-Options': 'nosniff',
      ...(Object.keys(file.twins).length ? { Vary: 'Accept-Encoding' } : {}),
    };
    if (matches(req.headers['if-none-match']?.toString(), file.etag)) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, {
      ...headers,
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
      'Content-Length': bytes.byteLength,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  };
}
