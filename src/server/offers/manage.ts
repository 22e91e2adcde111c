// Offers as agents manage them (/agent/offres): the list of their territories' offers,
// creating and editing a home or a tiers-lieu, and its life (draft → published → archived,
// and back to draft). Every change is an event (who, when, which fields). A change that
// moves an offer or changes what is public keeps the nearest-tiers-lieu column true around
// it; the catalogue's cache follows by its triggers, the saved-search digest by publishedAt.
import { and, asc, count, desc, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  communes,
  offerEvents,
  offerPhotos,
  offers,
  opportunities,
  opportunityEvents,
  territories,
  users,
  type offerEventKinds,
} from '../../../db/schema/index.ts';
import { foldText, slugify } from '../../lib/text.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid, NotFound, type FieldError } from '../errors.ts';
import { parseInput } from '../input.ts';
import { getCommuneCoverage, resolveCommune } from '../places/queries.ts';
import { distanceKm, type Point } from '../places/geo.ts';
import { actsIn, isStaff, territoryCondition, territoryScope } from '../policy.ts';
import { connectivityLabel, type ConnectivityLabel } from './connectivity-label.ts';
import { typedTextCondition } from './queries.ts';
import { HomeSchema, publishable, TiersLieuSchema } from './manage-schemas.ts';
import { staleCondition, STALE_DAYS } from './freshness.ts';
import { homeChanged, refreshNearestSchools, tiersLieuChanged } from './nearest.ts';
import { DAY_MS } from '../../lib/time.ts';
import { publicPoint } from './position.ts';

type OfferRow = typeof offers.$inferSelect;
type Kind = OfferRow['kind'];
export const MANAGED_PAGE_SIZE = 25;
/** An exact point further than this from its commune's centre is a typing mistake. */
export const POINT_MAX_KM = 30;

function requireStaffActor(actor: SessionUser): void {
  if (!isStaff(actor)) throw new Forbidden();
}

export interface ManagedListQuery {
  status?: OfferRow['status'];
  kind?: Kind;
  q?: string;
  /** `moderation`: owners' proposals and edits awaiting a decision; `stale`: unconfirmed for 60 days. */
  queue?: 'moderation' | 'stale';
  sort?: ManagedSort;
  page?: number;
}

/** The list's orders: latest change first (the default), by title, or the longest unconfirmed first. */
export const managedSorts = ['recent', 'title', 'confirmed'] as const;
export type ManagedSort = (typeof managedSorts)[number];
const sortOrders = {
  recent: [desc(offers.updatedAt), desc(offers.id)],
  title: [asc(offers.title), asc(offers.id)],
  confirmed: [asc(offers.confirmedAt), asc(offers.id)],
} satisfies Record<ManagedSort, SQL[]>;

const queueCondition = (clock: Clock, queue: ManagedListQuery['queue']) =>
  queue === 'moderation' ? eq(offers.moderation, 'pending') : queue === 'stale' ? staleCondition(clock) : undefined;

/** How many offers of the actor's territories wait in each queue (the list's tabs, the agent's home). */
export async function managedQueueCounts(db: Db, clock: Clock, actor: SessionUser) {
  requireStaffActor(actor);
  const n = async (queue: 'moderation' | 'stale') => {
    const [row] = await db
      .select({ n: count() })
      .from(offers)
      .where(and(territoryCondition(actor, offers.territoryCode), queueCondition(clock, queue)));
    return row?.n ?? 0;
  };
  return { moderation: await n('moderation'), stale: await n('stale') };
}

export interface ManagedOfferRow {
  id: number;
  kind: Kind;
  status: OfferRow['status'];
  title: string;
  communeName: string;
  territoryCode: string;
  updatedAt: string;
  label: ConnectivityLabel | null;
  moderation: OfferRow['moderation'];
  /** Days since its agent or owner last confirmed it, when that is STALE_DAYS or more. */
  staleDays: number | null;
}

/** The offers of the actor's territories, newest change first. */
export async function listManagedOffers(db: Db, clock: Clock, actor: SessionUser, query: ManagedListQuery) {
  requireStaffActor(actor);
  const text = typedTextCondition(query.q, 'offers_fts', offers.id);
  const where = and(
    territoryCondition(actor, offers.territoryCode),
    query.status ? eq(offers.status, query.status) : undefined,
    query.kind ? eq(offers.kind, query.kind) : undefined,
    queueCondition(clock, query.queue),
    text,
  );
  // Communes are joined only to match a typed name: every offer has its commune (a foreign
  // key), and without the join the count reads one index (every territory's: 24 → 0.1 ms).
  const counted = db.select({ n: count() }).from(offers);
  const [{ n }] = (await (text
    ? counted.innerJoin(communes, eq(communes.code, offers.communeCode)).where(where)
    : counted.where(where))) as [{ n: number }];
  const pages = Math.max(1, Math.ceil(n / MANAGED_PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  const rows = await db
    .select({
      id: offers.id,
      kind: offers.kind,
      status: offers.status,
      title: offers.title,
      communeName: communes.name,
      territoryCode: offers.territoryCode,
      updatedAt: offers.updatedAt,
      downloadMbps: offers.downloadMbps,
      uploadMbps: offers.uploadMbps,
      moderation: offers.moderation,
      confirmedAt: offers.confirmedAt,
    })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(where)
    .orderBy(...sortOrders[query.sort ?? 'recent'])
    .limit(MANAGED_PAGE_SIZE)
    .offset((page - 1) * MANAGED_PAGE_SIZE);
  return {
    rows: rows.map(({ downloadMbps, uploadMbps, confirmedAt, ...r }): ManagedOfferRow => ({
      ...r,
      label: connectivityLabel(downloadMbps, uploadMbps),
      staleDays: staleDays(clock, r.status, confirmedAt),
    })),
    total: n,
    page,
    pages,
  };
}

/** Days since an online offer was last confirmed, when it is STALE_DAYS or more; null otherwise. */
export function staleDays(clock: Clock, status: OfferRow['status'], confirmedAt: string | null): number | null {
  if ((status !== 'published' && status !== 'expired') || !confirmedAt) return null;
  const days = Math.floor((clock.now().getTime() - Date.parse(confirmedAt)) / DAY_MS);
  return days >= STALE_DAYS ? days : null;
}

export interface ManagedOffer extends OfferRow {
  communeName: string;
  label: ConnectivityLabel | null;
  /** Its photos in their order: the first is the cover (src/server/offers/manage-photos.ts). */
  photos: ManagedPhoto[];
}

export interface ManagedPhoto {
  id: number;
  width: number;
  height: number;
  alt: string;
  position: number;
  storageKey: string;
}

/** An offer's photos, cover first. No scope check: callers have checked the offer. */
export function photosInOrder(db: Db | Tx, offerId: number): Promise<ManagedPhoto[]> {
  return db
    .select({
      id: offerPhotos.id,
      width: offerPhotos.width,
      height: offerPhotos.height,
      alt: offerPhotos.alt,
      position: offerPhotos.position,
      storageKey: offerPhotos.storageKey,
    })
    .from(offerPhotos)
    .where(eq(offerPhotos.offerId, offerId))
    .orderBy(asc(offerPhotos.position), asc(offerPhotos.id));
}

/** Which kind of catalogue item: an offer (home, tiers-lieu) or a job or business (`opportunities`). */
export type ItemOf = 'offer' | 'work';

/** One event of an offer's or a job's history, newest first, with who did it. */
export interface HistoryEvent {
  kind: (typeof offerEventKinds)[number];
  fields: string[];
  note: string | null;
  at: string;
  by: string | null;
}

/**
 * How many events of an item's history its page shows at first, and how many more each
 * "show more" adds (`?historique=`): an offer edited for years stays a page of a few dozen.
 */
export const HISTORY_SHOWN = 50;

const historyTable = (of: ItemOf) =>
  of === 'offer'
    ? ([offerEvents, offerEvents.offerId] as const)
    : ([opportunityEvents, opportunityEvents.opportunityId] as const);

/**
 * The latest `shown` events of an offer's history (`offer`) or a job's or business's
 * (`work`), newest first, and how many it has in all (two reads of its index).
 */
export async function historyOf(
  db: Db,
  of: ItemOf,
  id: number,
  shown: number = HISTORY_SHOWN,
): Promise<{ rows: HistoryEvent[]; total: number }> {
  const [events, owner] = historyTable(of);
  const [rows, [counted]] = await Promise.all([
    db
      .select({ kind: events.kind, fields: events.fields, note: events.note, at: events.at, by: users.name })
      .from(events)
      .leftJoin(users, eq(users.id, events.byUserId))
      .where(eq(owner, id))
      .orderBy(desc(events.at), desc(events.id))
      .limit(shown),
    db.select({ n: count() }).from(events).where(eq(owner, id)),
  ]);
  return { rows, total: counted?.n ?? 0 };
}

/** The message of the latest event of an item's history that has one (an agent's or owner's note). */
export async function lastNote(db: Db, of: ItemOf, id: number): Promise<string | null> {
  const [events, owner] = historyTable(of);
  const [row] = await db
    .select({ note: events.note })
    .from(events)
    .where(and(eq(owner, id), isNotNull(events.note)))
    .orderBy(desc(events.at), desc(events.id))
    .limit(1);
  return row?.note ?? null;
}

/** The latest message of each of these items (`lastNote`), in one query. */
export async function lastNotes(db: Db, of: ItemOf, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const [events, owner] = historyTable(of);
  const rows = await db
    .select({ id: owner, note: events.note })
    .from(events)
    .where(and(inArray(owner, ids), isNotNull(events.note)))
    .orderBy(desc(events.at), desc(events.id));
  const last = new Map<number, string>();
  for (const r of rows) if (!last.has(r.id)) last.set(r.id, r.note!);
  return last;
}

/** The columns of an item's life that offers, jobs and businesses share. */
export interface LifeChange {
  status?: OfferRow['status'];
  moderation?: null;
  proposedChanges?: null;
  updatedAt: string;
  confirmedAt?: string;
  publishedAt?: string;
  ownerRemindedAt?: null;
}

/** A change of an offer's (`offer`) or a job's or business's (`work`) life and its event, in one transaction. */
export function changeLife(
  db: Db,
  of: ItemOf,
  id: number,
  set: LifeChange,
  event: { kind: HistoryEvent['kind']; byUserId: number },
): Promise<void> {
  const at = set.updatedAt;
  return db.transaction(async (tx) => {
    if (of === 'offer') {
      await tx.update(offers).set(set).where(eq(offers.id, id));
      await tx.insert(offerEvents).values({ offerId: id, ...event, at });
    } else {
      await tx.update(opportunities).set(set).where(eq(opportunities.id, id));
      await tx.insert(opportunityEvents).values({ opportunityId: id, ...event, at });
    }
  });
}

/** One offer of the actor's territories, with its photos (its history: `historyOf`); another territory's is "not found". */
export async function getManagedOffer(db: Db, actor: SessionUser, id: number): Promise<ManagedOffer> {
  requireStaffActor(actor);
  const [row] = await db
    .select({ offer: offers, communeName: communes.name })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(and(eq(offers.id, id), territoryCondition(actor, offers.territoryCode)));
  if (!row) throw new NotFound('offer');
  const photos = await photosInOrder(db, id);
  return {
    ...row.offer,
    communeName: row.communeName,
    label: connectivityLabel(row.offer.downloadMbps, row.offer.uploadMbps),
    photos,
  };
}

/** What an offer's form writes: every column but its life (status, dates) and what is derived. */
export type OfferColumns = Omit<
  typeof offers.$inferInsert,
  | 'id'
  | 'status'
  | 'slug'
  | 'createdAt'
  | 'updatedAt'
  | 'publishedAt'
  | 'publicLat'
  | 'publicLng'
  | 'nearestFibreTiersLieuKm'
  | 'confirmedAt'
  | 'ownerId'
  | 'moderation'
  | 'proposedChanges'
  | 'ownerRemindedAt'
  | 'source'
  | 'sourceKey'
  | 'sourceData'
> & { locationPrecision: OfferRow['locationPrecision'] };

/** A field left blank clears what was there: every optional column of the form, empty (services have no field yet: kept). */
const blankRow = {
  titleEn: null,
  address: null,
  price: null,
  transaction: null,
  homeType: null,
  surface: null,
  landArea: null,
  rooms: null,
  bedrooms: null,
  energyClass: null,
  availableFrom: null,
  typology: null,
  desks: null,
  meetingRooms: null,
  priceDay: null,
  openingHours: null,
  wheelchairAccessible: null,
  website: null,
  bestTechnology: null,
  downloadMbps: null,
  uploadMbps: null,
  fibrePlannedAt: null,
  connectivityCheckedAt: null,
} satisfies Partial<OfferColumns>;

/** Where a form may place an offer: the territories it prefers for an ambiguous commune name, and the rule. */
export interface PlaceRule {
  prefer: string[];
  allows: (territory: { code: string; acceptsOwnerOffers: boolean }) => boolean;
  /** The error when the commune's territory is not allowed. */
  refusal: 'errors.offer_commune_outside' | 'errors.offer_territory_closed' | 'errors.offer_territory_change';
}

/** Staff place offers in their own territories. */
export const staffPlaces = (actor: SessionUser): PlaceRule => ({
  prefer: territoryScope(actor) ?? [],
  allows: (t) => actsIn(actor, t.code),
  refusal: 'errors.offer_commune_outside',
});

/** The columns an offer's form gives, checked: a commune of an allowed territory, a point near it. */
export async function columnsOf(db: Db, place: PlaceRule, kind: Kind, input: unknown) {
  const { commune: typed, lat, lng, ...data } = parseInput(kind === 'home' ? HomeSchema : TiersLieuSchema, input);
  const commune = await resolveCommune(db, typed, 'commune', place.prefer);
  const [territory] = await db
    .select({ code: territories.code, acceptsOwnerOffers: territories.acceptsOwnerOffers })
    .from(territories)
    .where(eq(territories.code, commune.departmentCode));
  if (!territory || !place.allows(territory))
    throw new Invalid([{ field: 'commune', key: place.refusal, value: commune.name }]);
  if (commune.lat === null || commune.lng === null)
    throw new Invalid([{ field: 'commune', key: 'errors.unknown_commune' }]);
  const centre: Point = { lat: commune.lat, lng: commune.lng };
  if ((lat === undefined) !== (lng === undefined))
    throw new Invalid([{ field: lat === undefined ? 'lat' : 'lng', key: 'errors.offer_point_pair' }]);
  const point: Point = lat !== undefined && lng !== undefined ? { lat, lng } : centre;
  if (distanceKm(point, centre) > POINT_MAX_KM)
    throw new Invalid([{ field: 'lat', key: 'errors.offer_point_far', params: { km: String(POINT_MAX_KM) } }]);
  return {
    columns: {
      ...blankRow,
      ...(Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Partial<OfferColumns>),
      // A draft may have no description yet (the column is never null; publishing needs one).
      description: data.description ?? '',
      kind,
      communeCode: commune.code,
      territoryCode: territory.code,
      lat: point.lat,
      lng: point.lng,
    } as OfferColumns,
    commune,
    centre,
  };
}

/** The fields of `next` that differ from `before`, sorted (what an event records). */
export const changedFields = (next: object, before: object): string[] =>
  Object.keys(next)
    .filter(
      (k) =>
        JSON.stringify((next as Record<string, unknown>)[k]) !== JSON.stringify((before as Record<string, unknown>)[k]),
    )
    .sort();

/**
 * The columns an edit writes: the changed ones, a public point again when it moved, a slug
 * again when the title or the place changed (a page's address stays otherwise).
 */
export function editedRow(columns: OfferColumns, changed: string[], communeName: string, centre: Point) {
  const moved = ['lat', 'lng', 'locationPrecision', 'communeCode'].some((k) => changed.includes(k));
  const renamed = ['title', 'communeCode'].some((k) => changed.includes(k));
  return {
    row: {
      ...(Object.fromEntries(changed.map((k) => [k, columns[k as keyof OfferColumns]])) as Partial<OfferColumns>),
      ...(moved ? publicPoint(columns, columns.locationPrecision, centre) : {}),
      ...(renamed ? { slug: slugify(`${columns.title} ${communeName}`) } : {}),
    },
  };
}

function refuseUnpublishable(row: object & { kind: Kind }): void {
  const missing = publishable(row);
  if (missing.length) throw new Invalid(missing);
}

/**
 * The nearest fibre tiers-lieu kept true after a change of an offer, given what it was
 * before (null for a new one): a home gets its own distance again; a tiers-lieu updates
 * only the homes it was or becomes the nearest of (src/server/offers/nearest.ts).
 */
export async function refreshAround(
  db: Db,
  offer: { id: number; kind: Kind },
  before: (Point & Pick<OfferRow, 'status' | 'fibreStatus'>) | null,
): Promise<void> {
  if (offer.kind === 'home') {
    await homeChanged(db, offer.id);
    const [row] = await db.select({ commune: offers.communeCode }).from(offers).where(eq(offers.id, offer.id));
    if (row) await refreshNearestSchools(db, [row.commune]);
    return;
  }
  const counted = before?.status === 'published' && before.fibreStatus === 'available';
  await tiersLieuChanged(db, offer.id, counted ? before : null);
}

/** What `columnsOf` checked, as a new draft needs it (an import stages it as JSON). */
export interface CheckedDraft {
  columns: OfferColumns;
  communeName: string;
  centre: Point;
}

/**
 * A new draft and its `created` event, in the caller's transaction; returns its id. The
 * caller then calls `refreshAround` once committed.
 */
export async function insertDraft(
  tx: Tx,
  now: string,
  byUserId: number | null,
  { columns, communeName, centre }: CheckedDraft,
  extra: Pick<typeof offers.$inferInsert, 'source' | 'sourceKey' | 'sourceData'> = {},
): Promise<number> {
  const [row] = await tx
    .insert(offers)
    .values({
      ...columns,
      ...publicPoint(columns, columns.locationPrecision, centre),
      ...extra,
      status: 'draft',
      slug: slugify(`${columns.title} ${communeName}`),
      confirmedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: offers.id });
  await tx.insert(offerEvents).values({ offerId: row!.id, kind: 'created', byUserId, at: now });
  return row!.id;
}

/** A new draft offer of `kind` in one of the actor's territories; returns its id. */
export async function createOffer(
  db: Db,
  clock: Clock,
  actor: SessionUser,
  kind: Kind,
  input: unknown,
): Promise<number> {
  requireStaffActor(actor);
  const { columns, commune, centre } = await columnsOf(db, staffPlaces(actor), kind, input);
  const now = clock.now().toISOString();
  const id = await db.transaction((tx) =>
    insertDraft(tx, now, actor.id, { columns, communeName: commune.name, centre }),
  );
  await refreshAround(db, { id, kind }, null);
  return id;
}

/** An edit: the changed fields are recorded; a published offer must stay publishable. An agent's edit confirms it. */
export async function updateOffer(db: Db, clock: Clock, actor: SessionUser, id: number, input: unknown): Promise<void> {
  const before = await getManagedOffer(db, actor, id);
  const { columns, commune, centre } = await columnsOf(db, staffPlaces(actor), before.kind, input);
  if (before.status === 'published') refuseUnpublishable(columns);
  const changed = changedFields(columns, before);
  if (changed.length === 0) return;
  const { row } = editedRow(columns, changed, commune.name, centre);
  const now = clock.now().toISOString();
  await db.transaction(async (tx) => {
    await tx
      .update(offers)
      // An agent's edit confirms the offer: one hidden for want of confirmation is back.
      .set({
        ...row,
        updatedAt: now,
        confirmedAt: now,
        ...(before.status === 'expired' ? { status: 'published' } : {}),
      })
      .where(eq(offers.id, id));
    await tx.insert(offerEvents).values({ offerId: id, kind: 'updated', fields: changed, byUserId: actor.id, at: now });
  });
  await refreshAround(db, before, before);
}

const transitions = {
  publish: { to: 'published', event: 'published', from: ['draft', 'archived'] },
  archive: { to: 'archived', event: 'archived', from: ['published', 'expired', 'draft'] },
  draft: { to: 'draft', event: 'to_draft', from: ['archived', 'published', 'expired'] },
} as const;
export type OfferTransition = keyof typeof transitions;

/** The changes of status an offer in `status` may take (the buttons of its page). */
export const transitionsFrom = (status: OfferRow['status']): OfferTransition[] =>
  (Object.keys(transitions) as OfferTransition[]).filter((k) =>
    (transitions[k].from as readonly string[]).includes(status),
  );

/**
 * What `transition` does to an offer, a job or a business in its state, after the checks they
 * share: allowed from its status, no owner's proposal waiting, complete (`missing` says what
 * lacks) when published. The columns to set (the agent's decision closes what an owner's
 * moderation said before; a (re)publication is new for the saved searches' digest) and the
 * event to log.
 */
export function statusChange(
  item: { status: OfferRow['status']; moderation: string | null },
  transition: OfferTransition,
  missing: () => FieldError[],
  now: string,
) {
  const step = transitions[transition];
  if (!(step.from as readonly string[]).includes(item.status))
    throw new Invalid([{ field: 'intent', key: 'errors.offer_transition' }]);
  // An owner's proposal or edit is decided first (approve, ask for changes, reject).
  if (item.moderation === 'pending') throw new Invalid([{ field: 'intent', key: 'errors.moderation_pending' }]);
  if (step.to === 'published') {
    const lacking = missing();
    if (lacking.length) throw new Invalid(lacking);
  }
  const set = {
    status: step.to,
    moderation: null,
    proposedChanges: null,
    updatedAt: now,
    ...(step.to === 'published' ? { publishedAt: now, confirmedAt: now } : {}),
  };
  return { set, event: step.event };
}

/** Publishing (after the full validation), archiving, or back to draft. */
export async function changeOfferStatus(
  db: Db,
  clock: Clock,
  actor: SessionUser,
  id: number,
  transition: OfferTransition,
): Promise<void> {
  const offer = await getManagedOffer(db, actor, id);
  const now = clock.now().toISOString();
  const { set, event } = statusChange(offer, transition, () => publishable(offer), now);
  await changeLife(db, 'offer', id, set, { kind: event, byUserId: actor.id });
  await refreshAround(db, offer, offer);
}

/**
 * "From open data": the commune's ARCEP fibre coverage fills what it can say for sure —
 * fibre available when every premises of the commune is connectable, none when none is —
 * with its source and date. A partial coverage says nothing about one address: refused.
 */
export async function fillFromOpenData(db: Db, clock: Clock, actor: SessionUser, id: number): Promise<void> {
  const offer = await getManagedOffer(db, actor, id);
  const coverage = await getCommuneCoverage(db, offer.communeCode);
  if (!coverage || coverage.ftthShare === null)
    throw new Invalid([{ field: 'fibreStatus', key: 'errors.open_data_none' }]);
  if (coverage.ftthShare > 0 && coverage.ftthShare < 1)
    throw new Invalid([
      {
        field: 'fibreStatus',
        key: 'errors.open_data_partial',
        params: { share: String(Math.round(coverage.ftthShare * 100)) },
      },
    ]);
  const now = clock.now().toISOString();
  await db.transaction(async (tx) => {
    await tx
      .update(offers)
      .set({
        // No premises connectable yet does not contradict fibre that is planned.
        fibreStatus: coverage.ftthShare === 1 ? 'available' : offer.fibreStatus === 'planned' ? 'planned' : 'none',
        connectivitySource: 'open_data',
        connectivityCheckedAt: coverage.dataDate,
        updatedAt: now,
      })
      .where(eq(offers.id, id));
    await tx.insert(offerEvents).values({
      offerId: id,
      kind: 'updated',
      fields: ['connectivityCheckedAt', 'connectivitySource', 'fibreStatus'],
      byUserId: actor.id,
      at: now,
    });
  });
  await refreshAround(db, offer, offer);
}
