// The faster paths of the reports give exactly what the slower ones gave: a CSV built from
// its table's parts alone is the whole report's table; durations sent as one text have the
// quantiles of the old grouped rows; the map's background puts each commune where the page's
// projection does.
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { createRandom } from '../../db/seed/random.ts';
import {
  buildReport,
  buildReportParts,
  durationsOfSorted,
  histogramsOf,
  sortedValues,
} from '../../src/server/reports/queries.ts';
import { boundsOf, drawBackground, mapFrame, placeBackground } from '../../src/server/reports/map.ts';
import { parsePeriod, type Period } from '../../src/server/reports/period.ts';
import { quantileFromHistogram } from '../../src/server/reports/quantile.ts';
import type { ReportScope } from '../../src/server/reports/scope.ts';
import { reportTable, reportTables, tableIds, tableParts, toCsv } from '../../src/server/reports/tables.ts';
import { testDb } from '../helpers/db.ts';

const now = new Date();
const year = now.getUTCFullYear();
const scopes: ReportScope[] = [
  { territories: ['32'], label: 'Gers' },
  { territories: ['32', '50'], label: 'Gers, Manche' },
  { territories: null, label: 'all' },
];
const periods: Period[] = [
  parsePeriod({ periode: 'year', annee: String(year - 1) }, now),
  parsePeriod({ periode: 'quarter', annee: String(year - 1), trimestre: '2' }, now),
  // Custom dates: stays read from the history, not from stay_stats.
  parsePeriod({ periode: 'custom', du: `${year - 2}-03-10`, au: `${year - 1}-02-20` }, now),
];

/** The old way: one row per distinct value, then nearest rank in TypeScript. */
async function groupedDurations(db: Db, query: ReturnType<typeof sql>) {
  const rows = await db.all<{ value: number; count: number }>(query);
  return {
    count: rows.reduce((n, r) => n + r.count, 0),
    median: quantileFromHistogram(rows, 0.5),
    p90: quantileFromHistogram(rows, 0.9),
  };
}

describe('report parts', () => {
  it('a CSV of one table, built from its parts alone, is exactly the whole report’s table', async () => {
    const { db } = await testDb();
    let rows = 0;
    for (const scope of scopes)
      for (const period of periods) {
        const whole = await buildReport(db, scope, period, now);
        for (const locale of ['fr', 'en'] as const) {
          const tables = reportTables(whole, locale);
          for (const id of tableIds) {
            const parts = await buildReportParts(db, scope, period, now, tableParts[id]);
            // Only the parts the table is made of were built.
            expect(Object.keys(parts).sort()).toEqual(['period', 'previous', ...tableParts[id]].sort());
            const alone = reportTable(parts, id, locale);
            expect(alone, `${scope.label} ${period.from} ${id} ${locale}`).toEqual(tables.find((x) => x.id === id));
            expect(toCsv(alone, ';')).toBe(
              toCsv(
                tables.find((x) => x.id === id)!,
                ';',
              ),
            );
            rows += alone.rows.length;
          }
        }
      }
    expect(rows).toBeGreaterThan(100);
  });

  it('durations sent as one text, and retention, are those of the former queries (demo history)', async () => {
    const { db } = await testDb();
    const agentsSeen = new Set<string | null>();
    for (const scope of scopes)
      for (const period of periods) {
        const report = await buildReport(db, scope, period, now);
        const inScope = scope.territories
          ? sql`c.territory_code IN (${sql.join(
              scope.territories.map((c) => sql`${c}`),
              sql`, `,
            )}) AND c.merged_into_id IS NULL`
          : sql`c.merged_into_id IS NULL`;
        // The queries of the report before this change, verbatim.
        const response = await groupedDurations(
          db,
          sql`SELECT c.response_hours AS value, count(*) AS count FROM candidates c
              WHERE ${inScope} AND c.created_at >= ${period.from} AND c.created_at < ${period.to} AND c.response_hours IS NOT NULL GROUP BY 1`,
        );
        expect(report.responseTime).toMatchObject({
          answered: response.count,
          medianHours: response.median,
          p90Hours: response.p90,
        });
        // Per agent, file by file (the former way): one aggregate now serves both parts.
        const files = await db.all<{ agent: string | null; hours: number | null; target: number }>(sql`
          SELECT u.name AS agent, c.response_hours AS hours, coalesce(t.first_answer_hours, 48) AS target
          FROM candidates c LEFT JOIN users u ON u.id = c.assigned_agent_id LEFT JOIN territories t ON t.code = c.territory_code
          WHERE ${inScope} AND c.created_at >= ${period.from} AND c.created_at < ${period.to}`);
        const agents = [...new Set(files.map((f) => f.agent))];
        for (const a of agents) agentsSeen.add(a);
        const perAgent = agents.map((agent) => {
          const mine = files.filter((f) => f.agent === agent);
          const answered = Float64Array.from(mine.flatMap((f) => (f.hours === null ? [] : [f.hours]))).sort();
          return {
            agent,
            enquiries: mine.length,
            answered: answered.length,
            medianHours: durationsOfSorted(answered).median,
            withinTarget: mine.filter((f) => f.hours !== null && f.hours <= f.target).length / mine.length,
          };
        });
        expect(report.responseByAgent).toEqual(
          perAgent.sort((a, b) => (a.agent === null ? 1 : b.agent === null ? -1 : a.agent.localeCompare(b.agent))),
        );
        expect(report.responseTime.enquiries).toBe(files.length);
        const toSettle = await groupedDurations(
          db,
          sql`SELECT round((julianday(c.first_settled_at) - julianday(c.created_at)) * 10) / 10.0 AS value, count(*) AS count
              FROM candidates c WHERE ${inScope} AND c.first_settled_at >= ${period.from} AND c.first_settled_at < ${period.to} GROUP BY 1`,
        );
        expect(report.timeInStage.find((x) => x.stage === 'enquiry_to_settled')).toEqual({
          stage: 'enquiry_to_settled',
          ...toSettle,
        });
        const territories = scope.territories
          ? sql`h.territory_code IN (${sql.join(
              scope.territories.map((c) => sql`${c}`),
              sql`, `,
            )})`
          : sql`h.candidate_id IN (SELECT id FROM candidates WHERE merged_into_id IS NULL)`;
        // Retention, asking each row whether its mark is past (the former query, verbatim).
        for (const months of [6, 12] as const) {
          const shift = (day: string) => {
            const d = new Date(`${day}T00:00:00.000Z`);
            d.setUTCMonth(d.getUTCMonth() - months);
            return d.toISOString();
          };
          const horizon = `+${months} months`;
          const kinds = sql.join(
            (months === 6 ? ['follow_up_6m'] : ['follow_up_6m', 'follow_up_12m']).map((k) => sql`${k}`),
            sql`, `,
          );
          const [row] = await db.all<{ eligible: number | null; left: number | null }>(sql`
            SELECT sum(past) AS eligible, sum(past AND (
                (c.stage = 'withdrawn' AND datetime(c.stage_entered_at) <= datetime(c.first_settled_at, ${horizon}))
                OR EXISTS (SELECT 1 FROM tasks t WHERE t.candidate_id = c.id AND t.kind IN (${kinds}) AND t.outcome = 'left'))) AS left
            FROM (SELECT c.id, c.stage, c.stage_entered_at, c.first_settled_at, datetime(c.first_settled_at, ${horizon}) <= datetime(${now.toISOString()}) AS past FROM candidates c
                  WHERE ${inScope} AND c.first_settled_at >= ${shift(period.from)} AND c.first_settled_at < ${shift(period.to)}) c`);
          expect(report.retention.find((r) => r.months === months)).toMatchObject({
            eligible: row?.eligible ?? 0,
            left: row?.left ?? 0,
          });
        }
        for (const stage of ['enquiry', 'qualified', 'discovery', 'settling']) {
          // Stays from the history itself (stay_stats, when used, must agree with it).
          const stays = await groupedDurations(
            db,
            sql`SELECT h.days AS value, count(*) AS count FROM stage_history h
                WHERE ${territories} AND h.territory_code IS NOT NULL AND h.stage = ${stage}
                  AND h.left_at >= ${period.from} AND h.left_at < ${period.to} GROUP BY 1`,
          );
          expect(
            report.timeInStage.find((x) => x.stage === stage),
            `${scope.label} ${period.from} ${stage}`,
          ).toEqual({
            stage,
            ...stays,
          });
        }
      }
    // The comparison saw more than one agent (files nobody follows: reports.test.ts).
    expect(agentsSeen.size).toBeGreaterThanOrEqual(2);
  });

  it('reads back every number SQLite writes, and its quantiles by nearest rank (random values)', async () => {
    const { db } = await testDb('empty');
    const random = createRandom(18);
    for (let round = 0; round < 30; round++) {
      const n = random.int(0, 400);
      const values = Array.from({ length: n }, () =>
        random.chance(0.5) ? Math.round(random.next() * 20_000) / 10 : (random.next() - 0.2) * 10 ** random.int(-3, 6),
      );
      const rows = values.map((v, i) => sql`(${i % 3}, ${v})`);
      const table = n === 0 ? sql`SELECT 0 AS g, 1.5 AS v WHERE 0` : sql`VALUES ${sql.join(rows, sql`, `)}`;
      const sorted = await sortedValues(db, sql`SELECT column2 FROM (${table})`);
      expect([...sorted]).toEqual([...values].sort((a, b) => a - b));
      const histogram = new Map<number, number>();
      for (const v of values) histogram.set(v, (histogram.get(v) ?? 0) + 1);
      const h = [...histogram].map(([value, count]) => ({ value, count }));
      expect(durationsOfSorted(sorted)).toEqual({
        count: n,
        median: quantileFromHistogram(h, 0.5),
        p90: quantileFromHistogram(h, 0.9),
      });
      if (n === 0) continue;
      const groups = await histogramsOf(db, sql`SELECT column1, column2, count(*) FROM (${table}) GROUP BY 1, 2`);
      for (const g of [0, 1, 2]) {
        const expected = new Map<number, number>();
        values.forEach((v, i) => i % 3 === g && expected.set(v, (expected.get(v) ?? 0) + 1));
        expect(new Map((groups.get(String(g)) ?? []).map((e) => [e.value, e.count]))).toEqual(expected);
      }
    }
  });
});

describe('the map’s background', () => {
  it('puts each commune’s dot where the page’s projection puts it, in any wider frame', async () => {
    const communes = [
      { lat: 43.6, lng: 0.58 },
      { lat: 44.05, lng: 0.1 },
      { lat: 43.3, lng: 1.1 },
    ];
    const drawn = (await drawBackground(communes))!;
    expect((await drawBackground(communes))!.version).toBe(drawn.version);
    const own = mapFrame(drawn.bounds);
    const { data, info } = await sharp(drawn.png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const scale = info.width / own.width;
    expect(info.height / own.height).toBe(scale);
    const alphaAt = (x: number, y: number) =>
      data[(Math.floor(y * scale) * info.width + Math.floor(x * scale)) * 4 + 3]!;
    for (const c of communes) expect(alphaAt(own.x(c.lng), own.y(c.lat))).toBe(255);
    expect(alphaAt(own.width / 2 + 37, 5)).toBe(0);
    // Its own frame: the whole SVG. A family settled farther away widens the frame: the image
    // is placed so that each dot still falls where the frame projects its commune.
    const same = placeBackground(drawn.bounds, drawn.bounds);
    for (const [k, v] of Object.entries({ x: 0, y: 0, width: own.width, height: own.height }))
      expect(same[k as keyof typeof same]).toBeCloseTo(v, 6);
    const wider = boundsOf([...communes, { lat: 45.2, lng: 2.3 }])!;
    const frame = mapFrame(wider);
    const at = placeBackground(drawn.bounds, wider);
    for (const c of communes) {
      expect(at.x + (own.x(c.lng) / own.width) * at.width).toBeCloseTo(frame.x(c.lng), 6);
      expect(at.y + (own.y(c.lat) / own.height) * at.height).toBeCloseTo(frame.y(c.lat), 6);
    }
  });
});
