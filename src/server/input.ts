// Shared input primitives: the shapes of codes, ids, texts, dates and lists that forms,
// query strings and the API accept. Domain schemas (`src/server/<domain>/schemas.ts`) build
// on them; messages are i18n keys.
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'astro/zod';
import { defaultLocale, type Locale } from '../i18n/index.ts';
import { fieldErrors, Invalid, type FieldError } from './errors.ts';

/** A département code: 01–95, 2A, 2B, 971–979. */
export const TERRITORY_CODE = /^(\d{2}|2A|2B|97\d)$/;
/** An INSEE commune code. */
export const INSEE_CODE = /^(\d{5}|2[AB]\d{3})$/;

export const isTerritoryCode = (v: unknown): v is string => typeof v === 'string' && TERRITORY_CODE.test(v);

/** A positive id written with digits only, else undefined. */
export const parseId = (v: unknown): number | undefined =>
  typeof v === 'string' && /^\d{1,12}$/.test(v) && Number(v) >= 1 ? Number(v) : undefined;

export const territoryCode = (error = 'errors.unknown_territory') =>
  z.string({ error }).regex(TERRITORY_CODE, { error });
export const inseeCode = (error = 'errors.unknown_commune') => z.string({ error }).regex(INSEE_CODE, { error });

/** A positive id written with digits only (a posted or query value), as a number. */
export const id = (error: string) =>
  z.preprocess((v) => parseId(v) ?? v, z.number({ error }).int({ error }).positive({ error }));

/** A value or a list of values (repeated names, checkboxes) as a list; absent or '' is empty. */
export const asList = (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

/**
 * A list (`asList`) of distinct values: a value posted twice is read once, before counting.
 * More than `max` says `tooMany` with the limit ({max}); none, `required` if given.
 */
export const distinctList = <T extends z.ZodType>(
  item: T,
  { max, tooMany, required }: { max: number; tooMany: string; required?: string },
) =>
  z.preprocess(
    (v) => [...new Set(asList(v))],
    z
      .array(item)
      .min(required ? 1 : 0, { error: required })
      .refine((list) => list.length <= max, { error: tooMany, params: { max } }),
  );

/** Control characters (NUL, escapes…) never belong in typed text; line breaks and tabs do. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
export const withoutControls = (v: unknown) => (typeof v === 'string' ? v.replace(CONTROL, '') : v);

/** Blank is absent (and control characters are gone). */
export const blankToUndefined = (v: unknown) => {
  const s = withoutControls(v);
  return typeof s === 'string' && s.trim() === '' ? undefined : s;
};

/** A checkbox: ticked ('yes', '1', 'on') or not (absent). */
export const checkbox = () => z.preprocess((v) => v === 'yes' || v === '1' || v === 'on' || v === true, z.boolean());

export const optionalText = (max: number) =>
  z.preprocess(
    blankToUndefined,
    z.string({ error: 'errors.invalid_value' }).trim().max(max, { error: 'errors.text_long' }).optional(),
  );

/** Text of one line (a title, an address): line breaks and runs of spaces become one space. */
const oneLine = (v: unknown) => {
  const s = withoutControls(v);
  return typeof s === 'string' ? s.replace(/\s+/g, ' ') : s;
};

export const requiredLine = (max: number, required: string) =>
  z.preprocess(
    oneLine,
    z.string({ error: required }).trim().min(1, { error: required }).max(max, { error: 'errors.text_long' }),
  );

export const optionalLine = (max: number) =>
  z.preprocess(
    (v) => blankToUndefined(oneLine(v)),
    z.string({ error: 'errors.invalid_value' }).trim().max(max, { error: 'errors.text_long' }).optional(),
  );

export const requiredText = (max: number, required: string) =>
  z.preprocess(
    withoutControls,
    z.string({ error: required }).trim().min(1, { error: required }).max(max, { error: 'errors.text_long' }),
  );

/** A phone number, written with spaces, dots or dashes if one likes; blank is absent. */
export const optionalPhone = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/[\s.\-()]/g, '') : v) || undefined,
    z
      .string()
      .regex(/^\+?\d{6,15}$/, { error: 'errors.phone_invalid' })
      .optional(),
  );

/**
 * The language of the page a request came from (set by `page()` and `endpoint()`), which
 * says how people write numbers: "1,500" is 1500 in English, 1.5 in French. Outside a page
 * (the API, scripts), French, the portal's language.
 */
const typing = new AsyncLocalStorage<Locale>();
export const typedIn = <T>(locale: Locale, run: () => T): T => typing.run(locale, run);

/**
 * A whole number as people type it, reduced to its digits: "250 000", "250 000 €",
 * "900 €/mois", "1.200", "30 km", "100 Mb/s", "900,00 €", "1,500,000"; in English also
 * "1,500" and "900.00". A comma is a French decimal point: "1,5" and "1,500" on a French page
 * are no whole number (never 1500). Anything else (a decimal, a word) is left as it is, for the
 * schema to refuse.
 */
export function typedWhole(value: string): string {
  const locale = typing.getStore() ?? defaultLocale;
  let s = value.replace(/[\s\u00a0\u202f]+/g, '');
  s = s.replace(/(?:\/|par|per|a)?(?:mois|month|mo)$/i, '');
  s = s.replace(/(?:€|eur|euros?|km|m²|m2|mb\/s|mbit\/s|mbps)$/i, '');
  s = s.replace(/^(?:€|eur)/i, ''); // "€1,500", as English writes it
  // Thousands: dots, commas in English; in French, commas only when there are several
  // ("1,500,000" is no French decimal). Then cents of zero: the number is whole.
  const grouped =
    locale === 'en'
      ? /^\d{1,3}(?:[.,]\d{3})+(?=(?:\.0{1,2})?$)/
      : /^\d{1,3}(?:(?:\.\d{3})+|(?:,\d{3}){2,})(?=(?:,0{1,2})?$)/;
  s = s.replace(grouped, (digits) => digits.replace(/[.,]/g, ''));
  return s.replace(locale === 'en' ? /^(\d+)\.0{1,2}$/ : /^(\d+),0{1,2}$/, '$1');
}

/**
 * A whole number from `min` to `max` as people type it (`typedWhole`); blank is absent. What
 * is no whole number says `error`; a number out of range says the range (`errors.number_range`,
 * its bounds as numbers, formatted for the locale), unless the field has a message of its own.
 */
export const optionalWhole = (min: number, max: number, error = 'errors.invalid_number') =>
  z.preprocess(
    (v) => {
      if (v === '' || v === undefined) return undefined;
      if (typeof v !== 'string') return v;
      const digits = typedWhole(v);
      // However many digits: a number, too large if it is (then the range is said).
      return digits === '' ? undefined : /^\d+$/.test(digits) ? Math.min(Number(digits), Number.MAX_SAFE_INTEGER) : v;
    },
    z
      .number({ error })
      .int({ error })
      .refine(
        (n) => n >= min && n <= max,
        error === 'errors.invalid_number' ? { error: 'errors.number_range', params: { min, max } } : { error },
      )
      .optional(),
  );

/** One of `values`, or absent when blank. */
export const optionalEnum = <const T extends readonly [string, ...string[]]>(
  values: T,
  error = 'errors.invalid_enum',
) => z.preprocess(blankToUndefined, z.enum(values, { error }).optional());

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused). */
export const isoDate = (error: string) =>
  z.string({ error }).refine(
    (s) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { error },
  );

/** The parsed input, or Invalid with one localized-key error per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new Invalid(fieldErrors(parsed.error.issues));
  return parsed.data;
}

/** A page of a few thousand entries at most, however many a "show more" link asks for. */
export const MAX_SHOWN = 2_000;

/**
 * How many entries of a long list a page shows (`?historique=80`): `base` at first, more
 * when a "show more" link asks, at most MAX_SHOWN; anything invalid is the first page.
 */
export function shownCount(value: string | null, base: number): number {
  return value !== null && /^\d{1,20}$/.test(value) ? Math.min(Math.max(Number(value), base), MAX_SHOWN) : base;
}

/**
 * A list's page number in a query string, never an error (the page is no field of a form): 0
 * is the first, past `max` is `max` (past its last page, a list shows its last), anything
 * else ("-1", "abc", "1.5") the first.
 */
export const pageNumber = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Math.max(1, Math.min(Number(v), max)) : undefined),
    z.number().int().min(1).optional().catch(undefined),
  );

/** A query string as an object: the first value of each name (filters, periods). */
export const queryObject = (params: URLSearchParams): Record<string, string> => {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
};

/** A query string read against a shape of string schemas (one per parameter). */
export interface ParsedQuery<S extends z.ZodRawShape> {
  /** The valid parameters (invalid ones are left out and named in `errors`). */
  query: Partial<{ [K in keyof S]: z.output<S[K]> }>;
  /** What was typed, to refill a form. */
  raw: Partial<Record<keyof S & string, string>>;
  errors: FieldError[];
}

/**
 * Reads the parameters of `shape` from a query string. Empty values count as absent (an
 * untouched form field); other parameters (utm_*, fbclid…) are left alone; a repeated one is
 * refused; each invalid one is named with an i18n key.
 */
export function parseQuery<S extends z.ZodRawShape>(
  shape: S,
  params: URLSearchParams,
  names: ReadonlyArray<keyof S & string> = Object.keys(shape),
): ParsedQuery<S> {
  const raw: Record<string, string> = {};
  const errors: FieldError[] = [];
  const query: Record<string, unknown> = {};
  for (const name of names) {
    const values = params.getAll(name).filter((v) => v.trim() !== '');
    if (values.length === 0) continue;
    raw[name] = values[0]!;
    if (values.length > 1) {
      errors.push({ field: name, key: 'errors.too_many' });
      continue;
    }
    const result = (shape[name] as z.ZodType).safeParse(values[0]);
    if (result.success) query[name] = result.data;
    else {
      // The same reading of an issue as a form's (its range's bounds, if any), the value kept.
      const [error] = fieldErrors(result.error.issues.slice(0, 1));
      errors.push({ ...error!, field: name, value: values[0] });
    }
  }
  return { query: query as ParsedQuery<S>['query'], raw: raw as ParsedQuery<S>['raw'], errors };
}
