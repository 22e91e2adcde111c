// A page of rows with how many match in all, in one statement: `count(*) over ()` beside
// each row of a limited select (the window counts before the limit applies).
import { sql } from 'drizzle-orm';

export const totalRows = sql<number>`count(*) over ()`.mapWith(Number);

/** Rows selected with `total: totalRows`: the rows without it, and the total (0 when none). */
export function withTotal<R extends { total: number }>(rows: R[]): { rows: Omit<R, 'total'>[]; total: number } {
  return { rows: rows.map(({ total: _, ...row }) => row), total: rows[0]?.total ?? 0 };
}
