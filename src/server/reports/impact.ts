// /impact: what the programme achieved, for everyone to see — families and persons settled,
// welcoming communes, children, and the share of offers with fibre, in total and per
// territory. A figure about fewer than MIN_FAMILIES families is not shown, nor can it be
// worked out by subtracting the shown ones from the total (hiddenCells).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { dataVersion } from '../cache/page-cache.ts';
import { catalogueIndex, type CatalogueIndex } from '../offers/catalogue-index.ts';

export const MIN_FAMILIES = 5;

/** The settled families that public figures count: by the territory their file is in now. */
export const settledFiles = sql`c.territory_code IS NOT NULL AND c.first_settled_at IS NOT NULL AND c.merged_into_id IS NULL`;

/**
 * The 'settlements' data version: triggers move it with every change of what `settledFiles`
 * and the figures read (migration 0051), in any process.
 */
export const settlementsVersion = (db: Db): Promise<number> => dataVersion(db, 'settlements');

/** A figure, or null when it would describe fewer than MIN_FAMILIES families ("< 5"). */
export type Shown = number | null;

export interface ImpactRow {
  code: string | null;
  name: string | null;
  families: Shown;
  persons: Shown;
  children: Shown;
  communes: Shown;
  /** Share (0–1) of published offers with fibre available; null without offers. */
  fibreShare: number | null;
  offers: number;
}

/**
 * Which cells of a total are hidden, and whether the total is — for any figures that add up
 * to a published total (territories on /impact, communes × years in the open-data API).
 * First every cell of 1 to MIN_FAMILIES − 1 families; then, so that the total minus the
 * shown cells never gives a hidden one back, the smallest shown ones too until the hidden
 * together describe at least MIN_FAMILIES families, and more families than hidden cells
 * (hidden cells of one family each would all be known) — complementary suppression; if
 * that cannot be reached, the total is hidden as well.
 */
export function hiddenCells(cells: Array<{ key: string; families: number }>): {
  keys: Set<string>;
  total: boolean;
} {
  // No family at all names nobody: a zero is shown (a territory that has just started).
  const small = (c: { families: number }) => c.families > 0 && c.families < MIN_FAMILIES;
  const hidden = cells.filter(small);
  const shown = cells.filter((c) => !small(c) && c.families > 0).sort((a, b) => a.families - b.families);
  const sum = () => hidden.reduce((n, c) => n + c.families, 0);
  const safe = () => sum() >= MIN_FAMILIES && sum() > hidden.length;
  if (hidden.length) while (!safe() && shown.length) hidden.push(shown.shift()!);
  const total = cells.reduce((n, c) => n + c.families, 0);
  return {
    keys: new Set(hidden.map((c) => c.key)),
    total: (total > 0 && total < MIN_FAMILIES) || (hidden.length > 0 && !safe()),
  };
}

export async function impactFigures(db: Db): Promise<{ total: ImpactRow; territories: ImpactRow[] }> {
  const [settled, index, names] = await Promise.all([
    db.all<{ code: string; families: number; persons: number; children: number; communes: number }>(sql`
      SELECT c.territory_code AS code, count(*) AS families, coalesce(sum(c.settled_household_size), 0) AS persons,
        coalesce(sum(c.children), 0) AS children, count(DISTINCT c.settled_commune_code) AS communes
      FROM candidates c WHERE ${settledFiles}
      GROUP BY c.territory_code`),
    // Published offers per territory, counted by the search index (0.3 s in SQL at 100 000).
    catalogueIndex(db),
    db.all<{ code: string; name: string }>(sql`SELECT code, name FROM territories ORDER BY code`),
  ]);
  const zero = { families: 0, persons: 0, children: 0, communes: 0 };
  const settledOf = (code: string) => settled.find((s) => s.code === code) ?? zero;
  const hidden = hiddenCells(names.map((t) => ({ key: t.code, families: settledOf(t.code).families })));
  const row = (
    code: string | null,
    name: string | null,
    s: { families: number; persons: number; children: number; communes: number },
  ): ImpactRow => {
    const enough = code === null ? !hidden.total : !hidden.keys.has(code);
    return {
      code,
      name,
      families: enough ? s.families : null,
      persons: enough ? s.persons : null,
      children: enough ? s.children : null,
      communes: enough ? s.communes : null,
      ...territoryOffers(index, code),
    };
  };
  const territories = names.map((t) => row(t.code, t.name, settledOf(t.code)));
  // Territories are departments: no commune is in two, so the sum of communes is exact.
  const sum = (k: 'families' | 'persons' | 'children' | 'communes') => settled.reduce((n, s) => n + s[k], 0);
  const total = row(null, null, {
    families: sum('families'),
    persons: sum('persons'),
    children: sum('children'),
    communes: sum('communes'),
  });
  return { total, territories };
}

/** A territory's published offers (every territory's for null) and their share with fibre, counted by the search index. */
export function territoryOffers(index: CatalogueIndex, code: string | null): Pick<ImpactRow, 'offers' | 'fibreShare'> {
  const figures = index.offerFigures();
  const { offers, fibre } = (code === null ? figures.total : figures.territories.get(code)) ?? { offers: 0, fibre: 0 };
  return { offers, fibreShare: offers ? fibre / offers : null };
}
