// Validation of account forms. Messages are i18n keys (translated by the pages).
import { z } from 'astro/zod';
import { blankToUndefined, territoryCode, withoutControls } from '../input.ts';
import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

/** Trimmed and lower-cased, so that one person has one account whatever the typing. */
export const EmailSchema = z
  .string({ error: 'errors.email_invalid' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'errors.email_invalid' })
  .pipe(z.email({ error: 'errors.email_invalid' }));

export const PasswordSchema = z
  .string({ error: 'errors.password_length' })
  .min(PASSWORD_MIN, { error: 'errors.password_length' })
  .max(PASSWORD_MAX, { error: 'errors.password_length' })
  .refine((p) => !common.has(p.toLowerCase()), { error: 'errors.password_common' });

/** A person's or a family's name; control characters go (a NUL would cut it in the database). */
export const NameSchema = z.preprocess(
  withoutControls,
  z
    .string({ error: 'errors.name_required' })
    .trim()
    .min(1, { error: 'errors.name_required' })
    .max(120, { error: 'errors.name_too_long' }),
);

export const LocaleSchema = z.enum(['fr', 'en']).catch('fr');

export const SignUpSchema = z.object({
  /** A family (the default) or an owner who proposes offers. */
  account: z.preprocess(
    blankToUndefined,
    z.enum(['family', 'owner'], { error: 'errors.invalid_choice' }).default('family'),
  ),
  name: NameSchema,
  email: EmailSchema,
  password: PasswordSchema,
  locale: LocaleSchema,
});
export const SignInSchema = z.object({
  email: EmailSchema,
  password: z
    .string({ error: 'errors.password_required' })
    .min(1, { error: 'errors.password_required' })
    .max(PASSWORD_MAX, { error: 'errors.password_length' }),
});
export const EmailOnlySchema = z.object({ email: EmailSchema, locale: LocaleSchema });
export const NewPasswordSchema = z.object({
  token: z
    .string({ error: 'errors.link_invalid' })
    .min(10, { error: 'errors.link_invalid' })
    .max(200, { error: 'errors.link_invalid' }),
  password: PasswordSchema,
});

export const staffRoles = ['agent', 'territory_admin'] as const;
/** A role the staff forms offer (another, posted by a script, is a choice outside the list). */
const StaffRoleSchema = z.enum(staffRoles, { error: 'errors.invalid_choice' });
/** The ticked territories, each once (a repeated code is read once: one row per member and territory). */
const StaffTerritoriesSchema = z
  .array(territoryCode())
  .min(1, { error: 'errors.territory_required' })
  .transform((codes) => [...new Set(codes)]);
export const InviteSchema = z.object({
  name: NameSchema,
  email: EmailSchema,
  role: StaffRoleSchema,
  territories: StaffTerritoriesSchema,
  locale: LocaleSchema,
});
/** `npm run admin:create`: the first platform administrator of a deployment. */
export const PlatformAdminSchema = z.object({ name: NameSchema, email: EmailSchema, locale: LocaleSchema });
export const StaffUpdateSchema = z.object({
  role: StaffRoleSchema,
  territories: StaffTerritoriesSchema,
});

/** A code of the second step: 6 digits from the app, or a recovery code (spaces and dashes ignored). */
export const SecondStepSchema = z.object({
  otp: z
    .string({ error: 'errors.code_required' })
    .transform((c) => c.replace(/[\s-]/g, '').toLowerCase())
    .pipe(z.string().min(1, { error: 'errors.code_required' }).max(64, { error: 'errors.code_wrong' })),
});
/** The 6 digits that confirm an app's enrolment. */
export const EnrolSchema = z.object({
  otp: z
    .string({ error: 'errors.code_required' })
    .transform((c) => c.replace(/\s/g, ''))
    .pipe(
      z
        .string()
        .min(1, { error: 'errors.code_required' })
        .regex(/^\d{6}$/, { error: 'errors.code_format' }),
    ),
});
/** What confirms a change of the two-factor settings: the password, or a code from the app. */
export const ProofSchema = z.object({
  proof: z
    .string({ error: 'errors.proof_required' })
    .min(1, { error: 'errors.proof_required' })
    .max(PASSWORD_MAX, { error: 'errors.proof_wrong' }),
});
