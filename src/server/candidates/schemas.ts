// The relocation-project form (enquiry). One schema for the page, the island and the API.
import { z } from 'astro/zod';
import { remoteWorkStatuses } from '../../../db/schema/candidates.ts';
import { EmailSchema, LocaleSchema, NameSchema } from '../accounts/schemas.ts';
import { fieldErrors, Invalid } from '../errors.ts';

/** The consent text shown next to the box; its version is stored with each file. */
export const CONSENT_TEXT_VERSION = '2026-11-v1';
export const timeFrames = ['lt3m', '3-6m', '6-12m', 'gt12m'] as const;

const list = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const optionalText = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string({ error: 'errors.invalid_value' }).trim().max(max, { error: 'errors.text_too_long' }).optional(),
  );
const optionalWhole = (min: number, max: number) =>
  z.preprocess(
    (v) =>
      v === '' || v === undefined ? undefined : typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v) : v,
    z
      .number({ error: 'errors.invalid_number' })
      .int({ error: 'errors.invalid_number' })
      .min(min, { error: 'errors.invalid_number' })
      .max(max, { error: 'errors.invalid_number' })
      .optional(),
  );

export const EnquirySchema = z.object({
  name: NameSchema,
  email: EmailSchema,
  phone: z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/[\s.\-()]/g, '') : v) || undefined,
    z
      .string()
      .regex(/^\+?\d{6,15}$/, { error: 'errors.phone_invalid' })
      .optional(),
  ),
  adults: z.preprocess(
    (v) => (typeof v === 'string' ? Number(v) : v),
    z
      .number({ error: 'errors.adults_invalid' })
      .int()
      .min(1, { error: 'errors.adults_invalid' })
      .max(10, { error: 'errors.adults_invalid' }),
  ),
  /** Ages of the children, "3, 7" in the form. */
  children: z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(/[,;\s]+/)
            .filter(Boolean)
            .map((a) => (/^\d{1,2}$/.test(a) ? Number(a) : Number.NaN))
        : list(v),
    z
      .array(
        z
          .number({ error: 'errors.children_invalid' })
          .int({ error: 'errors.children_invalid' })
          .min(0, { error: 'errors.children_invalid' })
          .max(25, { error: 'errors.children_invalid' }),
        { error: 'errors.children_invalid' },
      )
      .max(12, { error: 'errors.children_invalid' }),
  ),
  profession: optionalText(200),
  remoteStatus: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(remoteWorkStatuses, { error: 'errors.invalid_enum' }).optional(),
  ),
  partnerProfession: optionalText(200),
  partnerRemoteStatus: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(remoteWorkStatuses, { error: 'errors.invalid_enum' }).optional(),
  ),
  currentPlace: optionalText(200),
  wishedTerritories: z.preprocess(
    list,
    z
      .array(z.string().regex(/^(\d{2}|2A|2B|97\d)$/, { error: 'errors.unknown_territory' }))
      .min(1, { error: 'errors.territory_required' })
      .max(10),
  ),
  wishedCommunes: z.preprocess(
    list,
    z.array(z.string().regex(/^(\d{5}|2[AB]\d{3})$/, { error: 'errors.unknown_commune' })).max(10),
  ),
  budgetMax: optionalWhole(0, 100_000_000),
  transaction: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['rent', 'sale'], { error: 'errors.invalid_enum' }).optional(),
  ),
  housingNeeds: optionalText(2000),
  workspaceNeeds: optionalText(2000),
  minDownloadMbps: optionalWhole(0, 100_000),
  timeFrame: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(timeFrames, { error: 'errors.invalid_enum' }).optional(),
  ),
  heardFrom: optionalText(200),
  consent: z.literal('yes', { error: 'errors.consent_required' }),
  locale: LocaleSchema,
});

export type EnquiryInput = z.output<typeof EnquirySchema>;

// Forms of the file page (agents) and of the family's account.

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused). */
const isoDate = (error: string) =>
  z.string({ error }).refine(
    (s) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { error },
  );
const requiredText = (max: number, required: string) =>
  z.string({ error: required }).trim().min(1, { error: required }).max(max, { error: 'errors.text_too_long' });
const id = (error: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : v),
    z.number({ error }).int({ error }).positive({ error }),
  );

export const TaskSchema = z.object({
  title: requiredText(200, 'errors.task_title_required'),
  dueDate: isoDate('errors.date_invalid'),
  assigneeId: id('errors.agent_not_in_territory'),
});

export const StaySchema = z
  .object({
    startDate: isoDate('errors.date_invalid'),
    endDate: isoDate('errors.date_invalid'),
    places: requiredText(2000, 'errors.places_required'),
    hosts: optionalText(2000),
  })
  .refine((s) => s.endDate >= s.startDate, { path: ['endDate'], error: 'errors.end_before_start' })
  .refine((s) => s.endDate.slice(0, 4) <= String(Number(s.startDate.slice(0, 4)) + 1), {
    path: ['endDate'],
    error: 'errors.stay_too_long',
  });

export const MessageSchema = z.object({ body: requiredText(5000, 'errors.message_required') });

export const ProposalAnswerSchema = z.object({
  proposal: id('errors.proposal_unknown'),
  answer: z.enum(['accepted', 'declined'], { error: 'errors.answer_required' }),
  comment: optionalText(2000),
});

export const TerritoryMoveSchema = z.object({
  territory: z
    .string({ error: 'errors.unknown_territory' })
    .regex(/^(\d{2}|2A|2B|97\d)$/, { error: 'errors.unknown_territory' }),
  /** Moving to a territory the family did not wish needs its consent, and how it was given. */
  consent: z.literal('yes', { error: 'errors.consent_required' }).optional(),
  consentNote: optionalText(500),
});

/** The parsed input, or Invalid with one localized-key error per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new Invalid(fieldErrors(parsed.error.issues));
  return parsed.data;
}
