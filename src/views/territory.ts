// Loads /territoires/{code}: its presentation and contact, key figures, communes with their
// coverage, its tiers-lieux.
import { nearbyWork } from '../server/opportunities/queries.ts';
import { db } from '../server/db.ts';
import { departmentFigures } from '../server/imports/arcep-departments.ts';
import { NotFound } from '../server/errors.ts';
import type { RequestContext } from '../server/http/context.ts';
import { render } from '../server/http/respond.ts';
import { isTerritoryCode, parseId } from '../server/input.ts';
import { searchOffers, type OfferSearchResult } from '../server/offers/queries.ts';
import {
  COMMUNES_PAGE_SIZE,
  getTerritoryOverview,
  listTerritoryCommunes,
  type CommuneCoverageRow,
  type TerritoryOverview,
} from '../server/places/queries.ts';
import { territoryWithSettings, type Territory } from '../server/places/territories.ts';
import { publicStories, type PublicStory } from '../server/ambassadors/ambassadors.ts';

export interface TerritoryViewData {
  territory: TerritoryOverview;
  /** What its administrators set: presentation, contact, first-answer promise. */
  settings: Territory;
  communes: CommuneCoverageRow[];
  communesTotal: number;
  page: number;
  pages: number;
  tiersLieux: OfferSearchResult;
  /** ARCEP's own figures for the département, when imported: they win over the communes' sum. */
  departmentFigures: Awaited<ReturnType<typeof departmentFigures>> | null;
  /** Approved stories of its ambassadors (decision 024): never a contact. */
  stories: PublicStory[];
  /** The territory's newest jobs and businesses (issue 16). */
  work: Awaited<ReturnType<typeof nearbyWork>>;
}

export async function territoryPage(rc: Pick<RequestContext, 'url'>, code: string) {
  if (!isTerritoryCode(code)) throw new NotFound('territory');
  const page = Math.min(parseId(rc.url.searchParams.get('page') ?? '1') ?? 1, 9999);
  // First: an unknown territory is a 404, whichever of the reads below would fail first.
  const territory = await getTerritoryOverview(db, code);
  const [settings, communes, tiersLieux, figures, stories, work] = await Promise.all([
    territoryWithSettings(db, code),
    listTerritoryCommunes(db, code, page),
    searchOffers(db, { territoire: code, type: 'tiers-lieu' }),
    departmentFigures(db, code),
    publicStories(db, code),
    nearbyWork(db, { territory: code, limit: 3 }),
  ]);
  const view: TerritoryViewData = {
    territory,
    settings,
    communes: communes.rows,
    communesTotal: communes.total,
    page,
    pages: Math.max(1, Math.ceil(communes.total / COMMUNES_PAGE_SIZE)),
    tiersLieux,
    departmentFigures: figures ?? null,
    stories,
    work,
  };
  return render(view);
}
