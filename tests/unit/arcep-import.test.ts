import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communeCoverage } from '../../db/schema/index.ts';
import {
  ArcepFormatError,
  importArcepCoverage,
  parseArcepFiles,
  quarterEndDate,
} from '../../src/server/imports/arcep.ts';
import { testDb } from '../helpers/db.ts';

const data = (name: string) => readFile(new URL(`../../db/data/${name}`, import.meta.url), 'utf8');
const title = "Réseaux en fibre optique jusqu'à l'abonné (FttH),,,,\nDéploiement par Commune,,,,\n,,,,\n,,,,\n";
const infoHeader =
  'Réseaux,,,,,,,,,,,,\nInformations,,,,,,,,,,,,\n,,,,,,,,,,,,\n,,,,,,,,,,,,\nCode commune, Nom commune, Code région, Code département, Siren EPCI, Logements, Établissements, Zones très denses, Engagements L. 33-13, Intentions privées hors engagement L. 33-13, Commune rurale, Commune de montagne, OI 2018 T1\n';

describe('ARCEP import', () => {
  it('turns a quarter into its last day', () => {
    expect(quarterEndDate('T1 2018')).toBe('2018-03-31');
    expect(quarterEndDate('T4 2017')).toBe('2017-12-31');
    expect(quarterEndDate('T2 2024')).toBe('2024-06-30');
    expect(quarterEndDate('Champ')).toBeNull();
  });

  it('imports the real extract: premises, connectable premises and the data date', async () => {
    const { db } = await testDb('referential');
    const report = await importArcepCoverage(
      db,
      await data('arcep-ftth-deploiement-communes-2017T3-2018T1-gers-manche.csv'),
      await data('arcep-ftth-informations-communes-2018T1-gers-manche.csv'),
    );
    expect(report).toMatchObject({ dataDate: '2018-03-31', quarter: 'T1 2018', errors: [] });
    expect(report.imported).toBeGreaterThan(800);
    const [auch] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, '32013'));
    expect(auch).toMatchObject({ dataDate: '2018-03-31', source: 'ARCEP T1 2018' });
    expect(auch!.premises).toBeGreaterThan(10_000);
    expect(auch!.ftthShare).toBeGreaterThanOrEqual(0);
    expect(auch!.ftthShare).toBeLessThanOrEqual(1);
    expect(auch!.ftthShare).toBeCloseTo(auch!.ftthPremises! / auch!.premises!, 6);
  });

  it('accepts a newer release with more quarter columns and takes the last one', async () => {
    const { db } = await testDb('referential');
    const deployment = `${title}Code commune,Champ,T3 2017,T4 2017,T1 2018,T2 2018\n32013,Locaux Raccordables,0,10,20,"1 500"\n32013,Catégorie,0,0,0,5\n`;
    const info = `${infoHeader}32013,Auch,76,32,243200409, 13 000    , 2 000    , -    , 1    , -    , -    , -    ,\n`;
    const report = await importArcepCoverage(db, deployment, info);
    expect(report).toMatchObject({ dataDate: '2018-06-30', imported: 1, errors: [] });
    const [auch] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, '32013'));
    expect(auch).toMatchObject({ premises: 15_000, ftthPremises: 1500, ftthShare: 0.1 });
  });

  it('reports bad lines and unknown communes without failing the import', async () => {
    const { db } = await testDb('referential');
    const deployment = `${title}Code commune,Champ,T1 2018\n32013,Locaux Raccordables,beaucoup\n99999,Locaux Raccordables,3\nABC,Locaux Raccordables,4\n32002,Locaux Raccordables,7\n`;
    const info = `${infoHeader}32002,Antras,76,32,243200409, 50    , -    , -    , -    , -    , 1    , -    ,\n`;
    const report = await importArcepCoverage(db, deployment, info);
    expect(report.imported).toBe(1);
    expect(report.unknownCommunes).toBe(1);
    expect(report.errors.map((e) => e.line)).toEqual([6, 8]);
  });

  it('refuses files that are not ARCEP tables', () => {
    expect(() => parseArcepFiles('a,b\n1,2\n', '')).toThrow(ArcepFormatError);
    expect(() => parseArcepFiles(`${title}Code commune,Champ,Valeur\n`, infoHeader)).toThrow(/quarter/);
  });
});
