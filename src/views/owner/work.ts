// An owner's businesses to take over (issue 16): /compte/reprises lists them and holds the
// proposal form; /compte/reprises/{id} shows one, its edit form (an edit of a published one
// waits for the team), "still available" and withdrawing it.
// Rules in src/server/opportunities/owners.ts (the offers' moderation reused).
import { db } from '../../server/db.ts';
import { offersContext } from '../../server/auth.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, submitForm } from '../../server/http/form.ts';
import { requireRole } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId } from '../../server/input.ts';
import { localizedPath } from '../../i18n/index.ts';
import { proposalTerritories } from '../../server/offers/owners.ts';
import {
  editOwnBusiness,
  getOwnBusiness,
  listOwnBusinesses,
  proposeBusiness,
  withdrawOwnBusiness,
} from '../../server/opportunities/owners.ts';
import { offerFormState } from '../offer-form.ts';
import { confirmWork } from '../../server/opportunities/manage.ts';
import { systemClock } from '../../server/clock.ts';

export async function ownBusinessesPage(rc: RequestContext) {
  const owner = requireRole(rc, 'owner');
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => {
      if (field(form, 'intent') !== 'propose') throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
      return proposeBusiness(offersContext, owner, form);
    });
    if (r.ok) return redirect(`${localizedPath('/compte/reprises', rc.locals.locale)}?ok=proposed`, 303);
    ({ state, status } = r);
  }
  const [businesses, territories] = await Promise.all([listOwnBusinesses(db, owner), proposalTerritories(db)]);
  const ok = okAfterRedirect(rc) === 'proposed' ? ('proposed' as const) : undefined;
  return render({ businesses, territories, state, ok }, status);
}

export async function ownBusinessPage(rc: RequestContext, idParam: string) {
  const owner = requireRole(rc, 'owner');
  const id = parseId(idParam) ?? -1;
  let business = await getOwnBusiness(db, owner, id);
  let state = await offerFormState(business.current);
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const intent = field(form, 'intent');
    const r = await submitForm(rc, form, () => {
      // "Still available" (a published business, or one hidden for want of it), withdrawing, or an edit.
      if (intent === 'confirm') return confirmWork(db, systemClock, owner, id);
      if (intent === 'withdraw') return withdrawOwnBusiness(offersContext, owner, id);
      if (intent !== 'save') throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
      return editOwnBusiness(offersContext, owner, id, form);
    });
    const done = intent === 'confirm' ? 'confirmed' : intent === 'withdraw' ? 'withdrawn' : 'saved';
    if (r.ok) return redirect(`${localizedPath(`/compte/reprises/${id}`, rc.locals.locale)}?ok=${done}`, 303);
    ({ state, status } = r);
    business = await getOwnBusiness(db, owner, id);
  }
  const notice = okAfterRedirect(rc);
  const ok = (['saved', 'confirmed', 'withdrawn'] as const).find((n) => n === notice);
  return render({ business, state, ok }, status);
}
