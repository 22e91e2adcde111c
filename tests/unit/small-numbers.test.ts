// The subtraction test: wherever figures per territory or per commune are published beside
// a total (/impact, /api/v1/installations and its CSV), no figure under 5 families can be
// worked out — neither shown, nor by subtracting the shown figures from a total, nor by
// counting hidden cells that could only hold one family each. Data are built where naive
// suppression (hiding only the cells under 5) would leak.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { createApi } from '../../src/server/api/router.ts';
import { SettlementsSchema } from '../../src/server/api/schemas.ts';
import { impactFigures, MIN_FAMILIES } from '../../src/server/reports/impact.ts';
import { testDb } from '../helpers/db.ts';
import { A, B, C, randomSettlements, settle, X, Y } from '../helpers/settlements.ts';

/**
 * What a reader can work out from a list of shown figures (null: hidden) and their total:
 * the hidden ones together, which must describe at least MIN_FAMILIES families and more
 * families than there are hidden figures (each hidden figure is at least 1).
 */
function expectSafe(total: number | null, parts: Array<number | null>, what: string) {
  for (const p of parts) if (p !== null && p > 0) expect(p, what).toBeGreaterThanOrEqual(MIN_FAMILIES);
  if (total === null) return;
  if (total > 0) expect(total, what).toBeGreaterThanOrEqual(MIN_FAMILIES);
  const hidden = parts.filter((p) => p === null).length;
  const rest = total - parts.reduce<number>((n, p) => n + (p ?? 0), 0);
  if (hidden === 0) expect(rest, what).toBe(0);
  else {
    expect(rest, what).toBeGreaterThanOrEqual(MIN_FAMILIES);
    expect(rest, what).toBeGreaterThan(hidden);
  }
}

async function published(db: Db) {
  const api = createApi(db, { now: () => new Date('2026-12-05T10:00:00Z') });
  const get = (path: string) => api.handle(new Request(`http://portal.test/api/v1${path}`), '192.0.2.9');
  const json = SettlementsSchema.parse(await (await get('/installations')).json());
  const csv = (await (await get('/installations.csv')).text())
    .trim()
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(','));
  const impact = await impactFigures(db);
  return { json, csv, impact };
}

/** Checks every published table: /impact, the API's JSON, its CSV — and that they agree. */
async function expectNothingRecoverable(db: Db) {
  const { json, csv, impact } = await published(db);
  expectSafe(
    impact.total.families,
    impact.territories.map((t) => t.families),
    '/impact',
  );
  expectSafe(
    json.total,
    json.territories.map((t) => t.families),
    'API territories',
  );
  expect(json.total).toBe(impact.total.families);
  for (const t of json.territories) {
    expect(t.families, t.code).toBe(impact.territories.find((i) => i.code === t.code)!.families);
    if (t.families === null) expect(t.cells, `${t.code}: a hidden territory lists no cell`).toEqual([]);
    else if (t.cells.length)
      expectSafe(
        t.families,
        t.cells.map((c) => c.families),
        `API cells of ${t.code}`,
      );
  }
  // The CSV says exactly what the JSON says.
  const fromJson = [
    ['', '', '', '', '', String(json.total ?? '')],
    ...json.territories.flatMap((t) => [
      [t.code, t.name, '', '', '', String(t.families ?? '')],
      ...t.cells.map((c) => [
        t.code,
        t.name,
        c.commune ?? '',
        c.communeName ?? '',
        String(c.year),
        String(c.families ?? ''),
      ]),
    ]),
  ];
  expect(csv).toEqual(fromJson);
  return json;
}

describe('no figure under 5 by subtraction', () => {
  it('hides a second cell where hiding the small one alone would leak (7 + 3 = 10)', async () => {
    const { db } = await testDb();
    await settle(db, [
      { territory: '32', commune: A, year: 2025, n: 7 },
      { territory: '32', commune: B, year: 2025, n: 3 },
      { territory: '50', commune: X, year: 2024, n: 12 },
      { territory: '50', commune: Y, year: 2025, n: 6 },
    ]);
    const json = await expectNothingRecoverable(db);
    const gers = json.territories.find((t) => t.code === '32')!;
    expect(gers.families).toBe(10);
    expect(gers.cells.map((c) => c.families)).toEqual([null, null]);
    expect(json.territories.find((t) => t.code === '50')!.cells.map((c) => c.families)).toEqual([12, 6]);
  });

  it('lists no cell when every cell would be known to hold one family', async () => {
    const { db } = await testDb();
    await settle(db, [
      ...[A, B, C, '32200', '32300'].map((commune) => ({ territory: '32', commune, year: 2025, n: 1 })),
      { territory: '50', commune: X, year: 2025, n: 20 },
    ]);
    const json = await expectNothingRecoverable(db);
    expect(json.territories.find((t) => t.code === '32')).toMatchObject({ families: 5, cells: [] });
  });

  it('hides a territory and its cells with the one that is too small (/impact and the API alike)', async () => {
    const { db } = await testDb();
    await settle(db, [
      { territory: '32', commune: A, year: 2024, n: 3 },
      { territory: '50', commune: X, year: 2024, n: 20 },
      { territory: '50', commune: Y, year: 2025, n: 10 },
    ]);
    const json = await expectNothingRecoverable(db);
    expect(json.total).toBe(33);
    expect(json.territories.map((t) => [t.families, t.cells.length])).toEqual([
      [null, 0],
      [null, 0],
    ]);
  });

  it('holds on random settlements', async () => {
    const { db } = await testDb();
    for (const cells of randomSettlements(11, 12)) {
      await settle(db, cells);
      await expectNothingRecoverable(db);
    }
  });
});
