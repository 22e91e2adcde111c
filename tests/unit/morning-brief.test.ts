import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { candidates, discoveryStays, outbox, tasks, users } from '../../db/schema/index.ts';
import { briefOf, parisTime, runMorningBriefs } from '../../src/server/candidates/morning.ts';
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
    expect(parisTime(new Date('2026-12-07T05:59:00Z'))).toEqual({ day: '2026-12-07', hour: 6 });
    expect(parisTime(new Date('2026-07-07T05:00:00Z'))).toEqual({ day: '2026-07-07', hour: 7 });
    expect(parisTime(new Date('2026-12-06T23:30:00Z'))).toEqual({ day: '2026-12-07', hour: 0 });
  });

  it('sends each agent one brief a day from 7:00 Paris time, with their tasks, stays and late files only', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test', 'agent.manche@demo.test', 'famille@demo.test');
    const [gers, manche] = people;
    const day = '2026-12-07';
    const [file] = await db
      .select({ id: candidates.id, name: candidates.name })
      .from(candidates)
      .where(
        and(
          eq(candidates.territoryCode, '32'),
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
