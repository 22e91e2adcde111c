// /agent/rapports, its CSV exports and the printable annual report: who may see which
// territory (reportScope: territory admins theirs, the platform admin all and the total),
// the period asked for, and the report's figures and tables.
import { accounts } from '../../server/auth.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import { db } from '../../server/db.ts';
import { Invalid } from '../../server/errors.ts';
import type { RequestContext } from '../../server/http/context.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { render } from '../../server/http/respond.ts';
import { queryObject } from '../../server/input.ts';
import { listTerritories } from '../../server/places/queries.ts';
import { withinScope } from '../../server/policy.ts';
import { parsePeriod, periodParams, type Period } from '../../server/reports/period.ts';
import { buildReport, buildReportParts } from '../../server/reports/queries.ts';
import { mapBackground } from '../../server/reports/map.ts';
import { reportScope } from '../../server/reports/scope.ts';
import { reportTable, reportTables, tableIds, tableParts, toCsv, type TableId } from '../../server/reports/tables.ts';
import { t, type Locale } from '../../i18n/index.ts';
import { logCsvExport } from '../../server/audit/access-log.ts';
import { csvFileName } from '../../server/reports/wording.ts';

/** The period asked for (or this year's, with the errors to show) and the actor's scope. */
async function scopeAndPeriod(user: SessionUser, locale: Locale, params: Record<string, string | undefined>) {
  const now = accounts.clock.now();
  let period: Period;
  let errors: Array<{ field: string; message: string }> = [];
  try {
    period = parsePeriod(params, now);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    errors = error.errors.map((e) => ({ field: e.field, message: t(locale, e.key, { value: e.value ?? '' }) }));
    period = parsePeriod({}, now);
  }
  const known = await listTerritories(db);
  const scope = reportScope(user, params.territoire, known);
  return { now, period, errors, scope, known };
}

async function load(user: SessionUser, locale: Locale, params: Record<string, string | undefined>) {
  const asked = await scopeAndPeriod(user, locale, params);
  const report = await buildReport(db, asked.scope, asked.period, asked.now);
  const territories = withinScope(user, asked.known, (k) => k.code);
  return { ...asked, report, tables: reportTables(report, locale), territories };
}

/** /agent/rapports (and, with `annual`, /agent/rapports/annuel: one year, print layout). */
export async function reportsPage(rc: RequestContext, annual = false) {
  const user = requireAdmin(rc);
  const params = queryObject(rc.url.searchParams);
  const asked = annual ? { periode: 'year', annee: params.annee, territoire: params.territoire } : params;
  const data = await load(user, rc.locals.locale, asked);
  const linkParams = periodParams(data.period);
  if (params.territoire) linkParams.set('territoire', params.territoire);
  const drawn = await mapBackground(db, data.scope);
  const background = drawn && {
    href: `/agent/rapports/carte.png?${new URLSearchParams({ territoire: params.territoire ?? '', v: drawn.version })}`,
    bounds: drawn.bounds,
  };
  const view = { ...data, background, linkParams: linkParams.toString(), territoire: params.territoire ?? '' };
  return render(view, data.errors.length ? 400 : 200);
}

const text = (status: number, body: string) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** GET /agent/rapports/export.csv?table=…&sep=pv — one table of the report as CSV. */
export async function reportCsv(rc: RequestContext): Promise<Response> {
  const user = requireAdmin(rc);
  const locale = rc.locals.locale;
  const params = queryObject(rc.url.searchParams);
  const table = params.table as TableId | undefined;
  if (!table || !(tableIds as readonly string[]).includes(table)) return text(404, t(locale, 'report.unknownTable'));
  const data = await scopeAndPeriod(user, locale, params);
  if (data.errors.length) return text(400, data.errors.map((e) => e.message).join('\n'));
  // Only the parts of the report this table is made of.
  const parts = await buildReportParts(db, data.scope, data.period, data.now, tableParts[table]);
  const found = reportTable(parts, table, locale);
  const where = params.territoire && params.territoire !== 'tous' ? params.territoire : 'tous';
  // The file says its territory and period: "rapport-gers-2026-t1-months.csv".
  const name = csvFileName(locale, data.scope.label === 'all' ? null : data.scope.label, data.period, table);
  // The access log: in each territory the table covers (every one for the platform admin's total).
  await logCsvExport(db, accounts.clock, user, name, data.scope.territories ?? data.known.map((k) => k.code), {
    report: table,
    from: data.period.from,
    to: data.period.to,
    territory: where,
  });
  return new Response(toCsv(found, params.sep === 'pv' ? ';' : ','), {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` },
  });
}

/**
 * GET /agent/rapports/carte.png?territoire=…&v=… — the background of a report's map (every
 * commune of the scope as a dot), for the actor's scope as the report asks it. Its URL
 * changes with its content (`v`), so the browser keeps it.
 */
export async function reportMapImage(rc: RequestContext): Promise<Response> {
  const user = requireAdmin(rc);
  const params = queryObject(rc.url.searchParams);
  const scope = reportScope(user, params.territoire, await listTerritories(db));
  const drawn = await mapBackground(db, scope);
  if (!drawn) return text(404, '');
  return new Response(new Uint8Array(drawn.png), {
    headers: {
      'Content-Type': 'image/png',
      // Private: only staff reach it; the same URL is the same image for good.
      'Cache-Control': drawn.version === params.v ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    },
  });
}
