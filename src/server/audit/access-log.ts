// The staff access log (issue 13): who opened which family's file, exported which CSV,
// invited, deactivated or reactivated whom, changed whose role or territories, or a
// territory's settings, and when. Written where the action happens — in the same
// transaction as the change when there is one —, read by territory admins for their
// territories and by the platform admin for all (/admin/journal), kept 12 months.
// Families' own actions are not logged: this is about staff's access to families' data.
import { and, asc, count, desc, eq, gte, isNotNull, lt, type SQL } from 'drizzle-orm';
import { z } from 'astro/zod';
import type { Db, Tx } from '../../../db/client.ts';
import {
  accessActions,
  accessLog,
  candidates,
  type AccessAction,
  type AccessDetails,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, type FieldError } from '../errors.ts';
import { isoDate, parseQuery, type ParsedQuery } from '../input.ts';
import { mayReadAccessLog, territoryCondition } from '../policy.ts';
import { addDays, monthsBefore, portalDayStart } from '../../lib/time.ts';

/** Entries older than this are deleted by the daily retention job (and the privacy page says so). */
export const ACCESS_LOG_MONTHS = 12;

/** The journal's page size. */
export const ACCESS_PAGE_SIZE = 50;

/** Who acted: a member of staff, or null for the command line (`npm run admin:create`). */
export type AccessActor = Pick<SessionUser, 'id' | 'name'> | null;

export interface AccessEntry {
  at: Date | string;
  actor: AccessActor;
  action: AccessAction;
  /**
   * The territories the action concerns: one row for each (each territory's administrators
   * see it); none, or null, for an action about no territory (the platform admin's alone).
   */
  territories: ReadonlyArray<string | null>;
  filePublicId?: string;
  targetUserId?: number;
  target?: string;
  details?: AccessDetails;
}

/** Writes an entry, once per territory it concerns; inside the caller's transaction when given one. */
export async function logAccess(db: Db | Tx, entry: AccessEntry): Promise<void> {
  const at = typeof entry.at === 'string' ? entry.at : entry.at.toISOString();
  const codes = [...new Set(entry.territories)];
  const row = {
    at,
    actorId: entry.actor?.id ?? null,
    actorName: entry.actor?.name ?? null,
    action: entry.action,
    filePublicId: entry.filePublicId ?? null,
    targetUserId: entry.targetUserId ?? null,
    target: entry.target ?? null,
    details: entry.details ?? null,
  };
  await db
    .insert(accessLog)
    .values((codes.length ? codes : [null]).map((territoryCode) => ({ ...row, territoryCode })));
}

/** The territories a file concerns: its territory, or for a file still in the dispatch queue the ones the family wished. */
export const fileTerritories = (file: { territoryCode: string | null; wishedTerritories: string[] }): string[] =>
  file.territoryCode ? [file.territoryCode] : file.wishedTerritories;

/** A member of staff opened a family's file (its page, once per view). */
export const logFileOpened = (
  db: Db,
  clock: Clock,
  actor: SessionUser,
  file: { publicId: string; territoryCode: string | null; wishedTerritories: string[] },
) =>
  logAccess(db, {
    at: clock.now(),
    actor,
    action: 'file_opened',
    territories: fileTerritories(file),
    filePublicId: file.publicId,
  });

/** A member of staff downloaded a CSV: its file name, the territories it covers, the parameters asked for. */
export const logCsvExport = (
  db: Db,
  clock: Clock,
  actor: SessionUser,
  name: string,
  territories: ReadonlyArray<string | null>,
  details: AccessDetails,
) => logAccess(db, { at: clock.now(), actor, action: 'csv_exported', territories, target: name, details });

/** The journal's filters, as GET parameters (French names, like every filter of the back office). */
export const AccessQueryShape = {
  du: isoDate('errors.date_invalid'),
  au: isoDate('errors.date_invalid'),
  action: z.enum(accessActions, { error: 'errors.invalid_enum' }),
  membre: z
    .string()
    .regex(/^\d{1,9}$/, { error: 'errors.invalid_value' })
    .transform(Number),
  dossier: z
    .string()
    .trim()
    .regex(/^[\w-]{1,64}$/, { error: 'errors.invalid_value' }),
};
export type AccessFilters = ParsedQuery<typeof AccessQueryShape>['query'] & { page?: number };

/** The journal's filters read from a query string: the valid ones, and the invalid ones named. */
export function parseAccessQuery(params: URLSearchParams): {
  filters: AccessFilters;
  raw: ParsedQuery<typeof AccessQueryShape>['raw'];
  errors: FieldError[];
} {
  const { query, raw, errors } = parseQuery(AccessQueryShape, params);
  if (query.du && query.au && query.au < query.du) {
    errors.push({ field: 'au', key: 'errors.period_order', value: raw.au });
    delete query.au;
  }
  // A page out of range is the nearest one, like every paged list.
  const page = Number(params.get('page'));
  return { filters: { ...query, page: Number.isInteger(page) && page >= 1 ? page : 1 }, raw, errors };
}

export interface AccessRow {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  action: AccessAction;
  territoryCode: string | null;
  /** The file, with its family's name while it is one of the reader's files. */
  file: { publicId: string; name: string | null } | null;
  targetUserId: number | null;
  target: string | null;
  details: AccessDetails | null;
}

/** The actor's scope and the filters, as one SQL condition; the period's days are Paris days (the times shown). */
function conditionOf(actor: SessionUser, filters: AccessFilters, withMember = true): SQL | undefined {
  return and(
    territoryCondition(actor, accessLog.territoryCode),
    filters.du ? gte(accessLog.at, portalDayStart(filters.du)) : undefined,
    filters.au ? lt(accessLog.at, portalDayStart(addDays(filters.au, 1))) : undefined,
    filters.action ? eq(accessLog.action, filters.action) : undefined,
    withMember && filters.membre !== undefined ? eq(accessLog.actorId, filters.membre) : undefined,
    filters.dossier ? eq(accessLog.filePublicId, filters.dossier) : undefined,
  );
}

/**
 * The entries an administrator may read, newest first, a page at a time: a territory
 * admin's territories, every entry for the platform admin; agents none (403). With the
 * members of staff who appear in them (the filter's choices).
 */
export async function listAccess(db: Db, actor: SessionUser, filters: AccessFilters = {}) {
  if (!mayReadAccessLog(actor)) throw new Forbidden();
  const where = conditionOf(actor, filters);
  const [[total], actors] = await Promise.all([
    db.select({ n: count() }).from(accessLog).where(where),
    db
      .selectDistinct({ id: accessLog.actorId, name: accessLog.actorName })
      .from(accessLog)
      .where(and(conditionOf(actor, filters, false), isNotNull(accessLog.actorId)))
      .orderBy(asc(accessLog.actorName)),
  ]);
  const n = total?.n ?? 0;
  const pages = Math.max(1, Math.ceil(n / ACCESS_PAGE_SIZE));
  const page = Math.min(filters.page ?? 1, pages);
  const rows = await db
    .select({
      id: accessLog.id,
      at: accessLog.at,
      actorId: accessLog.actorId,
      actorName: accessLog.actorName,
      action: accessLog.action,
      territoryCode: accessLog.territoryCode,
      filePublicId: accessLog.filePublicId,
      fileName: candidates.name,
      targetUserId: accessLog.targetUserId,
      target: accessLog.target,
      details: accessLog.details,
    })
    .from(accessLog)
    // The family's name only for the reader's own files (a file moved away since shows its id).
    .leftJoin(
      candidates,
      and(eq(candidates.publicId, accessLog.filePublicId), territoryCondition(actor, candidates.territoryCode)),
    )
    .where(where)
    .orderBy(desc(accessLog.at), desc(accessLog.id))
    .limit(ACCESS_PAGE_SIZE)
    .offset((page - 1) * ACCESS_PAGE_SIZE);
  return {
    rows: rows.map(({ filePublicId, fileName, ...r }): AccessRow => ({
      ...r,
      file: filePublicId ? { publicId: filePublicId, name: fileName } : null,
    })),
    total: n,
    page,
    pages,
    // One choice per member, by id (the name of their newest entry would do as well).
    actors: [...new Map(actors.map((a) => [a.id!, { id: a.id!, name: a.name ?? '' }])).values()],
  };
}

/** Deletes the entries older than 12 months (the daily retention job); returns how many. */
export async function purgeAccessLog(db: Db, clock: Clock): Promise<number> {
  const before = monthsBefore(clock.now(), ACCESS_LOG_MONTHS).toISOString();
  return (await db.delete(accessLog).where(lt(accessLog.at, before))).rowsAffected;
}
