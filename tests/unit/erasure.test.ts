// "Erase my data" erases: after it, no table holds the family's name, email, phone or
// anything written about it, and the reports say exactly what they said before.
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { candidates, users } from '../../db/schema/index.ts';
import type { SessionUser } from '../../src/server/accounts/session.ts';
import { addNote, moveStage } from '../../src/server/candidates/commands.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { sendAgentMessage, sendFamilyMessage } from '../../src/server/candidates/messages.ts';
import { planStay } from '../../src/server/candidates/stays.ts';
import { createTask } from '../../src/server/candidates/tasks.ts';
import { familyFile } from '../../src/server/candidates/family.ts';
import { anonymousOrigin } from '../../src/server/candidates/anonymise.ts';
import { eraseFamily } from '../../src/server/family/erase.ts';
import { buildReport } from '../../src/server/reports/queries.ts';
import { parsePeriod } from '../../src/server/reports/period.ts';
import { Invalid } from '../../src/server/errors.ts';
import { actor, testDb } from '../helpers/db.ts';

const start = Date.UTC(2026, 2, 2, 9);
const NAME = 'Zéphyrine Quatremère';
const EMAIL = 'zephyrine.quatremere@exemple.fr';
const PHONE = '0698765432';
/** Free text typed about the family by itself and by agents: none of it may stay. */
const WRITTEN = [
  'Cherche longère près de Lectoure',
  'Travaille chez Octopus Énergie',
  'Appeler Zéphyrine lundi',
  'Rappeler au sujet du chien Biscotte',
  'Hébergés chez les Dupontel',
  'Nous arrivons de Villeurbanne',
  'Rue des Capucines 12',
];

/** Every row of every table, as text, to search for what must be gone. */
async function everything(db: Db): Promise<string> {
  const tables = await db.$client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
  let text = '';
  for (const row of tables.rows) {
    const rs = await db.$client.execute(`SELECT * FROM "${String(row.name)}"`);
    text += rs.rows
      .map((r) => JSON.stringify(Object.values(r), (_, v) => (typeof v === 'bigint' ? String(v) : v)))
      .join('\n');
  }
  return text;
}

async function familyWithAHistory() {
  const { db } = await testDb();
  let now = start;
  const ctx = { db, clock: { now: () => new Date(now) }, siteUrl: 'https://cc.test' };
  const lucie = await actor(db, 'agent.gers@demo.test');
  await db.insert(users).values({
    email: EMAIL,
    name: NAME,
    role: 'family',
    emailVerifiedAt: new Date(start).toISOString(),
    createdAt: new Date(start).toISOString(),
  });
  const family: SessionUser = await actor(db, EMAIL);
  const enquiry = (over: Record<string, string>) =>
    createEnquiry(
      ctx,
      {
        name: NAME,
        email: EMAIL,
        phone: PHONE,
        adults: '2',
        children: '4',
        wishedTerritories: '32',
        currentPlace: 'Villeurbanne (69)',
        housingNeeds: WRITTEN[0],
        workspaceNeeds: WRITTEN[1],
        consent: 'yes',
        locale: 'fr',
        ...over,
      },
      '10.1.1.1',
    );
  const { publicId } = await enquiry({});
  now += 86_400_000;
  await addNote(ctx, lucie, publicId, WRITTEN[2]);
  await createTask(ctx, lucie, publicId, { title: WRITTEN[3], dueDate: '2026-03-20', assigneeId: String(lucie.id) });
  await sendAgentMessage(ctx, lucie, publicId, { body: `Bonjour ${NAME}, bienvenue` });
  await sendFamilyMessage(ctx, family, (await familyFile(db, family))!, { body: WRITTEN[5] });
  const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
  await moveStage(ctx, lucie, publicId, { to: 'qualified', version: file!.version });
  const [q] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
  await moveStage(ctx, lucie, publicId, { to: 'discovery', version: q!.version });
  await planStay(ctx, lucie, publicId, {
    startDate: '2026-03-10',
    endDate: '2026-03-12',
    places: WRITTEN[6],
    hosts: WRITTEN[4],
  });
  for (const to of ['settling', 'settled'] as const) {
    const [f] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    await moveStage(ctx, lucie, publicId, {
      to,
      version: f!.version,
      ...(to === 'settled' ? { settledCommuneCode: '32208', settledAt: '2026-03-03', settledHouseholdSize: 3 } : {}),
    });
  }
  // What the account keeps apart from its file: favourites, a saved search, a fibre alert,
  // a session, a sign-in counter keyed by its address.
  const [offer] = await db.$client
    .execute("SELECT id FROM offers WHERE status = 'published' LIMIT 1")
    .then((rs) => rs.rows);
  await db.$client.execute({
    sql: 'INSERT INTO favourites (user_id, offer_id, created_at) VALUES (?, ?, ?)',
    args: [family.id, Number(offer!.id), new Date(now).toISOString()],
  });
  await db.$client.execute({
    sql: `INSERT INTO saved_searches (user_id, name, query, alerts, unsubscribe_token, last_digest_at, created_at)
          VALUES (?, 'Maisons du Gers', 'territoire=32', 1, 'tok-zephyrine-1234567890', ?, ?)`,
    args: [family.id, new Date(now).toISOString(), new Date(now).toISOString()],
  });
  await db.$client.execute({
    sql: `INSERT INTO fibre_alerts (commune_code, email, user_id, threshold, locale, token, created_at)
          VALUES ('32208', ?, NULL, 'any', 'fr', 'tok-fibre-zephyrine-123456', ?)`,
    args: [EMAIL, new Date(now).toISOString()],
  });
  await db.$client.execute({
    sql: 'INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)',
    args: ['session-zephyrine', family.id, Math.floor(now / 1000) + 3600],
  });
  await db.$client.execute({
    sql: 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, 0, 1)',
    args: [`signin:account:${EMAIL}`],
  });
  return { db, ctx, family, publicId, now: new Date(now) };
}

describe('erasing a family’s data', () => {
  it('needs its confirmation, and is for families only', async () => {
    const { db, ctx, family } = await familyWithAHistory();
    await expect(eraseFamily(ctx, family, {})).rejects.toBeInstanceOf(Invalid);
    await expect(eraseFamily(ctx, await actor(db, 'agent.gers@demo.test'), { confirm: 'yes' })).rejects.toThrow();
    expect(await everything(db)).toContain(EMAIL);
  });

  it('leaves no table with its name, email, phone or anything written about it, and reports unchanged', async () => {
    const { db, ctx, family, now } = await familyWithAHistory();
    const before = await everything(db);
    // The history really holds it all before.
    for (const text of [NAME, EMAIL, PHONE, ...WRITTEN]) expect(before, text).toContain(text);
    const gers = { territories: ['32'], label: 'Gers' };
    const year = parsePeriod({ periode: 'year', annee: '2026' }, now);
    const report = await buildReport(db, gers, year, now);
    expect(report.summary.families).toBeGreaterThan(0);

    expect(await eraseFamily(ctx, family, { confirm: 'yes' })).toBe(1);

    const after = await everything(db);
    for (const text of [NAME, EMAIL, PHONE, 'Zéphyrine', 'Quatremère', ...WRITTEN])
      expect(after, text).not.toContain(text);
    expect(await db.select().from(users).where(eq(users.id, family.id))).toEqual([]);
    expect(await buildReport(db, gers, year, now)).toEqual(report);
  });

  it('finds what it erases through indexes: no table that grows with the years is read whole', async () => {
    const { db, ctx, family } = await familyWithAHistory();
    // Every statement of the erasure, transaction included, as drizzle runs it.
    const recorded: Array<{ sql: string; params: unknown[] }> = [];
    const watched = drizzle(db.$client, {
      schema,
      logger: { logQuery: (text, params) => void recorded.push({ sql: text, params }) },
    }) as unknown as Db;
    expect(await eraseFamily({ ...ctx, db: watched }, family, { confirm: 'yes' })).toBe(1);
    const partial = new Set(
      (
        await db.all<{ name: string }>(
          sql`SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'`,
        )
      ).map((r) => r.name),
    );
    // The tables that grow with the years of files, emails and edits.
    const read = [
      'candidates',
      'candidate_events',
      'stage_history',
      'messages',
      'tasks',
      'outbox',
      'offer_events',
      'opportunity_events',
    ];
    const scans: string[] = [];
    for (const { sql: text, params } of recorded) {
      if (!/^\s*(select|update|delete)/i.test(text)) continue;
      const plan = await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args: params as never });
      for (const row of plan.rows) {
        const detail = String(row.detail);
        const scanned = /^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?/.exec(detail);
        // A scan of a partial index reads only the rows it holds (e.g. the duplicate events).
        if (scanned && read.includes(scanned[1]!) && !(scanned[2] && partial.has(scanned[2])))
          scans.push(`${detail}: ${text}`);
      }
    }
    expect(recorded.length).toBeGreaterThan(10);
    expect(scans).toEqual([]);
  });

  it('is offered to a family without a file: the account and what it kept go', async () => {
    const { db } = await testDb();
    const ctx = { db, clock: { now: () => new Date(start) } };
    await db
      .insert(users)
      .values({ email: EMAIL, name: NAME, role: 'family', createdAt: new Date(start).toISOString() });
    const family = await actor(db, EMAIL);
    expect(await eraseFamily(ctx, family, { confirm: 'yes' })).toBe(0);
    expect(await everything(db)).not.toContain(EMAIL);
  });

  it('keeps the origin as reports read it, never the typed place', () => {
    expect(anonymousOrigin('Villeurbanne (69)')).toBe('(69)');
    expect(anonymousOrigin('33000 Bordeaux')).toBe('(33)');
    expect(anonymousOrigin('97400 Saint-Denis')).toBe('(974)');
    expect(anonymousOrigin('Bruxelles (Belgique)')).toBe('(Belgique)');
    expect(anonymousOrigin('quelque part')).toBeNull();
    expect(anonymousOrigin(null)).toBeNull();
  });
});
