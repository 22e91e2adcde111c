// The forms of work for the partner: a job offer, a business to take over (the back office's
// and an owner's), and the public search of /emplois and /reprises.
import { z } from 'astro/zod';
import { opportunityEnums as e } from '../../../db/schema/work.ts';
import type { FieldError } from '../errors.ts';
import {
  blankToUndefined,
  checkbox,
  isoDate,
  optionalEnum,
  optionalLine,
  optionalText,
  optionalWhole,
  pageNumber,
  parseQuery,
  requiredLine,
  typedWhole,
} from '../input.ts';

const common = {
  title: requiredLine(120, 'errors.offer_title_required'),
  description: optionalText(5000),
  commune: requiredLine(120, 'errors.commune_required'),
};

export const JobSchema = z.object({
  ...common,
  employer: optionalLine(120),
  contract: optionalEnum(e.contractTypes, 'errors.invalid_choice'),
  hoursPerWeek: optionalWhole(1, 60),
  teleworkable: checkbox(),
});

export const BusinessSchema = z
  .object({
    ...common,
    sector: optionalEnum(e.businessSectors, 'errors.invalid_choice'),
    priceMin: optionalWhole(0, 100_000_000),
    priceMax: optionalWhole(0, 100_000_000),
    turnoverBand: optionalEnum(e.turnoverBands, 'errors.invalid_choice'),
    reason: optionalLine(200),
    wantedBy: z.preprocess(blankToUndefined, isoDate('errors.invalid_date').optional()),
  })
  .refine((b) => b.priceMin === undefined || b.priceMax === undefined || b.priceMin <= b.priceMax, {
    path: ['priceMax'],
    error: 'errors.work_price_range',
  });

export type JobInput = z.output<typeof JobSchema>;
export type BusinessInput = z.output<typeof BusinessSchema>;

/** What a published item must say beyond a draft's title and place. */
export function workPublishable(row: Record<string, unknown> & { kind: 'job' | 'business' }): FieldError[] {
  const required = row.kind === 'job' ? ['description', 'employer', 'contract'] : ['description', 'sector', 'priceMax'];
  return required
    .filter((f) => row[f] === undefined || row[f] === null || row[f] === '')
    .map((field) => ({ field, key: 'errors.required_to_publish' }));
}

/** /emplois and /reprises: every filter a query parameter (French names, as /offres). */
export const workSearchShape = {
  territoire: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(\d{2}|2A|2B|97\d)$/, { error: 'errors.unknown_territory' })
      .optional(),
  ),
  /** Words of the title, the employer or the commune ("infirmier", "boulangerie"). */
  q: optionalLine(200),
  commune: optionalLine(120),
  rayon: z.preprocess(
    (v) => {
      if (v === '' || v === undefined || typeof v !== 'string') return v === '' ? undefined : v;
      const digits = typedWhole(v); // "30 km"
      return /^\d{1,3}$/.test(digits) ? Number(digits) : v;
    },
    z
      .number({ error: 'errors.work_radius' })
      .int()
      .min(1, { error: 'errors.work_radius' })
      .max(200, { error: 'errors.work_radius' })
      .optional(),
  ),
  /** A contract type (jobs) or a sector (businesses). */
  type: optionalLine(40),
  teletravail: checkbox(),
  /** The nearest page, past the last the last (`searchWork`). */
  page: pageNumber(1_000_000),
};
export const WorkSearchSchema = z.object(workSearchShape);
export type WorkSearch = z.output<typeof WorkSearchSchema>;

/**
 * /emplois's and /reprises's query string (`parseQuery`): invalid filters are named; the page
 * never is, even repeated (the first page then), as in every paged list.
 */
export function parseWorkSearch(params: URLSearchParams) {
  const parsed = parseQuery(workSearchShape, params);
  return { ...parsed, errors: parsed.errors.filter((e) => e.field !== 'page') };
}
