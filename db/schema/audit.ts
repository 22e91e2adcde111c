// The staff access log: who opened which family's file, exported which CSV, changed whose
// role or territories, or a territory's settings, and when (src/server/audit/access-log.ts).
// Kept 12 months, then deleted by the daily retention job.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { autoId } from './columns.ts';
import { users } from './accounts.ts';
import { territories } from './places.ts';

export const accessActions = [
  'file_opened',
  'csv_exported',
  'role_changed',
  'territories_changed',
  'staff_invited',
  'staff_deactivated',
  'staff_reactivated',
  'territory_changed',
] as const;
export type AccessAction = (typeof accessActions)[number];

/** What an entry says beyond its columns: before/after of a change, an export's parameters. */
export type AccessDetails = Record<string, unknown>;

/**
 * One row per action and territory it concerns: an action about several territories (a
 * member serving two, a report of all of them) is written once for each, so that each
 * territory's administrators find it under their territory's index.
 */
export const accessLog = sqliteTable(
  'access_log',
  {
    id: autoId(),
    /** ISO 8601 instant of the action. */
    at: text('at').notNull(),
    /** Who acted; null once their account is deleted, or for the command line (then `actorName` is null too). */
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** The actor's name at the time, so that the entry stays readable whatever becomes of the account. */
    actorName: text('actor_name'),
    action: text('action', { enum: accessActions }).notNull(),
    /** The territory the action concerns (the journal's scope); null: none (a platform admin's account). */
    territoryCode: text('territory_code').references(() => territories.code),
    /** The candidate file opened (its public id), when the action is about one. */
    filePublicId: text('file_public_id'),
    /** The member of staff the action is about. */
    targetUserId: integer('target_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** What the action was about, readable on its own: an export's file name, a member's name, a territory's. */
    target: text('target'),
    details: text('details', { mode: 'json' }).$type<AccessDetails>(),
  },
  (t) => [
    index('access_log_territory_idx').on(t.territoryCode, t.at),
    index('access_log_at_idx').on(t.at),
    index('access_log_file_idx').on(t.filePublicId, t.at),
    // The "member of staff" filter; and deleting an account finds its entries (SET NULL) by these.
    index('access_log_actor_idx').on(t.actorId, t.at),
    index('access_log_target_user_idx').on(t.targetUserId),
  ],
);
