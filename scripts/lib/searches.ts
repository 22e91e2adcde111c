// Realistic searches of /offres, drawn from a seeded generator: what families type (a
// territory or a commune with a radius, a kind, rent or buy, fibre, speeds, a price, a few
// words, a sort, a page). The bench loads the server with one per request, so that its
// figures are cache misses; the unit tests check the index against brute force with them.
import type { Random } from '../../db/seed/random.ts';

export interface SearchContext {
  territories: string[];
  /** INSEE codes of communes that have a position. */
  communes: string[];
  /** Words found in offers' titles and descriptions (and some that are not). */
  words: string[];
}

export function randomSearch(random: Random, ctx: SearchContext): URLSearchParams {
  const p = new URLSearchParams();
  const where = random.weighted([
    ['territory', 55],
    ['radius', 25],
    ['commune', 5],
    ['anywhere', 15],
  ] as const);
  if (where === 'territory') p.set('territoire', random.pick(ctx.territories));
  if (where === 'radius' || where === 'commune') p.set('commune', random.pick(ctx.communes));
  if (where === 'radius') p.set('rayon', String(random.pick([5, 10, 20, 30, 50, 100])));
  const type = random.weighted([
    ['logement', 55],
    ['tiers-lieu', 15],
    ['', 30],
  ] as const);
  if (type) p.set('type', type);
  const transaction = type !== 'tiers-lieu' && random.chance(0.5) ? random.pick(['location', 'vente'] as const) : '';
  if (transaction) p.set('transaction', transaction);
  if (random.chance(0.3)) p.set('fibre', '1');
  if (random.chance(0.2)) p.set('debit_min', String(random.pick([8, 30, 100, 300, 1000])));
  if (random.chance(0.1)) p.set('upload_min', String(random.pick([5, 50, 100, 500])));
  if (random.chance(0.05)) p.set('techno', random.pick(['ftth', 'cable', 'vdsl2', 'adsl', '4g-fixe', 'satellite']));
  if (random.chance(0.1)) p.set('mobile', random.pick(['4g', '5g']));
  if (random.chance(0.35)) {
    const [low, high] =
      transaction === 'location' || type === 'tiers-lieu'
        ? [random.int(0, 6) * 100, random.int(4, 20) * 100]
        : [random.int(0, 20) * 10_000, random.int(10, 60) * 10_000];
    if (random.chance(0.4)) p.set('prix_min', String(Math.min(low, high)));
    p.set('prix_max', String(Math.max(low, high)));
  }
  if (type !== 'tiers-lieu' && random.chance(0.15)) p.set('surface_min', String(random.pick([40, 60, 80, 100, 150])));
  if (type !== 'tiers-lieu' && random.chance(0.15)) p.set('pieces_min', String(random.int(2, 6)));
  if (type !== 'tiers-lieu' && random.chance(0.1)) p.set('tl_km', String(random.pick([5, 10, 20, 30])));
  if (random.chance(0.15)) {
    const words = random.chance(0.7) ? [random.pick(ctx.words)] : [random.pick(ctx.words), random.pick(ctx.words)];
    p.set('q', words.join(' '));
  }
  const sorts = p.has('commune')
    ? (['recent', 'prix', 'prix-desc', 'debit', 'distance', 'distance'] as const)
    : (['recent', 'recent', 'prix', 'prix-desc', 'debit'] as const);
  const tri = random.pick(sorts);
  if (tri !== 'recent' || random.chance(0.3)) p.set('tri', tri);
  const page = random.weighted([
    [1, 70],
    [random.int(2, 5), 25],
    [random.int(6, 60), 5],
  ] as const);
  if (page > 1) p.set('page', String(page));
  return p;
}
