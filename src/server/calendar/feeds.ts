// A staff member's calendar subscription (issue 16): a secret URL, `/agenda.ics?token=…`
// (in the query, which the request log leaves out),
// that calendar apps poll without a session. Only the token's SHA-256 is stored, so the URL
// is shown once; making a new one ends the old, and revoking ends it. The feed holds the
// person's open tasks and the discovery stays of the files they follow, within the files
// they may see now (a role or territory taken away takes the events with it).
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, gte, isNull, or } from 'drizzle-orm';
import ical from 'ical-generator';
import type { Db } from '../../../db/client.ts';
import { calendarFeeds, candidates, discoveryStays, tasks, userTerritories, users } from '../../../db/schema/index.ts';
import { t } from '../../i18n/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { scope } from '../candidates/queries.ts';
import { stayNotCancelled } from '../candidates/stays.ts';
import type { Clock } from '../clock.ts';
import { Forbidden } from '../errors.ts';
import { mayUseCalendarFeed } from '../policy.ts';
import { DAY_MS } from '../../lib/time.ts';

/** How far back the feed reaches: late tasks and recent stays stay in view. */
const PAST_DAYS = 30;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
/** A token as a URL carries it: 32 random bytes, base64url (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const feedPath = (token: string) => `/agenda.ics?token=${token}`;

/** Makes the person's feed (ending any former one); returns its token, to show once. */
export async function createFeed(db: Db, clock: Clock, user: SessionUser): Promise<string> {
  if (!mayUseCalendarFeed(user)) throw new Forbidden();
  const token = randomBytes(32).toString('base64url');
  const row = { userId: user.id, tokenHash: hashOf(token), createdAt: clock.now().toISOString() };
  await db
    .insert(calendarFeeds)
    .values(row)
    .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash: row.tokenHash, createdAt: row.createdAt } });
  return token;
}

export async function revokeFeed(db: Db, user: SessionUser): Promise<void> {
  if (!mayUseCalendarFeed(user)) throw new Forbidden();
  await db.delete(calendarFeeds).where(eq(calendarFeeds.userId, user.id));
}

/** When the person's feed was made, or null without one. */
export async function feedCreatedAt(db: Db, userId: number): Promise<string | null> {
  const [row] = await db
    .select({ at: calendarFeeds.createdAt })
    .from(calendarFeeds)
    .where(eq(calendarFeeds.userId, userId));
  return row?.at ?? null;
}

/** The owner of a feed's token, as they are now; null for a wrong, ended or no longer allowed one. */
async function ownerOf(db: Db, token: string): Promise<SessionUser | null> {
  if (!TOKEN.test(token)) return null;
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, locale: users.locale })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(and(eq(calendarFeeds.tokenHash, hashOf(token)), isNull(users.deactivatedAt)));
  if (!row) return null;
  const territories = await db
    .select({ code: userTerritories.territoryCode })
    .from(userTerritories)
    .where(eq(userTerritories.userId, row.id));
  const user: SessionUser = { ...row, territories: territories.map((x) => x.code) };
  return mayUseCalendarFeed(user) ? user : null;
}

const day = (date: string) => new Date(`${date}T00:00:00Z`);
const nextDay = (date: string) => new Date(day(date).getTime() + DAY_MS);

/**
 * The feed of `token` as iCalendar text, or null (the route answers 404): the person's open
 * tasks (theirs, or unassigned ones of the files they follow) and the stays of the files they
 * follow or planned, from PAST_DAYS ago on, but not the cancelled ones (`stayCancelled`), each
 * an all-day event linking to its file.
 */
export async function feedCalendar(db: Db, clock: Clock, token: string, site: string): Promise<string | null> {
  const user = await ownerOf(db, token);
  if (!user) return null;
  const since = new Date(clock.now().getTime() - PAST_DAYS * DAY_MS).toISOString().slice(0, 10);
  const files = scope(user);
  const follows = eq(candidates.assignedAgentId, user.id);
  const [openTasks, stays] = await Promise.all([
    db
      .select({
        id: tasks.id,
        title: tasks.title,
        due: tasks.dueDate,
        family: candidates.name,
        file: candidates.publicId,
      })
      .from(tasks)
      .innerJoin(candidates, eq(candidates.id, tasks.candidateId))
      .where(
        and(
          files,
          isNull(tasks.doneAt),
          gte(tasks.dueDate, since),
          or(eq(tasks.assigneeId, user.id), and(isNull(tasks.assigneeId), follows)),
        ),
      )
      .orderBy(asc(tasks.dueDate), asc(tasks.id)),
    db
      .select({
        id: discoveryStays.id,
        start: discoveryStays.startDate,
        end: discoveryStays.endDate,
        places: discoveryStays.places,
        family: candidates.name,
        file: candidates.publicId,
      })
      .from(discoveryStays)
      .innerJoin(candidates, eq(candidates.id, discoveryStays.candidateId))
      .where(
        and(
          files,
          gte(discoveryStays.endDate, since),
          or(follows, eq(discoveryStays.createdById, user.id)),
          // A stay cancelled by the settlement or the withdrawal will not happen: out of the calendar.
          stayNotCancelled(),
        ),
      )
      .orderBy(asc(discoveryStays.startDate), asc(discoveryStays.id)),
  ]);
  const host = new URL(site).host;
  const calendar = ical({
    name: t(user.locale, 'calendar.name', { name: user.name }),
    prodId: { company: 'Campagne Connectée', product: 'agenda', language: user.locale.toUpperCase() },
    // Calendar apps poll at most this often.
    ttl: 60 * 60,
  });
  const fileUrl = (publicId: string) => `${site}/agent/candidats/${publicId}`;
  for (const task of openTasks)
    calendar.createEvent({
      id: `task-${task.id}@${host}`,
      allDay: true,
      start: day(task.due),
      end: nextDay(task.due),
      summary: t(user.locale, 'calendar.task', { title: task.title, family: task.family }),
      url: fileUrl(task.file),
      description: fileUrl(task.file),
    });
  for (const stay of stays)
    calendar.createEvent({
      id: `stay-${stay.id}@${host}`,
      allDay: true,
      start: day(stay.start),
      end: nextDay(stay.end),
      summary: t(user.locale, 'calendar.stay', { family: stay.family }),
      description: `${stay.places}\n\n${fileUrl(stay.file)}`,
      url: fileUrl(stay.file),
    });
  return calendar.toString();
}
