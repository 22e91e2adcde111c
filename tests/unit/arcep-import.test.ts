import { createReadStream } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { communeCoverage, departmentCoverage, imports } from '../../db/schema/index.ts';
import { importArcepDeployment, quarterEndDate } from '../../src/server/imports/arcep.ts';
import { departmentFigures, importArcepDepartments } from '../../src/server/imports/arcep-departments.ts';
import { testDb } from '../helpers/db.ts';

const dataFile = (name: string) => createReadStream(new URL(`../../db/data/${name}`, import.meta.url));
const title = "Réseaux en fibre optique jusqu'à l'abonné (FttH),,,,\nDéploiement par Commune,,,,\n,,,,\n,,,,\n";
const infoHeader =
  'Réseaux,,,,,,,,,,,,\nInformations,,,,,,,,,,,,\n,,,,,,,,,,,,\n,,,,,,,,,,,,\nCode commune, Nom commune, Code région, Code département, Siren EPCI, Logements, Établissements, Zones très denses, Engagements L. 33-13, Intentions privées hors engagement L. 33-13, Commune rurale, Commune de montagne, OI 2018 T1\n';
async function* bytes(text: string | Uint8Array) {
  yield typeof text === 'string' ? new TextEncoder().encode(text) : text;
}
const clock = { now: () => new Date('2026-03-01T10:00:00Z') };
const siteUrl = 'http://test.local';
const deploy = (db: Parameters<typeof importArcepDeployment>[0], deployment: string, information: string) =>
  importArcepDeployment(
    db,
    clock,
    { deployment: bytes(deployment), information: bytes(information) },
    { fileName: 't.csv', siteUrl },
  );

describe('ARCEP deployment tables', () => {
  it('turns a quarter into its last day', () => {
    expect(quarterEndDate('T1 2018')).toBe('2018-03-31');
    expect(quarterEndDate('T4 2017')).toBe('2017-12-31');
    expect(quarterEndDate('T2 2024')).toBe('2024-06-30');
    expect(quarterEndDate('Champ')).toBeNull();
  });

  it('imports the real extract, streamed: premises, connectable premises and the data date', async () => {
    const { db } = await testDb('referential');
    let progress = 0;
    const report = await importArcepDeployment(
      db,
      clock,
      {
        deployment: dataFile('arcep-ftth-deploiement-communes-2017T3-2018T1-gers-manche.csv'),
        information: dataFile('arcep-ftth-informations-communes-2018T1-gers-manche.csv'),
      },
      { fileName: 'arcep.csv', siteUrl, onProgress: (n) => (progress = n) },
    );
    expect(report).toMatchObject({ status: 'done', dataDate: '2018-03-31', quarter: 'T1 2018', problems: [] });
    expect(report.imported).toBeGreaterThan(800);
    expect(progress).toBe(1876);
    const [auch] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, '32013'));
    expect(auch).toMatchObject({ dataDate: '2018-03-31', source: 'ARCEP T1 2018' });
    expect(auch!.premises).toBeGreaterThan(10_000);
    expect(auch!.ftthShare).toBeCloseTo(auch!.ftthPremises! / auch!.premises!, 6);
    const [row] = await db.select().from(imports).where(eq(imports.id, report.importId!));
    expect(row).toMatchObject({ kind: 'arcep_deployment', status: 'done', dataDate: '2018-03-31' });
  });

  it('accepts a newer release with more quarter columns, `;` and Windows-1252, and takes the last quarter', async () => {
    const { db } = await testDb('referential');
    const deployment =
      `${title}Code commune;Champ;T3 2017;T4 2017;T1 2018;T2 2018\n32013;Locaux Raccordables;0;10;20;"1 500"\n32013;Catégorie;0;0;0;5\n`.replaceAll(
        ',',
        ';',
      );
    const info = `${infoHeader}32013,Auch,76,32,243200409, 13 000    , 2 000    , -    , 1    , -    , -    , -    ,\n`;
    const latin1 = new Uint8Array([...Buffer.from(info, 'latin1')]);
    const report = await importArcepDeployment(
      db,
      clock,
      { deployment: bytes(deployment), information: bytes(latin1) },
      { fileName: 't.csv', siteUrl },
    );
    expect(report).toMatchObject({ status: 'done', dataDate: '2018-06-30', imported: 1, problems: [] });
    const [auch] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, '32013'));
    expect(auch).toMatchObject({ premises: 15_000, ftthPremises: 1500, ftthShare: 0.1 });
  });

  it('adds former communes into the commune that holds them today', async () => {
    const { db } = await testDb('referential');
    // Tourlaville (50602) joined Cherbourg-en-Cotentin (50129).
    const deployment = `${title}Code commune,Champ,T1 2018\n50129,Locaux Raccordables,100\n50602,Locaux Raccordables,300\n`;
    const info = `${infoHeader}50129,Cherbourg,28,50,1, 500 , 100 , -, -, -, -, -,\n50602,Tourlaville,28,50,1, 300 , 100 , -, -, -, -, -,\n`;
    expect(await deploy(db, deployment, info)).toMatchObject({ status: 'done', imported: 1 });
    const [c] = await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, '50129'));
    expect(c).toMatchObject({ premises: 1000, ftthPremises: 400, ftthShare: 0.4 });
  });

  it('refuses a file with bad lines, saying where, and changes nothing', async () => {
    const { db } = await testDb('referential');
    const deployment = `${title}Code commune,Champ,T1 2018\n32013,Locaux Raccordables,beaucoup\n99999,Locaux Raccordables,3\nABC,Locaux Raccordables,4\n32002,Locaux Raccordables,7\n`;
    const info = `${infoHeader}32002,Antras,76,32,243200409, 50    , -    , -    , -    , -    , 1    , -    ,\n`;
    const report = await deploy(db, deployment, info);
    expect(report.status).toBe('failed');
    expect(report.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [6, 'T1 2018', 'invalid_count'],
      [8, 'Code commune', 'invalid_code'],
    ]);
    expect(await db.select().from(communeCoverage)).toEqual([]);
  });

  it('refuses files that are not ARCEP tables', async () => {
    const { db } = await testDb('referential');
    expect((await deploy(db, 'a,b\n1,2\n', infoHeader)).problems[0]).toMatchObject({ message: 'missing_column' });
    expect((await deploy(db, `${title}Code commune,Champ,Valeur\n`, infoHeader)).problems[0]).toMatchObject({
      message: 'missing_quarter',
    });
    expect((await deploy(db, `${title}Code commune,Champ,T1 2018\n`, 'Code commune,Nom\n')).problems).toHaveLength(2);
    // A quote never closed: said in words of ours, at the line the parser names.
    expect((await deploy(db, `${title}Code commune,Champ,T1 2018\n"32013,x`, infoHeader)).problems[0]).toMatchObject({
      message: 'unclosed_quote',
    });
    expect(await db.select().from(communeCoverage)).toEqual([]);
  });
});

describe('ARCEP figures per département', () => {
  const later = { now: () => new Date('2026-12-05T10:00:00Z') };

  it('imports the real file with its date, keeps older dates, and shows the newest', async () => {
    const { db } = await testDb('referential');
    const report = await importArcepDepartments(db, later, dataFile('arcep-mci-departements-2026-06-30.csv'), {
      fileName: 'mci.csv',
    });
    expect(report).toMatchObject({ status: 'done', imported: 101, problems: [] });
    expect(await departmentFigures(db, '32')).toMatchObject({ dataDate: '2026-06-30', premises: expect.any(Number) });
    const gers = await departmentFigures(db, '32');
    expect(gers!.ftthShare).toBeGreaterThan(0.5);
    const older = 'code_dep;premises;ftth;thd30\n32;100000;40,5;90\n';
    expect(
      await importArcepDepartments(db, later, bytes(older), { fileName: 'old.csv', dataDate: '2024-12-31' }),
    ).toMatchObject({ status: 'done', imported: 1 });
    expect((await departmentFigures(db, '32'))!.dataDate).toBe('2026-06-30');
    expect(await db.select().from(departmentCoverage).where(eq(departmentCoverage.departmentCode, '32'))).toHaveLength(
      2,
    );
  });

  it('keeps a territory admin to their départements and refuses bad rows', async () => {
    const { db } = await testDb('referential');
    const file = 'code_dep,premises,ftth,thd30,date\n32,1000,50,90,2026-06-30\n50,2000,60,95,2026-06-30\n';
    expect(
      await importArcepDepartments(db, later, bytes(file), { fileName: 'f.csv', departments: ['32'] }),
    ).toMatchObject({ status: 'done', imported: 1, outside: 1 });
    const bad =
      'code_dep,premises,ftth,thd30,date\n99,1000,50,90,2026-06-30\n32,mille,50,90,2026-06-30\n32,1000,150,90,2026-06-30\n32,1000,50,90,hier\n32,1000,50,90,2099-01-01\n';
    const report = await importArcepDepartments(db, later, bytes(bad), { fileName: 'bad.csv' });
    expect(report.problems.map((p) => p.message)).toEqual([
      'invalid_department',
      'invalid_count',
      'invalid_rate',
      'invalid_date',
      'invalid_date', // in the future: it would stay "the newest" for good
    ]);
    expect(await db.select().from(departmentCoverage)).toHaveLength(1);
    const noDate = await importArcepDepartments(db, later, bytes('code_dep,premises,ftth\n32,1,1\n'), {
      fileName: 'n.csv',
    });
    expect(noDate.problems[0]).toMatchObject({ column: 'date', message: 'missing_column' });
  });
});
