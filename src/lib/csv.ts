// Writing CSV for spreadsheets, one way for every file the portal produces.

/**
 * A text cell as a spreadsheet may safely open it: a cell that starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return would be read as a formula (CSV injection), so it is
 * prefixed with an apostrophe; then quoted when it holds a quote, a separator or a line break.
 */
export function csvText(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /["\r\n,;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
