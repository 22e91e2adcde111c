// Offers: homes and tiers-lieux with their connectivity. One table for both kinds so
// that search, map and reports read one place; kind-specific columns are nullable.
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, ownerId, timestamps } from './columns.ts';
import { users } from './accounts.ts';
import { communes, territories } from './places.ts';

export const offerKinds = ['home', 'tiers_lieu'] as const;
/** `pending`: an owner's proposal awaiting moderation; `expired`: published but unconfirmed for 90 days, out of the catalogue. */
export const offerStatuses = ['draft', 'pending', 'published', 'expired', 'archived'] as const;
/** Where an owner's proposal (or their edit of a published offer) stands with the territory's agents. */
export const moderationStates = ['pending', 'changes_requested', 'rejected'] as const;
export const transactions = ['rent', 'sale'] as const;
export const homeTypes = ['house', 'flat', 'farmhouse', 'land'] as const;
export const tiersLieuTypologies = ['coworking', 'fablab', 'workshop', 'hybrid'] as const;
/** Best fixed technologies, from the fastest family to the slowest. */
export const technologies = ['ftth', 'cable', 'vdsl2', 'adsl', '4g-fixe', '5g-fixe', 'thd-radio', 'satellite'] as const;
export const fibreStatuses = ['available', 'planned', 'none'] as const;
/** Best mobile coverage at the place, ordered: a 5G place also has 4G. */
export const mobileCoverages = ['none', '3g', '4g', '5g'] as const;
export const connectivitySources = ['owner', 'agent', 'open_data'] as const;
/** What the public sees of an offer's position: a point a few hundred metres off, or the commune's centre. */
/** Open-data sources an offer may come from (src/server/imports/tiers-lieux-anct.ts). */
export const offerSources = ['anct'] as const;
export const locationPrecisions = ['approximate', 'commune'] as const;
export const energyClasses = ['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;
/** The closed lists of an offer's columns, for the back office's form and its checks. */
export const offerEnums = {
  transactions,
  homeTypes,
  tiersLieuTypologies,
  technologies,
  fibreStatuses,
  mobileCoverages,
  connectivitySources,
  locationPrecisions,
  energyClasses,
};

/**
 * The life of an item of the catalogue, the same for offers and for jobs and businesses:
 * publication, freshness (src/server/offers/freshness.ts: flagged at 60 days unconfirmed,
 * hidden at 90) and an owner's proposals under moderation.
 */
export const lifeColumns = () => ({
  publishedAt: text('published_at'),
  /** Last time its agent or owner said it is still available. */
  confirmedAt: text('confirmed_at'),
  /** The owner who proposed it (null: an agent's). Never shown to families: enquiries reach the agents. */
  ownerId: integer('owner_id').references(() => users.id, { onDelete: 'set null' }),
  moderation: text('moderation', { enum: moderationStates }),
  /** An owner's edit of a published item, awaiting moderation; the published version stays online meanwhile. */
  proposedChanges: text('proposed_changes', { mode: 'json' }).$type<Record<string, unknown>>(),
  /** When the owner was last asked to confirm it (once per unconfirmed period). */
  ownerRemindedAt: text('owner_reminded_at'),
});

/** One event of an item's history in the back office (`offer_events`, `opportunity_events`). */
export const eventColumns = () => ({
  kind: text('kind', { enum: offerEventKinds }).notNull(),
  /** The names of the fields an edit changed. */
  fields: text('fields', { mode: 'json' }).$type<string[]>().notNull().default([]),
  byUserId: integer('by_user_id').references(() => users.id),
  /** The message of a request for changes, or the reason of a rejection. */
  note: text('note'),
  at: text('at').notNull(),
});

export const offers = sqliteTable(
  'offers',
  {
    id: autoId(),
    kind: text('kind', { enum: offerKinds }).notNull(),
    status: text('status', { enum: offerStatuses }).notNull().default('draft'),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    /** The title in English, for the English pages (optional: the French one otherwise). */
    titleEn: text('title_en'),
    description: text('description').notNull(),
    territoryCode: codeOf('territory_code', () => territories.code),
    communeCode: codeOf('commune_code', () => communes.code),
    /** Street address: private, shown to agents only. */
    address: text('address'),
    /** The exact point: private (agents, distances computed on the server). */
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    /** What public pages, the map, JSON-LD and the API show (src/server/offers/position.ts); never the exact point. */
    publicLat: real('public_lat'),
    publicLng: real('public_lng'),
    locationPrecision: text('location_precision', { enum: locationPrecisions }).notNull().default('approximate'),
    /** Euros: monthly rent or sale price for homes, monthly desk price for tiers-lieux. */
    price: integer('price'),

    // Homes
    transaction: text('transaction', { enum: transactions }),
    homeType: text('home_type', { enum: homeTypes }),
    surface: integer('surface'),
    landArea: integer('land_area'),
    rooms: integer('rooms'),
    bedrooms: integer('bedrooms'),
    energyClass: text('energy_class'),
    availableFrom: text('available_from'),

    // Tiers-lieux
    typology: text('typology', { enum: tiersLieuTypologies }),
    desks: integer('desks'),
    meetingRooms: integer('meeting_rooms'),
    priceDay: integer('price_day'),
    openingHours: text('opening_hours'),
    /** JSON array of service keys (wifi, coffee, printer, lockers…). */
    services: text('services', { mode: 'json' }).$type<string[]>(),
    wheelchairAccessible: integer('wheelchair_accessible', { mode: 'boolean' }),
    website: text('website'),

    // Connectivity
    bestTechnology: text('best_technology', { enum: technologies }),
    downloadMbps: integer('download_mbps'),
    uploadMbps: integer('upload_mbps'),
    fibreStatus: text('fibre_status', { enum: fibreStatuses }).notNull().default('none'),
    fibrePlannedAt: text('fibre_planned_at'),
    mobileCoverage: text('mobile_coverage', { enum: mobileCoverages }).notNull().default('none'),
    connectivitySource: text('connectivity_source', { enum: connectivitySources }).notNull().default('owner'),
    connectivityCheckedAt: text('connectivity_checked_at'),

    /**
     * Homes: km to the nearest published tiers-lieu with fibre (null when none within
     * 100 km). Derived, kept by refreshNearestTiersLieux() whenever offers change, so that
     * the `tl_km` filter is an index range instead of a spatial join per home.
     */
    nearestFibreTiersLieuKm: real('nearest_fibre_tiers_lieu_km'),
    /** Km from the commune's centre to its nearest école, as daily life says (homes; `refreshNearestSchools`). */
    schoolKm: real('school_km'),

    ...lifeColumns(),

    // Imported from open data: the source and the source's own id, so that a second import finds it again.
    source: text('source', { enum: offerSources }),
    sourceKey: text('source_key'),
    /** What the source said at the last import (its columns only): a row the source did not change changes nothing. */
    sourceData: text('source_data', { mode: 'json' }).$type<Record<string, unknown>>(),
    ...timestamps(),
  },
  (t) => [
    // The default listing: published offers of a kind, newest first, optionally per territory.
    index('offers_listing_idx').on(t.status, t.kind, t.publishedAt),
    index('offers_territory_idx').on(t.status, t.territoryCode, t.publishedAt),
    index('offers_fibre_idx').on(t.status, t.fibreStatus, t.publishedAt),
    index('offers_recent_idx').on(t.status, t.publishedAt),
    index('offers_commune_status_idx').on(t.status, t.communeCode),
    index('offers_transaction_idx').on(t.status, t.transaction),
    index('offers_upload_idx').on(t.status, t.uploadMbps),
    index('offers_technology_idx').on(t.status, t.bestTechnology),
    index('offers_mobile_idx').on(t.status, t.mobileCoverage),
    index('offers_surface_idx').on(t.status, t.surface),
    index('offers_rooms_idx').on(t.status, t.rooms),
    index('offers_download_idx').on(t.status, t.downloadMbps),
    index('offers_price_idx').on(t.status, t.price),
    // Radius searches and distances use the public point only (decision 006).
    index('offers_public_point_idx').on(t.status, t.publicLat, t.publicLng),
    index('offers_nearest_tl_idx').on(t.status, t.nearestFibreTiersLieuKm),
    index('offers_confirmed_idx').on(t.status, t.confirmedAt),
    // The nearest fibre tiers-lieu kept up one change at a time (src/server/offers/nearest.ts).
    // Covering: the points are read from the index alone.
    index('offers_fibre_tl_idx').on(t.kind, t.status, t.fibreStatus, t.lat, t.lng),
    index('offers_kind_lat_idx').on(t.kind, t.lat, t.lng, t.nearestFibreTiersLieuKm),
    index('offers_home_nearest_idx').on(t.kind, t.nearestFibreTiersLieuKm),
    index('offers_owner_idx').on(t.ownerId),
    index('offers_moderation_idx').on(t.moderation, t.territoryCode),
    // The back office's list of every territory (a platform admin) in each of its orders:
    // read in order, 25 rows, rather than 100 000 sorted (0.4 s).
    index('offers_updated_idx').on(t.updatedAt),
    index('offers_title_idx').on(t.title),
    index('offers_confirmed_at_idx').on(t.confirmedAt),
    uniqueIndex('offers_source_idx').on(t.source, t.sourceKey),
  ],
);

/** Photos of an offer; files live under PHOTOS_DIR and are served resized. */
export const offerPhotos = sqliteTable(
  'offer_photos',
  {
    id: autoId(),
    offerId: ownerId('offer_id', () => offers.id),
    /** File name of the original under PHOTOS_DIR/originals. */
    storageKey: text('storage_key').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    alt: text('alt').notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('offer_photos_offer_idx').on(t.offerId, t.position)],
);

export const offerEventKinds = [
  'created',
  'updated',
  'published',
  'archived',
  'to_draft',
  'proposed',
  'approved',
  'changes_requested',
  'rejected',
  'confirmed',
  'withdrawn',
  'expired',
] as const;

/** An offer's history in the back office: who did what, when, and which fields changed. */
export const offerEvents = sqliteTable(
  'offer_events',
  {
    id: autoId(),
    offerId: ownerId('offer_id', () => offers.id),
    ...eventColumns(),
  },
  (t) => [
    index('offer_events_offer_idx').on(t.offerId, t.at),
    index('offer_events_by_user_idx')
      .on(t.byUserId)
      .where(sql`${t.byUserId} IS NOT NULL`),
  ],
);
