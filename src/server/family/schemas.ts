// The family forms: a heart (favourite), a saved search and its settings. Messages are
// i18n keys; field names are those of the forms.
import { z } from 'astro/zod';
import { parseInput } from '../input.ts';

export const parse = parseInput;

/** A positive id written with digits only. */
const id = (key: 'errors.favourite_offer_unknown' | 'errors.search_unknown') =>
  z
    .string({ error: key })
    .regex(/^\d{1,12}$/, { error: key })
    .transform(Number)
    .refine((n) => n >= 1 && Number.isSafeInteger(n), { error: key });

const flag = z.enum(['0', '1'], { error: 'errors.invalid_value' }).transform((v) => v === '1');

export const SEARCH_NAME_MAX = 80;

/** A search's name: control characters removed, spaces collapsed. */
const name = z
  .string({ error: 'errors.search_name_required' })
  .transform((s) =>
    s
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  )
  .pipe(
    z
      .string()
      .min(1, { error: 'errors.search_name_required' })
      .max(SEARCH_NAME_MAX, { error: 'errors.search_name_too_long' }),
  );

export const FavouriteSchema = z.object({ offre: id('errors.favourite_offer_unknown'), favori: flag });

/** How many offers a comparison holds, as on property sites. */
export const COMPARE_MAX = 4;
export const NOTE_MAX = 1000;

/** The offers to compare: `offres` repeated (or comma-separated), 2 to COMPARE_MAX ids. */
export const CompareSchema = z.object({
  offres: z
    .array(
      z
        .string()
        .regex(/^\d{1,9}$/, { error: 'errors.compare_choice' })
        .transform(Number),
      {
        error: 'errors.compare_choice',
      },
    )
    .max(20, { error: 'errors.compare_choice' })
    .transform((ids) => [...new Set(ids)])
    .refine((ids) => ids.length >= 2 && ids.length <= COMPARE_MAX, { error: 'errors.compare_choice' }),
});

export const NoteSchema = z.object({
  offre: id('errors.favourite_offer_unknown'),
  note: z
    .string()
    .max(NOTE_MAX, { error: 'errors.note_too_long' })
    .transform((s) => s.trim()),
});

export const SaveSearchSchema = z.object({
  /** The query string of /offres, as the search page submits it. */
  requete: z.string({ error: 'errors.search_invalid' }).max(4000, { error: 'errors.search_invalid' }),
  /** Optional: the readable summary of the filters when left empty. */
  nom: z
    .string()
    .optional()
    .transform((s) => (s ?? '').trim()),
});

/** A name alone: the one typed, or the summary of the filters when none was. */
export const SearchNameSchema = z.object({ nom: name });

export const RenameSearchSchema = z.object({ id: id('errors.search_unknown'), nom: name });

export const SearchAlertsSchema = z.object({ id: id('errors.search_unknown'), alertes: flag });

export const SearchIdSchema = z.object({ id: id('errors.search_unknown') });
