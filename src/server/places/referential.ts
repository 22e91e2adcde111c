// Loads the administrative referential: regions and departments from
// @etalab/decoupage-administratif; communes (names, centroids, populations, postal codes) from
// the 2025 file of the State's API Géo in db/data (see db/data/SOURCES.md); the codes of
// delegated and associated communes and of municipal districts as aliases of their commune,
// so that codes older files use keep resolving. Idempotent: rows are upserted by code.
import { parse } from 'csv-parse';
import { count } from 'drizzle-orm';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { fromExcluded, runBatch } from '../../../db/batch.ts';
import type { Db } from '../../../db/client.ts';
import { communeAliases, communes, departments, mobileSites, regions } from '../../../db/schema/index.ts';
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
  /** For a delegated or associated commune: the commune it belongs to. */
  chefLieu?: string;
  /** For a municipal district: its commune. */
  commune?: string;
}

export const communesFile = new URL('../../../db/data/communes-fr-2025.csv', import.meta.url);
const mobileSitesFile = new URL('../../../db/data/arcep-sites-mobiles-2018-01-32-50.csv', import.meta.url);
const MOBILE_SITES_DATE = '2018-01-31';
const CHUNK = 500;

type CommuneRow = typeof communes.$inferInsert;

/** The communes of the 2025 file, one row each. */
async function readCommunes(): Promise<CommuneRow[]> {
  const rows: CommuneRow[] = [];
  const number = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  for await (const r of createReadStream(communesFile).pipe(parse({ columns: true, bom: true })) as AsyncIterable<
    Record<string, string>
  >) {
    const name = r.nom!;
    rows.push({
      code: r.code_insee!,
      name,
      searchName: foldText(name),
      departmentCode: r.code_dep!,
      regionCode: r.code_region!,
      postalCodes: (r.codes_postaux ?? '').split('|').filter(Boolean).join(' '),
      population: number(r.population),
      lat: number(r.lat),
      lng: number(r.lon),
    });
  }
  return rows;
}

/** ARCEP's mobile sites (the Gers and the Manche, January 2018). */
async function readMobileSites(): Promise<Array<typeof mobileSites.$inferInsert>> {
  const rows: Array<typeof mobileSites.$inferInsert> = [];
  for await (const r of createReadStream(mobileSitesFile).pipe(parse({ columns: true, bom: true })) as AsyncIterable<
    Record<string, string>
  >) {
    rows.push({
      operator: r.operateur_nom!,
      lat: Number(r.lat),
      lng: Number(r.lon),
      has4g: r['4G'] === '1',
      departmentCode: r.code_dep!,
      dataDate: MOBILE_SITES_DATE,
    });
  }
  return rows;
}

/** Former and partial communes → the current commune that holds them. */
function aliasesOf(current: Set<string>) {
  const etalab: EtalabCommune[] = require('@etalab/decoupage-administratif/data/communes.json');
  const aliases = new Map<string, { code: string; communeCode: string; name: string }>();
  for (const c of etalab) {
    const parent =
      c.type === 'arrondissement-municipal' ? c.commune : c.type === 'commune-actuelle' ? undefined : c.chefLieu;
    if (parent && parent !== c.code && current.has(parent) && !current.has(c.code) && !aliases.has(c.code))
      aliases.set(c.code, { code: c.code, communeCode: parent, name: c.nom });
  }
  return [...aliases.values()];
}

const chunks = <T>(rows: T[]) =>
  Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

export async function loadReferential(db: Db): Promise<{ communes: number; aliases: number }> {
  const etalabRegions: EtalabRegion[] = require('@etalab/decoupage-administratif/data/regions.json');
  const etalabDepartments: EtalabDepartment[] = require('@etalab/decoupage-administratif/data/departements.json');
  const communeRows = await readCommunes();
  const aliasRows = aliasesOf(new Set(communeRows.map((c) => c.code)));
  const siteRows = await readMobileSites();

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

  await runBatch(db, [
    ...chunks(communeRows).map((rows) =>
      db
        .insert(communes)
        .values(rows)
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
    ),
    ...chunks(aliasRows).map((rows) =>
      db
        .insert(communeAliases)
        .values(rows)
        .onConflictDoUpdate({
          target: communeAliases.code,
          set: fromExcluded(communeAliases, ['communeCode', 'name']),
        }),
    ),
    db.delete(mobileSites),
    ...chunks(siteRows).map((rows) => db.insert(mobileSites).values(rows)),
  ]);
  return { communes: communeRows.length, aliases: aliasRows.length };
}

/**
 * The referential is loaded on the first start of a new database, and once more on a database
 * from before the 2025 referential (it has communes but no aliases).
 */
export async function referentialLoaded(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(communeAliases);
  return (row?.n ?? 0) > 0;
}
