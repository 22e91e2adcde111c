// Ambassadors (decision 024): settled families who agreed to talk with candidate families,
// their stories (moderated by the territory's staff, shown on the territory page), and the
// introductions agents make between a candidate file and an ambassador (both consent).
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, ownerId, timestamps } from './columns.ts';
import { users } from './accounts.ts';
import { candidates } from './candidates.ts';
import { communes, territories } from './places.ts';

export const ambassadorLanguages = ['fr', 'en', 'es', 'de', 'it', 'nl', 'pt', 'other'] as const;
export type AmbassadorLanguage = (typeof ambassadorLanguages)[number];
/** `left`: no introductions, no story shown; the row stays until the account goes (erasure cascades). */
export const ambassadorStatuses = ['active', 'paused', 'left'] as const;

/** One per family account whose file is settled, when it opted in. */
export const ambassadors = sqliteTable(
  'ambassadors',
  {
    id: autoId(),
    userId: ownerId('user_id', () => users.id),
    /** The settled file it opted in from (its territory and commune). */
    candidateId: ownerId('candidate_id', () => candidates.id),
    territoryCode: codeOf('territory_code', () => territories.code),
    communeCode: codeOf('commune_code', () => communes.code),
    status: text('status', { enum: ambassadorStatuses }).notNull().default('active'),
    /** What they share: each null or false is not shared. */
    profession: text('profession'),
    languages: text('languages', { mode: 'json' }).$type<AmbassadorLanguage[]>().notNull(),
    byEmail: integer('by_email', { mode: 'boolean' }).notNull().default(true),
    byPhone: integer('by_phone', { mode: 'boolean' }).notNull().default(false),
    byVideo: integer('by_video', { mode: 'boolean' }).notNull().default(false),
    phone: text('phone'),
    bestTimes: text('best_times'),
    presentation: text('presentation').notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('ambassadors_user_idx').on(t.userId),
    index('ambassadors_territory_idx').on(t.territoryCode, t.status),
  ],
);

export const storyStatuses = ['pending', 'approved', 'changes_requested', 'rejected'] as const;

/** An ambassador's story (one each): shown on the territory page once approved. */
export const ambassadorStories = sqliteTable(
  'ambassador_stories',
  {
    id: autoId(),
    ambassadorId: ownerId('ambassador_id', () => ambassadors.id),
    locale: text('locale', { enum: ['fr', 'en'] }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: storyStatuses }).notNull().default('pending'),
    /** The moderator's message (asked changes, rejection). */
    moderationNote: text('moderation_note'),
    moderatedById: integer('moderated_by_id').references(() => users.id, { onDelete: 'set null' }),
    moderatedAt: text('moderated_at'),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('ambassador_stories_ambassador_idx').on(t.ambassadorId),
    index('ambassador_stories_status_idx').on(t.status),
  ],
);

export const answers = ['accepted', 'declined'] as const;
export const introductionStatuses = ['pending', 'accepted', 'declined', 'cancelled'] as const;

/**
 * An agent's introduction of a candidate file to an ambassador. Both answer; contact details
 * are exchanged (by email) only once both accepted. The family answers through a one-time link
 * (only its SHA-256 kept) or on /compte.
 */
export const introductions = sqliteTable(
  'ambassador_introductions',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    ambassadorId: ownerId('ambassador_id', () => ambassadors.id),
    note: text('note'),
    byUserId: integer('by_user_id').references(() => users.id, { onDelete: 'set null' }),
    status: text('status', { enum: introductionStatuses }).notNull().default('pending'),
    familyAnswer: text('family_answer', { enum: answers }),
    ambassadorAnswer: text('ambassador_answer', { enum: answers }),
    familyTokenHash: text('family_token_hash').unique(),
    ...timestamps(),
  },
  (t) => [
    index('introductions_candidate_idx').on(t.candidateId),
    index('introductions_ambassador_idx').on(t.ambassadorId, t.status),
  ],
);
