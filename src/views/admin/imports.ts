// /admin/imports: administrators import offers (a CSV from the template), the ANCT's
// tiers-lieux and open data (ARCEP's coverage per commune, its deployment tables, its figures
// per département) and follow each import, running or done, with its history. The upload is
// streamed to disk, the import runs on in the background, and the page (refreshed while something runs)
// shows its progress from the database, so a reload never loses it. The offers template and
// the reports of rejected rows are downloads of their own. Rules in src/server/imports/.
import { PUBLIC_SITE_URL } from 'astro:env/server';
import { z } from 'astro/zod';
import { importModes } from '../../../db/schema/index.ts';
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { errorFields, log } from '../../lib/log.ts';
import { createReadStream } from 'node:fs';
import { DomainError, Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import { isPost, type RequestContext } from '../../server/http/context.ts';
import { emptyState, submitForm } from '../../server/http/form.ts';
import { spoolUpload, tooLargeRefusal, UploadTooLarge, type SpooledFile } from '../../server/http/upload.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { isoDate, parseId, parseInput, territoryCode } from '../../server/input.ts';
import { importArcepDeployment } from '../../server/imports/arcep.ts';
import { importArcepDepartments } from '../../server/imports/arcep-departments.ts';
import { importArcepRates } from '../../server/imports/arcep-rate.ts';
import { ByteProgress } from '../../server/imports/byte-progress.ts';
import { listImports } from '../../server/imports/coverage.ts';
import { importOffersCsv, offersTemplate } from '../../server/imports/offers-csv.ts';
import { problemsCsv } from '../../server/imports/problems.ts';
import { rejectionsOf } from '../../server/imports/staged.ts';
import { importAnctTiersLieux } from '../../server/imports/tiers-lieux-anct.ts';
import { listTerritories } from '../../server/places/queries.ts';
import { actsIn, mayImport, territoryScope } from '../../server/policy.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import { logCsvExport } from '../../server/audit/access-log.ts';

export const importForms = [
  'offres',
  'tiers-lieux-anct',
  'arcep-taux',
  'arcep-deploiement',
  'arcep-departements',
] as const;
export type ImportForm = (typeof importForms)[number];

const KindSchema = z.object({ kind: z.enum(importForms, { error: 'errors.invalid_choice' }) });
// The newest data win: a date in the future would freeze the figures shown for good.
const DateSchema = z.object({
  dataDate: isoDate('errors.invalid_date').refine((d) => d <= systemClock.now().toISOString().slice(0, 10), {
    error: 'errors.data_date_future',
  }),
});
const mode = z.enum(importModes, { error: 'errors.invalid_choice' });
const OffersSchema = z.object({ territory: territoryCode(), mode });
const AnctSchema = z.object({ mode });

interface Started {
  user: SessionUser;
  fields: Record<string, unknown>;
  file: (field: string) => { name: string; bytes: AsyncIterable<Uint8Array> };
  started: (importId: number) => void;
}

/** Each form's import: reads its fields, then starts the import (it runs on after the answer). */
const starts: Record<ImportForm, (s: Started) => Promise<unknown>> = {
  offres: ({ user, fields, file, started }) => {
    const { territory, mode } = parseInput(OffersSchema, fields);
    // Another territory is refused before the file is read (the import checks it too).
    if (!actsIn(user, territory)) throw new Forbidden();
    const f = file('file');
    return importOffersCsv(db, systemClock, f.bytes, {
      fileName: f.name,
      territory,
      mode,
      byUser: user,
      onStart: started,
    });
  },
  'tiers-lieux-anct': ({ user, fields, file, started }) => {
    const { mode } = parseInput(AnctSchema, fields);
    const f = file('file');
    return importAnctTiersLieux(db, systemClock, f.bytes, { fileName: f.name, mode, byUser: user, onStart: started });
  },
  'arcep-taux': ({ user, fields, file, started }) => {
    const { dataDate } = parseInput(DateSchema, fields);
    const f = file('file');
    return importArcepRates(db, systemClock, f.bytes, {
      fileName: f.name,
      dataDate,
      byUserId: user.id,
      siteUrl: PUBLIC_SITE_URL,
      departments: territoryScope(user),
      onStart: started,
    });
  },
  'arcep-deploiement': ({ user, file, started }) => {
    const deployment = file('deployment');
    const information = file('information');
    return importArcepDeployment(
      db,
      systemClock,
      { deployment: deployment.bytes, information: information.bytes },
      {
        fileName: deployment.name,
        byUserId: user.id,
        siteUrl: PUBLIC_SITE_URL,
        departments: territoryScope(user),
        onStart: started,
      },
    );
  },
  'arcep-departements': ({ user, file, started }) => {
    const f = file('file');
    return importArcepDepartments(db, systemClock, f.bytes, {
      fileName: f.name,
      byUserId: user.id,
      departments: territoryScope(user),
      onStart: started,
    });
  },
};

/** Each form's file fields, in the form's order. */
const fileFields: Record<ImportForm, readonly [string, ...string[]]> = {
  offres: ['file'],
  'tiers-lieux-anct': ['file'],
  'arcep-taux': ['file'],
  'arcep-deploiement': ['deployment', 'information'],
  'arcep-departements': ['file'],
};

/** The posted form's last file field: once it begins, a body declared too large passes its limit in it. */
function lastFileOf(fields: Record<string, unknown>) {
  const kind = KindSchema.safeParse(fields);
  return kind.success ? fileFields[kind.data.kind].at(-1) : undefined;
}

const safeName = (name: string) => name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || 'import.csv';

/** An uploaded file, read back from disk as a stream (memory flat whatever its size), counted. */
function fileOf(files: SpooledFile[], field: string, progress: ByteProgress) {
  const chosen = files.filter((f) => f.field === field);
  const file = chosen[0];
  if (!file) throw new Invalid([{ field, key: 'errors.import_file_required' }]);
  if (chosen.length > 1) throw new Invalid([{ field, key: 'errors.import_one_file' }]);
  if (file.size === 0) throw new Invalid([{ field, key: 'errors.import_file_empty' }]);
  return { name: safeName(file.name), bytes: progress.track(createReadStream(file.path)) };
}

function requireImporter(rc: RequestContext) {
  const user = requireAdmin(rc);
  if (!mayImport(user)) throw new Forbidden();
  return user;
}

/**
 * A post over the upload limit: its form again (413), the file in error with the limit, the
 * choices made before it kept; a post that named no form of the page, the message alone.
 */
function tooLarge(rc: RequestContext, error: UploadTooLarge) {
  const kind = KindSchema.safeParse(error.fields);
  const files = kind.success ? fileFields[kind.data.kind] : null;
  const field = files?.find((f) => f === error.field) ?? files?.[0] ?? 'file';
  const r = tooLargeRefusal(rc, error, field, 'errors.import_too_large');
  const state = files ? r.state : { ...r.state, errors: {}, alert: r.state.errors[field] };
  return { posted: kind.success ? kind.data.kind : null, state, status: r.status, headers: r.headers };
}

export async function importsPage(rc: RequestContext) {
  const user = requireImporter(rc);
  let state = emptyState();
  let status = 200;
  let posted: ImportForm | null = null;
  let headers: Record<string, string> | undefined;
  // The files are streamed to disk; the import reads them there, and they go when it ends.
  const upload = isPost(rc)
    ? await spoolUpload(rc.request, { lastFile: lastFileOf }).catch((error: unknown) => {
        if (error instanceof UploadTooLarge) return error;
        throw error;
      })
    : null;
  if (upload instanceof UploadTooLarge) ({ posted, state, status, headers } = tooLarge(rc, upload));
  else if (upload) {
    const { fields, files, broken, dispose } = upload;
    const r = await submitForm(rc, fields, async () => {
      if (broken) throw new DomainError('upload broken', 400, 'errors.upload_broken');
      const { kind } = parseInput(KindSchema, fields);
      posted = kind;
      // The page follows the import through its row, once it is recorded.
      const progress = new ByteProgress(files.reduce((n, f) => n + f.size, 0));
      return new Promise<number>((started, failed) => {
        // Recorded: its row gets the bytes to read (the progress bar), then the page follows it.
        const recorded = (id: number) =>
          void progress.attach(db, id).then(
            () => started(id),
            () => started(id),
          );
        Promise.resolve()
          .then(() =>
            starts[kind]({ user, fields, file: (field) => fileOf(files, field, progress), started: recorded }),
          )
          .catch((error: unknown) => {
            failed(error);
            if (!(error instanceof Invalid || error instanceof Forbidden))
              log.error(errorFields(error), 'import failed');
          })
          .finally(() => dispose());
      });
    });
    if (r.ok) return redirect(`/admin/imports?suivi=${r.value}#historique`, 303);
    await dispose(); // refused before any import began (an unknown kind)
    ({ state, status } = r);
  }
  const history = await listImports(db, territoryScope(user));
  const territories = (await listTerritories(db)).filter((t) => actsIn(user, t.code));
  return render(
    { history, state, posted, territories, running: history.some((i) => i.status === 'running') },
    status,
    headers,
  );
}

/** GET /admin/imports/modele-offres.csv?langue=en: the offers template, French headers by default. */
export async function offersTemplateCsv(rc: RequestContext): Promise<Response> {
  requireImporter(rc);
  const language = rc.url.searchParams.get('langue') === 'en' ? 'en' : 'fr';
  return csv(offersTemplate(language), language === 'en' ? 'offers-template.csv' : 'modele-offres.csv');
}

/** GET /admin/imports/{id}/rejets.csv: an import's rejected rows (line, column, reason) in the reader's language. */
export async function rejectionsCsv(rc: RequestContext, id: string | undefined): Promise<Response> {
  const user = requireImporter(rc);
  const importId = parseId(id);
  if (importId === undefined) throw new NotFound('import');
  const { problems, fileName, territoryCode } = await rejectionsOf(db, user, importId);
  const name = `rejets-import-${importId}.csv`;
  // The access log: an offers import's territory; for an open-data import, the reader's territories.
  await logCsvExport(db, systemClock, user, name, territoryCode ? [territoryCode] : (territoryScope(user) ?? []), {
    import: importId,
    file: fileName,
  });
  return csv(problemsCsv(rc.locals.locale, problems), name);
}

const csv = (body: string, name: string) =>
  new Response(body, {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` },
  });
