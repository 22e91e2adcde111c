// /agent/rapports, its CSV exports and the printable annual report: who may see which
// territory (territory admins theirs, the platform admin all and the total), the period
// asked for, and the report's figures and tables.
import type { AstroGlobal } from 'astro';
import { accounts } from '../../server/auth.ts';
import { db } from '../../server/db.ts';
import { Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import { listTerritories } from '../../server/places/queries.ts';
import { parsePeriod, periodParams, type Period } from '../../server/reports/period.ts';
import { buildReport, scopeCommunes } from '../../server/reports/queries.ts';
import { canReport, reportScope } from '../../server/reports/scope.ts';
import { reportTables, tableIds, toCsv, type TableId } from '../../server/reports/tables.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import { t, type Locale } from '../../i18n/index.ts';
import { signInUrl } from '../auth/form.ts';

const first = (url: URL) =>
  Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.get(k) ?? undefined]));

async function load(user: SessionUser, locale: Locale, params: Record<string, string | undefined>) {
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
  const report = await buildReport(db, scope, period, now);
  const territories = user.role === 'platform_admin' ? known : known.filter((k) => user.territories.includes(k.code));
  return { now, period, errors, scope, report, tables: reportTables(report, locale), territories };
}

type Denied = { redirect: string } | { status: 403 | 404 };

function who(astro: AstroGlobal): SessionUser | Denied {
  const user = astro.locals.user;
  if (!user) return { redirect: signInUrl(astro) };
  if (!canReport(user)) return { status: 403 };
  return user;
}

/** /agent/rapports (and, with `annual`, /agent/rapports/annuel: one year, print layout). */
export async function reportsPage(astro: AstroGlobal, annual = false) {
  const user = who(astro);
  if ('redirect' in user || 'status' in user) return user;
  const params = first(astro.url);
  try {
    const data = await load(
      user,
      astro.locals.locale,
      annual ? { periode: 'year', annee: params.annee, territoire: params.territoire } : params,
    );
    const background = await scopeCommunes(db, data.scope);
    const linkParams = periodParams(data.period);
    if (params.territoire) linkParams.set('territoire', params.territoire);
    return {
      status: data.errors.length ? 400 : 200,
      ...data,
      background,
      linkParams: linkParams.toString(),
      territoire: params.territoire ?? '',
    };
  } catch (error) {
    if (error instanceof NotFound) return { status: 404 as const };
    if (error instanceof Forbidden) return { status: 403 as const };
    throw error;
  }
}

/** GET /agent/rapports/export.csv?table=…&sep=; — one table of the report as CSV. */
export async function reportCsv(url: URL, user: SessionUser | null, locale: Locale): Promise<Response> {
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (!user)
    return new Response(null, {
      status: 302,
      headers: { location: `/connexion?retour=${encodeURIComponent(url.pathname + url.search)}` },
    });
  if (!canReport(user)) return text(403, t(locale, 'errors.forbidden'));
  const params = first(url);
  const table = params.table as TableId | undefined;
  if (!table || !(tableIds as readonly string[]).includes(table)) return text(404, t(locale, 'report.unknownTable'));
  try {
    const data = await load(user, locale, params);
    if (data.errors.length) return text(400, data.errors.map((e) => e.message).join('\n'));
    const found = data.tables.find((x) => x.id === table)!;
    const where = params.territoire && params.territoire !== 'tous' ? params.territoire : 'tous';
    const name = `rapport-${where}-${data.period.from}-${data.period.to}-${table}.csv`;
    return new Response(toCsv(found, params.sep === 'pv' ? ';' : ','), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    if (error instanceof NotFound) return text(404, t(locale, 'notFound.title'));
    if (error instanceof Forbidden) return text(403, t(locale, 'errors.forbidden'));
    throw error;
  }
}
