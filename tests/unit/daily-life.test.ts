// Daily life per commune (issue 16): the nearest school, station, post office… from the
// commune's centre, checked by brute force against the real extracts of db/data; BPE counts
// where the points are missing (the Manche's écoles), and nothing invented where no data.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communeFacilities, pointsOfInterest, stations } from '../../db/schema/index.ts';
import { dailyLife, type DailyLifeEntry } from '../../src/server/places/daily-life.ts';
import { DAILY_LIFE_FILES, loadDailyLife } from '../../src/server/places/daily-life-data.ts';
import { distanceKm } from '../../src/server/places/geo.ts';
import { getCommune } from '../../src/server/places/queries.ts';
import { testDb } from '../helpers/db.ts';

type Row = Record<string, string>;
const csv = (file: URL): Row[] => parse(readFileSync(file), { columns: true, bom: true });
const round = (km: number) => Math.round(km * 10) / 10;

/** The nearest row of a file to a point, by brute force over every row. */
function bruteNearest(rows: Row[], from: { lat: number; lng: number }) {
  return rows
    .filter((r) => r.lat && r.lon)
    .map((r) => ({ r, km: distanceKm(from, { lat: Number(r.lat), lng: Number(r.lon) }) }))
    .sort((a, b) => a.km - b.km)[0]!;
}

const entry = (entries: DailyLifeEntry[], kind: DailyLifeEntry['kind']) => entries.find((e) => e.kind === kind)!;

describe('daily life per commune', () => {
  it('loads every usable row of the four files (the seed does it for the demo)', async () => {
    const { db } = await testDb('referential');
    const loaded = await loadDailyLife(db);
    expect(loaded).toMatchObject({ stations: 14 });
    // 3 Gers schools without coordinates; one more row or so whose commune no longer exists.
    expect(loaded.points).toBeGreaterThan(320 - 3 + 260 - 10);
    expect(loaded.facilities).toBe(458 + 445);
    expect(await db.$count(stations)).toBe(14);
    // Loading again replaces, never duplicates.
    await loadDailyLife(db);
    expect((await db.select({ n: count() }).from(pointsOfInterest))[0]!.n).toBe(loaded.points);
    expect((await db.select({ n: count() }).from(communeFacilities))[0]!.n).toBe(loaded.facilities);
  });

  it('finds Lectoure’s nearest école, collège, lycée, station and post office as brute force does', async () => {
    const { db } = await testDb();
    const lectoure = (await getCommune(db, '32208'))!;
    const life = (await dailyLife(db, lectoure))!;
    const schools = csv(DAILY_LIFE_FILES.schools);
    const checks: Array<[DailyLifeEntry['kind'], Row[]]> = [
      ['school_primary', schools.filter((r) => r.type!.startsWith('école'))],
      ['college', schools.filter((r) => r.type === 'collège')],
      ['lycee', schools.filter((r) => r.type === 'lycée')],
      ['station', csv(DAILY_LIFE_FILES.stations)],
      ['post_office', csv(DAILY_LIFE_FILES.postOffices)],
    ];
    for (const [kind, rows] of checks) {
      const best = bruteNearest(rows, { lat: lectoure.lat!, lng: lectoure.lng! });
      const got = entry(life.entries, kind);
      expect(got, kind).toMatchObject({ via: 'point', km: round(best.km) });
      if (got.via === 'point') expect(got.name, kind).toContain((best.r.nom ?? best.r.libelle)!.split('\n')[0]!.trim());
    }
    // Lectoure has its own collège and lycée, and its station is Auch's, some 30 km away.
    expect(entry(life.entries, 'college')).toMatchObject({ communeName: 'Lectoure' });
    expect(entry(life.entries, 'station')).toMatchObject({ name: 'Auch', communeName: 'Auch' });
    // Counts: Lectoure has 2 pharmacies and a health home in BPE 2020.
    expect(entry(life.entries, 'pharmacy')).toEqual({
      kind: 'pharmacy',
      via: 'count',
      count: 2,
      communeName: 'Lectoure',
      km: 0,
      source: 'bpe',
    });
    expect(entry(life.entries, 'health')).toMatchObject({ via: 'count', count: 1, km: 0 });
    expect(life.sources).toEqual(['education', 'laposte', 'sncf', 'bpe']);
  });

  it('goes to the nearest commune with a pharmacy when the commune has none (centre to centre)', async () => {
    const { db } = await testDb();
    const communes = csv(new URL('../../db/data/communes-fr-2025.csv', import.meta.url)).filter(
      (c) => c.code_dep === '32',
    );
    const centres = new Map(
      communes.map((c) => [c.code_insee!, { lat: Number(c.lat), lng: Number(c.lon), name: c.nom! }]),
    );
    const bpe = csv(DAILY_LIFE_FILES.facilities).filter((r) => centres.has(r.code_insee!));
    const without = bpe.find((r) => r.d307_pharmacie === '0' && r.code_insee === '32002')!; // Ansan
    const from = centres.get(without.code_insee!)!;
    const withPharmacy = bpe
      .filter((r) => Number(r.d307_pharmacie) > 0)
      .map((r) => ({ r, km: distanceKm(from, centres.get(r.code_insee!)!) }))
      .sort((a, b) => a.km - b.km)[0]!;
    const life = (await dailyLife(db, (await getCommune(db, '32002'))!))!;
    expect(entry(life.entries, 'pharmacy')).toEqual({
      kind: 'pharmacy',
      via: 'count',
      count: Number(withPharmacy.r.d307_pharmacie),
      communeName: centres.get(withPharmacy.r.code_insee!)!.name,
      km: round(withPharmacy.km),
      source: 'bpe',
    });
  });

  it('falls back to BPE counts for the Manche’s écoles, and invents no lycée', async () => {
    const { db } = await testDb();
    const life = (await dailyLife(db, (await getCommune(db, '50502'))!))!; // Saint-Lô
    // BPE 2020: 1 + 7 écoles (C101 + C104) in Saint-Lô.
    expect(entry(life.entries, 'school_primary')).toMatchObject({ via: 'count', count: 8, km: 0, source: 'bpe' });
    expect(entry(life.entries, 'college')).toMatchObject({
      via: 'point',
      communeName: 'Saint-Lô',
      source: 'education',
    });
    expect(entry(life.entries, 'lycee')).toEqual({ kind: 'lycee', via: 'none' });
    expect(entry(life.entries, 'station')).toMatchObject({ via: 'point', name: 'Saint-Lô', source: 'sncf' });
  });

  it('says nothing where nothing is loaded or the commune has no centre', async () => {
    const { db } = await testDb();
    expect(await dailyLife(db, (await getCommune(db, '75056'))!)).toBeNull();
    expect(await dailyLife(db, { code: '32013', name: 'Auch', departmentCode: '32', lat: null, lng: null })).toBeNull();
  });
});
