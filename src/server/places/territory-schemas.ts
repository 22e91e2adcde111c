// The forms of /admin/territoires: a territory's settings, and a new territory.
import { z } from 'astro/zod';
import { EmailSchema } from '../accounts/schemas.ts';
import {
  blankToUndefined,
  checkbox,
  optionalPhone,
  optionalText,
  optionalWhole,
  requiredLine,
  territoryCode,
} from '../input.ts';

export const TerritorySettingsSchema = z.object({
  name: requiredLine(80, 'errors.territory_name_required'),
  presentationFr: optionalText(1200),
  presentationEn: optionalText(1200),
  contactEmail: z.preprocess(blankToUndefined, EmailSchema.optional()),
  contactPhone: optionalPhone(),
  retentionMonths: optionalWhole(6, 120, 'errors.retention_months').transform((v) => v ?? 24),
  firstAnswerHours: optionalWhole(1, 720, 'errors.first_answer_hours').transform((v) => v ?? 48),
  acceptsOwnerOffers: checkbox(),
});
export type TerritorySettings = z.output<typeof TerritorySettingsSchema>;

export const NewTerritorySchema = TerritorySettingsSchema.extend({
  code: territoryCode('errors.department_unknown'),
  // The département's name when left blank.
  name: optionalText(80),
});
