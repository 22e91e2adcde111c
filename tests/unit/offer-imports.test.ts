// Offers imports: the ANCT's tiers-lieux (drafts matched on their source key, changes of a
// published one to review, the demo seed imported the same way) and offers CSV files (the
// form's schema, FR/EN headers, all or nothing or row by row, the report of rejected rows),
// both streamed from hostile files, staged, and applied in one transaction.
import { spawn } from 'node:child_process';
import { CsvError } from 'csv-parse';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { importRows, imports, offerEvents, offers, territories } from '../../db/schema/index.ts';
import { Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { typedIn } from '../../src/server/input.ts';
import { abandonedImports } from '../../src/server/imports/coverage.ts';
import { importOffersCsv, offersTemplate } from '../../src/server/imports/offers-csv.ts';
import { describeProblem, problemsCsv, unreadableProblem } from '../../src/server/imports/problems.ts';
import { rejectionsOf } from '../../src/server/imports/staged.ts';
import { importAnctTiersLieux } from '../../src/server/imports/tiers-lieux-anct.ts';
import { listManagedOffers } from '../../src/server/offers/manage.ts';
import { moderateOffer } from '../../src/server/offers/owners.ts';
import { actors, testDb } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-05T10:00:00Z') };
const fixture = new URL('../fixtures/tiers-lieux-anct-2019-extrait.csv', import.meta.url);
const wholeFile = new URL('../../db/data/tiers-lieux-anct-2019.csv', import.meta.url);

async function* chunks(bytes: Buffer, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const offerCount = async (db: Db) => (await db.select({ n: count() }).from(offers))[0]!.n;
const anct = (db: Db, bytes: Buffer, byUser = null as Parameters<typeof importAnctTiersLieux>[3]['byUser']) =>
  importAnctTiersLieux(db, clock, chunks(bytes), { fileName: 'tiers-lieux.csv', byUser });
const byKey = async (db: Db, key: string) =>
  (
    await db
      .select()
      .from(offers)
      .where(and(eq(offers.source, 'anct'), eq(offers.sourceKey, key)))
  )[0]!;

/** A database with the referential and the two demo territories, no offer yet. */
async function territoriesOnly() {
  const { db, path } = await testDb('referential');
  const createdAt = clock.now().toISOString();
  await db.insert(territories).values([
    { code: '32', name: 'Gers', createdAt },
    { code: '50', name: 'Manche', createdAt },
  ]);
  return { db, path };
}

describe('ANCT tiers-lieux', () => {
  it('creates drafts of the territories only, matched on their key: a second import duplicates nothing', async () => {
    const { db } = await territoriesOnly();
    const bytes = await readFile(fixture);
    const first = await anct(db, bytes);
    // 3 Gers rows (no commune code: found by name and postcode) and 5 Manche rows; 12 elsewhere.
    expect(first).toMatchObject({ status: 'done', read: 20, problems: [] });
    expect(first.counts).toEqual({ created: 8, updated: 0, proposed: 0, unchanged: 0, outside: 12, rejected: 0 });
    const fleurance = await byKey(db, '1061');
    expect(fleurance).toMatchObject({
      status: 'draft',
      kind: 'tiers_lieu',
      title: 'Espace de coworking Jnov',
      territoryCode: '32',
      website: 'http://www.jnov.fr/',
      typology: 'coworking',
      moderation: null,
    });
    expect(fleurance.communeCode).toMatch(/^32/);
    expect((await byKey(db, '1378')).website).toBe('https://www.goldorhack.org');
    const before = await offerCount(db);
    const second = await anct(db, bytes);
    expect(second.counts).toMatchObject({ created: 0, updated: 0, proposed: 0, unchanged: 8 });
    expect(await offerCount(db)).toBe(before);
  });

  it('writes what the source changed into a draft, and into the review queue for a published one', async () => {
    const { db } = await testDb();
    const [agent] = await actors(db, 'agent.manche@demo.test');
    const text = await readFile(wholeFile, 'utf8');
    // The demo's Manche tiers-lieu 952 is published; 1221 is made a draft.
    await db.update(offers).set({ status: 'draft' }).where(eq(offers.sourceKey, '1221'));
    const published = await byKey(db, '952');
    expect(published.status).toBe('published');
    // An agent's own edit of a field the source speaks for stays unless the source changes it.
    await db.update(offers).set({ address: 'Adresse corrigée' }).where(eq(offers.id, published.id));
    const changed = text
      .replace('Le 330 Coworking,330 Rue Valvire', 'Le 330,330 Rue Valvire')
      .replace('1221,MancheLab', '1221,MancheLab Saint-Lô');
    const report = await anct(db, Buffer.from(changed));
    expect(report.counts).toMatchObject({ created: 0, updated: 1, proposed: 1 });
    const draft = await byKey(db, '1221');
    expect(draft.title).toBe('MancheLab Saint-Lô');
    // Online, the published version stays; the change waits in the moderation queue.
    const waiting = await byKey(db, '952');
    expect(waiting).toMatchObject({
      title: 'Le 330 Coworking',
      address: 'Adresse corrigée',
      moderation: 'pending',
      proposedChanges: { title: 'Le 330' },
    });
    const queue = await listManagedOffers(db, clock, agent, { queue: 'moderation' });
    expect(queue.rows.map((r) => r.id)).toContain(published.id);
    // The same file again: nothing new to say.
    expect((await anct(db, Buffer.from(changed))).counts).toMatchObject({ updated: 0, proposed: 0 });
    const events = await db.select().from(offerEvents).where(eq(offerEvents.offerId, published.id));
    expect(events.filter((e) => e.kind === 'proposed')).toHaveLength(1);
    // An agent approves it, as an owner's edit.
    await moderateOffer({ db, clock, siteUrl: 'https://cc.test' }, agent, published.id, 'approve', {});
    expect(await byKey(db, '952')).toMatchObject({ title: 'Le 330', status: 'published', moderation: null });
  });

  it('re-importing the whole file over the demo seed (which imported it) changes nothing', async () => {
    const { db } = await testDb();
    const before = await offerCount(db);
    const seeded = await db.select({ id: offers.id }).from(offers).where(eq(offers.source, 'anct'));
    expect(seeded.length).toBe(8);
    const report = await anct(db, await readFile(wholeFile));
    expect(report.counts).toMatchObject({ created: 0, updated: 0, proposed: 0, unchanged: 8, rejected: 0 });
    expect(await offerCount(db)).toBe(before);
  });

  it('a territory admin imports their territories only; an agent may not import', async () => {
    const { db } = await testDb();
    const [admin, agent] = await actors(db, 'direction.gers@demo.test', 'agent.gers@demo.test');
    // The demo's rows under other keys: new tiers-lieux.
    const renamed = Buffer.from((await readFile(fixture, 'utf8')).replace(/^(\d+),/gm, 'n$1,'));
    const before = await offerCount(db);
    await expect(anct(db, renamed, agent)).rejects.toBeInstanceOf(Forbidden);
    expect(await offerCount(db)).toBe(before);
    const report = await anct(db, renamed, admin);
    expect(report.counts).toMatchObject({ created: 3, outside: 17 });
    expect(await offerCount(db)).toBe(before + 3);
  });

  it('refuses malformed files whole, and rejects rows without a key or a commune', async () => {
    const { db } = await territoriesOnly();
    const problem = async (bytes: Buffer) => (await anct(db, bytes)).problems.map((p) => p.message);
    expect(await problem(Buffer.from('ID,NOM_TL,ID,INSEECOM\n1,a,1,32013\n'))).toEqual(['duplicated_column']);
    expect(await problem(Buffer.from('ID,NOM,INSEECOM\n1,a,32013\n'))).toEqual(['missing_column']);
    expect(await problem(Buffer.from(''))).toEqual(['empty_file']);
    expect(await problem(Buffer.from('ID,NOM_TL,INSEECOM\n1,"Tiers,32013\n'))).toEqual(['unclosed_quote']);
    expect(await problem(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff, 0xfe, 10, 0, 0]))).toHaveLength(1);
    const rows = await anct(
      db,
      Buffer.from(
        'ID;NOM_TL;INSEECOM\n;Sans clé;32013\n7;;32013\n7;Doublon;32013\n8;Nulle part;\n9;Ailleurs;75056\n',
        'latin1',
      ),
    );
    expect(rows.counts).toMatchObject({ created: 0, rejected: 4, outside: 1 });
    expect(rows.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'invalid_key'],
      [3, 'errors.offer_title_required'],
      [4, 'duplicated_key'],
      [5, 'invalid_code'],
    ]);
    expect(await offerCount(db)).toBe(0);
  });
});

const frHeader = 'type;titre;commune;prix;transaction;type_logement;surface_m2;typologie;accessible_fauteuil';

describe('offers CSV', () => {
  it('offers a template per language whose header is read back', async () => {
    const { db } = await territoriesOnly();
    for (const language of ['fr', 'en'] as const) {
      const template = offersTemplate(language);
      expect(template.startsWith('\uFEFF')).toBe(true);
      const report = await importOffersCsv(db, clock, chunks(Buffer.from(template)), {
        fileName: 'modele.csv',
        territory: '32',
        mode: 'all',
        byUser: null,
      });
      expect(report).toMatchObject({ status: 'done', read: 0 });
    }
    expect(offersTemplate('en').split(',')[0]).toBe('\uFEFFkind');
    expect(offersTemplate('fr').split(';')[1]).toBe('titre');
  });

  it('creates drafts in the chosen territory from French headers in Windows-1252 with semicolons', async () => {
    const { db } = await territoriesOnly();
    const bytes = Buffer.from(
      `${frHeader}\r\nlogement;Maison du Pèlerin;Auch;180000;sale;house;120;;\r\ntiers-lieu;L’Atelier;32013;;;;;fablab;oui\r\n`.replace(
        '’',
        "'",
      ),
      'latin1',
    );
    const report = await importOffersCsv(db, clock, chunks(bytes, 7), {
      fileName: 'offres.csv',
      territory: '32',
      mode: 'all',
      byUser: null,
    });
    expect(report).toMatchObject({ status: 'done', read: 2, problems: [] });
    expect(report.counts.created).toBe(2);
    const rows = await db.select().from(offers).orderBy(offers.id);
    expect(rows.map((o) => [o.kind, o.title, o.status, o.territoryCode, o.communeCode])).toEqual([
      ['home', 'Maison du Pèlerin', 'draft', '32', '32013'],
      ['tiers_lieu', "L'Atelier", 'draft', '32', '32013'],
    ]);
    expect(rows[0]).toMatchObject({ price: 180000, transaction: 'sale', homeType: 'house', surface: 120 });
    expect(rows[1]).toMatchObject({ typology: 'fablab', wheelchairAccessible: true });
  });

  it('reads numbers as the file’s header is written, whatever the page that posted it', async () => {
    const { db } = await territoriesOnly();
    const run = (csv: string) =>
      // Posted from a French page: the language numbers would be read in without the header's.
      typedIn('fr', () =>
        importOffersCsv(db, clock, chunks(Buffer.from(csv)), {
          fileName: 'offres.csv',
          territory: '32',
          mode: 'rows',
          byUser: null,
        }),
      );
    const english = await run('kind,title,commune,price,surface_m2\nhome,Big,32013,"250,000","1,200"\n');
    expect(english).toMatchObject({ status: 'done', problems: [] });
    const french = await run(
      'type;titre;commune;prix;surface_m2\nlogement;Grande;32013;250 000;120\nlogement;Virgule;32013;1,500;120\n',
    );
    expect(french.problems.map((p) => [p.line, p.column])).toEqual([[3, 'prix']]);
    const rows = await db.select().from(offers).orderBy(offers.id);
    expect(rows.map((o) => [o.title, o.price, o.surface])).toEqual([
      ['Big', 250000, 1200],
      ['Grande', 250000, 120],
    ]);
  });

  const mixed = [
    'kind,title,commune,price,surface_m2,desks',
    'home,Good home,32013,900,80,',
    'home,,32013,900,80,', // no title
    'home,Far away,Cherbourg-en-Cotentin,900,80,', // another territory
    'tiers-lieu,Desks,32013,,,lots', // not a number
    'home,Desks in a home,32013,,,4', // a tiers-lieu's column
    'castle,"=HYPERLINK(""http://x"")",32013,,,', // unknown kind
    'home,Extra,32013,1,1,,surplus',
  ].join('\n');

  it('row by row: the valid rows are created, the others reported with line, column and reason', async () => {
    const { db } = await territoriesOnly();
    const report = await importOffersCsv(db, clock, chunks(Buffer.from(mixed)), {
      fileName: 'offres.csv',
      territory: '32',
      mode: 'rows',
      byUser: null,
    });
    expect(report.status).toBe('done');
    expect(report.counts).toMatchObject({ created: 1, rejected: 6 });
    expect(report.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [3, 'title', 'errors.offer_title_required'],
      [4, 'commune', 'errors.offer_commune_outside'],
      [5, 'desks', 'errors.invalid_number'],
      [6, 'desks', 'not_for_kind'],
      [7, 'kind', 'errors.invalid_choice'],
      [8, '—', 'extra_cells'],
    ]);
    expect(describeProblem('en', report.problems[1]!)).toContain('Line 4, column commune');
    expect(await offerCount(db)).toBe(1);
  });

  it('all or nothing: one invalid row and nothing is written; its report is a safe CSV', async () => {
    const { db } = await testDb();
    const [admin, mancheAgent] = await actors(db, 'direction.gers@demo.test', 'agent.manche@demo.test');
    const before = await offerCount(db);
    const report = await importOffersCsv(db, clock, chunks(Buffer.from(mixed)), {
      fileName: 'offres.csv',
      territory: '32',
      mode: 'all',
      byUser: admin,
    });
    expect(report).toMatchObject({ status: 'failed', counts: { created: 0, rejected: 6 } });
    expect(await offerCount(db)).toBe(before);
    const { problems } = await rejectionsOf(db, admin, report.importId);
    expect(problems).toHaveLength(6);
    const csv = problemsCsv('fr', problems);
    expect(csv.split('\r\n')[0]).toBe('\uFEFFLigne,Colonne,Raison');
    expect(csv).toContain('3,title,');
    await expect(rejectionsOf(db, mancheAgent, report.importId)).rejects.toBeInstanceOf(Forbidden);
    // Staged data are gone; the rejected rows stay for the report.
    const left = await db.select().from(importRows).where(eq(importRows.importId, report.importId));
    expect(left.every((r) => r.data === null)).toBe(true);
  });

  it('refuses malformed files with a localized reason, and a hostile header cannot become a formula', async () => {
    const { db } = await territoriesOnly();
    const run = (text: string | Buffer) =>
      importOffersCsv(db, clock, chunks(Buffer.from(text)), {
        fileName: 'x.csv',
        territory: '32',
        mode: 'rows',
        byUser: null,
      });
    const reasons = async (text: string | Buffer) => (await run(text)).problems.map((p) => p.message);
    expect(await reasons('titre,title,kind,commune\n')).toEqual(['duplicated_column']);
    expect(await reasons('kind,title\nhome,a\n')).toEqual(['missing_column']);
    expect(await reasons('')).toEqual(['empty_file']);
    expect(await reasons('kind,title,commune\nhome,"Maison,32013\n')).toEqual(['unclosed_quote']);
    expect(await reasons(Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0xff, 0x10, 10, 0x88]))).toEqual(['unknown_column']);
    const hostile = await run('kind,title,commune,=cmd|calc\n');
    expect(hostile.problems).toEqual([{ line: 1, column: '=cmd|calc', message: 'unknown_column' }]);
    expect(problemsCsv('en', hostile.problems)).toContain("1,'=cmd|calc,");
    expect(describeProblem('fr', hostile.problems[0]!)).toBe(
      'Ligne 1, colonne =cmd|calc\u00a0: la colonne «\u00a0=cmd|calc\u00a0» n’est pas une colonne du modèle.',
    );
    expect(await offerCount(db)).toBe(0);
    const failed = await db.select().from(imports).where(eq(imports.status, 'failed'));
    expect(failed).toHaveLength(6);
  });

  it('says where and why a file cannot be read, in the reader’s words, never the parser’s English', async () => {
    const { db } = await testDb();
    const [admin] = await actors(db, 'direction.gers@demo.test');
    const before = await offerCount(db);
    const run = (text: string) =>
      importOffersCsv(db, clock, chunks(Buffer.from(text)), {
        fileName: 'x.csv',
        territory: '32',
        mode: 'rows',
        byUser: admin,
      });
    // A formula left unquoted: csv-parse refuses its quotes, on line 2, in the second cell.
    const hostile = await run('kind,title,commune\nhome,=HYPERLINK("http://evil.test","clic"),32013\n');
    expect(hostile).toMatchObject({
      status: 'failed',
      problems: [{ line: 2, column: '2', message: 'misplaced_quote' }],
    });
    const quote =
      'un guillemet est mal placé dans cette cellule\u00a0: mettez toute la cellule entre guillemets et doublez ceux qu’elle contient ("").';
    expect(describeProblem('fr', hostile.problems[0]!)).toBe(`Ligne 2, colonne 2\u00a0: ${quote}`);
    expect(describeProblem('en', hostile.problems[0]!)).toBe(
      'Line 2, column 2: a quote is misplaced in this cell: put the whole cell between quotes and double the quotes inside it ("").',
    );
    const { problems } = await rejectionsOf(db, admin, hostile.importId);
    expect(problemsCsv('fr', problems).split('\r\n')[1]).toBe(`2,2,"${quote.replaceAll('"', '""')}"`);
    // Deep in a file, once its header was read, the cell is named by its column.
    const rows = Array.from({ length: 3000 }, (_, i) => `home,Maison ${i},32013`).join('\n');
    const deep = await run(`kind,title,commune\n${rows}\nhome,"Grange" neuve,32013\n`);
    expect(deep).toMatchObject({
      status: 'failed',
      problems: [{ line: 3002, column: 'title', message: 'misplaced_quote' }],
    });
    expect(await offerCount(db)).toBe(before);
    // Each refusal csv-parse names, said in words; any other: the file cannot be read as CSV.
    const csvError = (code: ConstructorParameters<typeof CsvError>[0], lines: number, index?: number) =>
      new CsvError(code, 'Invalid Record Length: expect 3, got 2 on line 7', undefined, { lines, index });
    expect(unreadableProblem(csvError('CSV_QUOTE_NOT_CLOSED', 9, 1), ['kind', 'title'])).toEqual({
      line: 9,
      column: 'title',
      message: 'unclosed_quote',
    });
    expect(unreadableProblem(csvError('CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', 7, 2))).toEqual({
      line: 7,
      message: 'cell_count',
    });
    expect(unreadableProblem(csvError('CSV_INVALID_ARGUMENT', 0))).toEqual({ line: 0, message: 'unreadable' });
    expect(unreadableProblem(new Error('EIO: i/o error, read'))).toEqual({ line: 0, message: 'unreadable' });
    const whole =
      'le fichier ne peut pas être lu comme un CSV\u00a0: enregistrez-le au format CSV (UTF-8) depuis le tableur, puis importez-le de nouveau.';
    expect(describeProblem('fr', { line: 7, message: 'cell_count' })).toBe(
      'Ligne 7, colonne —\u00a0: cette ligne n’a pas autant de cellules que l’en-tête a de colonnes\u00a0: vérifiez les séparateurs.',
    );
    expect(describeProblem('fr', { line: 0, message: 'unreadable' })).toBe(`L${whole.slice(1)}`);
    // As older imports recorded it: the parser's text is not shown.
    const older = { line: 0, message: 'unreadable: Invalid Opening Quote: a quote is found on field 1 at line 2' };
    expect(describeProblem('fr', older)).toBe(`L${whole.slice(1)}`);
    expect(problemsCsv('en', [older]).split('\r\n')[1]).toBe(
      ',,"the file cannot be read as CSV: save it as CSV (UTF-8) from the spreadsheet, then import it again."',
    );
  });

  it('a territory admin imports into their territory only; an agent not at all', async () => {
    const { db } = await testDb();
    const [admin, agent] = await actors(db, 'direction.gers@demo.test', 'agent.gers@demo.test');
    const file = () => chunks(Buffer.from('kind,title,commune\nhome,A,Cherbourg-en-Cotentin\n'));
    const meta = { fileName: 'x.csv', mode: 'rows' as const };
    await expect(
      importOffersCsv(db, clock, file(), { ...meta, territory: '50', byUser: admin }),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(
      importOffersCsv(db, clock, file(), { ...meta, territory: '32', byUser: agent }),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(importOffersCsv(db, clock, file(), { ...meta, territory: '99', byUser: null })).rejects.toBeInstanceOf(
      Invalid,
    );
    await expect(rejectionsOf(db, admin, 999_999)).rejects.toBeInstanceOf(NotFound);
  });

  it('killed (SIGKILL) half-way, an import leaves the offers as they were', async () => {
    const { db, path } = await testDb();
    const before = await offerCount(db);
    const file = join(tmpdir(), `offres-${process.pid}-${Date.now()}.csv`);
    const lines = ['kind,title,commune,price'];
    for (let i = 0; i < 20_000; i++) lines.push(`home,Maison ${i},32013,${1000 + i}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    const child = spawn(
      process.execPath,
      [new URL('../helpers/import-child.ts', import.meta.url).pathname, `file:${path}`, file, '32'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // Killed once it has staged rows (its first progress line), long before its end.
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the import ended first (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await offerCount(db)).toBe(before);
    const [run] = await db.select().from(imports).where(eq(imports.kind, 'offers_csv'));
    expect(run).toMatchObject({ status: 'running' });
    expect(run!.rows).toBeGreaterThan(0);
    expect(await abandonedImports(db, { now: () => new Date(Date.now() + 2 * 3600_000) })).toBe(1);
    expect(await db.select().from(importRows).where(eq(importRows.importId, run!.id))).toEqual([]);
    expect(await offerCount(db)).toBe(before);
  }, 60_000);
});
