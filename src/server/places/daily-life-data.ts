// Loads the daily-life open data of db/data (issue 16, decision 022): schools of the
// Éducation nationale and La Poste's points of contact as points of interest, SNCF's stations
// in their own table (ODbL), INSEE's BPE 2020 counts per commune. Codes of former communes
// are resolved to today's commune; a row whose commune is unknown is left out and counted.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Db } from '../../../db/client.ts';
import { runBatch } from '../../../db/batch.ts';
import {
  communeAliases,
  communeFacilities,
  communes,
  pointsOfInterest,
  stations,
  type PointKind,
} from '../../../db/schema/index.ts';

const dataFile = (name: string) => new URL(`../../../db/data/${name}`, import.meta.url);
export const DAILY_LIFE_FILES = {
  schools: dataFile('ecoles-colleges-lycees-32-50.csv'),
  facilities: dataFile('equipements-bpe-32-50.csv'),
  stations: dataFile('gares-voyageurs-32-50.csv'),
  postOffices: dataFile('laposte-points-contact-32-50-2020.csv'),
};
export const BPE_YEAR = 2020;
export const BPE_SOURCE = 'Insee, BPE 2020';
export const STATIONS_SOURCE = 'SNCF Gares & Connexions, gares de voyageurs (ODbL)';
export const POST_SOURCE = 'La Poste, points de contact 2020';

const CHUNK = 200;
type Row = Record<string, string>;
const read = async (file: URL): Promise<Row[]> => parse(await readFile(file), { columns: true, bom: true });
const int = (v: string | undefined) => (v ? Number.parseInt(v, 10) || 0 : 0);
const coordinate = (v: string | undefined) => (v && Number.isFinite(Number(v)) ? Number(v) : null);

const SCHOOL_KINDS: Record<string, PointKind> = {
  'école maternelle': 'school_primary',
  'école élémentaire': 'school_primary',
  'école primaire': 'school_primary',
  collège: 'college',
  lycée: 'lycee',
};

export interface DailyLifeLoad {
  points: number;
  stations: number;
  facilities: number;
  /** Rows left out: no coordinates, or a commune code that names no commune today. */
  skipped: number;
}

/** Replaces the daily-life tables with the files' content (the referential must be loaded). */
export async function loadDailyLife(db: Db): Promise<DailyLifeLoad> {
  const current = new Map<string, string>();
  const department = new Map<string, string>();
  for (const c of await db.select({ code: communes.code, dep: communes.departmentCode }).from(communes)) {
    current.set(c.code, c.code);
    department.set(c.code, c.dep);
  }
  for (const a of await db.select({ code: communeAliases.code, to: communeAliases.communeCode }).from(communeAliases))
    if (!current.has(a.code)) current.set(a.code, a.to);
  const depOf = (code: string) => department.get(code)!;
  let skipped = 0;
  /** A row's commune today and its point; null without either (the row is skipped). */
  const place = (r: Record<string, string | undefined>) => {
    const communeCode = current.get(r.code_insee ?? '');
    const lat = coordinate(r.lat);
    const lng = coordinate(r.lon);
    if (!communeCode || lat === null || lng === null) return null;
    return { communeCode, departmentCode: depOf(communeCode), lat, lng };
  };

  const points: Array<typeof pointsOfInterest.$inferInsert> = [];
  for (const r of await read(DAILY_LIFE_FILES.schools)) {
    const kind = SCHOOL_KINDS[r.type ?? ''];
    const at = place(r);
    if (!kind || !at) {
      skipped++;
      continue;
    }
    const name = r.nom!.replace(/\s+/g, ' ').trim();
    points.push({
      kind,
      name,
      ...at,
      source: r.source!,
      sourceKey: r.uai!,
    });
  }
  for (const r of await read(DAILY_LIFE_FILES.postOffices)) {
    const at = place(r);
    if (!at) {
      skipped++;
      continue;
    }
    points.push({
      kind: 'post_office',
      name: `${r.type} — ${r.libelle}`,
      ...at,
      source: POST_SOURCE,
      sourceKey: r.identifiant!,
    });
  }

  const stationRows: Array<typeof stations.$inferInsert> = [];
  for (const r of await read(DAILY_LIFE_FILES.stations)) {
    const at = place(r);
    if (!at) {
      skipped++;
      continue;
    }
    stationRows.push({
      name: r.nom!,
      ...at,
      segment: r.segment_drg || null,
      uicCodes: r.codes_uic!,
      source: STATIONS_SOURCE,
    });
  }

  // BPE 2020 is in the geography of 2021: a former commune's counts go to the commune holding it.
  const facilities = new Map<string, typeof communeFacilities.$inferInsert>();
  for (const r of await read(DAILY_LIFE_FILES.facilities)) {
    const communeCode = current.get(r.code_insee ?? '');
    if (!communeCode) {
      skipped++;
      continue;
    }
    const f = facilities.get(communeCode) ?? {
      communeCode,
      departmentCode: depOf(communeCode),
      supermarkets: 0,
      foodShops: 0,
      bakeries: 0,
      pharmacies: 0,
      healthCentres: 0,
      emergencies: 0,
      stations: 0,
      primarySchools: 0,
      dataYear: BPE_YEAR,
      source: BPE_SOURCE,
    };
    f.supermarkets! += int(r.b101_hypermarche) + int(r.b102_supermarche);
    f.foodShops! += int(r.b201_superette) + int(r.b202_epicerie);
    f.bakeries! += int(r.b203_boulangerie);
    f.pharmacies! += int(r.d307_pharmacie);
    f.healthCentres! += int(r.d108_centre_de_sante) + int(r.d113_maison_sante_pluri);
    f.emergencies! += int(r.d106_urgences);
    f.stations! +=
      int(r.e107_gare_interet_national) + int(r.e108_gare_interet_regional) + int(r.e109_gare_interet_local);
    f.primarySchools! +=
      int(r.c101_ecole_maternelle) +
      int(r.c102_ecole_maternelle_rpi_disperse) +
      int(r.c104_ecole_elementaire) +
      int(r.c105_ecole_elementaire_rpi_disperse);
    facilities.set(communeCode, f);
  }

  const chunks = <T>(rows: T[]) =>
    Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));
  await runBatch(db, [
    db.delete(pointsOfInterest),
    db.delete(stations),
    db.delete(communeFacilities),
    ...chunks(points).map((rows) => db.insert(pointsOfInterest).values(rows)),
    ...chunks(stationRows).map((rows) => db.insert(stations).values(rows)),
    ...chunks([...facilities.values()]).map((rows) => db.insert(communeFacilities).values(rows)),
  ]);
  return { points: points.length, stations: stationRows.length, facilities: facilities.size, skipped };
}
