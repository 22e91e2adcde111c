// Owners of businesses propose them (the `owner` role, in territories that accept owners'
// proposals, as for homes); the territory's agents approve, ask for changes or reject, and
// the owner is emailed each time — the offers' code paths (place rule, rate limit, emails,
// ModerationSchema) reused. An owner edits a proposal until it is published; then its agent does.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, opportunities, opportunityEvents, users } from '../../../db/schema/index.ts';
import { ownerBusinessUrl } from './links.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { parseInput } from '../input.ts';
import { ModerationSchema } from '../offers/manage-schemas.ts';
import { changedFields } from '../offers/manage.ts';
import {
  limitProposals,
  mailOwner,
  mailStaffOf,
  ownerPlaces,
  type ModerationDecision,
  type OffersContext,
} from '../offers/owners.ts';
import { mayProposeOffers } from '../policy.ts';
import { getManagedWork, workColumnsOf, type ManagedWork } from './manage.ts';
import { workPublishable } from './schemas.ts';

function requireOwner(actor: SessionUser): void {
  if (!mayProposeOffers(actor)) throw new Forbidden();
}

const ownUrl = (ctx: OffersContext, id: number) => (locale: 'fr' | 'en') => ownerBusinessUrl(ctx.siteUrl, locale, id);

function refuseIncomplete(row: Record<string, unknown> & { kind: 'job' | 'business' }): void {
  const missing = workPublishable(row);
  if (missing.length) throw new Invalid(missing);
}

/** An owner's business to take over: complete, in a territory that accepts proposals, pending. */
export async function proposeBusiness(ctx: OffersContext, owner: SessionUser, input: unknown): Promise<number> {
  requireOwner(owner);
  const columns = await workColumnsOf(ctx.db, ownerPlaces, 'business', input);
  refuseIncomplete(columns);
  await limitProposals(ctx, owner);
  const now = ctx.clock.now().toISOString();
  const [commune] = await ctx.db
    .select({ name: communes.name })
    .from(communes)
    .where(eq(communes.code, columns.communeCode));
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(opportunities)
      .values({
        ...columns,
        status: 'pending',
        moderation: 'pending',
        ownerId: owner.id,
        confirmedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: opportunities.id, territoryCode: opportunities.territoryCode, title: opportunities.title });
    await tx
      .insert(opportunityEvents)
      .values({ opportunityId: row!.id, kind: 'proposed', byUserId: owner.id, at: now });
    await mailStaffOf(tx, ctx, row!, owner.name, commune?.name ?? '', `/agent/reprises/${row!.id}`);
    return row!.id;
  });
}

/** The owner's businesses, newest first. */
export async function listOwnBusinesses(db: Db, owner: SessionUser) {
  requireOwner(owner);
  return db
    .select({
      id: opportunities.id,
      title: opportunities.title,
      status: opportunities.status,
      moderation: opportunities.moderation,
      communeName: communes.name,
      updatedAt: opportunities.updatedAt,
    })
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .where(and(eq(opportunities.ownerId, owner.id), eq(opportunities.kind, 'business')))
    .orderBy(desc(opportunities.updatedAt), desc(opportunities.id));
}

/** One of the owner's businesses, with the agents' last message; anyone else's is not found. */
export async function getOwnBusiness(db: Db, owner: SessionUser, id: number) {
  requireOwner(owner);
  const [row] = await db
    .select()
    .from(opportunities)
    .where(and(eq(opportunities.id, id), eq(opportunities.ownerId, owner.id), eq(opportunities.kind, 'business')));
  if (!row) throw new NotFound('opportunity');
  const [noted] = await db
    .select({ note: opportunityEvents.note })
    .from(opportunityEvents)
    .where(and(eq(opportunityEvents.opportunityId, id), eq(opportunityEvents.kind, 'changes_requested')))
    .orderBy(desc(opportunityEvents.at), desc(opportunityEvents.id))
    .limit(1);
  return { ...row, note: row.moderation === 'changes_requested' ? (noted?.note ?? null) : null };
}

/** The owner edits a proposal not yet published (asked changes included): it goes back to the queue. */
export async function editOwnBusiness(ctx: OffersContext, owner: SessionUser, id: number, input: unknown) {
  const before = await getOwnBusiness(ctx.db, owner, id);
  if (before.status !== 'pending' || before.moderation === 'rejected')
    throw new Invalid([{ field: 'intent', key: 'errors.work_owner_locked' }]);
  const columns = await workColumnsOf(ctx.db, ownerPlaces, 'business', input);
  refuseIncomplete(columns);
  await limitProposals(ctx, owner);
  const changed = changedFields(columns, before);
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(opportunities)
      .set({ ...columns, moderation: 'pending', updatedAt: now })
      .where(eq(opportunities.id, id));
    await tx
      .insert(opportunityEvents)
      .values({ opportunityId: id, kind: 'updated', fields: changed, byUserId: owner.id, at: now });
    if (before.moderation === 'changes_requested')
      await mailStaffOf(tx, ctx, { ...before, title: columns.title }, owner.name, '', `/agent/reprises/${id}`);
  });
}

/**
 * An agent's decision on an owner's business: approving publishes it; asking for changes and
 * rejecting need a message; the owner is emailed with the offers' templates.
 */
export async function moderateWork(
  ctx: OffersContext,
  actor: SessionUser,
  id: number,
  decision: ModerationDecision,
  input: unknown,
): Promise<void> {
  const item = await getManagedWork(ctx.db, actor, id);
  if (item.moderation !== 'pending') throw new Invalid([{ field: 'intent', key: 'errors.moderation_not_pending' }]);
  const { note, version } = parseInput(ModerationSchema, input);
  if (decision !== 'approve' && !note) throw new Invalid([{ field: 'note', key: 'errors.moderation_note_required' }]);
  if (version !== undefined && version !== item.updatedAt) throw new Conflict('errors.moderation_stale');
  if (decision === 'approve') refuseIncomplete(item);
  const now = ctx.clock.now().toISOString();
  const set =
    decision === 'approve'
      ? { status: 'published' as const, moderation: null, publishedAt: now, confirmedAt: now }
      : decision === 'reject'
        ? { status: 'archived' as const, moderation: 'rejected' as const }
        : { moderation: 'changes_requested' as const };
  await ctx.db.transaction(async (tx) => {
    const done = await tx
      .update(opportunities)
      .set({ ...set, updatedAt: now })
      .where(
        and(
          eq(opportunities.id, id),
          eq(opportunities.moderation, 'pending'),
          eq(opportunities.updatedAt, item.updatedAt),
        ),
      )
      .returning({ id: opportunities.id });
    if (!done.length) throw new Conflict('errors.moderation_stale');
    const kind = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'changes_requested';
    await tx.insert(opportunityEvents).values({ opportunityId: id, kind, note, byUserId: actor.id, at: now });
    await mailOwner(tx, ctx, item, `offer_${kind}`, { note: note ?? '' }, ownUrl(ctx, id));
  });
}

/** Who proposed an owner's item, and the agents' last message (the moderation box). */
export async function workModerationOf(db: Db, item: ManagedWork) {
  if (item.ownerId === null) return null;
  const [owner] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, item.ownerId));
  return { owner: owner ?? null, note: item.events.find((e) => e.note)?.note ?? null };
}
