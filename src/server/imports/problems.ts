// An import's problems in words (the admin page, the CLI): line, column, reason.
import { CsvError } from 'csv-parse';
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
  unreadable: 'imports.problem.unreadable',
  misplaced_quote: 'imports.problem.misplaced_quote',
  unclosed_quote: 'imports.problem.unclosed_quote',
  cell_count: 'imports.problem.cell_count',
} as const;

/** A problem's reason alone (the report of rejected rows has line and column apart). */
export function problemReason(locale: Locale, p: Omit<Problem, 'line'>): string {
  if (Object.hasOwn(reasons, p.message))
    return t(locale, reasons[p.message as keyof typeof reasons], { column: p.column ?? '' });
  // A form's own refusal of a row (an offer's field): its message, as the form says it.
  if (p.message.startsWith('errors.') && isMessageKey(p.message))
    return t(locale, p.message, { value: '', ...p.params });
  // Anything else (a parser's own text, as older imports recorded it) is not shown: it is English.
  return t(locale, 'imports.problem.unreadable');
}

export function describeProblem(locale: Locale, p: Problem): string {
  // A problem of the whole file (line 0: an interrupted import, a file that is no CSV) has no place.
  if (p.line <= 0) {
    const reason = problemReason(locale, p);
    return reason.charAt(0).toLocaleUpperCase(locale) + reason.slice(1);
  }
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
    ...problems.map((p) =>
      [p.line > 0 ? String(p.line) : '', csvText(p.column ?? ''), csvText(problemReason(locale, p))].join(','),
    ),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** csv-parse's refusals we can say in words (csv-parse 7 names the opening quote's without `CSV_`). */
const csvReasons: Partial<Record<string, keyof typeof reasons>> = {
  INVALID_OPENING_QUOTE: 'misplaced_quote',
  CSV_INVALID_OPENING_QUOTE: 'misplaced_quote',
  CSV_INVALID_CLOSING_QUOTE: 'misplaced_quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'misplaced_quote',
  CSV_QUOTE_NOT_CLOSED: 'unclosed_quote',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'cell_count',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'cell_count',
};

/**
 * A file the CSV parser refused, as a problem: the line it names, the column of the cell at
 * fault (by the header's name when `header` has it, else its number) and a reason of ours — never
 * the parser's text, in English and quoting the file. Any other failure: the file unreadable.
 */
export function unreadableProblem(error: unknown, header: readonly string[] = []): Problem {
  if (!(error instanceof CsvError)) return { line: 0, message: 'unreadable' };
  const message = csvReasons[error.code] ?? 'unreadable';
  const line = typeof error.lines === 'number' && error.lines > 0 ? error.lines : 0;
  // Quote problems name their cell; a record of the wrong length has no one cell at fault.
  const index = message.endsWith('_quote') && typeof error.index === 'number' ? error.index : -1;
  if (index < 0) return { line, message };
  return { line, column: header[index]?.trim() || String(index + 1), message };
}
