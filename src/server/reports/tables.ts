// The report's tables, defined once: the page shows them under their charts, the CSV
// export writes them, and the annual report prints them.
import { csvText } from '../../lib/csv.ts';
import { t, type Locale } from '../../i18n/index.ts';
import type { PartialReport, Report, ReportPart } from './queries.ts';
import { monthName } from './wording.ts';

export type Cell = string | number | null;
export interface ReportTable {
  id: TableId;
  title: string;
  columns: string[];
  rows: Cell[][];
}

export const tableIds = [
  'summary',
  'months',
  'communes',
  'origins',
  'remote',
  'professions',
  'funnel',
  'stages',
  'withdrawals',
  'retention',
  'labels',
  'response',
  'responseAgents',
] as const;
export type TableId = (typeof tableIds)[number];

const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);

/** The parts of the report each table is made of (a CSV builds only those). */
export const tableParts = {
  summary: ['summary', 'previousSummary'],
  months: ['byMonth'],
  communes: ['byCommune'],
  origins: ['origins'],
  remote: ['remoteWork'],
  professions: ['professions'],
  funnel: ['funnel'],
  stages: ['timeInStage'],
  withdrawals: ['withdrawals'],
  retention: ['retention'],
  labels: ['offersByLabel'],
  response: ['responseTime'],
  responseAgents: ['responseByAgent'],
} as const satisfies Record<TableId, readonly ReportPart[]>;
export type TablePart<Id extends TableId> = (typeof tableParts)[Id][number];

/** Every table of a whole report, in order. */
export function reportTables(report: Report, locale: Locale): ReportTable[] {
  return tableIds.map((id) => reportTable(report, id, locale));
}

/** One table, from a report that has (at least) the parts it is made of. */
export function reportTable<Id extends TableId>(
  report: PartialReport<TablePart<Id>>,
  id: Id,
  locale: Locale,
): ReportTable {
  // Each builder reads only its own parts (`tableParts`); the cast gives it the whole type.
  return { id, ...builders(report as Report, locale)[id]() };
}

function builders(report: Report, locale: Locale): Record<TableId, () => Omit<ReportTable, 'id'>> {
  const c = (key: string) => t(locale, `report.col.${key}` as 'report.col.families');
  const stage = (x: string) =>
    x === 'enquiry_to_settled' ? t(locale, 'report.enquiryToSettled') : t(locale, `stage.${x}` as 'stage.enquiry');
  return {
    summary: () => ({
      title: t(locale, 'report.summary'),
      columns: [c('figure'), c('period'), c('previous'), c('change')],
      rows: (['enquiries', 'families', 'persons', 'children', 'communes'] as const).map((k) => [
        t(locale, `report.figure.${k}`),
        report.summary[k],
        report.previousSummary[k],
        report.summary[k] - report.previousSummary[k],
      ]),
    }),
    months: () => ({
      title: t(locale, 'report.byMonth'),
      columns: [c('month'), c('families'), c('persons')],
      rows: report.byMonth.map((m) => [monthName(locale, m.month), m.families, m.persons]),
    }),
    communes: () => ({
      title: t(locale, 'report.byCommune'),
      columns: [c('commune'), c('code'), c('families'), c('persons')],
      rows: report.byCommune.map((m) => [m.name, m.code, m.families, m.persons]),
    }),
    origins: () => ({
      title: t(locale, 'report.origins'),
      columns: [c('origin'), c('families')],
      rows: report.origins.map((o) => [
        o.kind === 'unknown' ? t(locale, 'report.originUnknown') : o.origin,
        o.families,
      ]),
    }),
    remote: () => ({
      title: t(locale, 'report.remoteWork'),
      columns: [c('status'), c('persons')],
      rows: report.remoteWork.map((r) => [
        t(locale, `project.status.${r.status}` as 'project.status.employee'),
        r.persons,
      ]),
    }),
    professions: () => ({
      title: t(locale, 'report.professions'),
      columns: [c('profession'), c('persons')],
      rows: report.professions.map((r) => [r.profession, r.persons]),
    }),
    funnel: () => ({
      title: t(locale, 'report.funnel'),
      columns: [c('stage'), c('files'), c('conversion')],
      rows: report.funnel.map((f) => [stage(f.stage), f.files, pct(f.conversion)]),
    }),
    stages: () => ({
      title: t(locale, 'report.timeInStage'),
      columns: [c('stage'), c('stays'), c('medianDays'), c('p90Days')],
      rows: report.timeInStage.map((x) => [stage(x.stage), x.count, x.median, x.p90]),
    }),
    withdrawals: () => ({
      title: t(locale, 'report.withdrawals'),
      columns: [c('reason'), c('files')],
      rows: report.withdrawals.map((w) => [
        w.reason === 'unknown' ? t(locale, 'report.originUnknown') : t(locale, `reason.${w.reason}` as 'reason.job'),
        w.files,
      ]),
    }),
    retention: () => ({
      title: t(locale, 'report.retention'),
      columns: [c('horizon'), c('eligible'), c('stayed'), c('left'), c('rate')],
      rows: report.retention.map((r) => [
        t(locale, 'report.months', { count: r.months }),
        r.eligible,
        r.stayed,
        r.left,
        pct(r.rate),
      ]),
    }),
    labels: () => ({
      title: t(locale, 'report.offersByLabel'),
      columns: [c('label'), c('offers')],
      rows: report.offersByLabel.map((l) => [l.label === 'none' ? t(locale, 'label.unknown') : l.label, l.offers]),
    }),
    response: () => ({
      title: t(locale, 'report.responseTime'),
      columns: [c('enquiries'), c('answered'), c('medianHours'), c('p90Hours')],
      rows: [
        [
          report.responseTime.enquiries,
          report.responseTime.answered,
          report.responseTime.medianHours,
          report.responseTime.p90Hours,
        ],
      ],
    }),
    responseAgents: () => ({
      title: t(locale, 'report.responseByAgent'),
      columns: [c('agent'), c('enquiries'), c('answered'), c('medianHours'), c('withinTarget')],
      rows: report.responseByAgent.map((r) => [
        r.agent ?? t(locale, 'report.unassigned'),
        r.enquiries,
        r.answered,
        r.medianHours,
        pct(r.withinTarget),
      ]),
    }),
  };
}

/**
 * CSV for spreadsheets: UTF-8 with a byte-order mark, CRLF, texts made safe and quoted when
 * needed (`csvText`). With `;` (French spreadsheets) decimals take a comma.
 */
export function toCsv(table: ReportTable, separator: ',' | ';'): string {
  const number = (v: number) => {
    const text = separator === ';' ? String(v).replace('.', ',') : String(v);
    return /[,;]/.test(text) ? `"${text}"` : text;
  };
  // A number is never a formula (a negative one keeps its sign); a text may be: csvText.
  const field = (v: Cell) => (v === null ? '' : typeof v === 'number' ? number(v) : csvText(v));
  return `\uFEFF${[table.columns, ...table.rows].map((row) => row.map(field).join(separator)).join('\r\n')}\r\n`;
}
