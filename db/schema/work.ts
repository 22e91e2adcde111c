// Work for the partner (issue 16): job offers and businesses to take over, published by a
// territory's agents (or proposed by owners of businesses), with the offers' lifecycle,
// freshness and moderation; and their proposals to a family's file. One table for both
// kinds (decision 023): search, lifecycle, freshness and moderation read one place.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { autoId, codeOf, ownerId, timestamps } from './columns.ts';
import { communes, territories } from './places.ts';
import { eventColumns, lifeColumns, offerStatuses } from './offers.ts';
import { answerColumns, candidates } from './candidates.ts';

export const opportunityKinds = ['job', 'business'] as const;
export const contractTypes = ['permanent', 'fixed_term', 'apprenticeship', 'seasonal', 'freelance'] as const;
export const businessSectors = [
  'retail',
  'food',
  'hospitality',
  'crafts',
  'services',
  'agriculture',
  'health',
] as const;
export const turnoverBands = ['under_100k', '100k_300k', '300k_1m', 'over_1m'] as const;
export const opportunityEnums = { contractTypes, businessSectors, turnoverBands };

export const opportunities = sqliteTable(
  'opportunities',
  {
    id: autoId(),
    kind: text('kind', { enum: opportunityKinds }).notNull(),
    status: text('status', { enum: offerStatuses }).notNull().default('draft'),
    title: text('title').notNull(),
    description: text('description').notNull(),
    territoryCode: codeOf('territory_code', () => territories.code),
    communeCode: codeOf('commune_code', () => communes.code),

    // Jobs
    /** The employer's name (public); never its contact: families go through the agents. */
    employer: text('employer'),
    contract: text('contract', { enum: contractTypes }),
    hoursPerWeek: integer('hours_per_week'),
    teleworkable: integer('teleworkable', { mode: 'boolean' }),

    // Businesses to take over
    sector: text('sector', { enum: businessSectors }),
    /** Euros: the asking price's range. */
    priceMin: integer('price_min'),
    priceMax: integer('price_max'),
    turnoverBand: text('turnover_band', { enum: turnoverBands }),
    /** Why it is for sale (retirement, move…). */
    reason: text('reason'),
    /** When the seller wishes to hand over (ISO date). */
    wantedBy: text('wanted_by'),

    ...lifeColumns(),
    ...timestamps(),
  },
  (t) => [
    index('opportunities_listing_idx').on(t.status, t.kind, t.territoryCode, t.publishedAt),
    // /emplois and /reprises without a territory: the newest first, read in order.
    index('opportunities_newest_idx').on(t.status, t.kind, t.publishedAt, t.id),
    index('opportunities_commune_idx').on(t.status, t.communeCode),
    index('opportunities_confirmed_idx').on(t.status, t.confirmedAt),
    index('opportunities_owner_idx').on(t.ownerId),
    index('opportunities_moderation_idx').on(t.moderation, t.territoryCode),
    // The back office's list: a territory's items of a kind, latest change first.
    index('opportunities_list_idx').on(t.territoryCode, t.kind, t.updatedAt, t.id),
  ],
);

/** An opportunity's history in the back office, as `offer_events` for offers. */
export const opportunityEvents = sqliteTable(
  'opportunity_events',
  {
    id: autoId(),
    opportunityId: ownerId('opportunity_id', () => opportunities.id),
    ...eventColumns(),
  },
  (t) => [
    index('opportunity_events_idx').on(t.opportunityId, t.at),
    index('opportunity_events_by_user_idx')
      .on(t.byUserId)
      .where(sql`${t.byUserId} IS NOT NULL`),
  ],
);

/** A job or a business proposed to a family's file, answered like a home proposal. */
export const workProposals = sqliteTable(
  'work_proposals',
  {
    id: autoId(),
    candidateId: ownerId('candidate_id', () => candidates.id),
    opportunityId: integer('opportunity_id')
      .notNull()
      .references(() => opportunities.id),
    ...answerColumns(),
  },
  (t) => [uniqueIndex('work_proposals_candidate_idx').on(t.candidateId, t.opportunityId)],
);
