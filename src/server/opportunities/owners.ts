// Owners of businesses propose them (the `owner` role, in territories that accept owners'
// proposals, as for homes); the territory's agents approve, ask for changes or reject, and
// the owner is emailed each time — the offers' code paths (place rule, rate limit, emails,
// ModerationSchema) reused. An owner edits a proposal; once it is published, the edit waits in
// `proposedChanges` and the current version stays online until an agent approves it.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, opportunities, opportunityEvents, users } from '../../../db/schema/index.ts';
import { ownerBusinessUrl } from './links.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { changeLife, changedFields, lastNote, type PlaceRule } from '../offers/manage.ts';
import {
  editLocked,
  limitProposals,
  mailOwner,
  mailStaffOf,
  moderationNote,
  ownerPlaces,
  proposedChangeRows,
  type ModerationDecision,
  type OffersContext,
  withdrawal,
} from '../offers/owners.ts';
import { mayProposeOffers } from '../policy.ts';
import { getManagedWork, workColumnsOf, type ManagedWork, type OpportunityRow } from './manage.ts';
import { workPublishable } from './schemas.ts';

function requireOwner(actor: SessionUser): void {
  if (!mayProposeOffers(actor)) throw new Forbidden();
}

const ownUrl = (ctx: OffersContext, id: number) => (locale: 'fr' | 'en') => ownerBusinessUrl(ctx.siteUrl, locale, id);

function refuseIncomplete(row: Record<string, unknown> & { kind: 'job' | 'business' }): void {
  const missing = workPublishable(row);
  if (missing.length) throw new Invalid(missing);
}

/** The commune's name the staff's email gives beside the business's title. */
async function communeName(db: Db, code: string): Promise<string> {
  const [commune] = await db.select({ name: communes.name }).from(communes).where(eq(communes.code, code));
  return commune?.name ?? code;
}

/** An owner's business to take over: complete, in a territory that accepts proposals, pending. */
export async function proposeBusiness(ctx: OffersContext, owner: SessionUser, input: unknown): Promise<number> {
  requireOwner(owner);
  const columns = await workColumnsOf(ctx.db, ownerPlaces, 'business', input);
  refuseIncomplete(columns);
  await limitProposals(ctx, owner);
  const now = ctx.clock.now().toISOString();
  const commune = await communeName(ctx.db, columns.communeCode);
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
    await mailStaffOf(tx, ctx, row!, owner.name, commune, `/agent/reprises/${row!.id}`);
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
      hasProposedChanges: sql<boolean>`${opportunities.proposedChanges} IS NOT NULL`.mapWith(Boolean),
    })
    .from(opportunities)
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .where(and(eq(opportunities.ownerId, owner.id), eq(opportunities.kind, 'business')))
    .orderBy(desc(opportunities.updatedAt), desc(opportunities.id));
}

/** One of the owner's businesses, with the agents' last word; anyone else's is not found. */
export async function getOwnBusiness(db: Db, owner: SessionUser, id: number) {
  requireOwner(owner);
  const [row] = await db
    .select()
    .from(opportunities)
    .where(and(eq(opportunities.id, id), eq(opportunities.ownerId, owner.id), eq(opportunities.kind, 'business')));
  if (!row) throw new NotFound('opportunity');
  return {
    ...row,
    /** A request for changes, or why an edit or the proposal was not accepted. */
    note: row.moderation && row.moderation !== 'pending' ? await lastNote(db, 'work', id) : null,
    /** What the owner's form shows: the proposed changes when some wait, else the business. */
    current: { ...row, ...(row.proposedChanges ?? {}) } as OpportunityRow,
  };
}

/** An owner's business stays in the territory it was proposed in (as homes do). */
const ownPlace = (territoryCode: string): PlaceRule => ({
  prefer: [territoryCode],
  allows: (t) => t.code === territoryCode,
  refusal: 'errors.offer_territory_change',
});

/**
 * The owner's edit. A published (or hidden) business stays online as it is and only the fields
 * the owner changed wait for moderation (an agent's edits meanwhile stay); a proposal not yet
 * published goes back to the queue as it is now. A withdrawn or rejected one is closed.
 */
export async function editOwnBusiness(ctx: OffersContext, owner: SessionUser, id: number, input: unknown) {
  const before = await getOwnBusiness(ctx.db, owner, id);
  if (editLocked(before)) throw new Invalid([{ field: 'intent', key: 'errors.work_owner_locked' }]);
  const columns = await workColumnsOf(ctx.db, ownPlace(before.territoryCode), 'business', input);
  refuseIncomplete(columns);
  await limitProposals(ctx, owner);
  const changed = changedFields(columns, before.current);
  if (changed.length === 0 && before.moderation === 'pending') return;
  const online = before.status === 'published' || before.status === 'expired';
  const now = ctx.clock.now().toISOString();
  const commune = await communeName(ctx.db, columns.communeCode);
  const mailStaff = (tx: Parameters<typeof mailStaffOf>[0]) =>
    mailStaffOf(tx, ctx, { ...before, title: columns.title }, owner.name, commune, `/agent/reprises/${id}`);
  await ctx.db.transaction(async (tx) => {
    if (online) {
      // Against what is online: an owner who undoes their edit withdraws it.
      const proposed = changedFields(columns, before);
      await tx
        .update(opportunities)
        .set({
          proposedChanges: proposed.length
            ? Object.fromEntries(proposed.map((k) => [k, columns[k as keyof typeof columns] ?? null]))
            : null,
          moderation: proposed.length ? 'pending' : null,
          updatedAt: now,
        })
        .where(eq(opportunities.id, id));
      if (!proposed.length) return;
      await tx
        .insert(opportunityEvents)
        .values({ opportunityId: id, kind: 'proposed', fields: changed, byUserId: owner.id, at: now });
      await mailStaff(tx);
      return;
    }
    await tx
      .update(opportunities)
      .set({ ...columns, moderation: 'pending', updatedAt: now })
      .where(eq(opportunities.id, id));
    await tx
      .insert(opportunityEvents)
      .values({ opportunityId: id, kind: 'updated', fields: changed, byUserId: owner.id, at: now });
    if (before.moderation === 'changes_requested') await mailStaff(tx);
  });
}

/** The owner takes the business back (sold, or no longer for sale): out of the site and of the queue. */
export async function withdrawOwnBusiness(ctx: OffersContext, owner: SessionUser, id: number): Promise<void> {
  const business = await getOwnBusiness(ctx.db, owner, id);
  if (business.status === 'archived') return;
  const now = ctx.clock.now().toISOString();
  await changeLife(ctx.db, 'work', id, withdrawal(now), { kind: 'withdrawn', byUserId: owner.id });
}

/**
 * An agent's decision on an owner's business, or on the owner's edit of a published one:
 * approving publishes it, or applies the edit; asking for changes and rejecting need a
 * message (a rejected edit leaves the business online as it was); the owner is emailed with
 * the offers' templates.
 */
export async function moderateWork(
  ctx: OffersContext,
  actor: SessionUser,
  id: number,
  decision: ModerationDecision,
  input: unknown,
): Promise<void> {
  const item = await getManagedWork(ctx.db, actor, id);
  const note = moderationNote(item, decision, input);
  const edit = item.proposedChanges as Partial<OpportunityRow> | null;
  // The owner's changed fields over the business as it is now (an agent's edits meanwhile stay).
  if (decision === 'approve') refuseIncomplete({ ...item, ...edit });
  const fields = decision === 'approve' && edit ? changedFields(edit, item) : [];
  const now = ctx.clock.now().toISOString();
  const set: Partial<typeof opportunities.$inferInsert> =
    decision === 'approve'
      ? edit
        ? { ...edit, status: 'published', moderation: null, proposedChanges: null, confirmedAt: now }
        : { status: 'published', moderation: null, publishedAt: now, confirmedAt: now }
      : decision === 'reject'
        ? { moderation: 'rejected', proposedChanges: null, ...(edit ? {} : { status: 'archived' as const }) }
        : { moderation: 'changes_requested' };
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
    await tx.insert(opportunityEvents).values({ opportunityId: id, kind, fields, note, byUserId: actor.id, at: now });
    await mailOwner(tx, ctx, item, `offer_${kind}`, { note: note ?? '' }, ownUrl(ctx, id));
  });
}

/** Who proposed an owner's item, each change of an edit, and the agents' last message (the moderation box). */
export async function workModerationOf(db: Db, item: ManagedWork) {
  if (item.ownerId === null) return null;
  const [owner] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, item.ownerId));
  return {
    owner: owner ?? null,
    source: null,
    changes: proposedChangeRows(item.proposedChanges, item),
    note: await lastNote(db, 'work', item.id),
  };
}
