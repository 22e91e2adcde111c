// The period of a report: a month, a quarter, a year or custom dates, and the period just
// before it of the same kind (for the comparison). Dates are UTC days, not the portal's Paris
// days (src/lib/time.ts): the months the triggers total (`stay_stats`), /impact's and the API's
// years are UTC too, and figures already given stay the same. `to` is exclusive.
import { z } from 'astro/zod';
import { fieldErrors, Invalid } from '../errors.ts';
import { DAY_MS } from '../../lib/time.ts';

export const periodKinds = ['month', 'quarter', 'year', 'custom'] as const;
export type PeriodKind = (typeof periodKinds)[number];

export interface Period {
  kind: PeriodKind;
  /** First day, YYYY-MM-DD. */
  from: string;
  /** Day after the last day, YYYY-MM-DD. */
  to: string;
  year: number;
  month?: number;
  quarter?: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d = 1) => new Date(Date.UTC(y, m, d));
const realDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && day(new Date(`${s}T00:00:00Z`)) === s;

const whole = (min: number, max: number, error: string) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : typeof v === 'string' && /^\d{1,4}$/.test(v) ? Number(v) : v),
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional(),
  );

export const PeriodSchema = z
  .object({
    periode: z.preprocess(
      (v) => (v === undefined || v === '' ? 'year' : v),
      z.enum(periodKinds, { error: 'errors.invalid_enum' }),
    ),
    annee: whole(2000, 2100, 'errors.report_year'),
    mois: whole(1, 12, 'errors.report_month'),
    trimestre: whole(1, 4, 'errors.report_quarter'),
    du: z
      .string()
      .optional()
      .refine((s) => s === undefined || s === '' || realDate(s), { error: 'errors.date_invalid' }),
    au: z
      .string()
      .optional()
      .refine((s) => s === undefined || s === '' || realDate(s), { error: 'errors.date_invalid' }),
  })
  .refine((p) => p.periode !== 'custom' || (p.du && p.au), { path: ['du'], error: 'errors.report_custom_dates' })
  .refine((p) => p.periode !== 'custom' || !p.du || !p.au || p.du <= p.au, {
    path: ['au'],
    error: 'errors.end_before_start',
  })
  .refine((p) => p.periode !== 'custom' || !p.du || !p.au || Date.parse(p.au) - Date.parse(p.du) <= 6 * 366 * DAY_MS, {
    path: ['au'],
    error: 'errors.report_too_long',
  });

/** The period asked for (defaults: the current year, month or quarter of `today`). */
export function parsePeriod(params: Record<string, string | undefined>, today: Date): Period {
  const parsed = PeriodSchema.safeParse(params);
  if (!parsed.success) throw new Invalid(fieldErrors(parsed.error.issues));
  const p = parsed.data;
  const year = p.annee ?? today.getUTCFullYear();
  switch (p.periode) {
    case 'month': {
      const month = p.mois ?? today.getUTCMonth() + 1;
      return { kind: 'month', year, month, from: day(utc(year, month - 1)), to: day(utc(year, month)) };
    }
    case 'quarter': {
      const quarter = p.trimestre ?? Math.floor(today.getUTCMonth() / 3) + 1;
      return {
        kind: 'quarter',
        year,
        quarter,
        from: day(utc(year, (quarter - 1) * 3)),
        to: day(utc(year, quarter * 3)),
      };
    }
    case 'custom': {
      const from = p.du!;
      const to = day(new Date(Date.parse(`${p.au!}T00:00:00Z`) + DAY_MS));
      return { kind: 'custom', year: Number(from.slice(0, 4)), from, to };
    }
    default:
      return { kind: 'year', year, from: day(utc(year, 0)), to: day(utc(year + 1, 0)) };
  }
}

/** The period just before, of the same length (the same kind for months, quarters and years). */
export function previousPeriod(p: Period): Period {
  switch (p.kind) {
    case 'month': {
      const m = p.month! === 1 ? 12 : p.month! - 1;
      const y = p.month! === 1 ? p.year - 1 : p.year;
      return { kind: 'month', year: y, month: m, from: day(utc(y, m - 1)), to: p.from };
    }
    case 'quarter': {
      const q = p.quarter! === 1 ? 4 : p.quarter! - 1;
      const y = p.quarter! === 1 ? p.year - 1 : p.year;
      return { kind: 'quarter', year: y, quarter: q, from: day(utc(y, (q - 1) * 3)), to: p.from };
    }
    case 'year':
      return { kind: 'year', year: p.year - 1, from: day(utc(p.year - 1, 0)), to: p.from };
    default: {
      const length = Date.parse(p.to) - Date.parse(p.from);
      const from = day(new Date(Date.parse(p.from) - length));
      return { kind: 'custom', year: Number(from.slice(0, 4)), from, to: p.from };
    }
  }
}

/** The months a period covers, as YYYY-MM. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  for (
    let d = new Date(`${p.from.slice(0, 7)}-01T00:00:00Z`);
    day(d) < p.to;
    d = utc(d.getUTCFullYear(), d.getUTCMonth() + 1)
  )
    out.push(day(d).slice(0, 7));
  return out;
}

/** The period's parameters, to put in links (CSV, print, comparison). */
export function periodParams(p: Period): URLSearchParams {
  const out = new URLSearchParams({ periode: p.kind, annee: String(p.year) });
  if (p.month) out.set('mois', String(p.month));
  if (p.quarter) out.set('trimestre', String(p.quarter));
  if (p.kind === 'custom') {
    out.delete('annee');
    out.set('du', p.from);
    out.set('au', day(new Date(Date.parse(`${p.to}T00:00:00Z`) - DAY_MS)));
  }
  return out;
}
