// Part of `npm run bench`: publishing one offer in a territory of 100 000 offers, the
// incremental refresh of the nearest fibre tiers-lieu included (goal ≤ 50 ms). Its own
// database: every offer in the Gers, one tiers-lieu in ten, as dense as a territory gets.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDb } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';
import { placedCommunes } from '../db/seed/demo.ts';
import { insertBenchOffers } from './lib/bench-offers.ts';
import { createRandom } from '../db/seed/random.ts';
import { territories, users, userTerritories } from '../db/schema/index.ts';
import type { SessionUser } from '../src/server/accounts/session.ts';
import { changeOfferStatus, createOffer } from '../src/server/offers/manage.ts';
import { refreshNearestTiersLieux } from '../src/server/offers/nearest.ts';
import { loadReferential } from '../src/server/places/referential.ts';

const OFFERS = Number(process.env.BENCH_OFFERS ?? 100_000);
const RUNS = 30;
const GOAL_MS = 50;
const TERRITORY = '32';

export async function benchPublish(dir: string): Promise<void> {
  const path = join(dir, 'publish.db');
  const reuse = existsSync(path);
  const db = await createDb(`file:${path}`);
  const now = new Date('2026-11-01T09:00:00Z');
  try {
    await applyMigrations(db);
    if (!reuse) {
      await loadReferential(db);
      await db.insert(territories).values({ code: TERRITORY, name: 'Gers', createdAt: now.toISOString() });
      const places = await placedCommunes(db, TERRITORY);
      await insertBenchOffers(db, { count: OFFERS, seed: 32, places, territory: TERRITORY });
      await refreshNearestTiersLieux(db);
      await db.$client.execute('ANALYZE');
    }
    const [user] = await db
      .insert(users)
      .values({
        email: `bench.${Date.now()}@exemple.fr`,
        name: 'Agent du banc',
        role: 'agent',
        createdAt: now.toISOString(),
      })
      .returning({ id: users.id, email: users.email, name: users.name });
    await db.insert(userTerritories).values({ userId: user!.id, territoryCode: TERRITORY });
    const agent: SessionUser = { ...user!, role: 'agent', locale: 'fr', territories: [TERRITORY] };
    const random = createRandom(Date.now());
    const form = (kind: 'home' | 'tiers_lieu') => ({
      title: `Offre du banc ${kind}`,
      description: 'Publiée par le banc de mesure.',
      commune: '32013',
      // Spread over the Gers, within 30 km of Auch's centre.
      lat: (43.646 + (random.next() - 0.5) * 0.3).toFixed(5),
      lng: (0.586 + (random.next() - 0.5) * 0.3).toFixed(5),
      price: '800',
      transaction: 'rent',
      homeType: 'house',
      typology: 'coworking',
      bestTechnology: 'ftth',
      downloadMbps: '1000',
      uploadMbps: '500',
      fibreStatus: 'available',
    });
    const clock = { now: () => new Date() };
    console.log(`\npublishing one offer in a territory of ${OFFERS} offers (${RUNS} of each kind, refresh included)`);
    for (const kind of ['home', 'tiers_lieu'] as const) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const id = await createOffer(db, clock, agent, kind, form(kind));
        const started = performance.now();
        await changeOfferStatus(db, clock, agent, id, 'publish');
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(RUNS / 2)]!;
      const p95 = times[Math.floor(RUNS * 0.95)]!;
      console.log(
        `  ${kind === 'home' ? 'a home:      ' : 'a tiers-lieu:'} median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (goal ≤ ${GOAL_MS} ms: ${median <= GOAL_MS ? 'met' : 'NOT met'})`,
      );
    }
  } finally {
    db.$client.close();
  }
}
