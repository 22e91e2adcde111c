// Settled families per commune and year, for the open-data API: the same families as
// /impact (settledFiles), the same territory figures hidden (hiddenCells over the
// territories), and within a territory whose figure is shown, its cells commune × year
// hidden so that the territory's total minus the shown cells never gives one back. A
// territory whose figure is hidden lists no cell: their count alone could tell them apart
// (nor one whose cells cannot be hidden safely).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { perPageVersions } from '../cache/page-cache.ts';
import { Invalid } from '../errors.ts';
import { hiddenCells, settledFiles, type Shown } from './impact.ts';

export interface SettlementCell {
  commune: string | null;
  communeName: string | null;
  year: number;
  families: Shown;
}

export interface TerritorySettlements {
  code: string;
  name: string;
  families: Shown;
  cells: SettlementCell[];
}

export interface Settlements {
  /** Every territory together (the total of /impact). */
  total: Shown;
  territories: TerritorySettlements[];
}

/**
 * Every territory's settlements, or one territory's (`only`; unknown: Invalid). Computed once
 * per version of the files and the territories: a commune's page and the API read it often.
 */
export async function settlementsPerCommune(db: Db, only?: string): Promise<Settlements> {
  const all = await allSettlements(db);
  if (only === undefined) return all;
  if (!all.territories.some((t) => t.code === only))
    throw new Invalid([{ field: 'territoire', key: 'errors.unknown_territory', value: only }]);
  return { total: all.total, territories: all.territories.filter((t) => t.code === only) };
}

const allSettlements = perPageVersions(async (db: Db): Promise<Settlements> => {
  const [rows, names] = await Promise.all([
    db.all<{ territory: string; commune: string | null; name: string | null; year: number; families: number }>(sql`
      SELECT g.territory, g.commune, m.name AS name, g.year, g.families FROM (
        SELECT c.territory_code AS territory, c.settled_commune_code AS commune,
          CAST(substr(c.first_settled_at, 1, 4) AS INTEGER) AS year, count(*) AS families
        FROM candidates c WHERE ${settledFiles}
        GROUP BY territory, commune, year
      ) g LEFT JOIN communes m ON m.code = g.commune -- once per cell, not per family (half the time)
      ORDER BY g.territory, g.commune, g.year`),
    db.all<{ code: string; name: string }>(sql`SELECT code, name FROM territories ORDER BY code`),
  ]);
  const familiesOf = (code: string) => rows.filter((r) => r.territory === code).reduce((n, r) => n + r.families, 0);
  const perTerritory = hiddenCells(names.map((t) => ({ key: t.code, families: familiesOf(t.code) })));
  const territories = names.map((t): TerritorySettlements => {
    if (perTerritory.keys.has(t.code)) return { code: t.code, name: t.name, families: null, cells: [] };
    const own = rows.filter((r) => r.territory === t.code);
    const key = (r: (typeof own)[number]) => `${r.commune}|${r.year}`;
    const hidden = hiddenCells(own.map((r) => ({ key: key(r), families: r.families })));
    // Cells that cannot be hidden safely (all of one family each) are not listed at all.
    if (hidden.total) return { code: t.code, name: t.name, families: familiesOf(t.code), cells: [] };
    return {
      code: t.code,
      name: t.name,
      families: familiesOf(t.code),
      cells: own.map((r) => ({
        commune: r.commune,
        communeName: r.name,
        year: Number(r.year),
        families: hidden.keys.has(key(r)) ? null : r.families,
      })),
    };
  });
  return { total: perTerritory.total ? null : rows.reduce((n, r) => n + r.families, 0), territories };
});
