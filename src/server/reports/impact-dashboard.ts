// /impact as a public dashboard: the key figures and territories of `impactFigures`, plus
// settled families (and their children) per year, the welcoming communes, and the published
// offers per connectivity label. Nothing about fewer than MIN_FAMILIES families can be read
// or worked out, also against the open-data API's commune × year cells
// (`settlementsPerCommune`), which these figures add up:
// - a year's figure is shown only if it is safe in each group of territories and against the
//   API's hidden cells, hidden years completed until they are safe together (`hiddenYears`);
//   its children go with it (the same families);
// - a commune is named only when every API cell of it is shown: its figure is then their
//   sum, nothing new; the rest of a territory is one "other communes" line (the territory's
//   figure minus the named ones: nothing new either); a territory whose figure is hidden
//   lists nothing.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { connectivityLabels, type ConnectivityLabel } from '../offers/connectivity-label.ts';
import { catalogueIndex, type CatalogueIndex } from '../offers/catalogue-index.ts';
import { impactFigures, MIN_FAMILIES, settledFiles, territoryOffers, type ImpactRow, type Shown } from './impact.ts';
import { settlementsPerCommune } from './settlements.ts';

export interface ImpactYear {
  year: number;
  families: Shown;
  children: Shown;
}

export interface WelcomingCommune {
  code: string;
  name: string;
  territory: string;
  families: number;
  lat: number | null;
  lng: number | null;
}

/** A territory's settled families outside its named communes. */
export interface OtherCommunes {
  territory: string;
  communes: number;
  families: number;
}

export interface ImpactDashboard {
  total: ImpactRow;
  territories: ImpactRow[];
  /** Every year from the first settlement to the last; empty when the total is hidden. */
  years: ImpactYear[];
  /** Named communes, most families first. */
  communes: WelcomingCommune[];
  others: OtherCommunes[];
  /** Published offers per label (A–G, then 'none'), with their share of all published offers. */
  labels: Array<{ label: string; offers: number; share: number | null }>;
}

export async function impactDashboard(db: Db): Promise<ImpactDashboard> {
  const [figures, api, cells, offers] = await Promise.all([
    impactFigures(db),
    settlementsPerCommune(db),
    db.all<{
      territory: string;
      commune: string | null;
      name: string | null;
      lat: number | null;
      lng: number | null;
      year: number;
      families: number;
      children: number;
    }>(sql`
      SELECT g.territory, g.commune, m.name AS name, m.lat AS lat, m.lng AS lng, g.year, g.families, g.children FROM (
        SELECT c.territory_code AS territory, c.settled_commune_code AS commune,
          CAST(substr(c.first_settled_at, 1, 4) AS INTEGER) AS year, count(*) AS families,
          coalesce(sum(c.children), 0) AS children
        FROM candidates c WHERE ${settledFiles}
        GROUP BY territory, commune, year
      ) g LEFT JOIN communes m ON m.code = g.commune`),
    // Counted by the search index: in SQL, the label of 100 000 offers took 0.4 s.
    catalogueIndex(db).then((index) => index.offerFigures().labels),
  ]);
  // Which commune × year cells the API shows with their number.
  const shownInApi = new Set(
    api.territories.flatMap((t) =>
      t.cells.filter((c) => c.families !== null).map((c) => `${t.code}|${c.commune}|${c.year}`),
    ),
  );
  // The territories whose cells the API lists (shown or hidden, each by its commune and year).
  const listed = new Set(api.territories.filter((t) => t.cells.length > 0).map((t) => t.code));
  const isShown = (c: (typeof cells)[number]) => shownInApi.has(`${c.territory}|${c.commune}|${Number(c.year)}`);

  // Years: every year from the first to the last settlement (a year without any reads 0),
  // each split by group of territories, with what the API hides of it.
  const yearsSeen = cells.map((c) => Number(c.year));
  const allYears = yearsSeen.length
    ? Array.from({ length: Math.max(...yearsSeen) - Math.min(...yearsSeen) + 1 }, (_, i) => Math.min(...yearsSeen) + i)
    : [];
  const hiddenTerritory = new Set(figures.territories.filter((t) => t.families === null).map((t) => t.code));
  const parts: YearPart[] = [];
  for (const year of allYears)
    for (const t of figures.territories) {
      const own = cells.filter((c) => Number(c.year) === year && c.territory === t.code);
      if (own.length === 0) continue;
      const hiddenInApi = own.filter((c) => !isShown(c));
      parts.push({
        year,
        group: hiddenTerritory.has(t.code) ? 'hidden' : t.code!,
        families: own.reduce((n, c) => n + c.families, 0),
        children: own.reduce((n, c) => n + c.children, 0),
        unknown: hiddenInApi.reduce((n, c) => n + c.families, 0),
        // A reader counts the cells the API lists as hidden; a territory it lists none of is one block.
        unknownCells: listed.has(t.code!) ? hiddenInApi.length : hiddenInApi.length ? 1 : 0,
      });
    }
  const suppressed = hiddenYears(parts, allYears);
  const sumOf = (year: number, k: 'families' | 'children') =>
    parts.filter((p) => p.year === year).reduce((n, p) => n + p[k], 0);
  const years =
    figures.total.families === null || suppressed.all
      ? []
      : allYears.map((year) => {
          const hidden = suppressed.hidden.has(year);
          return {
            year,
            families: hidden ? null : sumOf(year, 'families'),
            children: hidden ? null : sumOf(year, 'children'),
          };
        });

  // Communes: named when every API cell of theirs is shown; the rest of a territory grouped.
  const communes: WelcomingCommune[] = [];
  const others: OtherCommunes[] = [];
  for (const t of figures.territories) {
    if (t.code === null || t.families === null || t.families === 0) continue;
    const own = cells.filter((c) => c.territory === t.code);
    const byCommune = new Map<string | null, typeof own>();
    for (const c of own) byCommune.set(c.commune, [...(byCommune.get(c.commune) ?? []), c]);
    let named = 0;
    let rest = 0;
    for (const [code, list] of byCommune) {
      const families = list.reduce((n, c) => n + c.families, 0);
      if (code !== null && list.every(isShown)) {
        const c = list[0]!;
        communes.push({ code, name: c.name ?? code, territory: t.code, families, lat: c.lat, lng: c.lng });
        named += families;
      } else if (code !== null) rest++;
    }
    if (t.families - named > 0) others.push({ territory: t.code, communes: rest, families: t.families - named });
  }
  communes.sort((a, b) => b.families - a.families || a.name.localeCompare(b.name, 'fr'));

  return { ...figures, years, communes, others, labels: labelsOf(offers) };
}

const labelsOf = (offers: Map<ConnectivityLabel | null, number>): ImpactDashboard['labels'] => {
  const all = [...offers.values()].reduce((n, k) => n + k, 0);
  return [...connectivityLabels, 'none' as const].map((label) => {
    const n = offers.get(label === 'none' ? null : label) ?? 0;
    return { label, offers: n, share: all ? n / all : null };
  });
};

/**
 * The dashboard with its offers' figures counted again from the search index (a few ms),
 * its settled families' kept: they change with the settlements version, the offers with
 * the catalogue's.
 */
export function withCurrentOffers<D extends ImpactDashboard>(dashboard: D, index: CatalogueIndex): D {
  return {
    ...dashboard,
    total: { ...dashboard.total, ...territoryOffers(index, null) },
    territories: dashboard.territories.map((t) => ({ ...t, ...territoryOffers(index, t.code) })),
    labels: labelsOf(index.offerFigures().labels),
  };
}

/** One year's settled families in one group of territories (a shown territory, or every hidden one together). */
export interface YearPart {
  year: number;
  group: string;
  families: number;
  children: number;
  /** Families of this part in commune × year cells the API hides, and how many cells a reader can count. */
  unknown: number;
  unknownCells: number;
}

const enough = (n: number) => n === 0 || n >= MIN_FAMILIES;
/** What a figure gives back of hidden cells (it minus the shown ones): nothing, or enough families in more than one each. */
const safeResidual = (unknown: number, cells: number) => unknown === 0 || (unknown >= MIN_FAMILIES && unknown > cells);

/**
 * Which years' figures /impact hides. The years add up to the published total, and each
 * splits into the territories' published figures and the API's commune × year cells, so a
 * year is shown only if, in it, every group of territories (each shown territory; the hidden
 * ones together) holds 0 or at least MIN_FAMILIES families and gives back nothing of the
 * API's hidden cells, or at least MIN_FAMILIES families in more than one per cell. Hidden
 * years are then completed, smallest first, until together they pass the same test (and,
 * as `hiddenCells` asks, describe at least MIN_FAMILIES families, more than there are hidden
 * years); `all` when that cannot be reached.
 */
export function hiddenYears(parts: YearPart[], years: number[]): { hidden: Set<number>; all: boolean } {
  const ok = (set: number[], alone: boolean) => {
    const within = parts.filter((p) => set.includes(p.year));
    const families = within.reduce((n, p) => n + p.families, 0);
    if (alone ? !enough(families) : families < MIN_FAMILIES || families <= set.length) return false;
    const groups = new Map<string, { families: number; unknown: number; cells: number }>();
    for (const p of within) {
      const g = groups.get(p.group) ?? { families: 0, unknown: 0, cells: 0 };
      g.families += p.families;
      g.unknown += p.unknown;
      g.cells += p.unknownCells;
      groups.set(p.group, g);
    }
    return [...groups.values()].every((g) => enough(g.families) && safeResidual(g.unknown, g.cells));
  };
  const familiesOf = (year: number) => parts.filter((p) => p.year === year).reduce((n, p) => n + p.families, 0);
  const hidden = years.filter((y) => !ok([y], true));
  const shown = years.filter((y) => !hidden.includes(y)).sort((a, b) => familiesOf(a) - familiesOf(b) || a - b);
  while (hidden.length && !ok(hidden, false) && shown.length) hidden.push(shown.shift()!);
  return { hidden: new Set(hidden), all: hidden.length > 0 && !ok(hidden, false) };
}
