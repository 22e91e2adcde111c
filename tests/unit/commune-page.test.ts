// A commune's page: its coverage and history, 4G sites around, offers around, and settled
// families that agree with the open-data API's cells (nothing it hides comes back here).
import { describe, expect, it } from 'vitest';
import { communePage, resolveCommunePage, settledIn } from '../../src/server/places/commune-page.ts';
import { settlementsPerCommune } from '../../src/server/reports/settlements.ts';
import { NotFound } from '../../src/server/errors.ts';
import { communeCoverageHistory } from '../../src/server/places/queries.ts';
import { testDb } from '../helpers/db.ts';

describe('commune page', () => {
  it('says what a family needs about Lectoure: coverage over the imports, 4G, offers around', async () => {
    const { db } = await testDb();
    const page = await communePage(db, await resolveCommunePage(db, '32208'));
    expect(page.commune).toMatchObject({ name: 'Lectoure', departmentName: 'Gers', territory: { code: '32' } });
    expect(page.coverage).toMatchObject({ dataDate: '2026-02-21' });
    expect(page.history.map((h) => h.dataDate)).toEqual(['2018-03-31', '2026-02-21']);
    expect(page.sites!.operators.length).toBeGreaterThan(0);
    for (const o of page.sites!.operators) expect(o.nearestKm).toBeLessThanOrEqual(10);
    expect(page.homes.total + page.tiersLieux.total).toBeGreaterThan(0);
    for (const offer of page.homes.items) expect(offer.kind).toBe('home');
  });

  it('resolves a former commune to the one that holds it; an unknown code is not found', async () => {
    const { db } = await testDb('referential');
    expect((await resolveCommunePage(db, '50602')).code).toBe('50129');
    // The API's coverage of a former commune is its commune's today.
    expect((await communeCoverageHistory(db, '50602')).commune.code).toBe('50129');
    await expect(resolveCommunePage(db, '99999')).rejects.toBeInstanceOf(NotFound);
    await expect(resolveCommunePage(db, '../32')).rejects.toBeInstanceOf(NotFound);
    // Paris: no territory, no mobile sites loaded, no families.
    const paris = await communePage(db, await resolveCommunePage(db, '75056'));
    expect(paris).toMatchObject({ sites: null, settledFamilies: 0, commune: { territory: null } });
  });

  it('shows settled families only as the sum of the API cells it can show', async () => {
    const { db } = await testDb();
    // The demo's families are spread one per commune (nothing shown): gather them in three.
    await db.$client.execute(
      "UPDATE candidates SET settled_commune_code = CASE id % 3 WHEN 0 THEN '32107' WHEN 1 THEN '32013' ELSE '32208' END WHERE territory_code = '32' AND first_settled_at IS NOT NULL",
    );
    const { territories } = await settlementsPerCommune(db, '32');
    const cells = territories[0]!.cells;
    const communes = [...new Set(cells.map((c) => c.commune).filter((c): c is string => c !== null))];
    expect(communes).toHaveLength(3);
    expect(cells.some((c) => c.families !== null)).toBe(true);
    const results: Array<number | null> = [];
    for (const code of communes) {
      const own = cells.filter((c) => c.commune === code);
      const shown = await settledIn(db, { code, departmentCode: '32' });
      results.push(shown);
      if (own.some((c) => c.families === null)) expect(shown).toBeNull();
      else expect(shown).toBe(own.reduce((n, c) => n + c.families!, 0));
    }
    // A commune where nobody settled says 0 (a zero names nobody).
    expect(await settledIn(db, { code: '32001', departmentCode: '32' })).toBe(0);

    // Kept per version of the files and territories, never stale: five families moved to a
    // commune are there at once (shown, or hidden as cells of fewer than 5 are, never 0), and
    // a new territory is listed.
    await db.$client.execute(
      "UPDATE candidates SET settled_commune_code = '32001' WHERE id IN (SELECT id FROM candidates WHERE territory_code = '32' AND first_settled_at IS NOT NULL AND settled_commune_code = '32107' LIMIT 5)",
    );
    expect(await settledIn(db, { code: '32001', departmentCode: '32' })).not.toBe(0);
    await expect(settlementsPerCommune(db, '47')).rejects.toThrow();
    await db.$client.execute(
      "INSERT INTO territories (code, name, created_at) VALUES ('47', 'Lot-et-Garonne', '2026-01-01T00:00:00Z')",
    );
    expect((await settlementsPerCommune(db, '47')).territories).toMatchObject([{ code: '47', families: 0 }]);
  });
});
