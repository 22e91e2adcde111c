// Daily life around a commune (issue 16): schools and post offices as points, SNCF stations
// as points in a table of their own (their licence is ODbL, share-alike: decision 022), and
// INSEE's facilities counts per commune (BPE) for what has no point.
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf } from './columns.ts';
import { communes, departments } from './places.ts';

export const POINT_KINDS = ['school_primary', 'college', 'lycee', 'post_office'] as const;
export type PointKind = (typeof POINT_KINDS)[number];

/** Schools (Éducation nationale) and post offices (La Poste): Licence Ouverte. */
export const pointsOfInterest = sqliteTable(
  'points_of_interest',
  {
    id: autoId(),
    kind: text('kind', { enum: POINT_KINDS }).notNull(),
    name: text('name').notNull(),
    /** The commune today (a former commune's code in the file is resolved through its aliases). */
    communeCode: codeOf('commune_code', () => communes.code),
    departmentCode: codeOf('department_code', () => departments.code),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    /** The producer and date of the data, e.g. "annuaire-education 2024-11-26". */
    source: text('source').notNull(),
    /** The producer's own identifier (UAI, La Poste site id). */
    sourceKey: text('source_key').notNull(),
  },
  (t) => [
    uniqueIndex('points_of_interest_source_key_idx').on(t.kind, t.sourceKey),
    index('points_of_interest_position_idx').on(t.lat, t.lng),
    index('points_of_interest_department_idx').on(t.departmentCode, t.kind),
  ],
);

/** SNCF passenger stations (Gares & Connexions, ODbL): kept apart so the derived database stays one table. */
export const stations = sqliteTable(
  'stations',
  {
    id: autoId(),
    name: text('name').notNull(),
    communeCode: codeOf('commune_code', () => communes.code),
    departmentCode: codeOf('department_code', () => departments.code),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    /** SNCF's station segment: A national, B regional, C local interest. */
    segment: text('segment'),
    /** UIC codes, `|`-separated: the stable key of the source. */
    uicCodes: text('uic_codes').notNull().unique(),
    source: text('source').notNull(),
  },
  (t) => [index('stations_position_idx').on(t.lat, t.lng)],
);

/** INSEE BPE counts per commune (today's commune: former communes' rows are added to it). */
export const communeFacilities = sqliteTable('commune_facilities', {
  communeCode: text('commune_code')
    .primaryKey()
    .references(() => communes.code),
  departmentCode: codeOf('department_code', () => departments.code),
  /** Hypermarkets and supermarkets (B101 + B102). */
  supermarkets: integer('supermarkets').notNull(),
  /** Small food shops: supérettes and épiceries (B201 + B202). */
  foodShops: integer('food_shops').notNull(),
  bakeries: integer('bakeries').notNull(),
  pharmacies: integer('pharmacies').notNull(),
  /** Health centres and multi-professional health homes (D108 + D113): GPs are not in the extract. */
  healthCentres: integer('health_centres').notNull(),
  emergencies: integer('emergencies').notNull(),
  /** Stations of national, regional and local interest (E107–E109). */
  stations: integer('stations').notNull(),
  /** Nursery and elementary schools (C101, C102, C104, C105). */
  primarySchools: integer('primary_schools').notNull(),
  /** The year the counts describe, e.g. 2020. */
  dataYear: integer('data_year').notNull(),
  source: text('source').notNull(),
});
