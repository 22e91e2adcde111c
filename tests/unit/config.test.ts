import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, readConfig } from '../../scripts/lib/config.ts';
import { BUSY_TIMEOUT_MS, connectionPlan, createDb } from '../../db/client.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('configuration', () => {
  it('has defaults for an embedded database on port 4321', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ DATABASE_URL: 'file:data/portal.db', PORT: 4321, HOST: 'localhost' });
    expect(config.RESEND_API_KEY).toBeUndefined();
  });

  it('names the variable that is malformed', () => {
    expect(() => readConfig({ DATABASE_URL: 'nonsense' })).toThrow(ConfigError);
    expect(() => readConfig({ DATABASE_URL: 'nonsense' })).toThrow(/DATABASE_URL/);
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => readConfig({ PUBLIC_SITE_URL: 'localhost' })).toThrow(/PUBLIC_SITE_URL/);
  });

  it.each([
    ['DATABASE_URL', 'nonsense'],
    ['DATABASE_URL', 'ftp://example.org/db'],
    ['DATABASE_URL', 'libsql://'],
    ['PORT', 'abc'],
    ['TRUSTED_PROXIES', '10.0.0.1, caddy'],
  ])('stops the server at start with one clear line when %s=%s', (name, value) => {
    const run = spawnSync(process.execPath, ['scripts/start.ts'], {
      cwd: root,
      // A production start (the default) with its TOTP_KEY: the one problem is `name`.
      env: { ...process.env, TOTP_KEY: Buffer.alloc(32, 1).toString('base64'), [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  describe('npm run admin:create', () => {
    const run = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, ['scripts/admin-create.ts', ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });

    it('creates the first platform admin on a fresh database file and prints a one-time link', () => {
      // A fresh database with the communes already loaded (as `npm run serve` leaves it).
      const dir = mkdtempSync(join(tmpdir(), 'cc-admin-'));
      copyFileSync(inject('referentialDb'), join(dir, 'portal.db'));
      try {
        const env = { DATABASE_URL: `file:${join(dir, 'portal.db')}`, PUBLIC_SITE_URL: 'https://portail.example.org' };
        const first = run(['--email', 'ops@example.org', '--name', 'Camille Ops'], env);
        expect(first.status).toBe(0);
        expect(first.stdout).toMatch(/^https:\/\/portail\.example\.org\/invitation\?token=[\w-]{20,}$/m);
        // The same email again: refused in one line, nothing changed.
        const again = run(['--email', 'OPS@example.org'], env);
        expect(again.status).toBe(1);
        expect(again.stderr.trim().split('\n')).toEqual([
          'An account already exists for OPS@example.org: nothing changed.',
        ]);
        const bad = run(['--email', 'nope'], env);
        expect(bad.status).toBe(1);
        expect(bad.stderr).toContain('--email');
        expect(run([], env).stderr).toContain('Usage: npm run admin:create');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);

    it('opens a libsql:// server like the portal does, and says so in one line when it cannot', () => {
      const r = run(['--email', 'ops@example.org'], { DATABASE_URL: 'libsql://127.0.0.1:9', DATABASE_AUTH_TOKEN: 't' });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('Cannot open the database at DATABASE_URL=libsql://127.0.0.1:9');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 60_000);
  });

  describe('a libSQL server (several machines, docs/deployment.md)', () => {
    const url = 'libsql://campagne-connectee-gers.aws-eu-west-3.turso.io';

    it('is accepted with its auth token', () => {
      expect(readConfig({ DATABASE_URL: url, DATABASE_AUTH_TOKEN: 'eyJhbGciOi.token' })).toMatchObject({
        DATABASE_URL: url,
        DATABASE_AUTH_TOKEN: 'eyJhbGciOi.token',
      });
      expect(readConfig({ DATABASE_URL: 'https://db.example.org:8080' }).DATABASE_URL).toBe(
        'https://db.example.org:8080',
      );
    });

    it('gets no embedded-only settings: no busy timeout, no write queue, no WAL pragma', () => {
      expect(connectionPlan(url, 'tok')).toEqual({
        client: { url, authToken: 'tok' },
        writeQueue: false,
        pragmas: [],
      });
      expect(connectionPlan('file:data/portal.db', 'ignored')).toEqual({
        client: { url: 'file:data/portal.db', timeout: BUSY_TIMEOUT_MS },
        writeQueue: true,
        pragmas: ['PRAGMA journal_mode = WAL'],
      });
    });

    it('is opened without a statement sent: nothing listens here, and createDb still resolves', async () => {
      const db = await createDb('libsql://127.0.0.1:9', 'tok');
      expect(db.$client.protocol).not.toBe('file');
      await expect(db.$client.execute('SELECT 1')).rejects.toThrow();
      db.$client.close();
    });
  });
});
