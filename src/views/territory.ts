// Loads /territoires/{code}: key figures, communes with their coverage, its tiers-lieux.
import { db } from '../server/db.ts';
import { NotFound } from '../server/errors.ts';
import { searchOffers, type OfferSearchResult } from '../server/offers/queries.ts';
import {
  COMMUNES_PAGE_SIZE,
  getTerritoryOverview,
  listTerritoryCommunes,
  type CommuneCoverageRow,
  type TerritoryOverview,
} from '../server/places/queries.ts';

export interface TerritoryViewData {
  territory: TerritoryOverview;
  communes: CommuneCoverageRow[];
  communesTotal: number;
  page: number;
  pages: number;
  tiersLieux: OfferSearchResult;
}

export async function loadTerritory(code: string, url: URL): Promise<TerritoryViewData | null> {
  if (!/^(\d{2}|2A|2B|97\d)$/.test(code)) return null;
  const pageParam = url.searchParams.get('page') ?? '1';
  const page = /^\d{1,4}$/.test(pageParam) && Number(pageParam) >= 1 ? Number(pageParam) : 1;
  try {
    const [territory, communes, tiersLieux] = await Promise.all([
      getTerritoryOverview(db, code),
      listTerritoryCommunes(db, code, page),
      searchOffers(db, { territoire: code, type: 'tiers-lieu' }),
    ]);
    return {
      territory,
      communes: communes.rows,
      communesTotal: communes.total,
      page,
      pages: Math.max(1, Math.ceil(communes.total / COMMUNES_PAGE_SIZE)),
      tiersLieux,
    };
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}
