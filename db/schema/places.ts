// Places: the administrative referential (regions, departments, communes) and the
// territories the portal serves. A territory is a department that has joined.
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, createdAt } from './columns.ts';

export const regions = sqliteTable('regions', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
});

export const departments = sqliteTable(
  'departments',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    regionCode: codeOf('region_code', () => regions.code),
  },
  (t) => [index('departments_region_idx').on(t.regionCode)],
);

export const communes = sqliteTable(
  'communes',
  {
    /** INSEE code, e.g. 32013 for Auch. */
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    /** Lower-case, accent-free name for autocomplete ("leguevin" finds Léguevin). */
    searchName: text('search_name').notNull(),
    departmentCode: codeOf('department_code', () => departments.code),
    regionCode: codeOf('region_code', () => regions.code),
    /** Space-separated postal codes (most communes have one). */
    postalCodes: text('postal_codes').notNull(),
    population: integer('population'),
    lat: real('lat'),
    lng: real('lng'),
  },
  (t) => [
    index('communes_department_idx').on(t.departmentCode),
    index('communes_search_name_idx').on(t.searchName),
    // What lies within a radius: the communes of a box, then what each holds by its own index.
    index('communes_point_idx').on(t.lat, t.lng),
  ],
);

export const territories = sqliteTable('territories', {
  /** The department code: territories are departments. */
  code: text('code')
    .primaryKey()
    .references(() => departments.code),
  name: text('name').notNull(),
  /** One accent colour per territory, a CSS colour that keeps AA contrast on white. */
  accentColor: text('accent_color').notNull().default('#1f5f4a'),
  /** A short presentation of the programme, shown on the territory page and /projet. */
  presentationFr: text('presentation_fr'),
  presentationEn: text('presentation_en'),
  contactEmail: text('contact_email'),
  contactPhone: text('contact_phone'),
  /** Closed files are kept this many months after they close, then erased (GDPR). */
  retentionMonths: integer('retention_months').notNull().default(24),
  /** The programme's promise: a first answer to an enquiry within this many hours. */
  firstAnswerHours: integer('first_answer_hours').notNull().default(48),
  /** Owners may propose offers here (they go to the territory's moderation queue). */
  acceptsOwnerOffers: integer('accepts_owner_offers', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

/** Fixed broadband coverage of a commune, imported from open data (ARCEP). */
export const communeCoverage = sqliteTable('commune_coverage', {
  communeCode: text('commune_code')
    .primaryKey()
    .references(() => communes.code),
  /** Premises (homes + business premises): the denominator of the rates. */
  premises: integer('premises'),
  /** Premises connectable to FttH. */
  ftthPremises: integer('ftth_premises'),
  /** Share of premises eligible to FttH, 0–1. */
  ftthShare: real('ftth_share'),
  /** Share of premises eligible to ≥ 30 Mb/s, 0–1, when the source gives it. */
  thdShare: real('thd_share'),
  /** Last day of the quarter the figures describe, e.g. 2018-03-31 for "T1 2018". */
  dataDate: text('data_date').notNull(),
  source: text('source').notNull(),
  importedAt: text('imported_at').notNull(),
});

/**
 * Codes that are no longer communes but still name one: delegated and associated communes of a
 * merger, municipal districts (Paris, Lyon, Marseille). Old files, offers and open data keep
 * resolving through them.
 */
export const communeAliases = sqliteTable(
  'commune_aliases',
  {
    code: text('code').primaryKey(),
    communeCode: codeOf('commune_code', () => communes.code),
    name: text('name').notNull(),
  },
  (t) => [index('commune_aliases_commune_idx').on(t.communeCode)],
);

/** A département's headline coverage (ARCEP "Ma connexion internet"), one row per date of data. */
export const departmentCoverage = sqliteTable(
  'department_coverage',
  {
    departmentCode: codeOf('department_code', () => departments.code),
    dataDate: text('data_date').notNull(),
    premises: integer('premises'),
    /** Shares 0–1 of premises eligible to FttH and to ≥ 30 Mb/s. */
    ftthShare: real('ftth_share'),
    thdShare: real('thd_share'),
    source: text('source').notNull(),
    importedAt: text('imported_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.departmentCode, t.dataDate] })],
);

/** Mobile network sites (ARCEP), for "4G sites nearby". */
export const mobileSites = sqliteTable(
  'mobile_sites',
  {
    id: autoId(),
    operator: text('operator').notNull(),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    has4g: integer('has_4g', { mode: 'boolean' }).notNull(),
    departmentCode: codeOf('department_code', () => departments.code),
    dataDate: text('data_date').notNull(),
  },
  (t) => [index('mobile_sites_position_idx').on(t.lat, t.lng)],
);
