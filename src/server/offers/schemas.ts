// Validation of the /offres search query string. Parameter names are a public promise
// (SPEC "Search parameters"): shareable URLs rely on them.
import { z } from 'astro/zod';
import type { FieldError } from '../errors.ts';
import type { MessageKey } from '../../i18n/index.ts';

export const kindParams = { logement: 'home', 'tiers-lieu': 'tiers_lieu' } as const;
export type KindParam = keyof typeof kindParams;

const PAGE_MAX = 10_000;

const one = <T extends z.ZodType>(schema: T) => schema.optional();

export const OfferSearchSchema = z.object({
  type: one(z.enum(Object.keys(kindParams) as [KindParam, ...KindParam[]], { error: 'errors.invalid_enum' })),
  territoire: one(z.string().regex(/^(\d{2}|2A|2B|97\d)$/, { error: 'errors.unknown_territory' })),
  fibre: one(z.literal('1', { error: 'errors.invalid_flag' })),
  page: one(
    z
      .string()
      .regex(/^\d{1,5}$/, { error: 'errors.invalid_page' })
      .transform(Number)
      .refine((n) => n >= 1 && n <= PAGE_MAX, { error: 'errors.invalid_page' }),
  ),
});

export type OfferSearchInput = z.output<typeof OfferSearchSchema>;

/** Names of the parameters the search reads; anything else (utm_*, fbclid…) is left alone. */
const knownParams = Object.keys(OfferSearchSchema.shape);

export type ParsedSearch =
  | { ok: true; query: OfferSearchInput; raw: Record<string, string> }
  | { ok: false; errors: FieldError[]; query: OfferSearchInput; raw: Record<string, string> };

/**
 * Parses a query string. Empty values count as absent (an untouched form field).
 * On errors, `query` keeps the valid filters so the page can still show results
 * with the invalid ones named next to the form, and `raw` keeps what was typed.
 */
export function parseOfferSearch(params: URLSearchParams): ParsedSearch {
  const raw: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const name of knownParams) {
    const values = params.getAll(name).filter((v) => v !== '');
    if (values.length > 1) errors.push({ field: name, key: 'errors.too_many' });
    if (values[0] !== undefined) raw[name] = values[0];
  }
  const query: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (errors.some((e) => e.field === name)) continue;
    const field = OfferSearchSchema.shape[name as keyof typeof OfferSearchSchema.shape];
    const result = field.safeParse(value);
    if (result.success) query[name] = result.data;
    else errors.push({ field: name, key: (result.error.issues[0]?.message ?? 'errors.invalid_enum') as MessageKey, value });
  }
  const parsed = query as OfferSearchInput;
  return errors.length ? { ok: false, errors, query: parsed, raw } : { ok: true, query: parsed, raw };
}
