// Owners' offers: an owner (or a tiers-lieu's manager) proposes a home or a tiers-lieu to a
// territory that accepts proposals; the territory's agents approve it, ask for changes or
// reject it. An owner's edit of a published offer waits in `proposedChanges` while the
// published version stays online. Every step is an offer event; emails go through the
// outbox in the step's transaction. Families never reach the owner: enquiries go to agents.
import { and, desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { communes, offerEvents, offers, territories, users } from '../../../db/schema/index.ts';
import { slugify } from '../../lib/text.ts';
import { ownerOfferUrl } from './links.ts';
import type { SessionUser } from '../accounts/session.ts';
import { assignableStaff } from '../candidates/commands.ts';
import type { Clock } from '../clock.ts';
import { Conflict, Forbidden, Invalid, NotFound, RateLimited } from '../errors.ts';
import { hit, LIMITS } from '../accounts/rate-limit.ts';
import { parseInput } from '../input.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { TemplateName } from '../mail/templates.ts';
import { mayProposeOffers } from '../policy.ts';
import { connectivityLabel, type ConnectivityLabel } from './connectivity-label.ts';
import {
  changeLife,
  changedFields,
  columnsOf,
  editedRow,
  getManagedOffer,
  lastNote,
  lastNotes,
  refreshAround,
  staleDays,
  type ManagedOffer,
  type OfferColumns,
  type PlaceRule,
} from './manage.ts';
import { ModerationSchema, publishable } from './manage-schemas.ts';
import { publicPoint } from './position.ts';

type OfferRow = typeof offers.$inferSelect;
type Kind = OfferRow['kind'];

type OfferOwnerLocale = (typeof users.$inferSelect)['locale'];

export interface OffersContext {
  db: Db;
  clock: Clock;
  siteUrl: string;
}

const site = (ctx: OffersContext) => ctx.siteUrl.replace(/\/$/, '');

/** What an owner reads first about an offer: where its moderation stands, else its status. */
export const ownerState = (o: Pick<OfferRow, 'status' | 'moderation'> & { hasProposedChanges: boolean }) =>
  o.moderation && !(o.moderation === 'pending' && o.hasProposedChanges) ? o.moderation : o.status;

/** An owner no longer edits an offer withdrawn, rejected or set aside (archived or draft). */
export const editLocked = (o: Pick<OfferRow, 'status'>) => o.status === 'archived' || o.status === 'draft';

/** Owners place offers in any territory that accepts proposals. */
export const ownerPlaces: PlaceRule = {
  prefer: [],
  allows: (t) => t.acceptsOwnerOffers,
  refusal: 'errors.offer_territory_closed',
};

function requireOwner(actor: SessionUser): void {
  if (!mayProposeOffers(actor)) throw new Forbidden();
}

/** The form's columns as an owner gives them: the connectivity is the owner's word. */
async function ownerColumns(db: Db, kind: Kind, input: unknown) {
  const checked = await columnsOf(db, ownerPlaces, kind, input);
  checked.columns.connectivitySource = 'owner';
  return checked;
}

/** Everything a territory's agents must review must be complete: the same rule as publishing. */
function refuseIncomplete(columns: object & { kind: Kind }): void {
  const missing = publishable(columns);
  if (missing.length) throw new Invalid(missing);
}

/** The territory's staff told of an owner's proposal (an offer's, or a business's at `path`). */
export async function mailStaffOf(
  tx: Tx,
  ctx: OffersContext,
  offer: Pick<OfferRow, 'id' | 'territoryCode' | 'title'>,
  owner: string,
  commune: string,
  path = `/agent/offres/${offer.id}`,
) {
  for (const member of await assignableStaff(tx, offer.territoryCode)) {
    await enqueueMail(tx, ctx.clock, {
      to: member.email,
      template: 'offer_submitted',
      locale: member.locale,
      params: { name: member.name, owner, offer: offer.title, commune, url: `${site(ctx)}${path}` },
    });
  }
}

/** The owner told of a decision; `url` their page of it (an offer's by default). */
export async function mailOwner(
  tx: Tx,
  ctx: OffersContext,
  offer: Pick<OfferRow, 'id' | 'title' | 'ownerId'>,
  template: TemplateName,
  params: Record<string, string> = {},
  url?: (locale: OfferOwnerLocale) => string,
) {
  if (offer.ownerId === null) return;
  const [owner] = await tx
    .select({ email: users.email, name: users.name, locale: users.locale })
    .from(users)
    .where(eq(users.id, offer.ownerId));
  if (!owner) return;
  await enqueueMail(tx, ctx.clock, {
    to: owner.email,
    template,
    locale: owner.locale,
    params: {
      name: owner.name,
      offer: offer.title,
      ...params,
      url: url ? url(owner.locale) : ownerOfferUrl(ctx.siteUrl, owner.locale, offer.id),
    },
  });
}

/** The territories that accept owners' proposals (the proposal page names them). */
export function proposalTerritories(db: Db): Promise<Array<{ code: string; name: string }>> {
  return db
    .select({ code: territories.code, name: territories.name })
    .from(territories)
    .where(eq(territories.acceptsOwnerOffers, true))
    .orderBy(territories.name);
}

/** Proposals and edits per owner and day: each one emails the territory's staff. */
export async function limitProposals(ctx: OffersContext, owner: SessionUser): Promise<void> {
  const r = await hit(ctx.db, `offers:owner:${owner.id}`, LIMITS.offerPostsPerOwner, ctx.clock);
  if (!r.allowed) throw new RateLimited(r.retryAfter);
}

/** An owner's proposal: complete, in a territory that accepts them, `pending` in its moderation queue. */
export async function proposeOffer(
  ctx: OffersContext,
  owner: SessionUser,
  kind: Kind,
  input: unknown,
): Promise<number> {
  requireOwner(owner);
  const { columns, commune, centre } = await ownerColumns(ctx.db, kind, input);
  refuseIncomplete(columns);
  await limitProposals(ctx, owner);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(offers)
      .values({
        ...columns,
        ...publicPoint(columns, columns.locationPrecision, centre),
        status: 'pending',
        moderation: 'pending',
        ownerId: owner.id,
        slug: slugify(`${columns.title} ${commune.name}`),
        confirmedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: offers.id, territoryCode: offers.territoryCode, title: offers.title });
    await tx.insert(offerEvents).values({ offerId: row!.id, kind: 'proposed', byUserId: owner.id, at: now });
    await mailStaffOf(tx, ctx, row!, owner.name, commune.name);
    return row!.id;
  });
}

export interface OwnOffer {
  id: number;
  kind: Kind;
  status: OfferRow['status'];
  moderation: OfferRow['moderation'];
  title: string;
  slug: string;
  communeName: string;
  label: ConnectivityLabel | null;
  confirmedAt: string | null;
  /** Not confirmed for STALE_DAYS: the owner is asked to confirm. */
  stale: boolean;
  hasProposedChanges: boolean;
  /** `ownerState()`: what the owner reads first. */
  state: ReturnType<typeof ownerState>;
  /** The agents' last word (a request for changes or a rejection). */
  note: string | null;
}

/** The owner's offers, newest first, with where each stands. */
export async function listOwnOffers(db: Db, clock: Clock, owner: SessionUser): Promise<OwnOffer[]> {
  requireOwner(owner);
  const rows = await db
    .select({ offer: offers, communeName: communes.name })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(eq(offers.ownerId, owner.id))
    .orderBy(desc(offers.createdAt), desc(offers.id));
  const notes = await lastNotes(
    db,
    'offer',
    rows.filter((r) => r.offer.moderation).map((r) => r.offer.id),
  );
  return rows.map(({ offer, communeName }) => {
    const hasProposedChanges = offer.proposedChanges !== null;
    return {
      id: offer.id,
      kind: offer.kind,
      status: offer.status,
      moderation: offer.moderation,
      title: offer.title,
      slug: offer.slug,
      communeName,
      label: connectivityLabel(offer.downloadMbps, offer.uploadMbps),
      confirmedAt: offer.confirmedAt,
      stale: staleDays(clock, offer.status, offer.confirmedAt) !== null,
      hasProposedChanges,
      state: ownerState({ ...offer, hasProposedChanges }),
      note: notes.get(offer.id) ?? null,
    };
  });
}

/** One of the owner's offers; anyone else's is "not found". */
export async function getOwnOffer(db: Db, owner: SessionUser, id: number) {
  requireOwner(owner);
  const [row] = await db
    .select({ offer: offers, communeName: communes.name })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(and(eq(offers.id, id), eq(offers.ownerId, owner.id)));
  if (!row) throw new NotFound('offer');
  return {
    ...row.offer,
    communeName: row.communeName,
    note: row.offer.moderation ? await lastNote(db, 'offer', id) : null,
    /** What the owner's form shows: the proposed changes when some wait, else the offer. */
    current: { ...row.offer, ...(row.offer.proposedChanges ?? {}) } as OfferRow,
  };
}

/** The connectivity fields: the owner's source replaces an agent's only when the owner changed one of them. */
const connectivityFields = [
  'bestTechnology',
  'downloadMbps',
  'uploadMbps',
  'fibreStatus',
  'fibrePlannedAt',
  'mobileCoverage',
  'connectivityCheckedAt',
];

/**
 * The owner's edit, in the offer's own territory. A published (or expired) offer keeps its
 * current version online and only the fields the owner changed wait for moderation (an
 * agent's edits meanwhile stay); any other offer goes back to the queue as it is now.
 */
export async function editOwnOffer(ctx: OffersContext, owner: SessionUser, id: number, input: unknown): Promise<void> {
  const before = await getOwnOffer(ctx.db, owner, id);
  // Withdrawn, rejected or set aside by the territory's team: closed, as a business is.
  if (editLocked(before)) throw new Invalid([{ field: 'intent', key: 'errors.offer_owner_locked' }]);
  const { columns, commune, centre } = await columnsOf(
    ctx.db,
    {
      prefer: [before.territoryCode],
      allows: (t) => t.code === before.territoryCode,
      refusal: 'errors.offer_territory_change',
    },
    before.kind,
    input,
  );
  columns.connectivitySource = 'owner';
  refuseIncomplete(columns);
  if (!connectivityFields.some((k) => changedFields({ [k]: columns[k as keyof OfferColumns] }, before).length))
    columns.connectivitySource = before.connectivitySource;
  const changed = changedFields(columns, before.current);
  const online = before.status === 'published' || before.status === 'expired';
  if (changed.length === 0 && before.moderation === 'pending') return;
  // Counted when it emails the team: a refused edit (a typo) or one that changes nothing does not.
  if (!online || changedFields(columns, before).length > 0) await limitProposals(ctx, owner);
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    if (online) {
      const proposed = changedFields(columns, before);
      await tx
        .update(offers)
        .set({
          proposedChanges: proposed.length
            ? Object.fromEntries(proposed.map((k) => [k, columns[k as keyof OfferColumns] ?? null]))
            : null,
          moderation: proposed.length ? 'pending' : null,
          updatedAt: now,
        })
        .where(eq(offers.id, id));
      if (!proposed.length) return;
    } else {
      const { row } = editedRow(columns, changedFields(columns, before), commune.name, centre);
      await tx
        .update(offers)
        .set({ ...row, status: 'pending', moderation: 'pending', confirmedAt: now, updatedAt: now })
        .where(eq(offers.id, id));
    }
    await tx
      .insert(offerEvents)
      .values({ offerId: id, kind: 'proposed', fields: changed, byUserId: owner.id, at: now });
    await mailStaffOf(tx, ctx, before, owner.name, commune.name);
  });
  if (!online) await refreshAround(ctx.db, before, before);
}

/** An owner takes an offer or a business back: out of the site and of the moderation queue. */
export const withdrawal = (now: string) =>
  ({ status: 'archived', moderation: null, proposedChanges: null, updatedAt: now }) as const;

/** The owner takes the offer back: out of the catalogue and of the queue. */
export async function withdrawOwnOffer(ctx: OffersContext, owner: SessionUser, id: number): Promise<void> {
  const offer = await getOwnOffer(ctx.db, owner, id);
  if (offer.status === 'archived' && offer.moderation === null) return;
  const now = ctx.clock.now().toISOString();
  await changeLife(ctx.db, 'offer', id, withdrawal(now), { kind: 'withdrawn', byUserId: owner.id });
  await refreshAround(ctx.db, offer, offer);
}

export type ModerationDecision = 'approve' | 'changes' | 'reject';
export const moderationDecisions: readonly ModerationDecision[] = ['approve', 'changes', 'reject'];

/**
 * What every moderation decision checks first, for offers and for businesses: the item
 * still awaits one, a message comes with "changes" and "reject" (unless there is nobody to
 * tell), and the agent decides on the version they read. Returns the message.
 */
export function moderationNote(
  item: { moderation: string | null; updatedAt: string },
  decision: ModerationDecision,
  input: unknown,
  { noteRequired = true }: { noteRequired?: boolean } = {},
): string | undefined {
  if (item.moderation !== 'pending') throw new Invalid([{ field: 'intent', key: 'errors.moderation_not_pending' }]);
  const { note, version } = parseInput(ModerationSchema, input);
  if (decision !== 'approve' && !note && noteRequired)
    throw new Invalid([{ field: 'note', key: 'errors.moderation_note_required' }]);
  // The owner may have changed it since the agent read it.
  if (version !== undefined && version !== item.updatedAt) throw new Conflict('errors.moderation_stale');
  return note;
}

/**
 * An agent's decision on an owner's proposal (or on an owner's edit of a published offer).
 * Approving publishes it, or applies the edit; asking for changes and rejecting need a
 * message for the owner, who is emailed each time.
 */
export async function moderateOffer(
  ctx: OffersContext,
  actor: SessionUser,
  id: number,
  decision: ModerationDecision,
  input: unknown,
): Promise<void> {
  const offer = await getManagedOffer(ctx.db, actor, id);
  // A change an import proposed has nobody to ask or to tell: approved or rejected, a note optional.
  const imported = offer.ownerId === null;
  const note = moderationNote(offer, decision, input, { noteRequired: !imported });
  if (imported && decision === 'changes') throw new Invalid([{ field: 'intent', key: 'errors.moderation_no_owner' }]);
  const edit = offer.proposedChanges as Partial<OfferColumns> | null;
  const now = ctx.clock.now().toISOString();
  /** The row as the agent read it, still awaiting this decision; otherwise someone changed it meanwhile. */
  const unchanged = and(eq(offers.id, id), eq(offers.moderation, 'pending'), eq(offers.updatedAt, offer.updatedAt));
  await ctx.db.transaction(async (tx) => {
    let set: Partial<typeof offers.$inferInsert>;
    let fields: string[] = [];
    if (decision === 'approve') {
      if (edit) {
        // The owner's changed fields over the offer as it is now (an agent's edits meanwhile stay).
        const next = { ...offer, ...edit } as unknown as OfferColumns;
        const [commune] = await tx
          .select({ name: communes.name, lat: communes.lat, lng: communes.lng })
          .from(communes)
          .where(eq(communes.code, next.communeCode));
        fields = changedFields(edit, offer);
        const { row } = editedRow(next, fields, commune?.name ?? '', {
          lat: commune?.lat ?? next.lat,
          lng: commune?.lng ?? next.lng,
        });
        set = { ...row, status: 'published', confirmedAt: now };
      } else {
        refuseIncomplete(offer);
        set = { status: 'published', publishedAt: now, confirmedAt: now };
      }
      set = { ...set, moderation: null, proposedChanges: null };
    } else {
      const rejected = decision === 'reject';
      set = {
        moderation: rejected ? (imported ? null : 'rejected') : 'changes_requested',
        // A rejected proposal leaves the queue; a rejected edit leaves the published version as it was.
        ...(rejected ? { proposedChanges: null, ...(edit ? {} : { status: 'archived' as const }) } : {}),
      };
    }
    const done = await tx
      .update(offers)
      .set({ ...set, updatedAt: now })
      .where(unchanged)
      .returning({ id: offers.id });
    if (!done.length) throw new Conflict('errors.moderation_stale');
    const kind = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'changes_requested';
    await tx.insert(offerEvents).values({ offerId: id, kind, fields, note, byUserId: actor.id, at: now });
    await mailOwner(tx, ctx, offer, `offer_${kind}`, { note: note ?? '' });
  });
  if (decision === 'approve') await refreshAround(ctx.db, offer, offer);
}

/** An edit awaiting moderation, field by field: what is online, what would replace it. */
export function proposedChangeRows(proposed: Record<string, unknown> | null, row: object) {
  const edit = proposed ?? {};
  return changedFields(edit, row)
    .filter((field) => !['kind', 'territoryCode'].includes(field))
    .map((field) => ({
      field,
      before: (row as Record<string, unknown>)[field] ?? null,
      after: edit[field] ?? null,
    }));
}

/**
 * What an agent needs to moderate an owner's offer, or an import's change of a published one
 * (src/server/imports/tiers-lieux-anct.ts): who proposed it and, for an edit, each change.
 */
export async function moderationOf(db: Db, offer: ManagedOffer) {
  if (offer.ownerId === null && !(offer.source && offer.moderation === 'pending')) return null;
  const [owner] =
    offer.ownerId === null
      ? []
      : await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, offer.ownerId));
  return {
    owner: owner ?? null,
    source: offer.ownerId === null ? offer.source : null,
    changes: proposedChangeRows(offer.proposedChanges, offer),
    note: await lastNote(db, 'offer', offer.id),
  };
}
