import ICAL from 'ical.js';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { calendarFeeds, candidates, discoveryStays, tasks, users } from '../../db/schema/index.ts';
import { createFeed, feedCalendar, feedCreatedAt, revokeFeed } from '../../src/server/calendar/feeds.ts';
import { Forbidden } from '../../src/server/errors.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { seededWith } from '../helpers/db.ts';

// The demo's data are dated around 2026-11-01 (db/seed/demo.ts): a clock a few days later.
const clock = { now: () => new Date('2026-11-05T10:00:00Z') };
const SITE = 'https://cc.test';
const since = () => new Date(clock.now().getTime() - 30 * DAY_MS).toISOString().slice(0, 10);

/** The feed's events, read back by a real iCalendar parser. */
function events(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      start: e.startDate.toString(),
      end: e.endDate.toString(),
      allDay: e.startDate.isDate,
      url: String(v.getFirstPropertyValue('url')),
    };
  });
}

describe('calendar feed', () => {
  it('holds the agent’s open tasks and the stays of their files, as all-day events, and nothing else', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test', 'agent.manche@demo.test');
    const [gers, manche] = people;
    const token = await createFeed(db, clock, gers);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only a hash is kept.
    const [row] = await db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, gers.id));
    expect(row!.tokenHash).not.toContain(token);
    expect(await feedCreatedAt(db, gers.id)).toBe(row!.createdAt);

    // The truth, written here: open tasks assigned to them, or unassigned on files they follow…
    const expectedTasks = await db.all<{ id: number; due: string; name: string; public_id: string }>(sql`
      SELECT t.id, t.due_date AS due, c.name, c.public_id FROM tasks t JOIN candidates c ON c.id = t.candidate_id
      WHERE t.done_at IS NULL AND t.due_date >= ${since()} AND c.anonymised_at IS NULL AND c.merged_into_id IS NULL
        AND c.territory_code = '32'
        AND (t.assignee_id = ${gers.id} OR (t.assignee_id IS NULL AND c.assigned_agent_id = ${gers.id}))`);
    // …and stays of files they follow or planned.
    const expectedStays = await db.all<{ id: number; start: string; end: string; name: string }>(sql`
      SELECT s.id, s.start_date AS start, s.end_date AS "end", c.name FROM discovery_stays s
      JOIN candidates c ON c.id = s.candidate_id
      WHERE s.end_date >= ${since()} AND c.anonymised_at IS NULL AND c.merged_into_id IS NULL AND c.territory_code = '32'
        AND (c.assigned_agent_id = ${gers.id} OR s.created_by_id = ${gers.id})`);
    expect(expectedTasks.length).toBeGreaterThan(0);
    expect(expectedStays.length).toBeGreaterThan(0);

    const ics = (await feedCalendar(db, clock, token, SITE))!;
    const got = events(ics);
    expect(got).toHaveLength(expectedTasks.length + expectedStays.length);
    for (const task of expectedTasks) {
      const e = got.find((x) => x.uid === `task-${task.id}@cc.test`)!;
      expect(e).toMatchObject({ start: task.due, allDay: true, url: `${SITE}/agent/candidats/${task.public_id}` });
      expect(e.summary).toContain(task.name);
    }
    for (const stay of expectedStays) {
      const e = got.find((x) => x.uid === `stay-${stay.id}@cc.test`)!;
      expect(e.start).toBe(stay.start);
      // The end of an all-day event is the day after its last day.
      expect(new Date(`${e.end}T00:00:00Z`).getTime() - new Date(`${stay.end}T00:00:00Z`).getTime()).toBe(DAY_MS);
      expect(e.summary).toBe(`Séjour de découverte — ${stay.name}`);
    }
    // The Manche agent's own tasks are not in the Gers agent's feed.
    const mancheTasks = await db.select({ id: tasks.id }).from(tasks).where(eq(tasks.assigneeId, manche.id));
    expect(mancheTasks.length).toBeGreaterThan(0);
    for (const t of mancheTasks) expect(got.some((e) => e.uid === `task-${t.id}@cc.test`)).toBe(false);
  });

  it('answers nothing for a wrong, revoked or replaced token, nor once the person may no longer use it', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test', 'famille@demo.test');
    const [agent, family] = people;
    for (const bad of ['', 'x', 'a'.repeat(43), '../../etc/passwd', 'a'.repeat(10_000)])
      expect(await feedCalendar(db, clock, bad, SITE)).toBeNull();
    const first = await createFeed(db, clock, agent);
    const second = await createFeed(db, clock, agent);
    expect(await feedCalendar(db, clock, first, SITE)).toBeNull();
    expect(await feedCalendar(db, clock, second, SITE)).toContain('BEGIN:VCALENDAR');
    await revokeFeed(db, agent);
    expect(await feedCalendar(db, clock, second, SITE)).toBeNull();
    expect(await feedCreatedAt(db, agent.id)).toBeNull();
    // Deactivated, or no longer staff: the feed stops.
    const third = await createFeed(db, clock, agent);
    await db.update(users).set({ deactivatedAt: clock.now().toISOString() }).where(eq(users.id, agent.id));
    expect(await feedCalendar(db, clock, third, SITE)).toBeNull();
    await db.update(users).set({ deactivatedAt: null, role: 'family' }).where(eq(users.id, agent.id));
    expect(await feedCalendar(db, clock, third, SITE)).toBeNull();
    // A family has no feed to make.
    await expect(createFeed(db, clock, family)).rejects.toBeInstanceOf(Forbidden);
    await expect(revokeFeed(db, family)).rejects.toBeInstanceOf(Forbidden);
  });

  it('leaves out done tasks, old ones, and files the person may no longer see', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test');
    const [agent] = people;
    const [file] = await db
      .select({ id: candidates.id })
      .from(candidates)
      .where(eq(candidates.territoryCode, '32'))
      .limit(1);
    const day = (offset: number) => new Date(clock.now().getTime() + offset * DAY_MS).toISOString().slice(0, 10);
    const [open, done, old] = await db
      .insert(tasks)
      .values([
        {
          candidateId: file!.id,
          title: 'Rappeler la famille',
          dueDate: day(2),
          assigneeId: agent.id,
          createdAt: day(0),
        },
        {
          candidateId: file!.id,
          title: 'Déjà faite',
          dueDate: day(3),
          assigneeId: agent.id,
          doneAt: day(0),
          createdAt: day(0),
        },
        { candidateId: file!.id, title: 'Trop ancienne', dueDate: day(-45), assigneeId: agent.id, createdAt: day(-50) },
      ])
      .returning({ id: tasks.id });
    const token = await createFeed(db, clock, agent);
    const uids = events((await feedCalendar(db, clock, token, SITE))!).map((e) => e.uid);
    expect(uids).toContain(`task-${open!.id}@cc.test`);
    expect(uids).not.toContain(`task-${done!.id}@cc.test`);
    expect(uids).not.toContain(`task-${old!.id}@cc.test`);
    // The file moves to another territory: its task leaves the feed.
    await db.update(candidates).set({ territoryCode: '50' }).where(eq(candidates.id, file!.id));
    const after = events((await feedCalendar(db, clock, token, SITE))!).map((e) => e.uid);
    expect(after).not.toContain(`task-${open!.id}@cc.test`);
    expect(await db.select().from(discoveryStays).limit(1)).toHaveLength(1);
  });

  it('leaves out the stays the settlement cancelled (those that had not started), keeps the others', async () => {
    const { db, people } = await seededWith('agent.gers@demo.test');
    const [agent] = people;
    const [file] = await db
      .select({ id: candidates.id })
      .from(candidates)
      .where(
        sql`${candidates.territoryCode} = '32' AND ${candidates.stage} = 'settling'
          AND ${candidates.anonymisedAt} IS NULL AND ${candidates.mergedIntoId} IS NULL`,
      )
      .limit(1);
    const [before, after] = await db
      .insert(discoveryStays)
      .values(
        [
          { startDate: '2026-11-08', endDate: '2026-11-09', places: 'Auch' },
          { startDate: '2026-11-20', endDate: '2026-11-22', places: 'Condom' },
        ].map((stay) => ({ ...stay, candidateId: file!.id, createdById: agent.id, createdAt: '2026-11-01' })),
      )
      .returning({ id: discoveryStays.id });
    const token = await createFeed(db, clock, agent);
    const stays = async () =>
      events((await feedCalendar(db, clock, token, SITE))!)
        .map((e) => e.uid)
        .filter((uid) => uid === `stay-${before!.id}@cc.test` || uid === `stay-${after!.id}@cc.test`);
    expect(await stays()).toEqual([`stay-${before!.id}@cc.test`, `stay-${after!.id}@cc.test`]);
    // Settled on the 10th: the stay of the 20th will not happen (the file page says "Annulé").
    await db
      .update(candidates)
      .set({ stage: 'settled', settledAt: '2026-11-10', settledCommuneCode: '32013', settledHouseholdSize: 2 })
      .where(eq(candidates.id, file!.id));
    expect(await stays()).toEqual([`stay-${before!.id}@cc.test`]);
  });
});
