// The forms of the ambassadors' programme (decision 024): opting in, the story, an
// introduction, an answer, a moderation decision.
import { z } from 'zod';
import { ambassadorLanguages } from '../../../db/schema/index.ts';
import {
  distinctList,
  checkbox,
  id,
  optionalLine,
  optionalPhone,
  optionalText,
  requiredLine,
  requiredText,
} from '../input.ts';

export const ProfileSchema = z
  .object({
    profession: optionalLine(120),
    // Each language once, however many times it is posted.
    languages: distinctList(z.enum(ambassadorLanguages, { error: 'errors.invalid_enum' }), {
      max: ambassadorLanguages.length,
      // Past the languages offered, only with one not offered: refused as such first.
      tooMany: 'errors.invalid_enum',
      required: 'errors.ambassador_languages_required',
    }),
    byEmail: checkbox(),
    byPhone: checkbox(),
    byVideo: checkbox(),
    phone: optionalPhone(),
    bestTimes: optionalLine(200),
    presentation: requiredText(1000, 'errors.ambassador_presentation_required'),
  })
  .superRefine((v, ctx) => {
    if (!v.byEmail && !v.byPhone && !v.byVideo)
      ctx.addIssue({ code: 'custom', path: ['byEmail'], message: 'errors.ambassador_contact_required' });
    if (v.byPhone && !v.phone)
      ctx.addIssue({ code: 'custom', path: ['phone'], message: 'errors.ambassador_phone_required' });
  });
export type ProfileInput = z.output<typeof ProfileSchema>;

export const StatusSchema = z.object({
  status: z.enum(['active', 'paused', 'left'], { error: 'errors.invalid_enum' }),
});

export const StorySchema = z.object({
  locale: z.enum(['fr', 'en'], { error: 'errors.invalid_enum' }),
  title: requiredLine(120, 'errors.story_title_required'),
  body: requiredText(4000, 'errors.story_body_required'),
});

export const IntroductionSchema = z.object({
  ambassador: id('errors.ambassador_unavailable'),
  note: optionalText(1000),
});

export const AnswerSchema = z.object({
  introduction: id('errors.item_gone'),
  answer: z.enum(['accepted', 'declined'], { error: 'errors.invalid_enum' }),
});

export const StoryModerationSchema = z.object({
  story: id('errors.item_gone'),
  note: optionalText(2000),
  /** The story's `updatedAt` when the agent read it: a decision applies to what was reviewed. */
  version: optionalLine(40),
});
