// Loads the administrative referential: regions, departments and current communes from
// @etalab/decoupage-administratif, coordinates from the INSEE/La Poste 2024 extract in
// db/data (see db/data/SOURCES.md). Idempotent: rows are upserted by code.
import { parse } from 'csv-parse/sync';
import { count } from 'drizzle-orm';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fromExcluded, runBatch } from '../../../db/batch.ts';
import type { Db } from '../../../db/client.ts';
import { communes, departments, regions } from '../../../db/schema/index.ts';
import { foldText } from '../../lib/text.ts';

const require = createRequire(import.meta.url);

interface EtalabRegion {
  code: string;
  nom: string;
}
interface EtalabDepartment {
  code: string;
  nom: string;
  region: string;
}
interface EtalabCommune {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  region?: string;
  chefLieu?: string;
  /** For a municipal district: its commune. */
  commune?: string;
  codesPostaux?: string[];
  population?: number;
}

const coordinatesFile = new URL('../../../db/data/communes-fr-2024.csv', import.meta.url);
const CHUNK = 500;

type LatLng = { lat: number; lng: number };

/** INSEE code → coordinates. Current communes first; delegated communes and districts as fallbacks. */
async function readCoordinates(): Promise<{ own: Map<string, LatLng>; any: Map<string, LatLng> }> {
  const rows: Record<string, string>[] = parse(await readFile(coordinatesFile), { columns: true, bom: true });
  const own = new Map<string, LatLng>();
  const any = new Map<string, LatLng>();
  for (const r of rows) {
    const lat = Number.parseFloat(r.lat ?? '');
    const lng = Number.parseFloat(r.lng ?? '');
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) continue;
    const code = r.insee_com ?? '';
    if (r.commune_type === 'COM' && !own.has(code)) own.set(code, { lat, lng });
    if (!any.has(code)) any.set(code, { lat, lng });
  }
  return { own, any };
}

function average(points: LatLng[]): LatLng | undefined {
  if (points.length === 0) return undefined;
  const sum = points.reduce((a, p) => ({ lat: a.lat + p.lat, lng: a.lng + p.lng }), { lat: 0, lng: 0 });
  return { lat: round(sum.lat / points.length), lng: round(sum.lng / points.length) };
}

const round = (n: number) => Math.round(n * 1e5) / 1e5;

export async function loadReferential(db: Db): Promise<{ communes: number }> {
  const etalabRegions: EtalabRegion[] = require('@etalab/decoupage-administratif/data/regions.json');
  const etalabDepartments: EtalabDepartment[] = require('@etalab/decoupage-administratif/data/departements.json');
  const etalabCommunes: EtalabCommune[] = require('@etalab/decoupage-administratif/data/communes.json');
  const { own, any } = await readCoordinates();

  // A commune created by merging others has no row of its own in the 2024 extract:
  // place it at the centre of its delegated communes (or of its districts for Paris/Lyon/Marseille).
  const parts = new Map<string, LatLng[]>();
  for (const c of etalabCommunes) {
    const parent =
      c.type === 'arrondissement-municipal' ? c.commune : c.type === 'commune-actuelle' ? undefined : c.chefLieu;
    const point = any.get(c.code);
    if (parent && point) parts.set(parent, [...(parts.get(parent) ?? []), point]);
  }

  const communeRows = etalabCommunes
    .filter((c) => c.type === 'commune-actuelle' && c.departement && c.region)
    .map((c) => {
      const point = own.get(c.code) ?? average(parts.get(c.code) ?? []) ?? any.get(c.code);
      return {
        code: c.code,
        name: c.nom,
        searchName: foldText(c.nom),
        departmentCode: c.departement!,
        regionCode: c.region!,
        postalCodes: (c.codesPostaux ?? []).join(' '),
        population: c.population ?? null,
        lat: point?.lat ?? null,
        lng: point?.lng ?? null,
      };
    });

  await db.batch([
    db
      .insert(regions)
      .values(etalabRegions.map((r) => ({ code: r.code, name: r.nom })))
      .onConflictDoUpdate({ target: regions.code, set: fromExcluded(regions, ['name']) }),
    db
      .insert(departments)
      .values(etalabDepartments.map((d) => ({ code: d.code, name: d.nom, regionCode: d.region })))
      .onConflictDoUpdate({
        target: departments.code,
        set: fromExcluded(departments, ['name', 'regionCode']),
      }),
  ]);

  const statements = [];
  for (let i = 0; i < communeRows.length; i += CHUNK) {
    statements.push(
      db
        .insert(communes)
        .values(communeRows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: communes.code,
          set: fromExcluded(communes, [
            'name',
            'searchName',
            'departmentCode',
            'regionCode',
            'postalCodes',
            'population',
            'lat',
            'lng',
          ]),
        }),
    );
  }
  await runBatch(db, statements);
  return { communes: communeRows.length };
}

/** The referential is loaded once, on the first start of a new database. */
export async function referentialLoaded(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(communes);
  return (row?.n ?? 0) > 0;
}
