// An import's problems in words (the admin page, the CLI): line, column, reason.
import { csvText } from '../../lib/csv.ts';
import { isMessageKey, t, type Locale } from '../../i18n/index.ts';
import type { Problem } from './coverage.ts';

const reasons = {
  duplicated_column: 'imports.problem.duplicated_column',
  missing_column: 'imports.problem.missing_column',
  invalid_code: 'imports.problem.invalid_code',
  invalid_rate: 'imports.problem.invalid_rate',
  duplicated_commune: 'imports.problem.duplicated_commune',
  empty_file: 'imports.problem.empty_file',
  missing_quarter: 'imports.problem.missing_quarter',
  invalid_department: 'imports.problem.invalid_department',
  invalid_count: 'imports.problem.invalid_count',
  invalid_date: 'imports.problem.invalid_date',
  duplicated_department: 'imports.problem.duplicated_department',
  interrupted: 'imports.problem.interrupted',
  unknown_column: 'imports.problem.unknown_column',
  extra_cells: 'imports.problem.extra_cells',
  not_for_kind: 'imports.problem.not_for_kind',
  invalid_key: 'imports.problem.invalid_key',
  duplicated_key: 'imports.problem.duplicated_key',
} as const;

/** A problem's reason alone (the report of rejected rows has line and column apart). */
export function problemReason(locale: Locale, p: Omit<Problem, 'line'>): string {
  if (Object.hasOwn(reasons, p.message))
    return t(locale, reasons[p.message as keyof typeof reasons], { column: p.column ?? '' });
  // A form's own refusal of a row (an offer's field): its message, as the form says it.
  if (p.message.startsWith('errors.') && isMessageKey(p.message))
    return t(locale, p.message, { value: '', ...p.params });
  return t(locale, 'imports.problem.unreadable', { detail: p.message.replace(/^unreadable: /, '') });
}

export function describeProblem(locale: Locale, p: Problem): string {
  return t(locale, 'imports.problem.at', {
    line: String(p.line),
    column: p.column ?? '—',
    reason: problemReason(locale, p),
  });
}

/** The report of rejected rows as CSV (line, column, reason), every cell safe for spreadsheets. */
export function problemsCsv(locale: Locale, problems: readonly Problem[]): string {
  const header = ['imports.report.line', 'imports.report.column', 'imports.report.reason'] as const;
  const lines = [
    header.map((k) => csvText(t(locale, k))).join(','),
    ...problems.map((p) => [String(p.line), csvText(p.column ?? ''), csvText(problemReason(locale, p))].join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * A file the parser could not read, as a problem's message: the parser's own words (they name
 * the line), cut short and without control characters — they may quote megabytes of the file.
 */
export function unreadable(error: unknown): string {
  const detail = (error instanceof Error ? error.message : String(error)).replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return `unreadable: ${detail.length > 200 ? `${detail.slice(0, 200)}…` : detail}`;
}
