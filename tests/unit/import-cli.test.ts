// `npm run import` as an operator runs it: a real process on a real database file, its
// progress line and report, its refusals, and a kill -9 in the middle of an import.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.ts';
import { communeCoverage, coverageHistory, departmentCoverage, imports } from '../../db/schema/index.ts';
import { testDb } from '../helpers/db.ts';

const node = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const script = new URL('../../scripts/import.ts', import.meta.url).pathname;
const data = (name: string) => new URL(`../../db/data/${name}`, import.meta.url).pathname;

function cli(path: string, args: string[]) {
  const child = spawn(node, [script, ...args], {
    env: { ...process.env, DATABASE_URL: `file:${path}`, APP_ENV: 'development' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, done };
}

// Each test starts real processes: a budget for two busy cores.
describe('npm run import', { timeout: 120_000 }, () => {
  it('imports the département figures and the deployment tables, with a progress line and a report', async () => {
    const { db, path } = await testDb('referential');
    const a = await cli(path, ['arcep-departements', data('arcep-mci-departements-2026-06-30.csv')]).done;
    expect(a).toMatchObject({ code: 0 });
    expect(a.out).toContain('101 départements imported');
    const b = await cli(path, [
      'arcep-deploiement',
      data('arcep-ftth-deploiement-communes-2017T3-2018T1-gers-manche.csv'),
      data('arcep-ftth-informations-communes-2018T1-gers-manche.csv'),
    ]).done;
    expect(b).toMatchObject({ code: 0 });
    expect(b.out).toMatch(/1876 rows read \(100 % of the file\)…/);
    expect(b.out).toMatch(/903 communes imported \(T1 2018, data of 2018-03-31\)/);
    expect(await db.select().from(departmentCoverage)).toHaveLength(101);
  });

  it('refuses a wrong kind, a missing date and a malformed file, saying why, changing nothing', async () => {
    const { db, path } = await testDb('referential');
    const wrong = await cli(path, ['arcep', 'x.csv']).done;
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('arcep-deploiement <deploiement.csv> <informations.csv>');
    const noDate = await cli(path, ['arcep-taux', data('arcep-ftth-taux-communes-fr-2026-02.csv')]).done;
    expect(noDate.out).toContain('--date is required');
    const future = await cli(path, [
      'arcep-taux',
      data('arcep-ftth-taux-communes-fr-2026-02.csv'),
      '--date',
      '9999-12-31',
    ]).done;
    expect(future).toMatchObject({ code: 1 });
    expect(future.out).toContain('is in the future');
    const missing = await cli(path, ['arcep-departements', '/nonexistent/file.csv']).done;
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.out).toContain('Cannot read /nonexistent/file.csv.');
    const malformed = await cli(path, ['arcep-departements', data('SOURCES.md')]).done;
    expect(malformed.code).toBe(1);
    expect(malformed.out).toMatch(/SOURCES\.md was refused: nothing changed/);
    expect(await db.select().from(departmentCoverage)).toEqual([]);
  });

  it('killed with SIGKILL in the middle of an import, leaves the figures shown as they were', async () => {
    const { path } = await testDb('referential');
    const before = await cli(path, [
      'arcep-taux',
      data('arcep-ftth-taux-communes-fr-2026-02.csv'),
      '--date',
      '2026-02-21',
    ]).done;
    expect(before.code).toBe(0);
    const db = await createDb(`file:${path}`);
    const shown = await db.select().from(communeCoverage).orderBy(communeCoverage.communeCode);
    // The next import reads a pipe that delivers half a file, then nothing more: it is
    // killed while it waits, its first rows staged.
    const text = await readFile(data('arcep-ftth-taux-communes-fr-2026-02.csv'), 'utf8');
    const fifo = join(dirname(path), 'taux.csv');
    execFileSync('mkfifo', [fifo]);
    const { child, done } = cli(path, ['arcep-taux', fifo, '--date', '2026-12-01']);
    const pipe = createWriteStream(fifo);
    pipe.on('error', () => {}); // the reader is killed
    pipe.write(text.slice(0, text.length / 2));
    let staged = 0;
    while (staged < 2000) {
      const [row] = await db.select().from(imports).where(eq(imports.status, 'running'));
      staged = row?.rows ?? 0;
      if (staged < 2000) await new Promise((r) => setTimeout(r, 20));
      if (child.exitCode !== null) throw new Error((await done).out);
    }
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const [check] = (await db.$client.execute('PRAGMA integrity_check')).rows;
    expect(Object.values(check!)[0]).toBe('ok');
    expect(await db.select().from(communeCoverage).orderBy(communeCoverage.communeCode)).toEqual(shown);
    const [dead] = await db.select().from(imports).where(eq(imports.status, 'running'));
    expect(
      (await db.select().from(coverageHistory).where(eq(coverageHistory.importId, dead!.id))).length,
    ).toBeGreaterThanOrEqual(2000);
    db.$client.close();
  });
});
