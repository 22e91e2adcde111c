// /admin and /admin/agents/{id}: territory admins (and the platform admin) invite agents,
// change their role and territories, deactivate them. Rules live in accounts/commands.ts
// and the policy (mayManageStaff).
import {
  deactivateStaff,
  getStaff,
  inviteStaff,
  listStaff,
  reactivateStaff,
  updateStaff,
} from '../../server/accounts/commands.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import { accounts, sessions } from '../../server/auth.ts';
import { db } from '../../server/db.ts';
import { Invalid, NotFound } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, fieldList, readForm, submitForm, type FormFields } from '../../server/http/form.ts';
import { requireAdmin } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId } from '../../server/input.ts';
import { listTerritories } from '../../server/places/queries.ts';
import { withinScope } from '../../server/policy.ts';
import { t } from '../../i18n/index.ts';

const manageable = async (user: SessionUser) => withinScope(user, await listTerritories(db), (x) => x.code);

export async function staffListPage(rc: RequestContext) {
  const user = requireAdmin(rc);
  let state = emptyState();
  let status = 200;
  let notice: string | undefined;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () =>
      inviteStaff(accounts, user, {
        ...form,
        territories: fieldList(form, 'territories'),
        locale: form.locale ?? 'fr',
      }),
    );
    if (r.ok) notice = t(rc.locals.locale, 'admin.invited', { email: field(form, 'email').trim().toLowerCase() });
    else ({ state, status } = r);
  }
  return render({ state, notice, staff: await listStaff(db, user), territories: await manageable(user) }, status);
}

/** The posts of a staff member's page: intent → command. */
const staffActions: Record<string, (user: SessionUser, id: number, form: FormFields) => Promise<void>> = {
  update: (user, id, form) =>
    updateStaff(accounts, user, id, { role: form.role, territories: fieldList(form, 'territories') }),
  deactivate: (user, id) => deactivateStaff(accounts, user, id, (uid) => sessions.invalidateUserSessions(uid)),
  reactivate: (user, id) => reactivateStaff(accounts, user, id),
};

export async function staffEditPage(rc: RequestContext, idParam: string) {
  const user = requireAdmin(rc);
  const id = parseId(idParam) ?? -1;
  // A member of another territory is "not found", exactly like an unknown id.
  let member = await getStaff(db, user, id);
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const intent = field(form, 'intent') || 'update';
    const r = await submitForm(rc, form, () => {
      if (!Object.hasOwn(staffActions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
      return staffActions[intent]!(user, id, form);
    });
    if (r.ok) return redirect(`/admin/agents/${id}?ok=1`, 303);
    ({ state, status } = r);
    member = await getStaff(db, user, id).catch((e) => {
      if (e instanceof NotFound) return member;
      throw e;
    });
  }
  const notice = okAfterRedirect(rc) ? t(rc.locals.locale, 'admin.saved') : undefined;
  return render({ state, member, territories: await manageable(user), notice }, status);
}
