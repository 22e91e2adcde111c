// An import's problems in words (the admin page, the CLI): line, column, reason.
import { t, type Locale } from '../../i18n/index.ts';
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
} as const;

export function describeProblem(locale: Locale, p: Problem): string {
  const known = Object.hasOwn(reasons, p.message) ? reasons[p.message as keyof typeof reasons] : null;
  const reason = known
    ? t(locale, known, { column: p.column ?? '' })
    : t(locale, 'imports.problem.unreadable', { detail: p.message.replace(/^unreadable: /, '') });
  return t(locale, 'imports.problem.at', { line: String(p.line), column: p.column ?? '—', reason });
}
