// Job offers and businesses as agents manage them (/agent/emplois, /agent/reprises): the list
// of their territories' items, creating and editing one, and its life (draft → published →
// archived, and back), every change an event. The offers' rules, reused: the place rule
// (`PlaceRule`, `staffPlaces`), the transitions, `changedFields`, freshness's 60/90 days.
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, opportunities, opportunityEvents, territories } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { parseInput } from '../input.ts';
import {
  changeLife,
  changedFields,
  staffPlaces,
  staleDays,
  statusChange,
  type OfferTransition,
  type PlaceRule,
} from '../offers/manage.ts';
import { typedTextCondition } from '../offers/queries.ts';
import { confirmItem, workStaleCondition } from '../offers/freshness.ts';
import { resolveCommune } from '../places/queries.ts';
import { isStaff, territoryCondition } from '../policy.ts';
import { BusinessSchema, JobSchema, workPublishable } from './schemas.ts';

export type OpportunityRow = typeof opportunities.$inferSelect;
export type WorkKind = OpportunityRow['kind'];
export const WORK_PAGE_SIZE = 25;

function requireStaffActor(actor: SessionUser): void {
  if (!isStaff(actor)) throw new Forbidden();
}

export interface WorkListQuery {
  kind: WorkKind;
  status?: OpportunityRow['status'];
  q?: string;
  queue?: 'moderation' | 'stale';
  page?: number;
}

const queueCondition = (clock: Clock, queue: WorkListQuery['queue']): SQL | undefined =>
  queue === 'moderation'
    ? eq(opportunities.moderation, 'pending')
    : queue === 'stale'
      ? workStaleCondition(clock)
      : undefined;

/** The jobs or businesses of the actor's territories, latest change first, a page at a time. */
export async function listManagedWork(db: Db, clock: Clock, actor: SessionUser, query: WorkListQuery) {
  requireStaffActor(actor);
  const where = and(
    territoryCondition(actor, opportunities.territoryCode),
    eq(opportunities.kind, query.kind),
    query.status ? eq(opportunities.status, query.status) : undefined,
    queueCondition(clock, query.queue),
    typedTextCondition(query.q, 'opportunities_fts', opportunities.id),
  );
  const [{ n }] = (await db
    .select({ n: count() })
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .where(where)) as [{ n: number }];
  const pages = Math.max(1, Math.ceil(n / WORK_PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  const rows = await db
    .select({
      id: opportunities.id,
      kind: opportunities.kind,
      status: opportunities.status,
      title: opportunities.title,
      employer: opportunities.employer,
      moderation: opportunities.moderation,
      confirmedAt: opportunities.confirmedAt,
      updatedAt: opportunities.updatedAt,
      communeName: communes.name,
      territoryCode: opportunities.territoryCode,
    })
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .where(where)
    .orderBy(desc(opportunities.updatedAt), desc(opportunities.id))
    .limit(WORK_PAGE_SIZE)
    .offset((page - 1) * WORK_PAGE_SIZE);
  return {
    total: n,
    page,
    pages,
    rows: rows.map((r) => ({ ...r, staleDays: staleDays(clock, r.status, r.confirmedAt) })),
  };
}

/** How many items of the actor's territories wait in each queue. */
export async function workQueueCounts(db: Db, clock: Clock, actor: SessionUser, kind: WorkKind) {
  requireStaffActor(actor);
  const n = async (queue: 'moderation' | 'stale') => {
    const [row] = await db
      .select({ n: count() })
      .from(opportunities)
      .where(
        and(
          territoryCondition(actor, opportunities.territoryCode),
          eq(opportunities.kind, kind),
          queueCondition(clock, queue),
        ),
      );
    return row?.n ?? 0;
  };
  return { moderation: await n('moderation'), stale: await n('stale') };
}

/** One item of the actor's territories (its history: `historyOf`); another territory's is not found. */
export async function getManagedWork(db: Db, actor: SessionUser, id: number, kind?: WorkKind) {
  requireStaffActor(actor);
  const [row] = await db
    .select({ item: opportunities, communeName: communes.name })
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .where(
      and(
        eq(opportunities.id, id),
        kind ? eq(opportunities.kind, kind) : undefined,
        territoryCondition(actor, opportunities.territoryCode),
      ),
    );
  if (!row) throw new NotFound('opportunity');
  return { ...row.item, communeName: row.communeName };
}
export type ManagedWork = Awaited<ReturnType<typeof getManagedWork>>;

const blank = {
  employer: null,
  contract: null,
  hoursPerWeek: null,
  teleworkable: null,
  sector: null,
  priceMin: null,
  priceMax: null,
  turnoverBand: null,
  reason: null,
  wantedBy: null,
};

/** The columns a form gives, checked: a commune of a territory the rule allows. */
export async function workColumnsOf(db: Db, place: PlaceRule, kind: WorkKind, input: unknown) {
  const { commune: typed, ...data } = parseInput(kind === 'job' ? JobSchema : BusinessSchema, input);
  const commune = await resolveCommune(db, typed, 'commune', place.prefer);
  const [territory] = await db
    .select({ code: territories.code, acceptsOwnerOffers: territories.acceptsOwnerOffers })
    .from(territories)
    .where(eq(territories.code, commune.departmentCode));
  if (!territory || !place.allows(territory))
    throw new Invalid([{ field: 'commune', key: place.refusal, value: commune.name }]);
  const defined = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  return {
    ...blank,
    ...defined,
    ...(kind === 'job' ? { teleworkable: (data as { teleworkable: boolean }).teleworkable } : {}),
    description: data.description ?? '',
    title: data.title,
    kind,
    communeCode: commune.code,
    territoryCode: territory.code,
  };
}
export type WorkColumns = Awaited<ReturnType<typeof workColumnsOf>>;

function refuseUnpublishable(row: Record<string, unknown> & { kind: WorkKind }): void {
  const missing = workPublishable(row);
  if (missing.length) throw new Invalid(missing);
}

/** An agent's new job or business, a draft; returns its id. */
export async function createWork(db: Db, clock: Clock, actor: SessionUser, kind: WorkKind, input: unknown) {
  requireStaffActor(actor);
  const columns = await workColumnsOf(db, staffPlaces(actor), kind, input);
  const now = clock.now().toISOString();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(opportunities)
      .values({ ...columns, status: 'draft', confirmedAt: now, createdAt: now, updatedAt: now })
      .returning({ id: opportunities.id });
    await tx.insert(opportunityEvents).values({ opportunityId: row!.id, kind: 'created', byUserId: actor.id, at: now });
    return row!.id;
  });
}

/** An agent's edit (a published item stays publishable); it confirms the item. */
export async function updateWork(db: Db, clock: Clock, actor: SessionUser, id: number, input: unknown) {
  const before = await getManagedWork(db, actor, id);
  const columns = await workColumnsOf(db, staffPlaces(actor), before.kind, input);
  if (before.status === 'published') refuseUnpublishable(columns);
  const changed = changedFields(columns, before);
  if (changed.length === 0) return;
  const now = clock.now().toISOString();
  await db.transaction(async (tx) => {
    await tx
      .update(opportunities)
      .set({
        ...columns,
        updatedAt: now,
        confirmedAt: now,
        ...(before.status === 'expired' ? { status: 'published' as const } : {}),
      })
      .where(eq(opportunities.id, id));
    await tx
      .insert(opportunityEvents)
      .values({ opportunityId: id, kind: 'updated', fields: changed, byUserId: actor.id, at: now });
  });
}

/** Publishing (after the full check), archiving, or back to draft: the offers' transitions. */
export async function changeWorkStatus(
  db: Db,
  clock: Clock,
  actor: SessionUser,
  id: number,
  transition: OfferTransition,
): Promise<void> {
  const item = await getManagedWork(db, actor, id);
  const now = clock.now().toISOString();
  const { set, event } = statusChange(item, transition, () => workPublishable(item), now);
  await changeLife(db, 'work', id, set, { kind: event, byUserId: actor.id });
}

/** "Still available": its agent (in their territories) or its owner; an expired item comes back. */
export async function confirmWork(db: Db, clock: Clock, actor: SessionUser, id: number): Promise<void> {
  await confirmItem(db, clock, actor, 'work', id);
}
