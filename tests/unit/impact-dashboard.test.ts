// /impact's dashboard against the k ≥ 5 rule: settled families per year, the welcoming
// communes and the children never tell a figure of fewer than 5 families — neither shown,
// nor by subtracting shown figures from the totals (the page's own, the territories', the
// open-data API's commune × year cells). Data are built where a naive page would leak.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { impactDashboard, withCurrentOffers, type ImpactDashboard } from '../../src/server/reports/impact-dashboard.ts';
import { catalogueIndex } from '../../src/server/offers/catalogue-index.ts';
import { MIN_FAMILIES, settlementsVersion } from '../../src/server/reports/impact.ts';
import { settlementsPerCommune } from '../../src/server/reports/settlements.ts';
import { labelSql } from '../../src/server/reports/queries.ts';
import { testDb } from '../helpers/db.ts';
import { A, B, C, randomSettlements, settle, X, Y, type Cell } from '../helpers/settlements.ts';

const enough = (n: number) => n === 0 || n >= MIN_FAMILIES;
const sum = (cells: Cell[]) => cells.reduce((n, c) => n + c.n, 0);

/** Everything the dashboard publishes, checked against the cells it was built from. */
async function expectSafe(db: Db, cells: Cell[]): Promise<ImpactDashboard> {
  const d = await impactDashboard(db);
  const api = await settlementsPerCommune(db);
  const shownTerritory = (code: string) => d.territories.find((t) => t.code === code)!.families !== null;

  // Years: each shown year safe in each shown territory and in the hidden ones together.
  if (d.years.length) {
    expect(d.total.families).not.toBeNull();
    const groupOf = (c: Cell) => (shownTerritory(c.territory) ? c.territory : 'hidden');
    const groupsIn = (years: number[]) => {
      const by = new Map<string, number>();
      for (const c of cells.filter((x) => years.includes(x.year))) by.set(groupOf(c), (by.get(groupOf(c)) ?? 0) + c.n);
      return [...by.values()];
    };
    const hidden = d.years.filter((y) => y.families === null).map((y) => y.year);
    for (const y of d.years) {
      expect(y.children === null, `children of ${y.year} go with its families`).toBe(y.families === null);
      if (y.families === null) continue;
      expect(y.families).toBe(sum(cells.filter((c) => c.year === y.year)));
      expect(enough(y.families), `${y.year}`).toBe(true);
      for (const n of groupsIn([y.year])) expect(enough(n), `${y.year} by territory`).toBe(true);
    }
    if (hidden.length) {
      const together = sum(cells.filter((c) => hidden.includes(c.year)));
      expect(together).toBeGreaterThanOrEqual(MIN_FAMILIES);
      expect(together).toBeGreaterThan(hidden.length);
      for (const n of groupsIn(hidden)) expect(enough(n), 'hidden years by territory').toBe(true);
    }
  }

  // Communes: named only with 5 families or more, each of its API cells shown (its figure is
  // their sum); the rest of a territory is its published figure minus the named ones.
  for (const c of d.communes) {
    expect(c.families).toBeGreaterThanOrEqual(MIN_FAMILIES);
    expect(c.families).toBe(sum(cells.filter((x) => x.commune === c.code)));
    const apiCells = api.territories.find((t) => t.code === c.territory)!.cells.filter((x) => x.commune === c.code);
    expect(apiCells.every((x) => x.families !== null)).toBe(true);
    expect(apiCells.reduce((n, x) => n + x.families!, 0)).toBe(c.families);
  }
  for (const o of d.others) {
    const territory = d.territories.find((t) => t.code === o.territory)!;
    const named = d.communes.filter((c) => c.territory === o.territory).reduce((n, c) => n + c.families, 0);
    expect(o.families).toBe(territory.families! - named);
    expect(o.families).toBeGreaterThanOrEqual(MIN_FAMILIES);
  }
  for (const t of d.territories.filter((x) => x.families === null))
    expect(
      [...d.communes, ...d.others].some((c) => c.territory === t.code),
      `${t.code} is not broken down`,
    ).toBe(false);
  return d;
}

describe('/impact dashboard: nothing about fewer than 5 families', () => {
  it('hides a small year together with the next smallest, and its children with it', async () => {
    const { db } = await testDb();
    const cells = [
      { territory: '32', commune: A, year: 2024, n: 9, children: 2 },
      { territory: '32', commune: A, year: 2025, n: 6 },
      { territory: '32', commune: A, year: 2026, n: 2 },
      { territory: '50', commune: X, year: 2024, n: 12 },
      { territory: '50', commune: X, year: 2025, n: 5 },
    ];
    await settle(db, cells, { households: true });
    const d = await expectSafe(db, cells);
    // 2026 (2 families) cannot show; 2025 (11) hides with it, else 2026 = total − the others.
    expect(d.years.map((y) => [y.year, y.families, y.children])).toEqual([
      [2024, 21, 30],
      [2025, null, null],
      [2026, null, null],
    ]);
  });

  it('never names a commune of fewer than 5 families: grouped per territory, and said so', async () => {
    const { db } = await testDb();
    const cells = [
      { territory: '32', commune: A, year: 2025, n: 7 },
      { territory: '32', commune: B, year: 2025, n: 3 },
      { territory: '32', commune: C, year: 2025, n: 4 },
      { territory: '50', commune: X, year: 2024, n: 12 },
      { territory: '50', commune: Y, year: 2025, n: 6 },
    ];
    await settle(db, cells, { households: true });
    const d = await expectSafe(db, cells);
    expect(d.communes.map((c) => [c.code, c.families])).toEqual([
      [X, 12],
      [A, 7],
      [Y, 6],
    ]);
    expect(d.others).toEqual([{ territory: '32', communes: 2, families: 7 }]);
  });

  it('names no commune whose yearly cells the API hides (its total would give them back)', async () => {
    const { db } = await testDb();
    const cells = [
      { territory: '32', commune: A, year: 2024, n: 9 },
      { territory: '32', commune: A, year: 2025, n: 3 },
      { territory: '32', commune: B, year: 2025, n: 6 },
    ];
    await settle(db, cells, { households: true });
    const d = await expectSafe(db, cells);
    expect(d.communes.map((c) => c.code)).not.toContain(A);
  });

  it('shows nothing per year or commune when every family is alone in its commune and territory', async () => {
    const { db } = await testDb();
    const cells = [{ territory: '32', commune: A, year: 2025, n: 3 }];
    await settle(db, cells, { households: true });
    const d = await expectSafe(db, cells);
    expect(d.total.families).toBeNull();
    expect(d.years).toEqual([]);
    expect([...d.communes, ...d.others]).toEqual([]);
  });

  it('holds on random settlements', async () => {
    const { db } = await testDb();
    for (const cells of randomSettlements(7, 10)) {
      await settle(db, cells, { households: true });
      await expectSafe(db, cells);
    }
  });

  it('moves the settlements version with every change its figures read, and only then', async () => {
    const { db } = await testDb();
    const version = () => settlementsVersion(db);
    const moves = async (change: () => Promise<unknown>) => {
      const before = await version();
      await change();
      return (await version()) !== before;
    };
    const [open] = await db.all<{ id: number }>(
      sql`SELECT id FROM candidates WHERE first_settled_at IS NULL AND merged_into_id IS NULL LIMIT 1`,
    );
    const [settled] = await db.all<{ id: number }>(
      sql`SELECT id FROM candidates WHERE first_settled_at IS NOT NULL AND merged_into_id IS NULL LIMIT 1`,
    );
    // A file not settled: its changes are not in the figures.
    expect(await moves(() => db.run(sql`UPDATE candidates SET name = 'Famille Autre' WHERE id = ${open!.id}`))).toBe(
      false,
    );
    expect(await moves(() => db.run(sql`UPDATE candidates SET name = 'Famille Même' WHERE id = ${settled!.id}`))).toBe(
      false,
    );
    // Settling, and each column the figures read of a settled family.
    expect(
      await moves(() =>
        db.run(sql`UPDATE candidates SET first_settled_at = '2025-06-01T10:00:00.000Z' WHERE id = ${open!.id}`),
      ),
    ).toBe(true);
    for (const change of [
      sql`settled_household_size = 7`,
      sql`settled_commune_code = ${A}`,
      sql`household = '{"adults":2,"children":[4]}'`,
      sql`territory_code = '50'`,
      sql`merged_into_id = ${settled!.id}`,
    ])
      expect(await moves(() => db.run(sql`UPDATE candidates SET ${change} WHERE id = ${open!.id}`))).toBe(true);
    expect(await moves(() => db.run(sql`DELETE FROM candidate_events WHERE candidate_id = ${settled!.id}`))).toBe(
      false,
    );
  });

  it('gives the published offers per connectivity label and per territory as SQL counts them, also after a change', async () => {
    const { db } = await testDb();
    const expectCounted = async (given?: ImpactDashboard) => {
      const d = given ?? (await impactDashboard(db));
      const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM offers WHERE status = 'published'`);
      expect(d.labels.map((l) => l.label)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'none']);
      expect(d.labels.reduce((n, l) => n + l.share!, 0)).toBeCloseTo(1, 10);
      const byLabel = await db.all<{ label: string | null; n: number }>(
        sql`SELECT ${labelSql()} AS label, count(*) AS n FROM offers o WHERE o.status = 'published' GROUP BY 1`,
      );
      expect(Object.fromEntries(d.labels.filter((l) => l.offers).map((l) => [l.label, l.offers]))).toEqual(
        Object.fromEntries(byLabel.map((r) => [r.label ?? 'none', r.n])),
      );
      const byTerritory = await db.all<{ code: string; offers: number; fibre: number }>(
        sql`SELECT territory_code AS code, count(*) AS offers, sum(fibre_status = 'available') AS fibre FROM offers WHERE status = 'published' GROUP BY territory_code`,
      );
      for (const t of d.territories) {
        const r = byTerritory.find((x) => x.code === t.code) ?? { offers: 0, fibre: 0 };
        expect([t.offers, t.fibreShare], t.code!).toEqual([r.offers, r.offers ? r.fibre / r.offers : null]);
      }
      expect(d.total.offers).toBe(row!.n);
      return d;
    };
    const before = await expectCounted();
    // An offer's speeds measured again: it moves from its label to A at once.
    const [offer] = await db.all<{ id: number; label: string | null }>(
      sql`SELECT o.id, ${labelSql()} AS label FROM offers o WHERE o.status = 'published' AND (${labelSql()}) IS NOT 'A' LIMIT 1`,
    );
    await db.run(
      sql`UPDATE offers SET download_mbps = 2000, upload_mbps = 1000, fibre_status = 'available' WHERE id = ${offer!.id}`,
    );
    const after = await expectCounted();
    // The page's way: the settled families' figures kept, the offers' counted again.
    const current = await expectCounted(withCurrentOffers(before, await catalogueIndex(db)));
    expect(current).toEqual(after);
    expect({ ...current, total: before.total, territories: before.territories, labels: before.labels }).toEqual(before);
    const countOf = (d: typeof before, label: string) => d.labels.find((l) => l.label === label)!.offers;
    expect(countOf(after, 'A')).toBe(countOf(before, 'A') + 1);
    expect(countOf(after, offer!.label ?? 'none')).toBe(countOf(before, offer!.label ?? 'none') - 1);
  });
});
