// ARCEP's FttH rate per commune imported from real and hostile files: streamed, UTF-8 or
// Windows-1252, `,` or `;`, all or nothing, history kept, an interrupted import harmless.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { communeCoverage, coverageHistory, imports } from '../../db/schema/index.ts';
import { importArcepRates } from '../../src/server/imports/arcep-rate.ts';
import { abandonedImports, startCoverageImport } from '../../src/server/imports/coverage.ts';
import { describeProblem } from '../../src/server/imports/problems.ts';
import { testDb } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-05T10:00:00Z') };
const siteUrl = 'http://test.local';
const fixture = new URL('../fixtures/arcep-taux-32-50-2026-02.csv', import.meta.url);
const france = new URL('../../db/data/arcep-ftth-taux-communes-fr-2026-02.csv', import.meta.url);

/** Bytes as an upload delivers them: in chunks of `size` (1: every multi-byte character split). */
async function* chunks(bytes: Buffer, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const run = (db: Db, bytes: AsyncIterable<Uint8Array>, dataDate = '2026-12-01', fileName = 'taux.csv') =>
  importArcepRates(db, clock, bytes, { fileName, dataDate, siteUrl });
const shareOf = async (db: Db, code: string) =>
  (await db.select().from(communeCoverage).where(eq(communeCoverage.communeCode, code)))[0];

describe('ARCEP FttH rates per commune', () => {
  it('imports the real national file: every commune, the date told, the history kept', async () => {
    const { db } = await testDb('referential');
    const seen: number[] = [];
    const report = await importArcepRates(db, clock, createReadStream(france), {
      fileName: 'arcep-ftth-taux-communes-fr-2026-02.csv',
      dataDate: '2026-02-21',
      siteUrl,
      onProgress: (n) => seen.push(n),
    });
    expect(report).toMatchObject({ status: 'done', read: 34_872, problems: [] });
    expect(report.imported + report.unknownCommunes).toBe(34_872);
    expect(report.imported).toBeGreaterThan(34_800);
    expect(seen.at(-1)).toBe(34_872);
    expect(await shareOf(db, '32013')).toMatchObject({ ftthShare: 0.954, dataDate: '2026-02-21' });
    const [row] = await db.select().from(imports).where(eq(imports.id, report.importId));
    expect(row).toMatchObject({ status: 'done', rows: report.imported, kind: 'arcep_rate' });
    expect((await db.select().from(coverageHistory)).length).toBe(report.imported);
  });

  it('reads Windows-1252 with semicolons and decimal commas, and UTF-8 split anywhere', async () => {
    const { db } = await testDb('referential');
    const latin = Buffer.from('Code géographique;Nom;Taux FTTH\r\n32013;Auch;96,5\r\n32107;Éauze;40\r\n', 'latin1');
    expect((await run(db, chunks(latin))).status).toBe('done');
    expect((await shareOf(db, '32013'))?.ftthShare).toBe(0.965);
    const utf8 = Buffer.from('\uFEFFCode géographique,Nom,Taux FTTH\n32107,Éauze,41.5\n', 'utf8');
    const second = await importArcepRates(db, clock, chunks(Buffer.from(utf8), 1), {
      fileName: 'b.csv',
      siteUrl,
      dataDate: '2026-12-02',
    });
    expect(second.status).toBe('done');
    expect((await shareOf(db, '32107'))?.ftthShare).toBe(0.415);
  });

  it('refuses a file with one bad row, naming line and column, and changes nothing', async () => {
    const { db } = await testDb('referential');
    await run(db, chunks(await readFile(fixture)), '2026-02-21');
    const bad = Buffer.from(
      'code_insee,nom,code_dep,fibre_pct\n32013,Auch,32,12\n32107,Eauze,32,140\n9999X,Nulle,32,3\n',
    );
    const report = await run(db, chunks(bad));
    expect(report.status).toBe('failed');
    expect(report.problems).toEqual([
      { line: 3, column: 'fibre_pct', message: 'invalid_rate' },
      { line: 4, column: 'code_insee', message: 'invalid_code' },
    ]);
    expect(describeProblem('fr', report.problems[0]!)).toBe(
      'Ligne 3, colonne fibre_pct\u00a0: un taux de 0 à 100 est attendu.',
    );
    expect(await shareOf(db, '32013')).toMatchObject({ ftthShare: 0.954, dataDate: '2026-02-21' });
    expect(await db.select().from(coverageHistory).where(eq(coverageHistory.importId, report.importId))).toEqual([]);
    const [row] = await db.select().from(imports).where(eq(imports.id, report.importId));
    expect(row).toMatchObject({ status: 'failed' });
  });

  it('refuses duplicated or missing columns, duplicated communes, empty and unreadable files', async () => {
    const { db } = await testDb('referential');
    const problem = async (text: string | Buffer) =>
      (await run(db, chunks(Buffer.from(text)))).problems.map((p) => p.message);
    expect(await problem('code_insee,fibre_pct,fibre_pct\n32013,1,2\n')).toEqual(['duplicated_column']);
    expect(await problem('code_insee,nom\n32013,Auch\n')).toEqual(['missing_column']);
    expect(await problem('code_insee,fibre_pct\n32013,10\n32013,20\n')).toEqual(['duplicated_commune']);
    expect(await problem('')).toEqual(['empty_file']);
    expect(await problem('code_insee,fibre_pct\n"32013,10\n')).toEqual(['unclosed_quote']);
    expect(await shareOf(db, '32013')).toBeUndefined();
  });

  it('names a parser error’s line and cell, never quoting the file: no megabytes of it on the page', async () => {
    const { db } = await testDb('referential');
    const broken = Buffer.from(`code_insee;fibre_pct\n32141;${'a'.repeat(300_000)}"x\u0001\n`);
    const report = await run(db, chunks(broken));
    expect(report.status).toBe('failed');
    expect(report.problems).toEqual([{ line: 2, column: '2', message: 'misplaced_quote' }]);
  });

  it('keeps the newest figures shown and every import in the history', async () => {
    const { db } = await testDb('referential');
    const file = (pct: string) => chunks(Buffer.from(`code_insee,fibre_pct\n32013,${pct}\n`));
    await run(db, file('90'), '2026-02-21');
    await run(db, file('50'), '2025-06-30');
    expect(await shareOf(db, '32013')).toMatchObject({ ftthShare: 0.9, dataDate: '2026-02-21' });
    await run(db, file('97'), '2026-09-30');
    expect(await shareOf(db, '32013')).toMatchObject({ ftthShare: 0.97, dataDate: '2026-09-30' });
    const history = await db.select().from(coverageHistory).where(eq(coverageHistory.communeCode, '32013'));
    expect(history.map((h) => [h.dataDate, h.ftthShare]).sort()).toEqual([
      ['2025-06-30', 0.5],
      ['2026-02-21', 0.9],
      ['2026-09-30', 0.97],
    ]);
  });

  it('an import killed half-way leaves the figures shown as they were', async () => {
    const { db } = await testDb('referential');
    await run(db, chunks(Buffer.from('code_insee,fibre_pct\n32013,90\n')), '2026-02-21');
    // A process that staged rows and died before its last transaction.
    const dead = await startCoverageImport(db, clock, {
      kind: 'arcep_rate',
      fileName: 'dead.csv',
      dataDate: '2026-12-01',
      source: 'ARCEP',
      siteUrl,
    });
    await dead.add(Array.from({ length: 1500 }, () => ({ communeCode: '32013', ftthShare: 0.1 })));
    expect(await shareOf(db, '32013')).toMatchObject({ ftthShare: 0.9 });
    const later = { now: () => new Date('2026-12-05T12:00:00Z') };
    expect(await abandonedImports(db, later)).toBe(1);
    expect(await db.select().from(coverageHistory).where(eq(coverageHistory.importId, dead.id))).toEqual([]);
    const [row] = await db.select().from(imports).where(eq(imports.id, dead.id));
    expect(row?.status).toBe('failed');
  });
});
