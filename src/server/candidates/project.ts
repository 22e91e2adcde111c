// An agent corrects the family's project from its file: household, work, wishes, budget,
// needs, as the enquiry asked them. One transaction: the columns, a timeline event naming
// the fields changed (not their values: the erasure keeps no typed text), the maturity score.
// Communes are typed by name, as on /projet ("Auch (32000), Mauvezin").
import { and, eq, sql } from 'drizzle-orm';
import { candidates } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, fieldErrors, Invalid, type FieldError } from '../errors.ts';
import { resolveCommuneList } from '../places/queries.ts';
import { addEvent, changeFile, findCandidate, type CandidatesContext } from './commands.ts';
import { refreshMaturity } from './maturity.ts';
import { projectColumns, ProjectEditSchema } from './schemas.ts';

/** Two column values alike whatever the order of their objects' keys (JSON columns). */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

/**
 * Saves the project as the agent corrected it, every field error at once. Nothing changed:
 * nothing written, false. A file changed since the page was drawn: Conflict.
 */
export async function editProject(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  input: Record<string, unknown>,
): Promise<boolean> {
  // Another territory's file is not found before anything typed is read.
  const file = await findCandidate(ctx.db, actor, publicId);
  // One text field: repeated, it is not the form's (never read as none, which would erase them).
  const typed = input.wishedCommunes ?? '';
  const communes =
    typeof typed === 'string'
      ? await resolveCommuneList(ctx.db, typed, 'wishedCommunes', {
          prefer: file.wishedTerritories,
          known: file.wishedCommunes,
        })
      : { codes: [], error: { field: 'wishedCommunes', key: 'errors.invalid_value' } satisfies FieldError };
  const parsed = ProjectEditSchema.safeParse({ ...input, wishedCommunes: communes.codes });
  const errors = [
    ...(communes.error ? [communes.error] : []),
    ...(parsed.success ? [] : fieldErrors(parsed.error.issues)).filter(
      (e) => e.field !== 'wishedCommunes' || !communes.error,
    ),
  ];
  if (errors.length || !parsed.success) throw new Invalid(errors);
  const data = parsed.data;
  const columns = projectColumns(data);
  return changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (file.version !== data.version) throw new Conflict('errors.stale_file');
    const fields = (Object.keys(columns) as Array<keyof typeof columns>).filter(
      (k) => canonical(columns[k]) !== canonical(file[k]),
    );
    if (fields.length === 0) return false;
    const updated = await tx
      .update(candidates)
      .set({ ...columns, updatedAt: now, version: sql`${candidates.version} + 1` })
      .where(and(eq(candidates.id, file.id), eq(candidates.version, data.version)))
      .returning({ id: candidates.id });
    if (updated.length === 0) throw new Conflict('errors.stale_file');
    await addEvent(tx, file.id, 'project_edited', { fields }, actor.id, now);
    await refreshMaturity(tx, [file.id]);
    return true;
  });
}
