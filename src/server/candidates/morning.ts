// The staff's morning brief (issue 16): from 7:00 (Europe/Paris), one email a day to each
// member of staff with something waiting — their tasks due today or late, discovery stays
// starting today or tomorrow on the files they follow (not those the settlement cancelled),
// and the enquiries past their territory's first-answer target — within the files they may
// see. A day with nothing to say sends nothing. Runs in the server (every 15 minutes) and in `npm run digest`; the day is
// claimed with a conditional update, so two processes never send it twice.
import { and, asc, count, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { candidates, discoveryStays, tasks, territories, userTerritories, users } from '../../../db/schema/index.ts';
import { formatDate, t } from '../../i18n/index.ts';
import { addDays, HOUR_MS, portalTime } from '../../lib/time.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { briefCount, renderMorningBrief, type MorningBrief } from '../mail/morning-template.ts';
import { enqueueRenderedMail } from '../mail/outbox.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';
import { isStaff, staffRoleSql } from '../policy.ts';
import { scope, unansweredEnquiries } from './queries.ts';
import { stayNotCancelled } from './stays.ts';

/** The brief waits for this hour of the portal's clock (Paris time). */
export const BRIEF_HOUR = 7;
/** Items listed per part of the brief (the count of waiting enquiries is of them all). */
export const ITEMS_MAX = 20;

export interface BriefContext {
  db: Db;
  clock: Clock;
  siteUrl: string;
}

/** `hoursWaiting >= promiseHours` in SQL (whole hours: created ≥ target × 1 h before `now`, to the ms). */
const pastTarget = (now: Date) =>
  sql`round(unixepoch(${candidates.createdAt}, 'subsec') * 1000) <= ${now.getTime()} - coalesce(${territories.firstAnswerHours}, 48) * ${HOUR_MS}`;

/** What the brief of `user` holds on `day` (tasks, stays, late files, waiting count). */
export async function briefOf(db: Db, user: SessionUser, day: string, now: Date, site: string): Promise<MorningBrief> {
  const files = scope(user);
  const url = (publicId: string) => `${site}/agent/candidats/${publicId}`;
  const date = (iso: string) => formatDate(user.locale, iso, { day: 'numeric', month: 'long' });
  const [due, stays, late, [waiting]] = await Promise.all([
    db
      .select({ title: tasks.title, due: tasks.dueDate, name: candidates.name, file: candidates.publicId })
      .from(tasks)
      .innerJoin(candidates, eq(candidates.id, tasks.candidateId))
      .where(and(files, eq(tasks.assigneeId, user.id), isNull(tasks.doneAt), lte(tasks.dueDate, day)))
      .orderBy(asc(tasks.dueDate), asc(tasks.id))
      .limit(ITEMS_MAX),
    db
      .select({ start: discoveryStays.startDate, name: candidates.name, file: candidates.publicId })
      .from(discoveryStays)
      .innerJoin(candidates, eq(candidates.id, discoveryStays.candidateId))
      .where(
        and(
          files,
          gte(discoveryStays.startDate, day),
          lte(discoveryStays.startDate, addDays(day, 1)),
          or(eq(candidates.assignedAgentId, user.id), eq(discoveryStays.createdById, user.id)),
          stayNotCancelled(),
        ),
      )
      .orderBy(asc(discoveryStays.startDate))
      .limit(ITEMS_MAX),
    // Only the late files listed: past the target, the files they follow and those nobody
    // follows yet (`coalesce`: not the agent index, which would read every unassigned file).
    unansweredEnquiries(
      db,
      and(files, sql`coalesce(${candidates.assignedAgentId}, ${user.id}) = ${user.id}`, pastTarget(now)),
    ).limit(ITEMS_MAX),
    // All the unanswered enquiries (unansweredEnquiries' condition), counted, not read.
    db
      .select({ n: count() })
      .from(candidates)
      .where(and(files, eq(candidates.stage, 'enquiry'), isNull(candidates.firstResponseAt))),
  ]);
  const hoursWaiting = (createdAt: string) => Math.floor((now.getTime() - Date.parse(createdAt)) / HOUR_MS);
  return {
    name: user.name,
    tasks: due.map((x) => ({
      line: t(user.locale, x.due < day ? 'brief.taskLate' : 'brief.task', {
        family: x.name,
        title: x.title,
        date: date(x.due),
      }),
      url: url(x.file),
    })),
    stays: stays.map((x) => ({
      line: t(user.locale, 'brief.stay', { family: x.name, date: date(x.start) }),
      url: url(x.file),
    })),
    late: late.map((x) => ({
      line: t(user.locale, 'brief.late', { family: x.name, hours: hoursWaiting(x.createdAt), target: x.promiseHours }),
      url: url(x.publicId),
    })),
    waiting: waiting?.n ?? 0,
    homeUrl: `${site}/agent`,
  };
}

export interface BriefReport {
  due: number;
  emails: number;
}

/** Sends the day's briefs still due (nothing before BRIEF_HOUR, Paris time). */
export async function runMorningBriefs(ctx: BriefContext): Promise<BriefReport> {
  const now = ctx.clock.now();
  const { day, hour } = portalTime(now);
  const report: BriefReport = { due: 0, emails: 0 };
  if (hour < BRIEF_HOUR) return report;
  const site = ctx.siteUrl.replace(/\/$/, '');
  const people = await ctx.db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, locale: users.locale })
    .from(users)
    .where(
      and(
        staffRoleSql(users.role),
        isNull(users.deactivatedAt),
        or(isNull(users.morningBriefOn), sql`${users.morningBriefOn} < ${day}`),
      ),
    );
  for (const person of people) {
    const territoryRows = await ctx.db
      .select({ code: userTerritories.territoryCode })
      .from(userTerritories)
      .where(eq(userTerritories.userId, person.id));
    const user: SessionUser = { ...person, territories: territoryRows.map((r) => r.code) };
    if (!isStaff(user)) continue;
    report.due++;
    const brief = await briefOf(ctx.db, user, day, now, site);
    const sent = await ctx.db.transaction(async (tx) => {
      const claimed = await tx
        .update(users)
        .set({ morningBriefOn: day })
        .where(and(eq(users.id, user.id), or(isNull(users.morningBriefOn), sql`${users.morningBriefOn} < ${day}`)));
      // Another process has this day's brief, or there is nothing to say.
      if (claimed.rowsAffected === 0 || briefCount(brief) === 0) return false;
      await enqueueRenderedMail(tx, ctx.clock, {
        to: user.email,
        template: 'morning_brief',
        locale: user.locale,
        rendered: renderMorningBrief(user.locale, brief),
      });
      return true;
    });
    if (sent) report.emails++;
  }
  return report;
}

/** In the server: every 15 minutes, so the brief leaves soon after BRIEF_HOUR. */
export function startMorningBriefs(ctx: BriefContext, intervalMs = 15 * 60_000): Periodic {
  return startPeriodic('morning-brief', intervalMs, async () => {
    const r = await runMorningBriefs(ctx);
    return r.emails > 0 ? `${r.emails} morning brief(s) for ${r.due} member(s) of staff` : null;
  });
}
