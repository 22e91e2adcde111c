// /admin/imports: administrators import open data (ARCEP's FttH rate per commune) and follow
// each import, running or done, with its history. The upload is read, the import runs on in
// the background, and the page (refreshed while something runs) shows its progress from the
// database, so a reload never loses it. Rules in src/server/imports/.
import { z } from 'astro/zod';
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { Forbidden, Invalid } from '../../server/errors.ts';
import { isPost, type RequestContext } from '../../server/http/context.ts';
import { emptyState, readUpload, submitForm, UPLOAD_LIMIT_BYTES } from '../../server/http/form.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { isoDate, parseInput } from '../../server/input.ts';
import { importArcepRates } from '../../server/imports/arcep-rate.ts';
import { listImports } from '../../server/imports/coverage.ts';
import { mayImport, territoryScope } from '../../server/policy.ts';

const ImportSchema = z.object({
  kind: z.literal('arcep-taux', { error: 'errors.invalid_choice' }),
  dataDate: isoDate('errors.invalid_date'),
});

export async function importsPage(rc: RequestContext) {
  const user = requireAdmin(rc);
  if (!mayImport(user)) throw new Forbidden();
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const { fields, files } = await readUpload(rc.request, UPLOAD_LIMIT_BYTES);
    const r = await submitForm(rc, fields, async () => {
      const input = parseInput(ImportSchema, fields);
      const file = files.find((f) => f.field === 'file');
      if (!file || file.bytes.length === 0) throw new Invalid([{ field: 'file', key: 'errors.import_file_required' }]);
      // The import runs on after the answer; the page follows it through its row.
      return new Promise<number>((started, failed) => {
        importArcepRates(db, systemClock, once(file.bytes), {
          fileName: file.name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || 'import.csv',
          dataDate: input.dataDate,
          byUserId: user.id,
          departments: territoryScope(user),
          onStart: started,
        }).catch((error: unknown) => {
          failed(error);
          console.error('import:', error);
        });
      });
    });
    if (r.ok) return redirect(`/admin/imports?suivi=${r.value}`, 303);
    ({ state, status } = r);
  }
  const history = await listImports(db);
  return render({ history, state, running: history.some((i) => i.status === 'running') }, status);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
