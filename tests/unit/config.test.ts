import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../scripts/lib/config.ts';

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
  ])('stops the server at start with one clear line when %s=%s', (name, value) => {
    const run = spawnSync(process.execPath, ['scripts/start.ts'], {
      cwd: root,
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
