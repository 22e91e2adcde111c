// Who sees which report: territory admins their territories, the platform admin every
// territory and the total. Agents without the admin role see none.
import type { SessionUser } from '../accounts/session.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { isPlatformAdmin, mayReport, withinScope } from '../policy.ts';

/** null = every territory (platform admin's total). */
export type ReportScope = { territories: string[] | null; label: string };

export const canReport = mayReport;

/** The scope of a report asked for `territory` ('' or 'tous' = every one the actor may see). */
export function reportScope(
  user: SessionUser,
  territory: string | undefined,
  known: ReadonlyArray<{ code: string; name: string }>,
): ReportScope {
  if (!canReport(user)) throw new Forbidden();
  const mine = withinScope(user, known, (k) => k.code);
  if (!territory || territory === 'tous') {
    if (isPlatformAdmin(user)) return { territories: null, label: 'all' };
    if (mine.length === 0) throw new Forbidden();
    return { territories: mine.map((m) => m.code), label: mine.map((m) => m.name).join(', ') };
  }
  const one = mine.find((m) => m.code === territory);
  // Another territory's report looks like one that does not exist.
  if (!one) throw new NotFound('territory');
  return { territories: [one.code], label: one.name };
}
