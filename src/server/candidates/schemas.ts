// The relocation-project form (enquiry). One schema for the page, the island and the API.
import { z } from 'astro/zod';
import {
  eventKinds,
  partnerWishes,
  remoteWorkStatuses,
  stages,
  withdrawalReasons,
  type Profession,
} from '../../../db/schema/candidates.ts';
import { EmailSchema, LocaleSchema, NameSchema } from '../accounts/schemas.ts';
import {
  asList,
  distinctList,
  id,
  inseeCode,
  isoDate,
  optionalEnum,
  optionalPhone,
  optionalText,
  optionalWhole,
  parseInput,
  requiredLine,
  requiredText,
  shownCount,
  territoryCode,
} from '../input.ts';

export { parseInput };

/** The consent text shown next to the box; its version is stored with each file. */
export const CONSENT_TEXT_VERSION = '2026-11-v1';
export const timeFrames = ['lt3m', '3-6m', '6-12m', 'gt12m'] as const;

export const EnquirySchema = z.object({
  name: NameSchema,
  email: EmailSchema,
  phone: optionalPhone(),
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
        : asList(v),
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
  remoteStatus: optionalEnum(remoteWorkStatuses),
  partnerProfession: optionalText(200),
  partnerRemoteStatus: optionalEnum(remoteWorkStatuses),
  partnerWish: optionalEnum(partnerWishes),
  partnerSought: optionalText(200),
  currentPlace: optionalText(200),
  wishedTerritories: distinctList(territoryCode(), {
    max: 10,
    tooMany: 'errors.territories_too_many',
    required: 'errors.territory_required',
  }),
  wishedCommunes: distinctList(inseeCode(), { max: 10, tooMany: 'errors.communes_too_many' }),
  budgetMax: optionalWhole(0, 100_000_000),
  transaction: optionalEnum(['rent', 'sale']),
  housingNeeds: optionalText(2000),
  workspaceNeeds: optionalText(2000),
  minDownloadMbps: optionalWhole(0, 100_000),
  timeFrame: optionalEnum(timeFrames),
  heardFrom: optionalText(200),
  /** The offer whose page started the enquiry ("I'm interested"), kept on the file's first event. */
  offer: optionalWhole(1, 999_999_999),
  /** The job or business whose page started the enquiry ("contact through the agent"). */
  opportunity: optionalWhole(1, 999_999_999),
  consent: z.literal('yes', { error: 'errors.consent_required' }),
  locale: LocaleSchema,
});

export type EnquiryInput = z.output<typeof EnquirySchema>;

/**
 * The household's professions as the file stores them, by position: the person's own first,
 * the partner's second (an empty own entry when only the partner's is given), none when
 * neither is. Maturity reads the first, the partner's job matching the second.
 */
function professionsOf(data: {
  profession?: string;
  remoteStatus?: Profession['status'];
  partnerProfession?: string;
  partnerRemoteStatus?: Profession['status'];
}): Profession[] {
  const entry = (profession: string | undefined, status: Profession['status'] | undefined): Profession | null =>
    profession || status ? { profession: profession ?? null, status: status ?? null } : null;
  const own = entry(data.profession, data.remoteStatus);
  const partner = entry(data.partnerProfession, data.partnerRemoteStatus);
  if (partner) return [own ?? { profession: null, status: null }, partner];
  return own ? [own] : [];
}

// Forms of the file page (agents) and of the family's account.

export const TaskSchema = z.object({
  title: requiredLine(200, 'errors.task_title_required'),
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

/** An agent's own maturity score for a file, and why (the computed one is explained beside it). */
export const MaturityOverrideSchema = z.object({
  score: z.preprocess(
    (v) => (typeof v === 'string' && /^\d{1,3}$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ error: 'errors.maturity_score' })
      .int({ error: 'errors.maturity_score' })
      .min(0, { error: 'errors.maturity_score' })
      .max(100, { error: 'errors.maturity_score' }),
  ),
  reason: requiredText(500, 'errors.maturity_reason'),
});

export const MessageSchema = z.object({ body: requiredText(5000, 'errors.message_required') });

export const ProposalAnswerSchema = z.object({
  proposal: id('errors.proposal_unknown'),
  answer: z.enum(['accepted', 'declined'], { error: 'errors.answer_required' }),
  comment: optionalText(2000),
});

export const TerritoryMoveSchema = z.object({
  territory: territoryCode(),
  /** Moving to a territory the family did not wish needs its consent, and how it was given. */
  consent: z.literal('yes', { error: 'errors.consent_required' }).optional(),
  consentNote: optionalText(500),
});

/** A stage move posted from the file page (the pipeline's rules are in stages.ts). */
export const StageMoveSchema = z.object({
  to: z.enum(stages, { error: 'errors.stage_move_not_allowed' }),
  /** The file's version when the page was drawn: a move over a newer version is a conflict. */
  version: z.preprocess((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : 0), z.number()),
  withdrawalReason: optionalEnum(withdrawalReasons, 'errors.withdrawal_reason_required'),
  withdrawalComment: optionalText(2000),
  /** A commune name or INSEE code, resolved among the actor's territories. */
  settledCommune: optionalText(200),
  settledAt: z.preprocess((v) => (v === '' ? undefined : v), isoDate('errors.date_invalid').optional()),
  settledHouseholdSize: optionalWhole(1, 30),
});
export type StageMoveInput = z.output<typeof StageMoveSchema>;

/**
 * What an undoable move replaced, kept on its `stage_change` event (`before`) so that its undo
 * gives the file back exactly these facts.
 */
export const MoveBeforeSchema = z.object({
  lastContactAt: z.string(),
  reachedStages: z.number().int(),
  firstResponseAt: z.string().nullable(),
});
export type MoveBefore = z.output<typeof MoveBeforeSchema>;

/**
 * The family's project as an agent corrects it from the file (what a call taught): the
 * enquiry's answers but the address (the account's link) and the territories (a move asks
 * consent), and `version`, the file's when the page was drawn.
 */
export const ProjectEditSchema = EnquirySchema.pick({
  name: true,
  phone: true,
  adults: true,
  children: true,
  profession: true,
  remoteStatus: true,
  partnerProfession: true,
  partnerRemoteStatus: true,
  partnerWish: true,
  partnerSought: true,
  currentPlace: true,
  wishedCommunes: true,
  budgetMax: true,
  transaction: true,
  housingNeeds: true,
  workspaceNeeds: true,
  minDownloadMbps: true,
  timeFrame: true,
}).extend({ version: StageMoveSchema.shape.version });
export type ProjectEditInput = z.output<typeof ProjectEditSchema>;

/** The file's columns of the project (the enquiry's answers an agent may correct), from its parsed input. */
export function projectColumns(data: Omit<ProjectEditInput, 'version'>) {
  return {
    name: data.name,
    phone: data.phone ?? null,
    household: { adults: data.adults, children: data.children },
    professions: professionsOf(data),
    partnerWish: data.partnerWish ?? null,
    partnerSought: data.partnerSought ?? null,
    currentPlace: data.currentPlace ?? null,
    wishedCommunes: data.wishedCommunes,
    budgetMax: data.budgetMax ?? null,
    transaction: data.transaction ?? null,
    housingNeeds: data.housingNeeds ?? null,
    workspaceNeeds: data.workspaceNeeds ?? null,
    minDownloadMbps: data.minDownloadMbps ?? null,
    timeFrame: data.timeFrame ?? null,
  };
}

export const listSorts = ['recent', 'waiting', 'name', 'maturity'] as const;

/** A filter that is not understood is dropped, never an error: the list is a GET form. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** The filters of /agent/candidats (list and board), from its query string. */
export const ListQuerySchema = z.object({
  q: lenient(
    z
      .string()
      .trim()
      .max(100)
      .transform((v) => v || undefined),
  ),
  etape: lenient(z.enum(stages)),
  territoire: lenient(z.union([territoryCode(), z.literal('queue')])),
  agent: lenient(
    z.union([
      z.enum(['me', 'none']),
      z
        .string()
        .regex(/^\d{1,9}$/)
        .transform(Number),
    ]),
  ),
  /** A commune (name or INSEE code): files settled there or wishing it; resolved by the page. */
  commune: lenient(
    z
      .string()
      .trim()
      .max(100)
      .transform((v) => v || undefined),
  ),
  attente: lenient(z.union([z.literal('idle'), z.enum(['7', '30', '90']).transform(Number)])),
  tri: lenient(z.enum(listSorts)),
  page: z.preprocess(
    (v) => (typeof v === 'string' && /^\d{1,4}$/.test(v) && Number(v) >= 1 ? Number(v) : 1),
    z.number(),
  ),
});

export interface ListQuery {
  q?: string;
  stage?: (typeof stages)[number];
  territory?: string;
  /** The commune as typed (kept in the form) and its INSEE code once resolved (the filter). */
  commune?: string;
  communeCode?: string;
  /** 'me', 'none', or a member of staff's id. */
  agent?: 'me' | 'none' | number;
  /** In the current stage for at least this many days, or past its stage's idle threshold. */
  waiting?: 'idle' | 7 | 30 | 90;
  sort?: (typeof listSorts)[number];
  page?: number;
}

export function parseListQuery(params: Record<string, string>): ListQuery {
  const p = ListQuerySchema.parse(params);
  return {
    q: p.q,
    stage: p.etape,
    territory: p.territoire,
    agent: p.agent,
    commune: p.commune,
    waiting: p.attente as ListQuery['waiting'],
    sort: p.tri,
    page: p.page,
  };
}

/** The timeline's filters (`?journal=` on the file page): each names the kinds of events it shows. */
export const timelineFilters = {
  notes: ['note', 'maturity', 'project_edited'],
  emails: ['email', 'message'],
  stages: ['stage_change', 'created', 'territory_move'],
  tasks: ['task', 'follow_up'],
} as const satisfies Record<string, ReadonlyArray<(typeof eventKinds)[number]>>;
export type TimelineFilter = keyof typeof timelineFilters;

/** The timeline's filter of a query string; anything else shows every event. */
export function parseTimelineFilter(value: string | null): TimelineFilter | undefined {
  return value !== null && Object.hasOwn(timelineFilters, value) ? (value as TimelineFilter) : undefined;
}

/**
 * How much of a file's long lists its page shows at first, and how much more each "show
 * more" link adds (`?historique=`, `?messages=`, `?taches=`: how many to show). A file
 * written to for years stays a page of a few dozen entries, not thousands.
 */
export const fileListSizes = { historique: 50, messages: 30, taches: 20 } as const;
export type FileList = keyof typeof fileListSizes;

/** How many entries of each long list to show, from a query string (anything invalid: the first page). */
export function parseFileLists(params: URLSearchParams): Record<FileList, number> {
  const shown = (list: FileList) => shownCount(params.get(list), fileListSizes[list]);
  return { historique: shown('historique'), messages: shown('messages'), taches: shown('taches') };
}
