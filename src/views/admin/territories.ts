// /admin/territoires and /admin/territoires/{code}: the platform admin creates territories
// from the référentiel's départements; territory admins (and the platform admin) edit a
// territory's settings. Rules live in src/server/places/territories.ts and the policy.
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { isPost, type RequestContext } from '../../server/http/context.ts';
import { emptyState, readForm, submitForm, type FormState } from '../../server/http/form.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import {
  configurableTerritories,
  configurableTerritory,
  createTerritory,
  departmentsWithoutTerritory,
  updateTerritory,
  type Territory,
} from '../../server/places/territories.ts';
import { isPlatformAdmin } from '../../server/policy.ts';
import { t } from '../../i18n/index.ts';

/** A territory's settings as the form's values (what the form shows before any post). */
const formOf = (territory: Territory): FormState => ({
  errors: {},
  values: Object.fromEntries(
    Object.entries(territory).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 'yes' : '') : String(v ?? '')]),
  ),
});

export async function territoriesPage(rc: RequestContext) {
  const user = requireAdmin(rc);
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => createTerritory(db, systemClock, user, form));
    if (r.ok) return redirect(`/admin/territoires/${r.value}?cree=1`, 303);
    ({ state, status } = r);
  }
  const mayCreate = isPlatformAdmin(user);
  return render(
    {
      territories: await configurableTerritories(db, user),
      departments: mayCreate ? await departmentsWithoutTerritory(db) : null,
      state,
    },
    status,
  );
}

export async function territoryPage(rc: RequestContext, code: string) {
  const user = requireAdmin(rc);
  let territory = await configurableTerritory(db, user, code);
  let state = formOf(territory);
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => updateTerritory(db, user, code, form));
    if (r.ok) return redirect(`/admin/territoires/${code}?ok=1`, 303);
    ({ state, status } = r);
    territory = await configurableTerritory(db, user, code);
  }
  const locale = rc.locals.locale;
  const notice = rc.url.searchParams.has('cree')
    ? t(locale, 'territories.created', { name: territory.name })
    : rc.url.searchParams.has('ok')
      ? t(locale, 'admin.saved')
      : undefined;
  return render({ territory, state, notice }, status);
}
