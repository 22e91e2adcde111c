// Loads /impact (both locales) and serves its maps' backgrounds. The figures cover every file
// of every territory; the settled families' are computed again as soon as they change (the
// 'settlements' version), the offers' are counted by the search index at each call (the
// catalogue's version): so a page is a function of both versions, which the page cache keys.
import { db } from '../server/db.ts';
import type { RequestContext } from '../server/http/context.ts';
import { listTerritories } from '../server/places/queries.ts';
import { impactDashboard, withCurrentOffers, type ImpactDashboard } from '../server/reports/impact-dashboard.ts';
import { catalogueIndex } from '../server/offers/catalogue-index.ts';
import { mapBackground, type Bounds } from '../server/reports/map.ts';
import { settlementsVersion } from '../server/reports/impact.ts';

export interface ImpactMap {
  code: string;
  name: string;
  background: { href: string; bounds: Bounds } | null;
}

export type ImpactData = ImpactDashboard & { maps: ImpactMap[] };

let cached: { settlements: number; data: Promise<ImpactData> } | undefined;

async function compute(): Promise<ImpactData> {
  const figures = await impactDashboard(db);
  // A map per territory that has settled families to show (named or grouped).
  const maps: ImpactMap[] = [];
  for (const t of figures.territories) {
    if (t.code === null || !t.families) continue;
    const drawn = await mapBackground(db, { territories: [t.code], label: t.name ?? t.code });
    maps.push({
      code: t.code,
      name: t.name ?? t.code,
      background: drawn && {
        href: `/impact/carte.png?${new URLSearchParams({ territoire: t.code, v: drawn.version })}`,
        bounds: drawn.bounds,
      },
    });
  }
  return { ...figures, maps };
}

export async function loadImpact(): Promise<ImpactData> {
  const settlements = await settlementsVersion(db);
  if (!cached || cached.settlements !== settlements) {
    const data = compute();
    cached = { settlements, data };
    // A failed computation is not kept.
    data.catch(() => (cached = undefined));
  }
  const [data, index] = await Promise.all([cached.data, catalogueIndex(db)]);
  return withCurrentOffers(data, index);
}

/**
 * GET /impact/carte.png?territoire=…&v=… — the background of a territory's map on /impact
 * (every commune of its départements as a dot: no personal data). Its URL changes with its
 * content (`v`), so browsers and proxies keep it; any other `territoire` is not found.
 */
export async function impactMapImage(rc: RequestContext): Promise<Response> {
  const code = rc.url.searchParams.get('territoire') ?? '';
  const territory = (await listTerritories(db)).find((t) => t.code === code);
  const drawn = territory && (await mapBackground(db, { territories: [territory.code], label: territory.name }));
  if (!drawn) return new Response('', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(new Uint8Array(drawn.png), {
    headers: {
      'Content-Type': 'image/png',
      'Cache-Control':
        drawn.version === rc.url.searchParams.get('v') ? 'public, max-age=31536000, immutable' : 'public, no-cache',
    },
  });
}
