// /impact: what the programme achieved, for everyone to see — families and persons settled,
// welcoming communes, children, and the share of offers with fibre, in total and per
// territory. A figure about fewer than MIN_FAMILIES families is not shown, nor can it be
// worked out by subtracting the shown ones from the total (hiddenTerritories).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

export const MIN_FAMILIES = 5;

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
 * Which territories' family figures are hidden, and whether the total is. First every
 * territory with 1 to MIN_FAMILIES − 1 families; then, so that the total minus the shown
 * ones never gives a hidden one back, the smallest shown ones too until the hidden together
 * describe at least MIN_FAMILIES families (complementary suppression); if that cannot be
 * reached, the total is hidden as well.
 */
export function hiddenTerritories(rows: Array<{ code: string; families: number }>): {
  codes: Set<string>;
  total: boolean;
} {
  // No family at all names nobody: a zero is shown (a territory that has just started).
  const small = (r: { families: number }) => r.families > 0 && r.families < MIN_FAMILIES;
  const hidden = rows.filter(small);
  const shown = rows.filter((r) => !small(r) && r.families > 0).sort((a, b) => a.families - b.families);
  const sum = () => hidden.reduce((n, r) => n + r.families, 0);
  if (hidden.length) while (sum() < MIN_FAMILIES && shown.length) hidden.push(shown.shift()!);
  const total = rows.reduce((n, r) => n + r.families, 0);
  return {
    codes: new Set(hidden.map((r) => r.code)),
    total: (total > 0 && total < MIN_FAMILIES) || (hidden.length > 0 && sum() < MIN_FAMILIES),
  };
}

export async function impactFigures(db: Db): Promise<{ total: ImpactRow; territories: ImpactRow[] }> {
  const [settled, offers, names] = await Promise.all([
    db.all<{ code: string; families: number; persons: number; children: number; communes: number }>(sql`
      SELECT c.territory_code AS code, count(*) AS families, coalesce(sum(c.settled_household_size), 0) AS persons,
        coalesce(sum(json_array_length(c.household, '$.children')), 0) AS children, count(DISTINCT c.settled_commune_code) AS communes
      FROM candidates c
      WHERE c.territory_code IS NOT NULL AND c.first_settled_at IS NOT NULL AND c.merged_into_id IS NULL
      GROUP BY c.territory_code`),
    db.all<{ code: string; offers: number; fibre: number }>(sql`
      SELECT territory_code AS code, count(*) AS offers, sum(fibre_status = 'available') AS fibre FROM offers WHERE status = 'published' GROUP BY territory_code`),
    db.all<{ code: string; name: string }>(sql`SELECT code, name FROM territories ORDER BY code`),
  ]);
  const zero = { families: 0, persons: 0, children: 0, communes: 0 };
  const settledOf = (code: string) => settled.find((s) => s.code === code) ?? zero;
  const hidden = hiddenTerritories(names.map((t) => ({ code: t.code, families: settledOf(t.code).families })));
  const row = (
    code: string | null,
    name: string | null,
    s: { families: number; persons: number; children: number; communes: number },
    o: { offers: number; fibre: number },
  ): ImpactRow => {
    const enough = code === null ? !hidden.total : !hidden.codes.has(code);
    return {
      code,
      name,
      families: enough ? s.families : null,
      persons: enough ? s.persons : null,
      children: enough ? s.children : null,
      communes: enough ? s.communes : null,
      fibreShare: o.offers ? o.fibre / o.offers : null,
      offers: o.offers,
    };
  };
  const territories = names.map((t) =>
    row(t.code, t.name, settledOf(t.code), offers.find((o) => o.code === t.code) ?? { offers: 0, fibre: 0 }),
  );
  // Territories are departments: no commune is in two, so the sum of communes is exact.
  const sum = (k: 'families' | 'persons' | 'children' | 'communes') => settled.reduce((n, s) => n + s[k], 0);
  const total = row(
    null,
    null,
    { families: sum('families'), persons: sum('persons'), children: sum('children'), communes: sum('communes') },
    {
      offers: offers.reduce((n, o) => n + o.offers, 0),
      fibre: offers.reduce((n, o) => n + o.fibre, 0),
    },
  );
  return { total, territories };
}
