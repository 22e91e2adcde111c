// A restart keeps the data: the demo seed runs only on an empty database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, sqlClient, startPortal, stopPortal, test } from './fixtures.ts';

test('restarting the portal keeps existing data and does not seed again', async () => {
  test.slow();
  const dir = await mkdtemp(join(tmpdir(), 'cc-restart-'));
  const dbPath = join(dir, 'portal.db');
  try {
    const first = await startPortal(dbPath);
    expect(first.logs()).toContain('Seeded demo data');
    const sql = sqlClient(first.dbUrl);
    await sql.execute("UPDATE offers SET title = 'Titre modifié' WHERE id = 1");
    const before = Number((await sql.execute('SELECT count(*) AS n FROM offers')).rows[0]!.n);
    sql.close();
    await stopPortal(first.process);

    const second = await startPortal(dbPath);
    expect(second.logs()).not.toContain('Seeded demo data');
    const again = sqlClient(second.dbUrl);
    expect(Number((await again.execute('SELECT count(*) AS n FROM offers')).rows[0]!.n)).toBe(before);
    expect((await again.execute('SELECT title FROM offers WHERE id = 1')).rows[0]!.title).toBe('Titre modifié');
    again.close();
    await stopPortal(second.process);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
