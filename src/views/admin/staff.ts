// /admin and /admin/agents/{id}: territory admins (and the platform admin) invite agents,
// change their role and territories, deactivate them. Rules live in accounts/commands.ts.
import type { AstroGlobal } from 'astro';
import {
  deactivateStaff,
  getStaff,
  inviteStaff,
  listStaff,
  reactivateStaff,
  updateStaff,
  type StaffMember,
} from '../../server/accounts/commands.ts';
import { accounts, sessions } from '../../server/auth.ts';
import { db } from '../../server/db.ts';
import { Forbidden, NotFound } from '../../server/errors.ts';
import { listTerritories, type TerritorySummary } from '../../server/places/queries.ts';
import { t } from '../../i18n/index.ts';
import { emptyState, handleForm, readForm, signInUrl, type FormState } from '../auth/form.ts';

export type AdminResult<V> =
  { redirect: string } | { status: 403 | 404 } | ({ status: number; state: FormState; notice?: string } & V);

async function manageable(astro: AstroGlobal): Promise<TerritorySummary[]> {
  const user = astro.locals.user!;
  const all = await listTerritories(db);
  return user.role === 'platform_admin' ? all : all.filter((x) => user.territories.includes(x.code));
}

const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export async function staffListPage(
  astro: AstroGlobal,
): Promise<AdminResult<{ staff: StaffMember[]; territories: TerritorySummary[] }>> {
  const user = astro.locals.user;
  if (!user) return { redirect: signInUrl(astro) };
  try {
    let state = emptyState();
    let status = 200;
    let notice: string | undefined;
    if (astro.request.method === 'POST') {
      const form = await readForm(astro.request);
      const outcome = await handleForm(astro.locals.locale, form, async () => {
        await inviteStaff(accounts, user, {
          ...form,
          territories: asList(form.territories),
          locale: form.locale ?? 'fr',
        });
        return '';
      });
      if ('redirect' in outcome)
        notice = t(astro.locals.locale, 'admin.invited', {
          email: String(form.email ?? '')
            .trim()
            .toLowerCase(),
        });
      else ({ state, status } = outcome);
    }
    return { status, state, notice, staff: await listStaff(db, user), territories: await manageable(astro) };
  } catch (error) {
    if (error instanceof Forbidden) return { status: 403 };
    throw error;
  }
}

export async function staffEditPage(
  astro: AstroGlobal,
  idParam: string,
): Promise<AdminResult<{ member: StaffMember; territories: TerritorySummary[] }>> {
  const user = astro.locals.user;
  if (!user) return { redirect: signInUrl(astro) };
  const id = /^\d{1,9}$/.test(idParam) ? Number(idParam) : -1;
  try {
    // A member of another territory is "not found", exactly like an unknown id.
    let member = await getStaff(db, user, id);
    let state = emptyState();
    let status = 200;
    if (astro.request.method === 'POST') {
      const form = await readForm(astro.request);
      const outcome = await handleForm(astro.locals.locale, form, async () => {
        if (form.intent === 'deactivate')
          await deactivateStaff(accounts, user, id, (uid) => sessions.invalidateUserSessions(uid));
        else if (form.intent === 'reactivate') await reactivateStaff(accounts, user, id);
        else await updateStaff(accounts, user, id, { role: form.role, territories: asList(form.territories) });
        return `/admin/agents/${id}?ok=1`;
      });
      if ('redirect' in outcome) return outcome;
      ({ state, status } = outcome);
      member = await getStaff(db, user, id);
    }
    return {
      status,
      state,
      member,
      territories: await manageable(astro),
      notice: astro.url.searchParams.has('ok') ? t(astro.locals.locale, 'admin.saved') : undefined,
    };
  } catch (error) {
    if (error instanceof Forbidden) return { status: 403 };
    if (error instanceof NotFound) return { status: 404 };
    throw error;
  }
}
