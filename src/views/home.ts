// Loads the home page: the search's territories, a few homes with fibre, each territory with
// its figures, and the programme's line from settled families (the /impact figures, so
// never about fewer than five families).
import { db } from '../server/db.ts';
import { getKeyFigures, searchOffers, type OfferCard } from '../server/offers/queries.ts';
import { listTerritories, type TerritorySummary } from '../server/places/queries.ts';
import type { ImpactRow } from '../server/reports/impact.ts';
import { loadImpact } from './impact.ts';

/** How many homes the page shows. */
export const FEATURED = 4;

export interface HomeData {
  figures: Awaited<ReturnType<typeof getKeyFigures>>;
  territories: Array<TerritorySummary & { impact: ImpactRow | undefined }>;
  featured: OfferCard[];
  total: ImpactRow;
}

export async function loadHome(): Promise<HomeData> {
  const [figures, territories, impact, homes] = await Promise.all([
    getKeyFigures(db),
    listTerritories(db),
    loadImpact(),
    // The newest homes with fibre and a photo: what the programme is about.
    searchOffers(db, { type: 'logement', fibre: '1' }),
  ]);
  return {
    figures,
    territories: territories.map((x) => ({ ...x, impact: impact.territories.find((r) => r.code === x.code) })),
    featured: homes.items.filter((o) => o.photo).slice(0, FEATURED),
    total: impact.total,
  };
}
