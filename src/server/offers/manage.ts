// Offers as agents manage them (/agent/offres): the list of their territories' offers,
// creating and editing a home or a tiers-lieu, and its life (draft → published → archived,
// and back to draft). Every change is an event (who, when, which fields). A change that
// moves an offer or changes what is public keeps the nearest-tiers-lieu column true around
// it; the catalogue's cache follows by its triggers, the saved-search digest by publishedAt.
import { and, asc, count, desc, eq, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  communes,
  offerEvents,
  offerPhotos,
  offers,
  territories,
  users,
  type offerEventKinds,
} from '../../../db/schema/index.ts';
import { foldText, slugify } from '../../lib/text.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { parseInput } from '../input.ts';
import { getCommuneCoverage, resolveCommune } from '../places/queries.ts';
import { distanceKm, type Point } from '../places/geo.ts';
import { actsIn, isStaff, territoryCondition, territoryScope } from '../policy.ts';
import { connectivityLabel, type ConnectivityLabel } from './connectivity-label.ts';
import { fullTextQuery } from './queries.ts';
import { HomeSchema, publishable, TiersLieuSchema } from './manage-schemas.ts';
import { refreshNearestTiersLieux } from './nearest.ts';
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
  page?: number;
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
}

/** The offers of the actor's territories, newest change first. */
export async function listManagedOffers(db: Db, actor: SessionUser, query: ManagedListQuery) {
  requireStaffActor(actor);
  // Titles through the catalogue's full-text index (accents and case folded), communes by
  // their folded name; punctuation alone matches nothing, and % or _ are never wildcards.
  const typed = query.q?.trim() ?? '';
  const q = foldText(typed);
  const match = typed ? fullTextQuery(typed) : null;
  const communeLike = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const text = typed
    ? (or(
        match ? sql`${offers.id} IN (SELECT rowid FROM offers_fts WHERE offers_fts MATCH ${match})` : undefined,
        q ? sql`${communes.searchName} LIKE ${communeLike} ESCAPE '\\'` : undefined,
      ) ?? sql`0`)
    : undefined;
  const where = and(
    territoryCondition(actor, offers.territoryCode),
    query.status ? eq(offers.status, query.status) : undefined,
    query.kind ? eq(offers.kind, query.kind) : undefined,
    text,
  );
  const [{ n }] = (await db
    .select({ n: count() })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(where)) as [{ n: number }];
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
    })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(where)
    .orderBy(desc(offers.updatedAt), desc(offers.id))
    .limit(MANAGED_PAGE_SIZE)
    .offset((page - 1) * MANAGED_PAGE_SIZE);
  return {
    rows: rows.map(({ downloadMbps, uploadMbps, ...r }): ManagedOfferRow => ({
      ...r,
      label: connectivityLabel(downloadMbps, uploadMbps),
    })),
    total: n,
    page,
    pages,
  };
}

export interface ManagedOffer extends OfferRow {
  communeName: string;
  label: ConnectivityLabel | null;
  events: Array<{ kind: (typeof offerEventKinds)[number]; fields: string[]; at: string; by: string | null }>;
  /** Its photos in their order: the first is the cover (src/server/offers/manage-photos.ts). */
  photos: ManagedPhoto[];
}

export interface ManagedPhoto {
  id: number;
  width: number;
  height: number;
  alt: string;
  position: number;
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
    })
    .from(offerPhotos)
    .where(eq(offerPhotos.offerId, offerId))
    .orderBy(asc(offerPhotos.position), asc(offerPhotos.id));
}

/** One offer of the actor's territories, with its history and photos; another territory's is "not found". */
export async function getManagedOffer(db: Db, actor: SessionUser, id: number): Promise<ManagedOffer> {
  requireStaffActor(actor);
  const [row] = await db
    .select({ offer: offers, communeName: communes.name })
    .from(offers)
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    .where(and(eq(offers.id, id), territoryCondition(actor, offers.territoryCode)));
  if (!row) throw new NotFound('offer');
  const events = await db
    .select({ kind: offerEvents.kind, fields: offerEvents.fields, at: offerEvents.at, by: users.name })
    .from(offerEvents)
    .leftJoin(users, eq(users.id, offerEvents.byUserId))
    .where(eq(offerEvents.offerId, id))
    .orderBy(desc(offerEvents.at), desc(offerEvents.id));
  const photos = await photosInOrder(db, id);
  return {
    ...row.offer,
    communeName: row.communeName,
    label: connectivityLabel(row.offer.downloadMbps, row.offer.uploadMbps),
    events,
    photos,
  };
}

/** What an offer's form writes: every column but its life (status, dates) and what is derived. */
type OfferColumns = Omit<
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
> & { locationPrecision: OfferRow['locationPrecision'] };

/** A field left blank clears what was there: every optional column of the form, empty (services have no field yet: kept). */
const blankRow = {
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

/** The columns an offer's form gives, checked: a commune of the actor's territories, a point near it. */
async function columnsOf(db: Db, actor: SessionUser, kind: Kind, input: unknown) {
  const { commune: typed, lat, lng, ...data } = parseInput(kind === 'home' ? HomeSchema : TiersLieuSchema, input);
  const commune = await resolveCommune(db, typed, 'commune', territoryScope(actor) ?? []);
  const [territory] = await db
    .select({ code: territories.code })
    .from(territories)
    .where(eq(territories.code, commune.departmentCode));
  if (!territory || !actsIn(actor, territory.code))
    throw new Invalid([{ field: 'commune', key: 'errors.offer_commune_outside', value: commune.name }]);
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

function refuseUnpublishable(row: object & { kind: Kind }): void {
  const missing = publishable(row);
  if (missing.length) throw new Invalid(missing);
}

/** Homes near a change get their nearest fibre tiers-lieu again (only there, not the whole table). */
async function refreshAround(db: Db, ...points: Point[]): Promise<void> {
  for (const p of points) await refreshNearestTiersLieux(db, p);
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
  const { columns, commune, centre } = await columnsOf(db, actor, kind, input);
  const now = clock.now().toISOString();
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(offers)
      .values({
        ...columns,
        ...publicPoint(columns, columns.locationPrecision, centre),
        status: 'draft',
        slug: slugify(`${columns.title} ${commune.name}`),
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: offers.id });
    await tx.insert(offerEvents).values({ offerId: row!.id, kind: 'created', byUserId: actor.id, at: now });
    return row!.id;
  });
  await refreshAround(db, columns);
  return id;
}

/** An edit: the changed fields are recorded; a published offer must stay publishable. */
export async function updateOffer(db: Db, clock: Clock, actor: SessionUser, id: number, input: unknown): Promise<void> {
  const before = await getManagedOffer(db, actor, id);
  const { columns, commune, centre } = await columnsOf(db, actor, before.kind, input);
  const next = columns;
  if (before.status === 'published') refuseUnpublishable(next);
  const changed = Object.keys(next)
    .filter((k) => JSON.stringify(next[k as keyof typeof next]) !== JSON.stringify(before[k as keyof OfferRow]))
    .sort();
  if (changed.length === 0) return;
  const moved = ['lat', 'lng', 'locationPrecision', 'communeCode'].some((k) => changed.includes(k));
  const now = clock.now().toISOString();
  await db.transaction(async (tx) => {
    await tx
      .update(offers)
      .set({
        ...next,
        ...(moved ? publicPoint(columns, columns.locationPrecision, centre) : {}),
        slug: slugify(`${columns.title} ${commune.name}`),
        updatedAt: now,
      })
      .where(eq(offers.id, id));
    await tx.insert(offerEvents).values({ offerId: id, kind: 'updated', fields: changed, byUserId: actor.id, at: now });
  });
  await refreshAround(db, before, ...(moved ? [columns] : []));
}

const transitions = {
  publish: { to: 'published', event: 'published', from: ['draft', 'pending', 'archived'] },
  archive: { to: 'archived', event: 'archived', from: ['published', 'draft', 'pending'] },
  draft: { to: 'draft', event: 'to_draft', from: ['archived', 'published', 'pending'] },
} as const;
export type OfferTransition = keyof typeof transitions;
export const isOfferTransition = (v: string): v is OfferTransition => Object.hasOwn(transitions, v);

/** The changes of status an offer in `status` may take (the buttons of its page). */
export const transitionsFrom = (status: OfferRow['status']): OfferTransition[] =>
  (Object.keys(transitions) as OfferTransition[]).filter((k) =>
    (transitions[k].from as readonly string[]).includes(status),
  );

/** Publishing (after the full validation), archiving, or back to draft. */
export async function changeOfferStatus(
  db: Db,
  clock: Clock,
  actor: SessionUser,
  id: number,
  transition: OfferTransition,
): Promise<void> {
  const offer = await getManagedOffer(db, actor, id);
  const step = transitions[transition];
  if (!(step.from as readonly string[]).includes(offer.status))
    throw new Invalid([{ field: 'intent', key: 'errors.offer_transition' }]);
  if (step.to === 'published') refuseUnpublishable(offer);
  const now = clock.now().toISOString();
  await db.transaction(async (tx) => {
    await tx
      .update(offers)
      // A (re)publication is new for the saved searches' digest.
      .set({ status: step.to, updatedAt: now, ...(step.to === 'published' ? { publishedAt: now } : {}) })
      .where(eq(offers.id, id));
    await tx.insert(offerEvents).values({ offerId: id, kind: step.event, byUserId: actor.id, at: now });
  });
  await refreshAround(db, offer);
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
  await refreshAround(db, offer);
}
