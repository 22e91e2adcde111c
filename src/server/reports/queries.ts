// Department reports, computed from the stage history (not from the current stage only):
// a family settled in March and withdrawn in June counts as settled in March and as a
// departure in the retention figure. Every figure is a small SQL aggregate read from an
// index alone: stays from `stay_stats` (whole months) or `stage_history.days`; the rest from
// facts the pipeline keeps on each file as its history is written (`reached_stages`,
// `first_settled_at`, `response_hours`). Merged duplicates are left out everywhere. A report
// is made of parts (`reportParts`), each of its own queries: a CSV of one table builds only
// the parts of that table (`buildReportParts`). Durations come from SQLite as one text, not
// as thousands of rows (decision 018).
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { remoteWorkStatuses, stageBit, withdrawalReasons, type Profession } from '../../../db/schema/candidates.ts';
import { connectivityLabels, labelThresholds } from '../offers/connectivity-label.ts';
import { pipeline } from '../candidates/stages.ts';
import { monthsOf, previousPeriod, type Period } from './period.ts';
import { quantileFromHistogram } from './quantile.ts';
import { DAY_MS } from '../../lib/time.ts';
import { groupRows } from '../../lib/group.ts';
import type { ReportScope } from './scope.ts';

/** Stage history rows in scope (alias h). */
function historyIn(scope: ReportScope): SQL {
  if (scope.territories)
    return sql`h.territory_code IN (${sql.join(
      scope.territories.map((c) => sql`${c}`),
      sql`, `,
    )})`;
  return sql`h.candidate_id IN (SELECT id FROM candidates WHERE merged_into_id IS NULL)`;
}
/** Files in scope (alias c), merged duplicates left out. */
function filesIn(scope: ReportScope): SQL {
  const live = sql`c.merged_into_id IS NULL`;
  if (scope.territories)
    return sql`c.territory_code IN (${sql.join(
      scope.territories.map((c) => sql`${c}`),
      sql`, `,
    )}) AND ${live}`;
  return live;
}

/** Families who first settled in [from, to) (a family settles once, even if its stage is corrected later). */
const settledWhere = (scope: ReportScope, from: string, to: string) =>
  sql`${filesIn(scope)} AND c.first_settled_at >= ${from} AND c.first_settled_at < ${to}`;

async function enquiriesIn(db: Db, scope: ReportScope, from: string, to: string): Promise<number> {
  const [row] = await db.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM candidates c WHERE ${filesIn(scope)} AND c.created_at >= ${from} AND c.created_at < ${to}`,
  );
  return row?.n ?? 0;
}

/** The key figures of a period, aggregated in SQL (for the period before, shown for comparison). */
async function summaryCounts(db: Db, scope: ReportScope, p: Period): Promise<Summary> {
  const [row] = await db.all<Omit<Summary, 'enquiries'>>(sql`
    SELECT count(*) AS families, coalesce(sum(c.settled_household_size), 0) AS persons,
      coalesce(sum(c.children), 0) AS children, count(DISTINCT c.settled_commune_code) AS communes
    FROM candidates c WHERE ${filesIn(scope)} AND c.first_settled_at >= ${p.from} AND c.first_settled_at < ${p.to}`);
  return { enquiries: await enquiriesIn(db, scope, p.from, p.to), ...row! };
}

export interface Summary {
  enquiries: number;
  families: number;
  persons: number;
  children: number;
  communes: number;
}

/** "Paris (75)" → 75; "33000 Bordeaux" → 33; "Bruxelles (Belgique)" → Belgique; else null. */
export function originOf(
  place: string | null,
): { kind: 'department'; code: string } | { kind: 'country'; name: string } | null {
  if (!place) return null;
  const dept = /\((\d{2}|2A|2B|97\d)\)\s*$/i.exec(place);
  if (dept) return { kind: 'department', code: dept[1]!.toUpperCase() };
  const postcode = /\b(\d{5})\b/.exec(place);
  if (postcode)
    return {
      kind: 'department',
      code: postcode[1]!.startsWith('97') ? postcode[1]!.slice(0, 3) : postcode[1]!.slice(0, 2),
    };
  const country = /\(([^)]{2,60})\)\s*$/.exec(place);
  if (country) return { kind: 'country', name: country[1]!.trim() };
  return null;
}

export interface Durations {
  count: number;
  median: number | null;
  p90: number | null;
}

// Durations come as one text from SQLite rather than as rows: thousands of rows (durations
// are tenths, so most values differ) cost far more to send one by one than to sort. `quote()`
// writes a number so that it reads back as the same number (round trip).

/** The numbers of a `group_concat(quote(v), ',')`, sorted (JSON reads them 3–4 times faster than a split). */
const sortedNumbers = (text: string | null | undefined): Float64Array =>
  text ? new Float64Array(JSON.parse(`[${text}]`) as number[]).sort() : new Float64Array();

/** Every value of a column, sorted: `values` selects one number per row (nulls left out). */
export async function sortedValues(db: Db, values: SQL): Promise<Float64Array> {
  const [row] = await db.all<{ v: string | null }>(
    sql`WITH x(v) AS (${values}) SELECT group_concat(quote(v), ',') AS v FROM x WHERE v IS NOT NULL`,
  );
  return sortedNumbers(row?.v);
}

/** Histograms (value → count) per group: `histogram` selects (grp, value, count), one row per (grp, value). */
export async function histogramsOf(
  db: Db,
  histogram: SQL,
): Promise<Map<string, Array<{ value: number; count: number }>>> {
  const rows = await db.all<{ grp: string; h: string }>(
    sql`WITH x(grp, value, count) AS (${histogram}) SELECT grp, group_concat(quote(value) || ' ' || count, ',') AS h FROM x WHERE value IS NOT NULL GROUP BY grp`,
  );
  return new Map(
    rows.map((r) => [
      String(r.grp),
      r.h.split(',').map((entry) => {
        const [value, count] = entry.split(' ');
        return { value: Number(value), count: Number(count) };
      }),
    ]),
  );
}

/** Count, median and 90th percentile of sorted values, by nearest rank (as `quantileFromHistogram`). */
export function durationsOfSorted(sorted: Float64Array): Durations {
  const at = (p: number) => (sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!);
  return { count: sorted.length, median: at(0.5), p90: at(0.9) };
}

function durations(rows: ReadonlyArray<{ value: number; count: number }> | undefined): Durations {
  if (!rows) return { count: 0, median: null, p90: null };
  return {
    count: rows.reduce((n, r) => n + r.count, 0),
    median: quantileFromHistogram(rows, 0.5),
    p90: quantileFromHistogram(rows, 0.9),
  };
}

/** SQL for the connectivity label of an offer (alias o), from the thresholds' one definition. */
export function labelSql(): SQL {
  const cases = labelThresholds
    .filter((t) => t.label !== 'G')
    .map(
      (t) =>
        sql`WHEN o.download_mbps >= ${t.downloadMin} AND coalesce(o.upload_mbps, 0) >= ${t.uploadMin} THEN ${t.label}`,
    );
  return sql`CASE WHEN o.download_mbps IS NULL THEN NULL ${sql.join(cases, sql` `)} ELSE 'G' END`;
}

export interface Report {
  period: Period;
  previous: Period;
  summary: Summary;
  previousSummary: Summary;
  byMonth: Array<{ month: string; families: number; persons: number }>;
  byCommune: Array<{
    code: string;
    name: string;
    families: number;
    persons: number;
    lat: number | null;
    lng: number | null;
  }>;
  origins: Array<{ origin: string; kind: 'department' | 'country' | 'unknown'; families: number }>;
  remoteWork: Array<{ status: string; persons: number }>;
  professions: Array<{ profession: string; persons: number }>;
  funnel: Array<{ stage: string; files: number; conversion: number | null }>;
  timeInStage: Array<{ stage: string; count: number; median: number | null; p90: number | null }>;
  withdrawals: Array<{ reason: string; files: number }>;
  retention: Array<{ months: 6 | 12; eligible: number; stayed: number; left: number; rate: number | null }>;
  offersByLabel: Array<{ label: string; offers: number }>;
  responseTime: { enquiries: number; answered: number; medianHours: number | null; p90Hours: number | null };
  /** The same per agent following the files (null: not assigned), with the share answered within the target. */
  responseByAgent: Array<{
    agent: string | null;
    enquiries: number;
    answered: number;
    medianHours: number | null;
    /** Share (0–1) of the enquiries answered within their territory's first-answer target. */
    withinTarget: number | null;
  }>;
}

/** The parts of a report, each built by its own small SQL aggregates. */
export const reportParts = [
  'summary',
  'previousSummary',
  'byMonth',
  'byCommune',
  'origins',
  'remoteWork',
  'professions',
  'funnel',
  'timeInStage',
  'withdrawals',
  'retention',
  'offersByLabel',
  'responseTime',
  'responseByAgent',
] as const satisfies ReadonlyArray<keyof Report>;
export type ReportPart = (typeof reportParts)[number];
/** A report with only some of its parts (a CSV of one table needs one or two). */
export type PartialReport<P extends ReportPart> = Pick<Report, 'period' | 'previous' | P>;

/**
 * Every figure of one report. Parts run one after the other (the embedded database has one
 * connection); `timings`, when given, receives each part's milliseconds (npm run bench).
 */
export async function buildReport(
  db: Db,
  scope: ReportScope,
  period: Period,
  now: Date,
  timings?: Record<string, number>,
): Promise<Report> {
  return buildReportParts(db, scope, period, now, reportParts, timings);
}

/** The parts of a report asked for, and nothing else: the same figures as `buildReport`'s. */
export async function buildReportParts<P extends ReportPart>(
  db: Db,
  scope: ReportScope,
  period: Period,
  now: Date,
  parts: readonly P[],
  timings?: Record<string, number>,
): Promise<PartialReport<P>> {
  const previous = previousPeriod(period);
  const out: Record<string, unknown> = { period, previous };
  // Remote work and professions come from one query, and both response parts from one:
  // each runs once for both.
  let professions: Promise<Pick<Report, 'remoteWork' | 'professions'>> | undefined;
  let responses: Promise<AgentResponses[]> | undefined;
  const ask: Shared = {
    professions: () => (professions ??= professionsOf(db, settledWhere(scope, period.from, period.to))),
    responses: () => (responses ??= responsesOf(db, scope, period)),
  };
  for (const part of parts) {
    const started = performance.now();
    out[part] = await partOf(db, scope, period, previous, now, part, ask);
    if (timings) timings[part] = performance.now() - started;
  }
  return out as PartialReport<P>;
}

/** Queries whose rows serve two parts. */
interface Shared {
  professions: () => Promise<Pick<Report, 'remoteWork' | 'professions'>>;
  responses: () => Promise<AgentResponses[]>;
}

function partOf(
  db: Db,
  scope: ReportScope,
  period: Period,
  previous: Period,
  now: Date,
  part: ReportPart,
  ask: Shared,
): Promise<Report[ReportPart]> {
  const where = settledWhere(scope, period.from, period.to);
  switch (part) {
    case 'summary':
      return summaryCounts(db, scope, period);
    case 'previousSummary':
      return summaryCounts(db, scope, previous);
    case 'byMonth':
      return byMonthOf(db, where, period);
    case 'byCommune':
      return byCommuneOf(db, where);
    case 'origins':
      return originsOf(db, where);
    case 'remoteWork':
      return ask.professions().then((p) => p.remoteWork);
    case 'professions':
      return ask.professions().then((p) => p.professions);
    case 'funnel':
      return funnelOf(db, scope, period);
    case 'timeInStage':
      return timeInStageOf(db, scope, period);
    case 'withdrawals':
      return withdrawalsOf(db, scope, period);
    case 'retention':
      return (async () => [
        await retentionOf(db, scope, period, now, 6),
        await retentionOf(db, scope, period, now, 12),
      ])();
    case 'offersByLabel':
      return offersByLabelOf(db, scope, period);
    case 'responseTime':
      return ask.responses().then(responseTimeOf);
    case 'responseByAgent':
      return ask.responses().then((r) => responseByAgentOf(db, r));
  }
}

async function byMonthOf(db: Db, where: SQL, period: Period): Promise<Report['byMonth']> {
  const rows = await db.all<{ month: string; families: number; persons: number }>(sql`
    SELECT substr(c.first_settled_at, 1, 7) AS month, count(*) AS families, coalesce(sum(c.settled_household_size), 0) AS persons
    FROM candidates c WHERE ${where} GROUP BY 1`);
  return monthsOf(period).map((month) => rows.find((m) => m.month === month) ?? { month, families: 0, persons: 0 });
}

async function byCommuneOf(db: Db, where: SQL): Promise<Report['byCommune']> {
  const rows = await db.all<{ code: string; families: number; persons: number }>(sql`
    SELECT c.settled_commune_code AS code, count(*) AS families, coalesce(sum(c.settled_household_size), 0) AS persons
    FROM candidates c WHERE ${where} AND c.settled_commune_code IS NOT NULL GROUP BY 1`);
  const names = await communesOf(
    db,
    rows.map((c) => c.code),
  );
  return rows
    .map((c) => ({
      ...c,
      name: names.get(c.code)?.name ?? c.code,
      lat: names.get(c.code)?.lat ?? null,
      lng: names.get(c.code)?.lng ?? null,
    }))
    .sort((a, b) => b.families - a.families || a.name.localeCompare(b.name));
}

async function originsOf(db: Db, where: SQL): Promise<Report['origins']> {
  const places = await db.all<{ place: string | null; families: number }>(
    sql`SELECT c.current_place AS place, count(*) AS families FROM candidates c WHERE ${where} GROUP BY 1`,
  );
  const departmentNames = await db.all<{ code: string; name: string }>(sql`SELECT code, name FROM departments`);
  const deptName = new Map(departmentNames.map((d) => [d.code, d.name]));
  const origins = new Map<string, { kind: 'department' | 'country' | 'unknown'; families: number }>();
  for (const { place, families } of places) {
    const o = originOf(place);
    const key = !o ? '' : o.kind === 'department' ? `${deptName.get(o.code) ?? o.code} (${o.code})` : o.name;
    const entry = origins.get(key) ?? { kind: o ? o.kind : 'unknown', families: 0 };
    entry.families += families;
    origins.set(key, entry);
  }
  return [...origins]
    .map(([origin, o]) => ({ origin, ...o }))
    .sort((a, b) => b.families - a.families || a.origin.localeCompare(b.origin));
}

async function professionsOf(db: Db, where: SQL): Promise<Pick<Report, 'remoteWork' | 'professions'>> {
  const rows = await db.all<{ professions: string; families: number }>(
    sql`SELECT c.professions AS professions, count(*) AS families FROM candidates c WHERE ${where} GROUP BY 1`,
  );
  const statusCount = new Map<string, number>(remoteWorkStatuses.map((s) => [s, 0]));
  const professionCount = new Map<string, number>();
  for (const { professions, families } of rows) {
    // A raw aggregate: the column's text, parsed as the schema types it.
    for (const p of JSON.parse(professions) as Profession[]) {
      if (p.status) statusCount.set(p.status, (statusCount.get(p.status) ?? 0) + families);
      if (p.profession) professionCount.set(p.profession, (professionCount.get(p.profession) ?? 0) + families);
    }
  }
  return {
    remoteWork: [...statusCount].map(([status, persons]) => ({ status, persons })),
    professions: [...professionCount]
      .map(([profession, persons]) => ({ profession, persons }))
      .sort((a, b) => b.persons - a.persons || a.profession.localeCompare(b.profession))
      .slice(0, 15),
  };
}

async function communesOf(db: Db, codes: string[]) {
  if (codes.length === 0) return new Map<string, { name: string; lat: number | null; lng: number | null }>();
  const rows = await db.all<{ code: string; name: string; lat: number | null; lng: number | null }>(
    sql`SELECT code, name, lat, lng FROM communes WHERE code IN (${sql.join(
      codes.map((c) => sql`${c}`),
      sql`, `,
    )})`,
  );
  return new Map(rows.map((r) => [r.code, r]));
}

/** Of the enquiries received in the period, how many reached each stage (so far). */
async function funnelOf(db: Db, scope: ReportScope, period: Period) {
  const rows = await db.all<{ bits: number; n: number }>(sql`
    SELECT c.reached_stages AS bits, count(*) AS n FROM candidates c
    WHERE ${filesIn(scope)} AND c.created_at >= ${period.from} AND c.created_at < ${period.to}
    GROUP BY 1`);
  const reached = new Map(
    pipeline.map((stage) => [stage as string, rows.reduce((n, r) => n + (r.bits & stageBit(stage) ? r.n : 0), 0)]),
  );
  return pipeline.map((stage, i) => {
    const files = reached.get(stage) ?? 0;
    const before = i === 0 ? null : (reached.get(pipeline[i - 1]!) ?? 0);
    return { stage, files, conversion: before === null || before === 0 ? null : files / before };
  });
}

/** Days spent in each stage, by stays that ended in the period; and enquiry → settlement for families settled in it. */
async function timeInStageOf(db: Db, scope: ReportScope, period: Period) {
  const toSettle = await sortedValues(
    db,
    sql`SELECT c.days_to_settle FROM candidates c WHERE ${settledWhere(scope, period.from, period.to)}`,
  );
  // Whole months read the counts kept by triggers (stay_stats, summed over the territories
  // in stay_totals); other dates, the history.
  const wholeMonths = period.from.endsWith('-01') && period.to.endsWith('-01');
  const counts = scope.territories
    ? sql`stay_stats WHERE territory_code IN (${sql.join(
        scope.territories.map((c) => sql`${c}`),
        sql`, `,
      )}) AND`
    : sql`stay_totals WHERE`;
  const byStage = await histogramsOf(
    db,
    wholeMonths
      ? sql`
        SELECT stage, days, sum(stays) FROM ${counts} month >= ${period.from.slice(0, 7)} AND month < ${period.to.slice(0, 7)} AND stays > 0
        GROUP BY 1, 2`
      : sql`
        SELECT h.stage, h.days, count(*)
        FROM stage_history h
        WHERE ${historyIn(scope)} AND h.territory_code IS NOT NULL AND h.left_at >= ${period.from} AND h.left_at < ${period.to}
        GROUP BY 1, 2`,
  );
  const stays = (['enquiry', 'qualified', 'discovery', 'settling'] as const).map((stage) => ({
    stage: stage as string,
    ...durations(byStage.get(stage)),
  }));
  return [...stays, { stage: 'enquiry_to_settled', ...durationsOfSorted(toSettle) }];
}

/** Withdrawals in the period (a withdrawn file stays withdrawn: its stage date is the withdrawal's). */
async function withdrawalsOf(db: Db, scope: ReportScope, period: Period) {
  const rows = await db.all<{ reason: string | null; n: number }>(sql`
    SELECT c.withdrawal_reason AS reason, count(*) AS n FROM candidates c
    WHERE ${filesIn(scope)} AND c.stage = 'withdrawn' AND c.stage_entered_at >= ${period.from} AND c.stage_entered_at < ${period.to}
    GROUP BY 1`);
  const by = new Map(rows.map((r) => [r.reason ?? 'unknown', r.n]));
  return [...withdrawalReasons, 'unknown']
    .map((reason) => ({ reason, files: by.get(reason) ?? 0 }))
    .filter((r) => r.reason !== 'unknown' || r.files > 0);
}

const addMonths = (iso: string, months: number) => {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
};

/**
 * Retention at 6 or 12 months: the families whose 6- (12-) month mark falls in the period
 * and is past; they left if their file was withdrawn within that time after settling, or
 * a follow-up up to that mark says so.
 */
async function retentionOf(db: Db, scope: ReportScope, period: Period, now: Date, months: 6 | 12) {
  const from = addMonths(`${period.from}T00:00:00.000Z`, -months);
  const to = addMonths(`${period.to}T00:00:00.000Z`, -months);
  const horizon = `+${months} months`;
  const kinds = sql.join(
    (months === 6 ? ['follow_up_6m'] : ['follow_up_6m', 'follow_up_12m']).map((k) => sql`${k}`),
    sql`, `,
  );
  // Whether a family's mark is past: when the whole range's marks are past by more than a
  // week (month ends overflow by 3 days at most), no need to ask each row (most reports are
  // of past periods); SQLite's datetime() on both sides: the same format, whatever the stored
  // ISO strings.
  const allPast = Date.parse(addMonths(to, months)) + 7 * DAY_MS <= now.getTime();
  const past = allPast ? sql`1` : sql`datetime(c.first_settled_at, ${horizon}) <= datetime(${now.toISOString()})`;
  const [row] = await db.all<{ eligible: number | null; left: number | null }>(sql`
    SELECT sum(past) AS eligible, sum(past AND (
        (c.stage = 'withdrawn' AND datetime(c.stage_entered_at) <= datetime(c.first_settled_at, ${horizon}))
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.candidate_id = c.id AND t.kind IN (${kinds}) AND t.outcome = 'left'))) AS left
    FROM (SELECT c.id, c.stage, c.stage_entered_at, c.first_settled_at, ${past} AS past FROM candidates c
          WHERE ${filesIn(scope)} AND c.first_settled_at >= ${from} AND c.first_settled_at < ${to}) c`);
  const eligible = row?.eligible ?? 0;
  const left = row?.left ?? 0;
  return { months, eligible, stayed: eligible - left, left, rate: eligible ? (eligible - left) / eligible : null };
}

async function offersByLabelOf(db: Db, scope: ReportScope, period: Period) {
  const territories = scope.territories
    ? sql`AND o.territory_code IN (${sql.join(
        scope.territories.map((c) => sql`${c}`),
        sql`, `,
      )})`
    : sql``;
  const rows = await db.all<{ label: string | null; n: number }>(sql`
    SELECT ${labelSql()} AS label, count(*) AS n FROM offers o
    WHERE o.status = 'published' ${territories} AND o.published_at >= ${period.from} AND o.published_at < ${period.to}
    GROUP BY 1`);
  const by = new Map(rows.map((r) => [r.label ?? 'none', r.n]));
  return [...connectivityLabels, 'none'].map((label) => ({ label, offers: by.get(label) ?? 0 }));
}

/** The period's enquiries of one agent (null: not assigned), as SQL aggregates them. */
interface AgentResponses {
  agentId: number | null;
  enquiries: number;
  /** Answered within their territory's first-answer target. */
  within: number;
  /** Hours to the first answer of those answered, sorted. */
  hours: Float64Array;
}

/**
 * Hours from an enquiry to the first thing a member of staff did on it, per agent: one
 * aggregate over the covering index, the hours as one text per agent (decision 018); both
 * response parts read it. Reading each file as a row cost a year of the Gers 40 ms.
 */
async function responsesOf(db: Db, scope: ReportScope, period: Period): Promise<AgentResponses[]> {
  const rows = await db.all<{ agentId: number | null; enquiries: number; within: number; hours: string | null }>(sql`
    SELECT c.assigned_agent_id AS agentId, count(*) AS enquiries,
      coalesce(sum(c.response_hours <= coalesce(t.first_answer_hours, 48)), 0) AS within,
      group_concat(iif(c.response_hours IS NULL, NULL, quote(c.response_hours)), ',') AS hours
    FROM candidates c LEFT JOIN territories t ON t.code = c.territory_code
    WHERE ${filesIn(scope)} AND c.created_at >= ${period.from} AND c.created_at < ${period.to}
    GROUP BY 1`);
  return rows.map((r) => ({
    agentId: r.agentId,
    enquiries: r.enquiries,
    within: r.within,
    hours: sortedNumbers(r.hours),
  }));
}

/** Sorted values of several sorted arrays. */
const mergeSorted = (lists: Float64Array[]): Float64Array => {
  const all = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of lists) {
    all.set(l, at);
    at += l.length;
  }
  return lists.length > 1 ? all.sort() : all;
};

function responseTimeOf(responses: AgentResponses[]): Report['responseTime'] {
  const d = durationsOfSorted(mergeSorted(responses.map((r) => r.hours)));
  return {
    enquiries: responses.reduce((n, r) => n + r.enquiries, 0),
    answered: d.count,
    medianHours: d.median,
    p90Hours: d.p90,
  };
}

async function responseByAgentOf(db: Db, responses: AgentResponses[]): Promise<Report['responseByAgent']> {
  const ids = responses.flatMap((r) => (r.agentId === null ? [] : [r.agentId]));
  const agents =
    ids.length === 0
      ? []
      : await db.all<{ id: number; name: string }>(
          sql`SELECT id, name FROM users WHERE id IN (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        );
  const nameOf = new Map(agents.map((a) => [a.id, a.name]));
  const agentOf = (r: AgentResponses) => (r.agentId === null ? null : (nameOf.get(r.agentId) ?? null));
  // Agents of the same name show as one line.
  const byAgent = groupRows(
    responses,
    agentOf,
    (r) => ({ agent: agentOf(r), enquiries: 0, within: 0, hours: [] as Float64Array[] }),
    (g, r) => {
      g.enquiries += r.enquiries;
      g.within += r.within;
      g.hours.push(r.hours);
    },
  );
  return byAgent
    .map(({ agent, enquiries, within, hours }) => {
      const answered = mergeSorted(hours);
      return {
        agent,
        enquiries,
        answered: answered.length,
        medianHours: durationsOfSorted(answered).median,
        withinTarget: enquiries ? within / enquiries : null,
      };
    })
    .sort((a, b) => (a.agent === null ? 1 : b.agent === null ? -1 : a.agent.localeCompare(b.agent)));
}
