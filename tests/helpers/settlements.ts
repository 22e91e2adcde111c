// Settled families made to order, for the tests of the k ≥ 5 rule (small-numbers.test.ts,
// impact-dashboard.test.ts): which files are settled, where, when, with how many children.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';

export type Cell = { territory: string; commune: string; year: number; n: number; children?: number };

/** Three communes of the Gers and two of the Manche. */
export const [A, B, C] = ['32013', '32107', '32160'];
export const [X, Y] = ['50129', '50502'];

/**
 * Makes these the only settled families: `n` files of `territory` settled in `commune` in
 * `year`; with `households`, each with two adults and `children` children (1 by default).
 */
export async function settle(db: Db, cells: Cell[], { households = false }: { households?: boolean } = {}) {
  await db.run(sql`UPDATE candidates SET first_settled_at = NULL`);
  const ids = (
    await db.all<{ id: number }>(sql`SELECT id FROM candidates WHERE merged_into_id IS NULL ORDER BY id`)
  ).map((r) => r.id);
  let i = 0;
  for (const c of cells)
    for (let k = 0; k < c.n; k++) {
      const id = ids[i++]!;
      await db.run(sql`UPDATE candidates SET territory_code = ${c.territory}, settled_commune_code = ${c.commune},
        first_settled_at = ${`${c.year}-06-0${1 + (k % 9)}T10:00:00.000Z`} WHERE id = ${id}`);
      if (households) {
        const household = JSON.stringify({ adults: 2, children: Array.from({ length: c.children ?? 1 }, () => 8) });
        await db.run(sql`UPDATE candidates SET household = ${household} WHERE id = ${id}`);
      }
    }
}

/** `rounds` random sets of cells (a seeded generator): small and large figures, gaps. */
export function* randomSettlements(seed: number, rounds: number): Generator<Cell[]> {
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const communes = { '32': [A, B, C], '50': [X, Y] } as const;
  for (let round = 0; round < rounds; round++) {
    const cells: Cell[] = [];
    for (const territory of ['32', '50'] as const)
      for (const commune of communes[territory])
        for (const year of [2024, 2025, 2026])
          if (next() < 0.6)
            cells.push({ territory, commune, year, n: 1 + Math.floor(next() * (next() < 0.5 ? 4 : 9)) });
    yield cells;
  }
}
