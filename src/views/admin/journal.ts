// /admin/journal: the staff access log, for territory admins (their territories) and the
// platform admin (every entry): a GET form of filters (period, action, member, file) and a
// paged list, newest first. Rules in src/server/audit/access-log.ts and the policy.
import { db } from '../../server/db.ts';
import { ACCESS_LOG_MONTHS, listAccess, parseAccessQuery, type AccessRow } from '../../server/audit/access-log.ts';
import { Forbidden } from '../../server/errors.ts';
import type { RequestContext } from '../../server/http/context.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { render } from '../../server/http/respond.ts';
import { mayReadAccessLog } from '../../server/policy.ts';
import { isMessageKey, t, type Locale, type MessageKey } from '../../i18n/index.ts';

export async function journalPage(rc: RequestContext) {
  const user = requireAdmin(rc);
  if (!mayReadAccessLog(user)) throw new Forbidden();
  const locale = rc.locals.locale;
  const { filters, raw, errors } = parseAccessQuery(rc.url.searchParams);
  const list = await listAccess(db, user, filters);
  // The pager keeps the filters as typed (the invalid ones too: the page says they are ignored).
  const params = new URLSearchParams(raw as Record<string, string>);
  const view = {
    list: { ...list, rows: list.rows.map((r) => ({ ...r, summary: describe(r, locale) })) },
    raw,
    months: ACCESS_LOG_MONTHS,
    query: params.toString(),
    errors: errors.map((e) => ({ field: e.field, message: t(locale, e.key, { value: e.value ?? '' }) })),
  };
  return render(view, errors.length ? 400 : 200);
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function roleName(locale: Locale, role: unknown): string {
  const key = `role.${String(role)}`;
  return isMessageKey(key) ? t(locale, key) : String(role ?? '—');
}

/** A setting's value as the journal shows it. */
function valueOf(locale: Locale, v: unknown): string {
  if (v === null || v === undefined || v === '') return t(locale, 'journal.empty');
  if (typeof v === 'boolean') return t(locale, v ? 'offer.detail.yes' : 'offer.detail.no');
  return String(v);
}

/** What the entry's details say, in one line: before → after, the role and territories, an export's source. */
function describe(row: AccessRow, locale: Locale): string {
  const d = record(row.details);
  const before = record(d.before);
  const after = record(d.after);
  const places = (v: unknown) => list(v).join(', ') || '—';
  switch (row.action) {
    case 'role_changed':
      return `${roleName(locale, before.role)} → ${roleName(locale, after.role)}`;
    case 'territories_changed':
      return `${places(before.territories)} → ${places(after.territories)}`;
    case 'staff_invited':
    case 'staff_deactivated':
    case 'staff_reactivated':
      return [roleName(locale, d.role), list(d.territories).join(', ')].filter(Boolean).join(' · ');
    case 'territory_changed': {
      if (d.created) return t(locale, 'journal.created');
      return list(d.changed)
        .map((field) => {
          const key = `territories.${field}`;
          const label = isMessageKey(key) ? t(locale, key as MessageKey) : field;
          return field in before || field in after
            ? `${label}${locale === 'fr' ? '\u00a0: ' : ': '}${valueOf(locale, before[field])} → ${valueOf(locale, after[field])}`
            : `${label} ${t(locale, 'journal.modified')}`;
        })
        .join(' ; ');
    }
    case 'csv_exported': {
      const file = text(d.file);
      return file ? t(locale, 'journal.importFile', { file }) : '';
    }
    default:
      return '';
  }
}
