// Read side of the pipeline, always under the actor's territories: the list with its
// filters, counts per stage, the agent's home (tasks, unanswered enquiries, idle files)
// and one file with its timeline.
import {
  and,
  asc,
  count,
  desc,
  eq,
  gte,
  inArray,
  isNull,
  like,
  lte,
  or,
  sql,
  type AnyColumn,
  type SQL,
} from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { listUndelivered } from '../mail/undelivered.ts';
import {
  candidateEvents,
  candidates,
  communes,
  messages,
  offers,
  stages,
  tasks,
  territories,
  users,
  type Stage,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden } from '../errors.ts';
import { findCandidate, type CandidateRow } from './commands.ts';
import { isStaff, territoryCondition, territoryScope } from '../policy.ts';
import { listMessages } from './messages.ts';
import { listProposals } from './proposals.ts';
import { listStays } from './stays.ts';
import { duplicateOriginal } from './transfer.ts';
import {
  fileListSizes,
  listSorts,
  timelineFilters,
  type FileList,
  type ListQuery,
  type TimelineFilter,
} from './schemas.ts';
import { totalRows, withTotal } from '../../../db/total.ts';
import { DAY_MS, HOUR_MS, portalDay } from '../../lib/time.ts';
import { communeLabel } from '../../lib/text.ts';
import { explainMaturity } from './maturity.ts';

/** Days after which a file "rots" in a stage without moving (a CRM's idle flag). */
export const IDLE_DAYS: Partial<Record<Stage, number>> = { enquiry: 3, qualified: 21, discovery: 45, settling: 90 };

/** Files past their stage's idle threshold. */
function idleFilter(now: Date): SQL | undefined {
  return or(
    ...Object.entries(IDLE_DAYS).map(([stage, days]) =>
      and(
        eq(candidates.stage, stage as Stage),
        lte(candidates.stageEnteredAt, new Date(now.getTime() - days! * DAY_MS).toISOString()),
      ),
    ),
  );
}

/** The files an actor may see: their territories, plus the dispatch queue for those territories. */
/** The files `actor` may see: live ones of their territories (and the queue's they are wished in). */
export function scope(actor: SessionUser): SQL | undefined {
  const parts = scopeParts(actor);
  return parts.length === 1 ? parts[0] : or(...parts);
}

/**
 * `scope` as the parts of its OR: the territories' files, and the dispatch queue's. SQLite
 * answers an OR by fetching every row its indexes name; a query asked of each part alone
 * reads one index (the files per stage of 50 000 files: 170 → 10 ms).
 */
function scopeParts(actor: SessionUser): Array<SQL | undefined> {
  if (!isStaff(actor)) throw new Forbidden();
  const live = and(isNull(candidates.anonymisedAt), isNull(candidates.mergedIntoId));
  const territories = territoryScope(actor);
  if (territories === null) return [live];
  if (territories.length === 0) return [sql`0`];
  const queued = or(...territories.map((c) => like(candidates.wishedTerritories, `%"${c}"%`)));
  return [
    and(live, territoryCondition(actor, candidates.territoryCode)),
    and(live, isNull(candidates.territoryCode), queued),
  ];
}

export const LIST_PAGE_SIZE = 25;
export { listSorts, type ListQuery };

/**
 * The list's filters as one SQL condition (the list and the board share it): text, stage,
 * territory, agent, commune (settled there or wished), time in the stage.
 */
export function listFilter(actor: SessionUser, query: ListQuery, now: Date): SQL | undefined {
  return and(scope(actor), ...listConditions(actor, query, now));
}

/** The parts of the actor's scope (`scopeParts`), each with the list's filters. */
function filteredParts(actor: SessionUser, query: ListQuery, now: Date): Array<SQL | undefined> {
  const conditions = listConditions(actor, query, now);
  return scopeParts(actor).map((part) => and(part, ...conditions));
}

/** The list's filters without the actor's scope. */
function listConditions(actor: SessionUser, query: ListQuery, now: Date): Array<SQL | undefined> {
  const filters: Array<SQL | undefined> = [];
  if (query.q) {
    const term = `%${query.q.replace(/[%_]/g, '')}%`;
    filters.push(
      or(
        like(candidates.name, term),
        like(candidates.email, term),
        like(candidates.currentPlace, term),
        like(candidates.settledCommuneCode, term),
      ),
    );
  }
  if (query.stage) filters.push(eq(candidates.stage, query.stage));
  if (query.territory === 'queue') filters.push(isNull(candidates.territoryCode));
  else if (query.territory) filters.push(eq(candidates.territoryCode, query.territory));
  if (query.agent === 'me') filters.push(eq(candidates.assignedAgentId, actor.id));
  if (query.agent === 'none') filters.push(isNull(candidates.assignedAgentId));
  if (typeof query.agent === 'number') filters.push(eq(candidates.assignedAgentId, query.agent));
  if (query.communeCode)
    filters.push(
      or(
        eq(candidates.settledCommuneCode, query.communeCode),
        like(candidates.wishedCommunes, `%"${query.communeCode.replace(/[%_"]/g, '')}"%`),
      ),
    );
  if (query.waiting === 'idle') filters.push(idleFilter(now));
  else if (query.waiting)
    filters.push(lte(candidates.stageEnteredAt, new Date(now.getTime() - query.waiting * DAY_MS).toISOString()));
  return filters;
}

/**
 * The order of the list and of each board column: `recent` is the list's newest files, the
 * board's latest arrivals in the column; `maturity` the most mature first, unscored last.
 */
export function fileOrder(sort: ListQuery['sort'], recent: AnyColumn): SQL[] {
  switch (sort) {
    case 'name':
      return [asc(candidates.name), asc(candidates.id)];
    case 'waiting':
      return [asc(candidates.stageEnteredAt), asc(candidates.id)];
    case 'maturity':
      // SQLite puts NULLs last in a descending order: the unscored files come last.
      return [desc(candidates.effectiveMaturity), desc(recent), desc(candidates.id)];
    default:
      return [desc(recent), desc(candidates.id)];
  }
}

/**
 * The files of `parts` (the scope's parts, disjoint, each with the same filters) as one
 * condition of a query read in `order` up to `upTo` rows: each part on its own, read in that
 * order from its index as far as `upTo`, then their union, found by id. The scope's OR made
 * SQLite fetch and sort every file (0.3 s for the list of a territory of 50 000, 0.15 s for a
 * board column); repeated beside the ids, it could still read every file of a stage.
 */
function firstOfParts(db: Db, parts: Array<SQL | undefined>, order: SQL[], upTo: number): SQL | undefined {
  if (parts.length === 1) return parts[0];
  return sql`${candidates.id} IN (${sql.join(
    parts.map(
      (part) =>
        sql`SELECT id FROM (${db
          .select({ id: candidates.id })
          .from(candidates)
          .where(part)
          .orderBy(...order)
          .limit(upTo)})`,
    ),
    sql` UNION ALL `,
  )})`;
}

/** How many files `parts` hold together, each part counted from its index. */
async function countOfParts(db: Db, parts: Array<SQL | undefined>): Promise<number> {
  const counted = sql.join(
    parts.map((part) => sql`SELECT count(*) AS n FROM ${candidates} WHERE ${part}`),
    sql` UNION ALL `,
  );
  const [total] = await db.all<{ n: number | null }>(sql`SELECT sum(n) AS n FROM (${counted})`);
  return total?.n ?? 0;
}

/**
 * A page of the list and how many files match. A page out of range is the last one, like every
 * paged list: the page and the count are read together, and a page past the end is read
 * again, as the last.
 */
export async function listCandidates(db: Db, actor: SessionUser, query: ListQuery, now = new Date()) {
  const parts = filteredParts(actor, query, now);
  const order = fileOrder(query.sort, candidates.createdAt);
  const rowsOf = (page: number) =>
    db
      .select({
        publicId: candidates.publicId,
        name: candidates.name,
        email: candidates.email,
        stage: candidates.stage,
        stageEnteredAt: candidates.stageEnteredAt,
        territoryCode: candidates.territoryCode,
        assignedAgent: users.name,
        createdAt: candidates.createdAt,
        duplicateOfId: candidates.duplicateOfId,
        maturity: candidates.effectiveMaturity,
      })
      .from(candidates)
      .leftJoin(users, eq(users.id, candidates.assignedAgentId))
      .where(firstOfParts(db, parts, order, page * LIST_PAGE_SIZE))
      .orderBy(...order)
      .limit(LIST_PAGE_SIZE)
      .offset((page - 1) * LIST_PAGE_SIZE);
  const asked = Math.max(1, query.page ?? 1);
  const [first, total] = await Promise.all([rowsOf(asked), countOfParts(db, parts)]);
  const pages = Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));
  const page = Math.min(asked, pages);
  return { rows: page === asked ? first : await rowsOf(page), total, page, pages };
}

export async function countByStage(db: Db, actor: SessionUser): Promise<Record<Stage, number>> {
  const perPart = scopeParts(actor).map(
    (part) => sql`SELECT ${candidates.stage} AS stage, count(*) AS n FROM ${candidates} WHERE ${part} GROUP BY 1`,
  );
  const rows = await db.all<{ stage: Stage; n: number }>(
    sql`SELECT stage, sum(n) AS n FROM (${sql.join(perPart, sql` UNION ALL `)}) GROUP BY 1`,
  );
  const counts = Object.fromEntries(stages.map((s) => [s, 0])) as Record<Stage, number>;
  for (const r of rows) counts[r.stage] = r.n;
  return counts;
}

/** The territory's first-answer promise, in hours (the dispatch queue: the default 48 h). */
const promiseHours = sql<number>`coalesce(${territories.firstAnswerHours}, 48)`;

/** Enquiries among `files` that no member of staff has acted on yet, the oldest first. */
export function unansweredEnquiries(db: Db, files: SQL | undefined) {
  return db
    .select({
      publicId: candidates.publicId,
      name: candidates.name,
      createdAt: candidates.createdAt,
      territoryCode: candidates.territoryCode,
      assignedAgentId: candidates.assignedAgentId,
      promiseHours,
    })
    .from(candidates)
    .leftJoin(territories, eq(territories.code, candidates.territoryCode))
    .where(and(files, eq(candidates.stage, 'enquiry'), isNull(candidates.firstResponseAt)))
    .orderBy(asc(candidates.createdAt))
    .$dynamic();
}

export async function agentHome(db: Db, actor: SessionUser, clock: Clock) {
  const now = clock.now();
  const today = portalDay(now);
  const where = scope(actor);
  const [myTasks, unanswered, counts] = await Promise.all([
    db
      .select({
        id: tasks.id,
        title: tasks.title,
        dueDate: tasks.dueDate,
        kind: tasks.kind,
        publicId: candidates.publicId,
        name: candidates.name,
      })
      .from(tasks)
      .innerJoin(candidates, eq(candidates.id, tasks.candidateId))
      .where(and(where, eq(tasks.assigneeId, actor.id), isNull(tasks.doneAt), lte(tasks.dueDate, today)))
      .orderBy(asc(tasks.dueDate), asc(tasks.id))
      .limit(50),
    unansweredEnquiries(db, where).limit(50),
    countByStage(db, actor),
  ]);
  const idle = await db
    .select({
      publicId: candidates.publicId,
      name: candidates.name,
      stage: candidates.stage,
      stageEnteredAt: candidates.stageEnteredAt,
    })
    .from(candidates)
    .where(and(where, idleFilter(now)))
    .orderBy(asc(candidates.stageEnteredAt))
    .limit(50);
  // Families who wrote and are waiting for someone to read it.
  const unread = await db
    .select({ publicId: candidates.publicId, name: candidates.name, at: sql<string>`max(${messages.at})`, n: count() })
    .from(messages)
    .innerJoin(candidates, eq(candidates.id, messages.candidateId))
    // A literal 1, not a bound value: so that the partial index of unread messages applies.
    .where(and(where, sql`${messages.fromFamily} = 1`, isNull(messages.readAt)))
    .groupBy(candidates.id)
    .orderBy(asc(sql`max(${messages.at})`))
    .limit(50);
  // Never negative: a row stamped a little ahead of this clock (another machine's) waits 0.
  const since = (iso: string, unit: number) => Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / unit));
  return {
    overdue: myTasks.filter((t) => t.dueDate < today),
    dueToday: myTasks.filter((t) => t.dueDate === today),
    unanswered: unanswered.map((u) => {
      const waitingHours = since(u.createdAt, HOUR_MS);
      return { ...u, waitingHours, late: waitingHours >= u.promiseHours };
    }),
    idle: idle.map((f) => ({ ...f, days: since(f.stageEnteredAt, DAY_MS) })),
    unread,
    counts,
  };
}

/**
 * What the file page's summary says beyond the file's own columns: its wished territories
 * and communes by name, the settlement commune, the assigned agent, the offer that
 * started the enquiry (kept on the `created` event), and the days in the current stage.
 */
export async function fileSummary(db: Db, file: CandidateRow, now: Date) {
  const communeCodes = [...file.wishedCommunes, ...(file.settledCommuneCode ? [file.settledCommuneCode] : [])];
  const [wishedTerritories, communeRows, [agent], [created]] = await Promise.all([
    file.wishedTerritories.length
      ? db
          .select({ code: territories.code, name: territories.name })
          .from(territories)
          .where(inArray(territories.code, file.wishedTerritories))
      : [],
    communeCodes.length
      ? db
          .select({ code: communes.code, name: communes.name, postalCodes: communes.postalCodes })
          .from(communes)
          .where(inArray(communes.code, communeCodes))
      : [],
    file.assignedAgentId ? db.select({ name: users.name }).from(users).where(eq(users.id, file.assignedAgentId)) : [],
    db
      .select({ data: candidateEvents.data })
      .from(candidateEvents)
      .where(and(eq(candidateEvents.candidateId, file.id), eq(candidateEvents.kind, 'created')))
      .limit(1),
  ]);
  const offerId = typeof created?.data.offer === 'number' ? created.data.offer : null;
  const [originOffer] = offerId
    ? await db
        .select({ id: offers.id, slug: offers.slug, title: offers.title, status: offers.status })
        .from(offers)
        .where(eq(offers.id, offerId))
    : [];
  const byCode = (code: string) => communeRows.find((c) => c.code === code);
  return {
    daysInStage: Math.max(0, Math.floor((now.getTime() - Date.parse(file.stageEnteredAt)) / DAY_MS)),
    // In the order the family gave them; a code the referential lost stays as a code.
    territories: file.wishedTerritories.map((code) => ({
      code,
      name: wishedTerritories.find((t) => t.code === code)?.name ?? code,
    })),
    // `label` ("Auch (32000)") is how the project form shows them, resolved again exactly.
    communes: file.wishedCommunes.map((code) => {
      const row = byCode(code);
      return { code, name: row?.name ?? code, label: row ? communeLabel(row) : code };
    }),
    settledCommune: file.settledCommuneCode
      ? { code: file.settledCommuneCode, name: byCode(file.settledCommuneCode)?.name ?? file.settledCommuneCode }
      : null,
    agent: agent?.name ?? null,
    originOffer: originOffer ?? null,
  };
}

export async function getCandidateFile(
  db: Db,
  actor: SessionUser,
  publicId: string,
  {
    timeline,
    shown = { historique: fileListSizes.historique, messages: fileListSizes.messages, taches: fileListSizes.taches },
    now = new Date(),
  }: { timeline?: TimelineFilter; shown?: Record<FileList, number>; now?: Date } = {},
) {
  const file = await findCandidate(db, actor, publicId);
  const kinds = timeline ? timelineFilters[timeline] : null;
  const [events, fileTasks, fileProposals, thread, stays, original, duplicates, undelivered, summary, maturity] =
    await Promise.all([
      db
        .select({
          id: candidateEvents.id,
          kind: candidateEvents.kind,
          data: candidateEvents.data,
          at: candidateEvents.at,
          by: users.name,
          total: totalRows,
        })
        .from(candidateEvents)
        .leftJoin(users, eq(users.id, candidateEvents.byUserId))
        .where(
          and(eq(candidateEvents.candidateId, file.id), kinds ? inArray(candidateEvents.kind, [...kinds]) : undefined),
        )
        .orderBy(desc(candidateEvents.at), desc(candidateEvents.id))
        .limit(shown.historique)
        .then(withTotal),
      // Open tasks first, the soonest due first; then the done ones.
      db
        .select({
          id: tasks.id,
          kind: tasks.kind,
          title: tasks.title,
          dueDate: tasks.dueDate,
          doneAt: tasks.doneAt,
          outcome: tasks.outcome,
          assignee: users.name,
          total: totalRows,
        })
        .from(tasks)
        .leftJoin(users, eq(users.id, tasks.assigneeId))
        .where(eq(tasks.candidateId, file.id))
        .orderBy(asc(tasks.doneAt), asc(tasks.dueDate), asc(tasks.id))
        .limit(shown.taches)
        .then(withTotal),
      listProposals(db, file.id),
      listMessages(db, file.id, shown.messages),
      listStays(db, file.id),
      duplicateOriginal(db, actor, file),
      // Files that say they duplicate this one.
      db
        .select({ publicId: candidates.publicId, name: candidates.name, createdAt: candidates.createdAt })
        .from(candidates)
        .where(and(scope(actor), eq(candidates.duplicateOfId, file.id))),
      // Emails about the file the provider never took: on the timeline, with "send again".
      listUndelivered(db, actor, { candidateId: file.id }),
      fileSummary(db, file, now),
      explainMaturity(db, file),
    ]);
  return {
    file,
    summary,
    timeline: timeline ?? null,
    events: events.rows,
    tasks: fileTasks.rows,
    proposals: fileProposals,
    messages: thread.rows,
    /** How many entries each long list has in all (the page shows the first ones). */
    totals: { historique: events.total, messages: thread.total, taches: fileTasks.total } satisfies Record<
      FileList,
      number
    >,
    stays,
    original,
    duplicates,
    undelivered,
    maturity,
  };
}

export const BOARD_COLUMN_MAX = 40;
/** The board's closed columns (settled, withdrawn) show the files closed in these last days. */
export const BOARD_CLOSED_DAYS = 30;
const closedStages: readonly Stage[] = ['settled', 'withdrawn'];

/** A name's initials ("Camille Martin-Roux" → "CM"), for the board's cards. */
export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');

/**
 * The board under the list's filters: for each stage, the files that entered it most
 * recently (at most BOARD_COLUMN_MAX; the closed stages only the last BOARD_CLOSED_DAYS),
 * with the household, the agent, the next open task, and how many match in all.
 */
export async function boardColumns(db: Db, actor: SessionUser, query: ListQuery = {}, now = new Date()) {
  const parts = filteredParts(actor, { ...query, stage: undefined }, now);
  const order = fileOrder(query.sort, candidates.stageEnteredAt);
  const since = new Date(now.getTime() - BOARD_CLOSED_DAYS * DAY_MS).toISOString();
  const nextTask = sql<
    string | null
  >`(select json_object('title', ${tasks.title}, 'due', ${tasks.dueDate}) from ${tasks}
    where ${tasks.candidateId} = ${candidates.id} and ${tasks.doneAt} is null
    order by ${tasks.dueDate}, ${tasks.id} limit 1)`;
  const shown = query.stage ? stages.filter((s) => s === query.stage) : stages;
  return Promise.all(
    shown.map(async (stage) => {
      // Each part of the scope read from its index (territory, stage, time in it), as the list.
      const inColumn = parts.map((part) =>
        and(
          part,
          eq(candidates.stage, stage),
          closedStages.includes(stage) ? gte(candidates.stageEnteredAt, since) : undefined,
        ),
      );
      const [rows, total] = await Promise.all([
        db
          .select({
            publicId: candidates.publicId,
            name: candidates.name,
            version: candidates.version,
            stageEnteredAt: candidates.stageEnteredAt,
            household: candidates.household,
            agent: users.name,
            nextTask,
            createdAt: candidates.createdAt,
            firstResponseAt: candidates.firstResponseAt,
            promiseHours,
            maturity: candidates.effectiveMaturity,
          })
          .from(candidates)
          .leftJoin(users, eq(users.id, candidates.assignedAgentId))
          .leftJoin(territories, eq(territories.code, candidates.territoryCode))
          .where(firstOfParts(db, inColumn, order, BOARD_COLUMN_MAX))
          .orderBy(...order)
          .limit(BOARD_COLUMN_MAX),
        countOfParts(db, inColumn),
      ]);
      const cards = rows.map(
        ({ nextTask: task, household, agent, createdAt, firstResponseAt, promiseHours, ...card }) => {
          const next = task ? (JSON.parse(task) as { title: string; due: string }) : null;
          // An enquiry nobody has answered past its territory's promise.
          const waited = Math.floor((now.getTime() - Date.parse(createdAt)) / HOUR_MS);
          const overdue =
            stage === 'enquiry' && firstResponseAt === null && waited >= promiseHours
              ? { hours: waited, target: promiseHours }
              : null;
          return {
            ...card,
            overdue,
            persons: household.adults + household.children.length,
            days: Math.max(0, Math.floor((now.getTime() - Date.parse(card.stageEnteredAt)) / DAY_MS)),
            agent: agent ? { name: agent, initials: initials(agent) } : null,
            nextTask: next,
          };
        },
      );
      return { stage, cards, count: total, closed: closedStages.includes(stage) };
    }),
  );
}
