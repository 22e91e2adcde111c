// /admin/territoires and /admin/territoires/{code}: the platform admin creates territories
// from the référentiel's départements; territory admins (and the platform admin) edit a
// territory's settings. Rules live in src/server/places/territories.ts and the policy.
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, readForm, stateOf, submitForm } from '../../server/http/form.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import {
  configurableTerritories,
  configurableTerritory,
  createTerritory,
  departmentsWithoutTerritory,
  updateTerritory,
} from '../../server/places/territories.ts';
import { isPlatformAdmin } from '../../server/policy.ts';
import { t } from '../../i18n/index.ts';

export async function territoriesPage(rc: RequestContext) {
  const user = requireAdmin(rc);
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => createTerritory(db, systemClock, user, form));
    if (r.ok) return redirect(`/admin/territoires/${r.value}?ok=cree`, 303);
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
  let state = stateOf(territory);
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => updateTerritory(db, systemClock, user, code, form));
    if (r.ok) return redirect(`/admin/territoires/${code}?ok=1`, 303);
    ({ state, status } = r);
    territory = await configurableTerritory(db, user, code);
  }
  const locale = rc.locals.locale;
  const ok = okAfterRedirect(rc);
  const notice =
    ok === 'cree'
      ? t(locale, 'territories.created', { name: territory.name })
      : ok === '1'
        ? t(locale, 'admin.saved')
        : undefined;
  return render({ territory, state, notice }, status);
}
