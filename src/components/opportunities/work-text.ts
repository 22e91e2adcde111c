// The short lines a job's or a business's card and page say (kind, terms, price range).
import { formatDate, formatPrice, t, type Locale } from '../../i18n/index.ts';
import type { WorkCard } from '../../server/opportunities/queries.ts';

/** "CDI · 35 h · télétravail possible", or "Commerce · 150 000 – 200 000 €". */
export function workFacts(locale: Locale, w: WorkCard): string[] {
  if (w.kind === 'job')
    return [
      w.contract && t(locale, `work.contract.${w.contract}`),
      w.hoursPerWeek && t(locale, 'work.hoursShort', { hours: w.hoursPerWeek }),
      w.teleworkable && t(locale, 'work.teleworkable'),
    ].filter((x): x is string => !!x);
  return [w.sector && t(locale, `work.sector.${w.sector}`), priceRange(locale, w)].filter((x): x is string => !!x);
}

export function priceRange(locale: Locale, w: Pick<WorkCard, 'priceMin' | 'priceMax'>): string | null {
  if (w.priceMin !== null && w.priceMax !== null && w.priceMin !== w.priceMax)
    return t(locale, 'work.priceRange', { min: formatPrice(locale, w.priceMin), max: formatPrice(locale, w.priceMax) });
  const one = w.priceMax ?? w.priceMin;
  return one === null ? null : formatPrice(locale, one);
}

export const wantedByText = (locale: Locale, date: string | null) =>
  date ? formatDate(locale, date, { month: 'long', year: 'numeric' }) : null;
