// Retention: closed files anonymised once their territory's period has passed since the
// last contact, inactive accounts warned then deleted, and reports exactly as before.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { candidates, outbox, territories, users } from '../../db/schema/index.ts';
import { createSessions } from '../../src/server/accounts/session.ts';
import { impactFigures } from '../../src/server/reports/impact.ts';
import { parsePeriod } from '../../src/server/reports/period.ts';
import { buildReport } from '../../src/server/reports/queries.ts';
import { settlementsPerCommune } from '../../src/server/reports/settlements.ts';
import { runRetention } from '../../src/server/privacy/retention.ts';
import { MAIL_TEXT_DAYS, pruneOutbox } from '../../src/server/mail/outbox.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { testDb } from '../helpers/db.ts';

const YEAR = 365 * DAY_MS;

const clockAt = (ms: number) => ({ now: () => new Date(ms) });
const ctxAt = (db: Db, ms: number) => ({ db, clock: clockAt(ms), siteUrl: 'https://cc.test' });

/** Every report the portal publishes or shows staff, for the years of the demo data. */
async function allReports(db: Db, now: Date) {
  const codes = (await db.select({ code: territories.code }).from(territories)).map((t) => t.code);
  const out: unknown[] = [await impactFigures(db), await settlementsPerCommune(db)];
  for (let year = now.getUTCFullYear() - 4; year <= now.getUTCFullYear(); year++) {
    const period = parsePeriod({ periode: 'year', annee: String(year) }, now);
    out.push(await buildReport(db, { territories: null, label: 'all' }, period, now));
    for (const code of codes) out.push(await buildReport(db, { territories: [code], label: code }, period, now));
  }
  return out;
}

const anonymised = async (db: Db) =>
  Number(
    (await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM candidates WHERE anonymised_at IS NOT NULL`))[0]!.n,
  );

describe('retention', () => {
  it('anonymises the demo data’s closed files as the years pass, and every report stays exactly the same', async () => {
    const { db } = await testDb('seeded');
    const today = new Date();
    const before = await allReports(db, today);
    expect(await anonymised(db)).toBe(0);
    // Nothing is due today: the seed's closed files are within their territory's period…
    const now = await runRetention(ctxAt(db, today.getTime()));
    // …five years later, every closed file is past it.
    const later = await runRetention(ctxAt(db, today.getTime() + 5 * YEAR));
    expect(later.files).toBeGreaterThan(now.files);
    const open = await db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM candidates WHERE anonymised_at IS NOT NULL AND stage NOT IN ('withdrawn', 'settled') AND merged_into_id IS NULL`,
    );
    expect(open[0]!.n).toBe(0);
    expect(await allReports(db, today)).toEqual(before);
    // Running again changes nothing.
    expect((await runRetention(ctxAt(db, today.getTime() + 5 * YEAR))).files).toBe(0);
  });

  it('anonymises a closed file only when its territory’s period has passed since the last contact', async () => {
    const { db } = await testDb('seeded');
    const now = Date.UTC(2030, 5, 15);
    await db.update(territories).set({ retentionMonths: 24 }).where(eq(territories.code, '32'));
    const files = await db.all<{ id: number }>(
      sql`SELECT id FROM candidates WHERE territory_code = '32' AND merged_into_id IS NULL AND anonymised_at IS NULL ORDER BY id LIMIT 6`,
    );
    // Everything else in the database stays out of the way: contacted just now.
    await db.run(sql`UPDATE candidates SET last_contact_at = ${new Date(now).toISOString()}`);
    await db.run(sql`UPDATE tasks SET done_at = NULL, due_date = '2000-01-01' WHERE kind <> 'manual'`);
    const set = (id: number, stage: string, monthsAgo: number) =>
      db.run(
        sql`UPDATE candidates SET stage = ${stage}, last_contact_at = ${new Date(now - monthsAgo * 30.5 * DAY_MS).toISOString()} WHERE id = ${id}`,
      );
    const [withdrawnOld, withdrawnRecent, settledFollowedUp, openOld, mergedOld, mergedRecent] = files.map((f) => f.id);
    // Duplicates merged into the two withdrawn files: they go with the file they joined.
    await db.run(sql`UPDATE candidates SET merged_into_id = ${withdrawnOld!} WHERE id = ${mergedOld!}`);
    await db.run(sql`UPDATE candidates SET merged_into_id = ${withdrawnRecent!} WHERE id = ${mergedRecent!}`);
    await set(withdrawnOld!, 'withdrawn', 25);
    await set(withdrawnRecent!, 'withdrawn', 23);
    await set(settledFollowedUp!, 'settled', 30);
    await set(openOld!, 'discovery', 40);
    // A settled file whose next follow-up is still ahead is not closed yet.
    await db.run(sql`DELETE FROM tasks WHERE candidate_id = ${settledFollowedUp!}`);
    await db.run(sql`INSERT INTO tasks (candidate_id, kind, title, due_date, created_at)
      VALUES (${settledFollowedUp!}, 'follow_up_12m', 'Suivi à 12 mois', '2030-09-01', '2029-09-01T00:00:00.000Z')`);
    expect((await runRetention(ctxAt(db, now))).files).toBe(2);
    const state = async (id: number) =>
      (await db.select({ at: candidates.anonymisedAt }).from(candidates).where(eq(candidates.id, id)))[0]!.at !== null;
    expect(await state(withdrawnOld!)).toBe(true);
    expect(await state(withdrawnRecent!)).toBe(false);
    expect(await state(settledFollowedUp!)).toBe(false);
    expect(await state(openOld!)).toBe(false);
    expect(await state(mergedOld!)).toBe(true);
    expect(await state(mergedRecent!)).toBe(false);
    // Once its last follow-up is behind it, the settled file is closed, and past its period;
    // by then the other withdrawn file is past its 24 months too.
    expect((await runRetention(ctxAt(db, Date.UTC(2030, 8, 2)))).files).toBe(3);
    expect(await state(settledFollowedUp!)).toBe(true);
    expect(await state(withdrawnRecent!)).toBe(true);
    expect(await state(mergedRecent!)).toBe(true);
    expect(await state(openOld!)).toBe(false);
  });

  it('warns an account unused for nearly 3 years, deletes it 30 days later, and keeps one used meanwhile', async () => {
    const { db } = await testDb('seeded');
    const start = Date.UTC(2026, 0, 10);
    const at = (ms: number) => new Date(ms).toISOString();
    await db.run(sql`UPDATE users SET last_seen_at = ${at(start)}, created_at = ${at(start)}`);
    const [family] = await db.select().from(users).where(eq(users.email, 'famille@demo.test'));
    const [owner] = await db.select().from(users).where(eq(users.email, 'proprietaire@demo.test'));
    const [agent] = await db.select().from(users).where(eq(users.email, 'agent.gers@demo.test'));
    // 3 years less 30 days (calendar years): warned; two days before, not yet.
    const warnDay = Date.UTC(2029, 0, 10) - 29 * DAY_MS;
    expect((await runRetention(ctxAt(db, warnDay - 2 * DAY_MS))).warned).toBe(0);
    const warned = await runRetention(ctxAt(db, warnDay));
    expect(warned.warned).toBeGreaterThanOrEqual(2);
    const mails = await db.select().from(outbox).where(eq(outbox.template, 'account_inactive'));
    expect(mails.map((m) => m.to)).toEqual(expect.arrayContaining([family!.email, owner!.email]));
    expect(mails.map((m) => m.to)).not.toContain(agent!.email);
    expect(mails.find((m) => m.to === family!.email)!.text).toContain('https://cc.test/connexion');
    // The owner signs in meanwhile: the warning is cleared and the account stays.
    await createSessions(db, { secure: false, clock: clockAt(warnDay + 10 * DAY_MS) }).createSession(owner!.id);
    expect((await runRetention(ctxAt(db, warnDay + 29 * DAY_MS))).deleted).toBe(0);
    const gone = await runRetention(ctxAt(db, warnDay + 31 * DAY_MS));
    expect(gone.deleted).toBeGreaterThanOrEqual(1);
    const left = (await db.select({ email: users.email }).from(users)).map((u) => u.email);
    expect(left).not.toContain(family!.email);
    expect(left).toContain(owner!.email);
    expect(left).toContain(agent!.email);
  });

  it('empties a sent email’s text after 30 days and deletes sent or failed ones after 12 months', async () => {
    const { db } = await testDb('seeded');
    const t0 = Date.UTC(2026, 5, 1, 9);
    const at = (ms: number) => new Date(ms).toISOString();
    const mail = (key: string, status: 'sent' | 'failed' | 'pending', created: number) => ({
      idempotencyKey: key,
      to: 'famille@demo.test',
      subject: `Objet ${key}`,
      html: `<p>https://cc.test/lien/${key}</p>`,
      text: `https://cc.test/lien/${key}`,
      template: 'password_reset',
      locale: 'fr',
      status,
      sentAt: status === 'sent' ? at(created + 60_000) : null,
      createdAt: at(created),
    });
    await db
      .insert(outbox)
      .values([
        mail('old-sent', 'sent', t0),
        mail('recent-sent', 'sent', t0 + 10 * DAY_MS),
        mail('failed', 'failed', t0),
        mail('pending', 'pending', t0),
      ]);
    const rows = async () =>
      Object.fromEntries(
        (
          await db
            .select()
            .from(outbox)
            .where(sql`${outbox.idempotencyKey} IN ('old-sent', 'recent-sent', 'failed', 'pending')`)
        ).map((r) => [r.idempotencyKey, r.text === '' ? 'emptied' : 'kept']),
      );
    // Sent at t0 + 1 minute: its text is kept 30 days to the millisecond.
    await pruneOutbox(db, clockAt(t0 + 60_000 + MAIL_TEXT_DAYS * DAY_MS));
    expect(await rows()).toEqual({ 'old-sent': 'kept', 'recent-sent': 'kept', failed: 'kept', pending: 'kept' });
    const report = await runRetention(ctxAt(db, t0 + 60_001 + MAIL_TEXT_DAYS * DAY_MS));
    expect(report.mailTexts).toBeGreaterThanOrEqual(1);
    // The link is gone with the text; a failed email keeps its text (it may be sent again).
    expect(await rows()).toEqual({ 'old-sent': 'emptied', 'recent-sent': 'kept', failed: 'kept', pending: 'kept' });
    const [old] = await db.select().from(outbox).where(eq(outbox.idempotencyKey, 'old-sent'));
    expect(old).toMatchObject({ subject: '—', html: '', text: '', to: 'famille@demo.test', status: 'sent' });
    // Twelve months after they were written: sent and failed rows go; an unsent one never does.
    await pruneOutbox(db, clockAt(Date.UTC(2027, 5, 1, 9)));
    expect(Object.keys(await rows()).sort()).toEqual(['failed', 'old-sent', 'pending', 'recent-sent']);
    expect((await pruneOutbox(db, clockAt(Date.UTC(2027, 5, 1, 9) + 1))).deleted).toBeGreaterThanOrEqual(2);
    expect(await rows()).toEqual({ 'recent-sent': 'emptied', pending: 'kept' });
  });
});
