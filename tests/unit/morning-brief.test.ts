import { and, eq, isNull, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { PreparedReader } from '../../db/prepared-reader.ts';
import { candidates, discoveryStays, outbox, tasks, users } from '../../db/schema/index.ts';
import { briefOf, ITEMS_MAX, runMorningBriefs } from '../../src/server/candidates/morning.ts';
import { scope, unansweredEnquiries } from '../../src/server/candidates/queries.ts';
import { HOUR_MS, portalTime } from '../../src/lib/time.ts';
import { seededWith } from '../helpers/db.ts';

const SITE = 'https://cc.test';
const at = (iso: string) => ({ now: () => new Date(iso) });
const briefsTo = async (db: Awaited<ReturnType<typeof seededWith>>['db'], email: string) =>
  db
    .select({ subject: outbox.subject, text: outbox.text, template: outbox.template })
    .from(outbox)
    .where(and(eq(outbox.to, email), eq(outbox.template, 'morning_brief')));

describe('morning brief', () => {
  it('reads the day and hour in Paris, summer and winter', () => {
    expect(portalTime(new Date('2026-12-07T05:59:00Z'))).toEqual({ day: '2026-12-07', hour: 6 });
    expect(portalTime(new Date('2026-07-07T05:00:00Z'))).toEqual({ day: '2026-07-07', hour: 7 });
    expect(portalTime(new Date('2026-12-06T23:30:00Z'))).toEqual({ day: '2026-12-07', hour: 0 });
  });

  it('sends each agent one brief a day from 7:00 Paris time, with their tasks, stays and late files only', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test', 'agent.manche@demo.test', 'famille@demo.test');
    const [gers, manche] = people;
    const day = '2026-12-07';
    // A file still on its way: a closed one's stays ahead are cancelled (`stayNotCancelled`).
    const [file] = await db
      .select({ id: candidates.id, name: candidates.name })
      .from(candidates)
      .where(
        and(
          eq(candidates.territoryCode, '32'),
          sql`${candidates.stage} NOT IN ('settled', 'withdrawn')`,
          sql`${candidates.anonymisedAt} IS NULL`,
          sql`${candidates.mergedIntoId} IS NULL`,
        ),
      )
      .limit(1);
    await db.insert(tasks).values([
      { candidateId: file!.id, title: 'Appeler ce matin', dueDate: day, assigneeId: gers.id, createdAt: day },
      { candidateId: file!.id, title: 'Relance oubliée', dueDate: '2026-12-01', assigneeId: gers.id, createdAt: day },
      { candidateId: file!.id, title: 'Plus tard', dueDate: '2026-12-20', assigneeId: gers.id, createdAt: day },
    ]);
    await db.update(candidates).set({ assignedAgentId: gers.id }).where(eq(candidates.id, file!.id));
    await db.insert(discoveryStays).values({
      candidateId: file!.id,
      startDate: '2026-12-08',
      endDate: '2026-12-10',
      places: 'Mairie',
      createdById: gers.id,
      createdAt: day,
    });

    // 6:30 in Paris: too early.
    expect(await runMorningBriefs({ db, clock: at('2026-12-07T05:30:00Z'), siteUrl: SITE })).toEqual({
      due: 0,
      emails: 0,
    });
    const clock = at('2026-12-07T06:05:00Z');
    const report = await runMorningBriefs({ db, clock, siteUrl: SITE });
    expect(report.emails).toBeGreaterThanOrEqual(1);
    const [brief, ...more] = await briefsTo(db, 'agent.gers@demo.test');
    expect(more).toEqual([]);
    expect(brief!.text).toContain(`${file!.name} — Appeler ce matin`);
    expect(brief!.text).toContain(`${file!.name} — Relance oubliée (prévue le 1er décembre)`);
    expect(brief!.text).not.toContain('Plus tard');
    expect(brief!.text).toContain(`${file!.name} — séjour à partir du 8 décembre`);
    expect(brief!.text).toContain(`${SITE}/agent`);
    // Late enquiries of the Gers (past the 48 h promise), as the brief's own query would not count them.
    const late = await db.all<{ name: string }>(sql`
      SELECT name FROM candidates WHERE territory_code = '32' AND stage = 'enquiry' AND first_response_at IS NULL
        AND anonymised_at IS NULL AND merged_into_id IS NULL
        AND (assigned_agent_id IS NULL OR assigned_agent_id = ${gers.id})
        AND (julianday('2026-12-07T06:05:00Z') - julianday(created_at)) * 24 >= 48`);
    expect(late.length).toBeGreaterThan(0);
    for (const l of late) expect(brief!.text).toContain(`${l.name} — attend depuis`);
    // Nothing of the Manche's in it; families get none.
    const mancheFiles = await db
      .select({ name: candidates.name })
      .from(candidates)
      .where(eq(candidates.territoryCode, '50'));
    const gersNames = new Set(
      (await db.select({ name: candidates.name }).from(candidates).where(eq(candidates.territoryCode, '32'))).map(
        (c) => c.name,
      ),
    );
    for (const m of mancheFiles) if (!gersNames.has(m.name)) expect(brief!.text).not.toContain(m.name);
    expect(await briefsTo(db, 'famille@demo.test')).toEqual([]);

    // Again the same day (another process, a later pass): nothing more.
    await Promise.all([
      runMorningBriefs({ db, clock: at('2026-12-07T08:00:00Z'), siteUrl: SITE }),
      runMorningBriefs({ db, clock: at('2026-12-07T08:00:00Z'), siteUrl: SITE }),
    ]);
    expect(await briefsTo(db, 'agent.gers@demo.test')).toHaveLength(1);
    // The next morning: a new brief.
    await runMorningBriefs({ db, clock: at('2026-12-08T06:30:00Z'), siteUrl: SITE });
    expect(await briefsTo(db, 'agent.gers@demo.test')).toHaveLength(2);
    expect(manche.id).toBeGreaterThan(0);
  });

  it('leaves out a stay the settlement cancelled', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test');
    const [gers] = people;
    const [file] = await db
      .select({ id: candidates.id, name: candidates.name })
      .from(candidates)
      .where(
        sql`${candidates.territoryCode} = '32' AND ${candidates.stage} = 'settling'
          AND ${candidates.anonymisedAt} IS NULL AND ${candidates.mergedIntoId} IS NULL`,
      )
      .limit(1);
    await db.insert(discoveryStays).values({
      candidateId: file!.id,
      startDate: '2026-12-08',
      endDate: '2026-12-10',
      places: 'Mairie',
      createdById: gers.id,
      createdAt: '2026-12-01',
    });
    const stays = async () =>
      (await briefOf(db, gers, '2026-12-07', new Date('2026-12-07T06:05:00Z'), SITE)).stays.map((s) => s.line);
    expect(await stays()).toContain(`${file!.name} — séjour à partir du 8 décembre`);
    await db
      .update(candidates)
      .set({ stage: 'settled', settledAt: '2026-12-05', settledCommuneCode: '32013', settledHouseholdSize: 2 })
      .where(eq(candidates.id, file!.id));
    expect(await stays()).not.toContain(`${file!.name} — séjour à partir du 8 décembre`);
  });

  it('lists the oldest late enquiries (at most ITEMS_MAX, each territory its target, to the ms) and counts them all', async () => {
    const { db, people } = await seededWith('admin@demo.test', 'agent.gers@demo.test', 'agent.manche@demo.test');
    const [admin, gers, manche] = people;
    const now = new Date('2026-12-07T06:05:00.000Z');
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    // Only the enquiries below wait for an answer.
    await db.update(candidates).set({ firstResponseAt: '2026-01-01T00:00:00.000Z' });
    const live = (territory: string, n: number) =>
      db
        .select({ id: candidates.id, publicId: candidates.publicId })
        .from(candidates)
        .where(
          and(
            eq(candidates.territoryCode, territory),
            isNull(candidates.anonymisedAt),
            isNull(candidates.mergedIntoId),
          ),
        )
        .orderBy(candidates.id)
        .limit(n);
    const enquiry = (id: number, createdAt: string, assignedAgentId: number | null, queue?: string) =>
      db
        .update(candidates)
        .set({
          stage: 'enquiry',
          firstResponseAt: null,
          createdAt,
          assignedAgentId,
          ...(queue ? { territoryCode: null, wishedTerritories: [queue] } : {}),
        })
        .where(eq(candidates.id, id));
    // The Gers (48 h): 40 late, a quarter someone else's, a quarter the agent's; one 2 hours old.
    const gersFiles = await live('32', 41);
    for (const [i, f] of gersFiles.entries())
      await enquiry(
        f.id,
        i === 40 ? ago(2 * HOUR_MS) : ago((48 + i + 1.5) * HOUR_MS),
        i % 4 === 0 ? admin.id : i % 4 === 1 ? gers.id : null,
      );
    // The Manche (72 h) and its queue (48 h): exactly at the target is late, 1 ms short is not.
    const [m0, m1, m2, m3, m4, q0, q1] = await live('50', 7);
    await enquiry(m0!.id, ago(72 * HOUR_MS), null);
    await enquiry(m1!.id, ago(72 * HOUR_MS - 1), null);
    await enquiry(m2!.id, ago(60 * HOUR_MS), null);
    await enquiry(m3!.id, ago(100 * HOUR_MS), gers.id);
    await enquiry(m4!.id, ago(100.5 * HOUR_MS), manche.id);
    await enquiry(q0!.id, ago(48 * HOUR_MS), null, '50');
    await enquiry(q1!.id, ago(48 * HOUR_MS - 1), null, '50');

    const urls = (files: Array<{ publicId: string } | undefined>) =>
      files.map((f) => `${SITE}/agent/candidats/${f!.publicId}`);
    const reads = vi.spyOn(PreparedReader.prototype, 'execute');
    onTestFinished(() => reads.mockRestore());
    const ofGers = await briefOf(db, gers, '2026-12-07', now, SITE);
    // Counted, not read: no read brings more rows than the brief lists.
    const sizes = reads.mock.results.map((r) => r.value.rows.length);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(ITEMS_MAX);
    reads.mockRestore();
    expect(ofGers.waiting).toBe(41);
    // The agent's and nobody's, oldest first: the 20 oldest of 30.
    const gersLate = gersFiles.filter((_, i) => i < 40 && i % 4 !== 0).reverse();
    expect(ofGers.late.map((l) => l.url)).toEqual(urls(gersLate.slice(0, ITEMS_MAX)));
    expect(ofGers.late[0]!.line.replace(/\s/g, ' ')).toContain('attend depuis 88 h (engagement : 48 h)');
    const ofManche = await briefOf(db, manche, '2026-12-07', now, SITE);
    expect(ofManche.waiting).toBe(7);
    expect(ofManche.late.map((l) => l.url)).toEqual(urls([m4, m0, q0]));

    // The same as reading every unanswered enquiry and keeping the late ones (the brief until now).
    for (const user of [admin, gers, manche]) {
      const all = await unansweredEnquiries(db, scope(user));
      const hours = (iso: string) => Math.floor((now.getTime() - Date.parse(iso)) / HOUR_MS);
      const late = all.filter(
        (u) => (u.assignedAgentId === null || u.assignedAgentId === user.id) && hours(u.createdAt) >= u.promiseHours,
      );
      const brief = await briefOf(db, user, '2026-12-07', now, SITE);
      expect(brief.waiting).toBe(all.length);
      expect(brief.late.map((l) => l.url)).toEqual(urls(late.slice(0, ITEMS_MAX)));
    }
    const ofAdmin = await briefOf(db, admin, '2026-12-07', now, SITE);
    expect(ofAdmin.waiting).toBe(48);
    expect(ofAdmin.late).toHaveLength(ITEMS_MAX);
  });

  it('sends nothing on a day with nothing waiting, nor to a deactivated member of staff', async () => {
    const { db, people } = await seededWith('agent.manche@demo.test');
    const [agent] = people;
    // Everything of theirs done and answered.
    await db.update(tasks).set({ doneAt: '2026-12-01T00:00:00Z' });
    await db.update(candidates).set({ firstResponseAt: '2026-12-01T00:00:00Z' });
    await db.delete(discoveryStays);
    const empty = await briefOf(db, agent, '2026-12-07', new Date('2026-12-07T06:00:00Z'), SITE);
    expect(empty).toMatchObject({ tasks: [], stays: [], late: [], waiting: 0 });
    await runMorningBriefs({ db, clock: at('2026-12-07T06:30:00Z'), siteUrl: SITE });
    expect(await briefsTo(db, 'agent.manche@demo.test')).toEqual([]);
    // The day is claimed all the same: no recomputation every 15 minutes.
    const [row] = await db.select({ on: users.morningBriefOn }).from(users).where(eq(users.id, agent.id));
    expect(row!.on).toBe('2026-12-07');
    await db.update(users).set({ deactivatedAt: '2026-12-07T07:00:00Z' }).where(eq(users.id, agent.id));
    await db.update(tasks).set({ doneAt: null });
    await runMorningBriefs({ db, clock: at('2026-12-08T06:30:00Z'), siteUrl: SITE });
    expect(await briefsTo(db, 'agent.manche@demo.test')).toEqual([]);
  });
});
