// The Dockerfile, compose.yaml and the proxy's configuration, read as text (no Docker
// here): the image runs what the scripts import, as a non-root user, with its data on the
// volume and a health check that works; compose's names match the configuration's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../astro.config.mjs';
import { compileTrust } from '../../scripts/lib/proxies.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The Dockerfile's instructions (continuation lines joined), by stage. */
function dockerStages(): Array<{ from: string; lines: string[] }> {
  const text = read('Dockerfile').replace(/\\\n\s*/g, ' ');
  const stages: Array<{ from: string; lines: string[] }> = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('FROM ')) stages.push({ from: line.slice(5), lines: [] });
    else stages.at(-1)!.lines.push(line);
  }
  return stages;
}

const runtime = () => dockerStages().at(-1)!;
const instructions = (kind: string) =>
  runtime()
    .lines.filter((l) => l.startsWith(`${kind} `))
    .map((l) => l.slice(kind.length + 1));

/** ENV a=b c=d → { a: 'b', c: 'd' } */
function runtimeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of instructions('ENV'))
    for (const [, k, v] of line.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!.replace(/^"|"$/g, '');
  return env;
}

/** Every local module a script imports, transitively (static and dynamic imports). */
function importGraph(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => join(root, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), spec!);
      if (/\.(ts|mjs|js)$/.test(target) && existsSync(target)) queue.push(target);
    }
  }
  return new Set([...seen].map((f) => relative(root, f)));
}

describe('Dockerfile', () => {
  it('builds on Node 24 in stages: the build with every dependency, the runtime with production ones', () => {
    const stages = dockerStages();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toMatch(/^node:24[-.\w]*(\s+AS\s+\w+)?$/);
    const build = stages.find((s) => /AS build$/.test(s.from))!;
    expect(build.lines).toContain('RUN npm ci || npm install');
    expect(build.lines).toContain('RUN npm run build');
    expect(stages.some((s) => s.lines.includes('RUN npm ci --omit=dev || npm install --omit=dev'))).toBe(true);
    expect(instructions('COPY')).toContain('--from=build /app/dist ./dist');
  });

  it('runs the portal as an unprivileged user with its database and photos on the volume', () => {
    const user = instructions('USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(instructions('VOLUME')).toEqual(['/data']);
    const env = runtimeEnv();
    expect(env.DATABASE_URL).toBe('file:/data/portal.db');
    expect(env.PHOTOS_DIR).toMatch(/^\/data\//);
    expect(env.HOST).toBe('0.0.0.0');
    expect(instructions('EXPOSE')).toEqual([env.PORT]);
    expect(JSON.parse(instructions('CMD')[0]!)).toEqual(['node', 'scripts/start.ts']);
    // Every variable it sets is one the configuration knows.
    for (const name of Object.keys(env)) if (name !== 'NODE_ENV') expect(Object.keys(envSchema)).toContain(name);
  });

  it('copies every file the scripts import, and nothing it needs is left out by .dockerignore', () => {
    const copied = instructions('COPY')
      .filter((c) => !c.startsWith('--from'))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const scripts = [
      'start',
      'db-migrate',
      'db-seed',
      'db-backup',
      'db-restore',
      'admin-create',
      'digest',
      'import',
    ].map((s) => `scripts/${s}.ts`);
    const needed = [...importGraph(scripts), 'db/migrations/meta/_journal.json', 'db/data/communes-fr-2025.csv'];
    expect(needed.length).toBeGreaterThan(50);
    for (const file of needed) {
      expect(
        copied.some((c) => file === c || file.startsWith(`${c.replace(/\/$/, '')}/`)),
        file,
      ).toBe(true);
      expect(ignored, file).not.toContain(file.split('/')[0]);
    }
    // What is built or installed inside the image never comes from the build context.
    for (const local of ['node_modules', 'dist', '.git', 'data', 'backups', '*.db']) expect(ignored).toContain(local);
    for (const c of copied) expect(existsSync(join(root, c)), c).toBe(true);
    expect(statSync(join(root, 'db/data')).isDirectory()).toBe(true);
  });

  it('checks health with /healthz through Node’s fetch: 0 when it answers 200, 1 otherwise', async () => {
    const [healthcheck] = instructions('HEALTHCHECK');
    expect(healthcheck).toMatch(/--start-period=\d+s/);
    const command = JSON.parse(healthcheck!.slice(healthcheck!.indexOf('CMD ') + 4)) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/healthz');
    const check = (port: number) =>
      new Promise<number | null>((r) =>
        spawn(process.execPath, ['-e', command[2]!], { env: { ...process.env, PORT: String(port) } }).once(
          'exit',
          (code) => r(code),
        ),
      );
    let status = 200;
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url!);
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await check(port)).toBe(0);
      status = 503;
      expect(await check(port)).toBe(1);
      expect(paths).toEqual(['/healthz', '/healthz']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    // Nothing listening any more: unhealthy, not a crash of the check.
    expect(await check(port)).toBe(1);
  });
});

describe('compose.yaml and the proxy', () => {
  const compose = read('compose.yaml');
  const caddy = read('deploy/Caddyfile');

  it('runs two portals of the image on one data volume, after one migration', () => {
    expect(compose).toMatch(/^ {2}portal-a:\n {4}<<: \*portal$/m);
    expect(compose).toMatch(/^ {2}portal-b:\n {4}<<: \*portal$/m);
    const anchor = compose.slice(compose.indexOf('x-portal: &portal'), compose.indexOf('\nservices:'));
    expect(anchor).toContain('- data:/data');
    expect(anchor).toMatch(/migrate:\n\s+condition: service_completed_successfully/);
    expect(compose).toMatch(/command: \['node', 'scripts\/db-migrate\.ts'\]/);
    // Production needs its own TOTP_KEY (decision 015): compose refuses to start without one.
    expect(anchor).toMatch(/TOTP_KEY: \$\{TOTP_KEY:\?/);
  });

  it('trusts exactly the proxy’s address, which forwards to both portals with health checks', () => {
    const trusted = /TRUSTED_PROXIES: (\S+)/.exec(compose)![1]!;
    const proxyAddress = /ipv4_address: (\S+)/.exec(compose)![1]!;
    expect(trusted).toBe(proxyAddress);
    expect(compileTrust(trusted)(proxyAddress, 0)).toBe(true);
    const subnet = /subnet: (\S+)/.exec(compose)![1]!;
    expect(compileTrust(subnet)(proxyAddress, 0)).toBe(true);
    expect(compose).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(caddy).toMatch(/reverse_proxy portal-a:4321 portal-b:4321 \{/);
    expect(caddy).toContain('health_uri /healthz');
    // The portals' environment names are the configuration's.
    const anchor = compose.slice(compose.indexOf('x-portal: &portal'), compose.indexOf('\nservices:'));
    const env = anchor.slice(anchor.indexOf('environment:'), anchor.indexOf('depends_on:'));
    const names = [...env.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]!);
    expect(names).toContain('PUBLIC_SITE_URL');
    for (const name of names) expect(Object.keys(envSchema)).toContain(name);
  });
});
