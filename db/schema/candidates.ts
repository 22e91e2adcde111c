// Candidates: the relocation files of families, their stage history (for time-in-stage
// reports), timeline events, tasks and offer proposals.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { autoId, createdAt, ownerId, timestamps } from './columns.ts';
import { users } from './accounts.ts';
import { communes, territories } from './places.ts';
import { offers } from './offers.ts';

export const stages = ['enquiry', 'qualified', 'discovery', 'settling', 'settled', 'withdrawn'] as const;
export type Stage = (typeof stages)[number];
/** A stage's bit in `candidates.reached_stages`. */
export const stageBit = (stage: Stage) => 1 << stages.indexOf(stage);
export const withdrawalReasons = [
  'housing',
  'job',
  'connectivity',
  'schools',
  'personal',
  'other_territory',
  'no_answer',
] as const;
export const remoteWorkStatuses = ['employee', 'freelancer', 'founder', 'job_seeker'] as const;
/** What the partner (second adult) wishes to do for work after the move. */
export const partnerWishes = ['remote', 'local_job', 'take_over', 'create', 'not_seeking'] as const;
export type PartnerWish = (typeof partnerWishes)[number];

/** JSON column types: what the columns hold, so that no reader casts. */
export interface Household {
  adults: number;
  /** Children's ages. */
  children: number[];
}
export interface Profession {
  profession: string | null;
  status: (typeof remoteWorkStatuses)[number] | null;
}
/** A timeline event's details (from/to stage, text, ids…), by kind. */
export type EventData = { [key: string]: unknown };

export const candidates = sqliteTable(
  'candidates',
  {
    id: autoId(),
    /** Random id for URLs, so that they do not reveal how many files exist. */
    publicId: text('public_id').notNull().unique(),
    /** Null while the file waits in the "to dispatch" queue (several territories wished). */
    territoryCode: text('territory_code').references(() => territories.code),
    stage: text('stage', { enum: stages }).notNull().default('enquiry'),
    stageEnteredAt: text('stage_entered_at').notNull(),
    assignedAgentId: integer('assigned_agent_id').references(() => users.id),
    familyUserId: integer('family_user_id').references(() => users.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phone: text('phone'),
    household: text('household', { mode: 'json' }).$type<Household>().notNull(),
    professions: text('professions', { mode: 'json' }).$type<Profession[]>().notNull(),
    currentPlace: text('current_place'),
    /** Department codes and INSEE codes. */
    wishedTerritories: text('wished_territories', { mode: 'json' }).$type<string[]>().notNull(),
    wishedCommunes: text('wished_communes', { mode: 'json' }).$type<string[]>().notNull().default([]),
    budgetMax: integer('budget_max'),
    transaction: text('transaction', { enum: ['rent', 'sale'] }),
    housingNeeds: text('housing_needs'),
    workspaceNeeds: text('workspace_needs'),
    minDownloadMbps: integer('min_download_mbps'),
    timeFrame: text('time_frame'),
    partnerWish: text('partner_wish', { enum: partnerWishes }),
    /** The job or activity the partner seeks, in the family's words. */
    partnerSought: text('partner_sought'),
    /** The maturity score computed from the project (0–100; src/server/candidates/maturity.ts), kept for sorting. */
    maturityScore: integer('maturity_score'),
    /** An agent's own score (0–100) and why, which wins over the computed one. */
    maturityOverride: integer('maturity_override'),
    maturityReason: text('maturity_reason'),
    /** The score that counts, the agent's over the computed one (computed by SQLite, for the orders' indexes). */
    effectiveMaturity: integer('effective_maturity').generatedAlwaysAs(
      sql`coalesce(maturity_override, maturity_score)`,
      { mode: 'virtual' },
    ),
    heardFrom: text('heard_from'),
    locale: text('locale', { enum: ['fr', 'en'] })
      .notNull()
      .default('fr'),
    consentTextVersion: text('consent_text_version').notNull(),
    consentAt: text('consent_at').notNull(),
    withdrawalReason: text('withdrawal_reason', { enum: withdrawalReasons }),
    withdrawalComment: text('withdrawal_comment'),
    settledCommuneCode: text('settled_commune_code').references(() => communes.code),
    settledAt: text('settled_at'),
    settledHouseholdSize: integer('settled_household_size'),
    /** A possible duplicate of an earlier file (same email or phone). */
    duplicateOfId: integer('duplicate_of_id'),
    /** Set when an agent merged this file into another: it is then hidden, its history moved. */
    mergedIntoId: integer('merged_into_id'),
    /** Optimistic concurrency: every change increments it; a stale version is a conflict. */
    version: integer('version').notNull().default(1),
    lastContactAt: text('last_contact_at').notNull(),
    // Facts kept for reports (so that a year of a territory is read from indexes alone):
    /** Bit set of the stages the file has ever been in (`stageBit()`). */
    reachedStages: integer('reached_stages').notNull().default(1),
    /** When a member of staff first acted on the file (response time), and how many hours after the enquiry, to a tenth. */
    firstResponseAt: text('first_response_at'),
    responseHours: real('response_hours'),
    /** When the family first settled (a family settles once, even if the stage is corrected later). */
    firstSettledAt: text('first_settled_at'),
    /** Computed by SQLite and kept in the settled index, so that reports parse no JSON and no date per family. */
    children: integer('children').generatedAlwaysAs(sql`json_array_length(household, '$.children')`, {
      mode: 'virtual',
    }),
    /** Days from the enquiry to the first settling, to a tenth (computed, like `children`). */
    daysToSettle: real('days_to_settle').generatedAlwaysAs(
      sql`round((julianday(first_settled_at) - julianday(created_at)) * 10) / 10.0`,
      { mode: 'virtual' },
    ),
    anonymisedAt: text('anonymised_at'),
    ...timestamps(),
  },
  (t) => [
    // Also read alone by the reports' withdrawals (merged duplicates left out, the reason),
    // and by the staff's home: files per stage, idle files, enquiries not answered yet.
    index('candidates_territory_stage_idx').on(
      t.territoryCode,
      t.stage,
      t.stageEnteredAt,
      t.mergedIntoId,
      t.withdrawalReason,
      t.anonymisedAt,
      t.firstResponseAt,
    ),
    index('candidates_email_idx').on(t.email),
    // A family's own file (its account or its address: /compte), the duplicates of a file (its page).
    index('candidates_family_user_idx')
      .on(t.familyUserId)
      .where(sql`${t.familyUserId} IS NOT NULL`),
    index('candidates_duplicate_of_idx')
      .on(t.duplicateOfId)
      .where(sql`${t.duplicateOfId} IS NOT NULL`),
    index('candidates_phone_idx').on(t.phone),
    index('candidates_agent_idx').on(t.assignedAgentId),
    // The daily retention job: closed files by their last contact, and the files merged
    // into them; partial, so each holds only the rows that job asks for.
    index('candidates_closed_contact_idx')
      .on(t.lastContactAt)
      .where(sql`${t.stage} IN ('withdrawn', 'settled') AND ${t.anonymisedAt} IS NULL AND ${t.mergedIntoId} IS NULL`),
    index('candidates_merged_idx')
      .on(t.mergedIntoId)
      .where(sql`${t.mergedIntoId} IS NOT NULL`),
    // Reports read these two indexes alone (covering): enquiries, funnel and response time
    // (per agent too); settled families with everything the report says about them, and
    // their retention.
    index('candidates_territory_created_idx').on(
      t.territoryCode,
      t.createdAt,
      t.mergedIntoId,
      t.reachedStages,
      t.responseHours,
      t.assignedAgentId,
    ),
    index('candidates_territory_settled_idx').on(
      t.territoryCode,
      t.firstSettledAt,
      t.mergedIntoId,
      t.stage,
      t.stageEnteredAt,
      t.settledHouseholdSize,
      t.settledCommuneCode,
      t.createdAt,
      t.currentPlace,
      t.children,
      t.daysToSettle,
      t.professions,
    ),
    // The staff's list (no stage) and board (per stage) in each order, read in order from
    // these as far as a page (`firstOfParts`): without them, each sorted every file of the
    // territory. Only live files: the scope's rule. A board column needs its stage's own
    // index: given the list's, the planner read every stage in order to keep one.
    ...(() => {
      const live = sql`${t.anonymisedAt} IS NULL AND ${t.mergedIntoId} IS NULL`;
      return [
        index('candidates_list_name_idx').on(t.territoryCode, t.name).where(live),
        index('candidates_list_waiting_idx').on(t.territoryCode, t.stageEnteredAt).where(live),
        index('candidates_list_maturity_idx').on(t.territoryCode, t.effectiveMaturity, t.createdAt).where(live),
        index('candidates_board_waiting_idx').on(t.territoryCode, t.stage, t.stageEnteredAt).where(live),
        index('candidates_board_name_idx').on(t.territoryCode, t.stage, t.name).where(live),
        index('candidates_board_maturity_idx')
          .on(t.territoryCode, t.stage, t.effectiveMaturity, t.stageEnteredAt)
          .where(live),
      ];
    })(),
  ],
);

/** One row per stay in a stage: entered, left (null while current). */
export const stageHistory = sqliteTable(
  'stage_history',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    stage: text('stage', { enum: stages }).notNull(),
    enteredAt: text('entered_at').notNull(),
    leftAt: text('left_at'),
    byUserId: integer('by_user_id').references(() => users.id),
    /**
     * The file's territory, copied so that reports read one table: kept in step when the
     * file moves (`moveTerritory`), null for the dispatch queue and for merged duplicates.
     */
    territoryCode: text('territory_code'),
    /**
     * Days spent in the stay, to a tenth; null while current. Written with `left_at` (see
     * `closeStays()`), so that reports read durations from an index alone.
     */
    days: real('days'),
  },
  (t) => [
    index('stage_history_candidate_idx').on(t.candidateId, t.enteredAt),
    index('stage_history_stage_idx').on(t.stage, t.enteredAt),
    // Reports read these indexes alone (covering): no lookup in the table.
    index('stage_history_territory_entered_cover_idx').on(t.territoryCode, t.stage, t.enteredAt, t.candidateId),
    index('stage_history_territory_left_cover_idx').on(t.territoryCode, t.leftAt, t.stage, t.days),
    index('stage_history_candidate_stage_idx').on(t.candidateId, t.stage, t.enteredAt),
    index('stage_history_by_user_idx')
      .on(t.byUserId)
      .where(sql`${t.byUserId} IS NOT NULL`),
  ],
);

export const eventKinds = [
  'created',
  'stage_change',
  'note',
  'email',
  'message',
  'task',
  'proposal',
  'visit',
  'assignment',
  'duplicate',
  'territory_move',
  'follow_up',
  'erased',
  'maturity',
  'introduction',
  /** An agent corrected the family's project: the fields' names, never their values. */
  'project_edited',
] as const;

/** The timeline (and audit trail) of a file: who did what, when. */
export const candidateEvents = sqliteTable(
  'candidate_events',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    kind: text('kind', { enum: eventKinds }).notNull(),
    /** The event's details (from/to stage, text, ids…). */
    data: text('data', { mode: 'json' }).$type<EventData>().notNull().default({}),
    byUserId: integer('by_user_id').references(() => users.id),
    at: text('at').notNull(),
  },
  // (candidate, at, author): the first answer of staff to an enquiry is read from the index alone.
  (t) => [
    index('candidate_events_candidate_author_idx').on(t.candidateId, t.at, t.byUserId),
    // Erasing an account unnames what it did (src/server/family/erase.ts); erasing a file
    // cleans the duplicate events that name it (anonymise.ts): both found, not scanned.
    index('candidate_events_by_user_idx')
      .on(t.byUserId)
      .where(sql`${t.byUserId} IS NOT NULL`),
    index('candidate_events_duplicate_idx')
      .on(t.candidateId)
      .where(sql`${t.kind} = 'duplicate'`),
  ],
);

export const taskKinds = ['manual', 'follow_up_6m', 'follow_up_12m'] as const;

export const tasks = sqliteTable(
  'tasks',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    kind: text('kind', { enum: taskKinds }).notNull().default('manual'),
    title: text('title').notNull(),
    dueDate: text('due_date').notNull(),
    assigneeId: integer('assignee_id').references(() => users.id),
    doneAt: text('done_at'),
    /** Follow-ups: is the family still there? */
    outcome: text('outcome', { enum: ['stayed', 'left'] }),
    createdAt: createdAt(),
  },
  (t) => [
    index('tasks_assignee_due_idx').on(t.assigneeId, t.doneAt, t.dueDate),
    index('tasks_candidate_idx').on(t.candidateId, t.kind, t.outcome),
  ],
);

/** What a proposal to a file holds, of a home (`proposals`) or of a job or business (`work_proposals`). */
export const answerColumns = () => ({
  /** 'closed': still open when the family settled (nothing left to answer). */
  status: text('status', { enum: ['proposed', 'accepted', 'declined', 'closed'] })
    .notNull()
    .default('proposed'),
  comment: text('comment'),
  proposedById: integer('proposed_by_id').references(() => users.id),
  proposedAt: text('proposed_at').notNull(),
  answeredAt: text('answered_at'),
});

export const proposals = sqliteTable(
  'proposals',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    offerId: integer('offer_id')
      .notNull()
      .references(() => offers.id),
    ...answerColumns(),
  },
  (t) => [uniqueIndex('proposals_candidate_offer_idx').on(t.candidateId, t.offerId)],
);

/**
 * Closed stays counted by territory, month they ended, stage and length (tenths of a day):
 * what "days spent in each stage" reads for whole months. Kept by triggers on
 * `stage_history` (migration 0016), never written by the app.
 */
export const stayStats = sqliteTable(
  'stay_stats',
  {
    territoryCode: text('territory_code').notNull(),
    month: text('month').notNull(),
    stage: text('stage', { enum: stages }).notNull(),
    days: real('days').notNull(),
    stays: integer('stays').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.territoryCode, t.month, t.stage, t.days] }),
    // The reports read some territories' counts from this index alone (the key's own lacks `stays`).
    index('stay_stats_cover_idx').on(t.territoryCode, t.month, t.stage, t.days, t.stays),
  ],
);

/**
 * `stay_stats` summed over the territories, kept by triggers on `stay_stats` (migration
 * 0054): every territory's report reads a quarter of the rows and sorts none of them.
 */
export const stayTotals = sqliteTable(
  'stay_totals',
  {
    month: text('month').notNull(),
    stage: text('stage', { enum: stages }).notNull(),
    days: real('days').notNull(),
    stays: integer('stays').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.month, t.stage, t.days] }),
    index('stay_totals_cover_idx').on(t.month, t.stage, t.days, t.stays),
  ],
);

/** A discovery stay the agent plans with the family: dates, places to visit, hosts. */
export const discoveryStays = sqliteTable(
  'discovery_stays',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    startDate: text('start_date').notNull(),
    endDate: text('end_date').notNull(),
    /** Free text, one place per line. */
    places: text('places').notNull(),
    hosts: text('hosts'),
    createdById: integer('created_by_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('discovery_stays_candidate_idx').on(t.candidateId, t.startDate)],
);

/** Messages between the family and the staff following its file. */
export const messages = sqliteTable(
  'messages',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    authorId: integer('author_id').references(() => users.id),
    fromFamily: integer('from_family', { mode: 'boolean' }).notNull(),
    body: text('body').notNull(),
    at: text('at').notNull(),
    readAt: text('read_at'),
  },
  (t) => [
    index('messages_candidate_idx').on(t.candidateId, t.at),
    index('messages_author_idx')
      .on(t.authorId)
      .where(sql`${t.authorId} IS NOT NULL`),
    // The staff's home: families who wrote and wait to be read, however many messages were read.
    index('messages_unread_idx')
      .on(t.candidateId)
      .where(sql`${t.fromFamily} = 1 AND ${t.readAt} IS NULL`),
  ],
);
