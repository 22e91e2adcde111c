// A report's periods in words ("janvier 2026", "1er trimestre 2026" / "January 2026",
// "Q1 2026") and the names of its CSV files ("rapport-gers-2026-t1-months.csv"): one place
// for the page, the tables, the CSV and the print.
import { formatDate, t, type Locale } from '../../i18n/index.ts';
import { slugify } from '../../lib/text.ts';
import { DAY_MS } from '../../lib/time.ts';
import type { Period } from './period.ts';

/** "2026-01" → "janvier 2026" / "January 2026". */
export function monthName(locale: Locale, month: string): string {
  return formatDate(locale, `${month}-01`, { month: 'long', year: 'numeric' });
}

/** 1 → "1er trimestre" / "Q1"; with a year, "1er trimestre 2026" / "Q1 2026". */
export function quarterName(locale: Locale, quarter: number, year?: number): string {
  return year === undefined
    ? t(locale, 'report.quarterN', { n: quarter })
    : t(locale, 'report.quarterOfYear', { n: quarter, year: String(year) });
}

/** The last day of a period (its `to` is the day after). */
export const lastDay = (p: Pick<Period, 'to'>) =>
  new Date(Date.parse(`${p.to}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);

/** A period by its name: "mars 2026", "1er trimestre 2026", "2026", or its dates. */
export function periodName(locale: Locale, p: Period): string {
  switch (p.kind) {
    case 'month':
      return monthName(locale, p.from.slice(0, 7));
    case 'quarter':
      return quarterName(locale, p.quarter!, p.year);
    case 'year':
      return String(p.year);
    default:
      return t(locale, 'report.range', { from: formatDate(locale, p.from), to: formatDate(locale, lastDay(p)) });
  }
}

/** A period in a file name, ASCII only: "2026-03", "2026-t1" ("2026-q1" in English), "2026", "2026-01-10-2026-02-05". */
export function periodSlug(locale: Locale, p: Period): string {
  switch (p.kind) {
    case 'month':
      return p.from.slice(0, 7);
    case 'quarter':
      return `${p.year}-${locale === 'fr' ? 't' : 'q'}${p.quarter}`;
    case 'year':
      return String(p.year);
    default:
      return `${p.from}-${lastDay(p)}`;
  }
}

/**
 * The file name of one table's CSV, saying its territory and period, ASCII-safe (it goes in
 * a Content-Disposition header): "rapport-gers-2026-t1-months.csv". `territory` is the
 * scope's name ("Gers", "Gers, Manche"), or null for every territory.
 */
export function csvFileName(locale: Locale, territory: string | null, p: Period, table: string): string {
  const where = slugify(territory ?? t(locale, 'report.allTerritories'), 40);
  const word = locale === 'fr' ? 'rapport' : 'report';
  return `${word}-${where}-${periodSlug(locale, p)}-${slugify(table, 30)}.csv`;
}
