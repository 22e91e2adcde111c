// The bench's generated offers: `count` offers over `places` (one tiers-lieu in ten), in
// transactions of 2 000, each with its public point; the same generator as the demo seed.
import type { Db } from '../../db/client.ts';
import { offers } from '../../db/schema/index.ts';
import { makeFictitiousTiersLieu, makeHome, withPublicPoints, type CommuneRow } from '../../db/seed/demo.ts';
import { createRandom } from '../../db/seed/random.ts';

export async function insertBenchOffers(
  db: Db,
  options: { count: number; seed: number; places: Array<CommuneRow & { departmentCode: string }>; territory?: string },
): Promise<void> {
  const now = new Date('2026-11-01T09:00:00Z');
  const random = createRandom(options.seed);
  const { places } = options;
  for (let i = 0; i < options.count; i += 2000) {
    const rows: Array<typeof offers.$inferInsert> = [];
    for (let j = i; j < Math.min(options.count, i + 2000); j++) {
      const place = places[Math.floor(random.next() * places.length)]!;
      const territory = options.territory ?? place.departmentCode;
      rows.push(
        random.chance(0.1)
          ? makeFictitiousTiersLieu(random, place, territory, now, j)
          : makeHome(random, place, territory, now),
      );
    }
    await db.transaction(async (tx) => {
      const placed = withPublicPoints(rows, i);
      for (let k = 0; k < placed.length; k += 200) await tx.insert(offers).values(placed.slice(k, k + 200));
    });
  }
}
