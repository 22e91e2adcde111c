// Read side of offers: the public search and the key figures. Only published offers
// leave this module for visitors; drafts are filtered here, not in pages.
import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, offers, territories } from '../../../db/schema/index.ts';
import { Invalid } from '../errors.ts';
import { connectivityLabel, type ConnectivityLabel } from './connectivity-label.ts';
import { kindParams, type OfferSearchInput } from './schemas.ts';

export const PAGE_SIZE = 20;

export interface OfferCard {
  id: number;
  slug: string;
  kind: (typeof offers.$inferSelect)['kind'];
  title: string;
  communeName: string;
  territoryCode: string;
  price: number | null;
  transaction: (typeof offers.$inferSelect)['transaction'];
  homeType: (typeof offers.$inferSelect)['homeType'];
  typology: (typeof offers.$inferSelect)['typology'];
  surface: number | null;
  rooms: number | null;
  desks: number | null;
  bestTechnology: (typeof offers.$inferSelect)['bestTechnology'];
  downloadMbps: number | null;
  uploadMbps: number | null;
  fibreStatus: (typeof offers.$inferSelect)['fibreStatus'];
  mobileCoverage: (typeof offers.$inferSelect)['mobileCoverage'];
  label: ConnectivityLabel | null;
  publishedAt: string | null;
}

export interface OfferSearchResult {
  items: OfferCard[];
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  /** Result counts per kind for the other filters, to show next to the kind choice. */
  countsByKind: { home: number; tiers_lieu: number };
}

/** Conditions shared by every public read: published offers only. */
const published = eq(offers.status, 'published');

/** Runs a search. Throws Invalid when the territory is well formed but not served. */
export async function searchOffers(db: Db, query: OfferSearchInput): Promise<OfferSearchResult> {
  if (query.territoire !== undefined) {
    const [territory] = await db
      .select({ code: territories.code })
      .from(territories)
      .where(eq(territories.code, query.territoire));
    if (!territory) throw new Invalid([{ field: 'territoire', key: 'errors.unknown_territory', value: query.territoire }]);
  }

  const filters: SQL[] = [published];
  if (query.territoire) filters.push(eq(offers.territoryCode, query.territoire));
  if (query.fibre) filters.push(eq(offers.fibreStatus, 'available'));
  const kindFilter = query.type ? eq(offers.kind, kindParams[query.type]) : undefined;
  const where = and(...filters, kindFilter);

  const page = query.page ?? 1;
  const [rows, kinds] = await Promise.all([
    db
      .select({
        id: offers.id,
        slug: offers.slug,
        kind: offers.kind,
        title: offers.title,
        communeName: communes.name,
        territoryCode: offers.territoryCode,
        price: offers.price,
        transaction: offers.transaction,
        homeType: offers.homeType,
        typology: offers.typology,
        surface: offers.surface,
        rooms: offers.rooms,
        desks: offers.desks,
        bestTechnology: offers.bestTechnology,
        downloadMbps: offers.downloadMbps,
        uploadMbps: offers.uploadMbps,
        fibreStatus: offers.fibreStatus,
        mobileCoverage: offers.mobileCoverage,
        publishedAt: offers.publishedAt,
      })
      .from(offers)
      .innerJoin(communes, eq(communes.code, offers.communeCode))
      .where(where)
      // id breaks ties so that paging is stable.
      .orderBy(desc(offers.publishedAt), desc(offers.id))
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE),
    db
      .select({ kind: offers.kind, n: count() })
      .from(offers)
      .where(and(...filters))
      .groupBy(offers.kind),
  ]);

  const countsByKind = { home: 0, tiers_lieu: 0 };
  for (const k of kinds) countsByKind[k.kind] = k.n;
  const total = query.type ? countsByKind[kindParams[query.type]] : countsByKind.home + countsByKind.tiers_lieu;

  return {
    items: rows.map((r) => ({ ...r, label: connectivityLabel(r.downloadMbps, r.uploadMbps) })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    pageSize: PAGE_SIZE,
    countsByKind,
  };
}

export interface KeyFigures {
  homes: number;
  tiersLieux: number;
  /** Share of published offers with fibre available now, 0–1. */
  fibreShare: number;
  territories: number;
}

export async function getKeyFigures(db: Db): Promise<KeyFigures> {
  const [[row], [terr]] = await Promise.all([
    db
      .select({
        homes: sql<number>`coalesce(sum(${offers.kind} = 'home'), 0)`,
        tiersLieux: sql<number>`coalesce(sum(${offers.kind} = 'tiers_lieu'), 0)`,
        fibre: sql<number>`coalesce(sum(${offers.fibreStatus} = 'available'), 0)`,
      })
      .from(offers)
      .where(published),
    db.select({ n: count() }).from(territories),
  ]);
  const homes = Number(row?.homes ?? 0);
  const tiersLieux = Number(row?.tiersLieux ?? 0);
  const total = homes + tiersLieux;
  return {
    homes,
    tiersLieux,
    fibreShare: total ? Number(row?.fibre ?? 0) / total : 0,
    territories: terr?.n ?? 0,
  };
}

/** Published offers per territory code, for the home page's territory cards. */
export async function countPublishedByTerritory(db: Db, codes: string[]): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .select({ code: offers.territoryCode, n: count() })
    .from(offers)
    .where(and(published, inArray(offers.territoryCode, codes)))
    .groupBy(offers.territoryCode);
  return new Map(rows.map((r) => [r.code, r.n]));
}
