// /agent/offres, /agent/offres/nouvelle and /agent/offres/{id}: agents list, create and
// edit the offers of their territories and move them through their life. Rules live in
// src/server/offers/manage.ts; every form posts to its own page.
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import {
  emptyState,
  field,
  readForm,
  stateOf,
  submitForm,
  type FormFields,
  type FormState,
} from '../../server/http/form.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import { offersContext } from '../../server/auth.ts';
import { confirmOffer } from '../../server/offers/freshness.ts';
import { moderateOffer, moderationOf } from '../../server/offers/owners.ts';
import { requireStaff } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId } from '../../server/input.ts';
import {
  changeOfferStatus,
  createOffer,
  fillFromOpenData,
  getManagedOffer,
  isOfferTransition,
  listManagedOffers,
  managedQueueCounts,
  updateOffer,
  type ManagedListQuery,
  type ManagedOffer,
} from '../../server/offers/manage.ts';
import { offerKinds, offerStatuses } from '../../../db/schema/offers.ts';
import { getCommune, getCommuneCoverage } from '../../server/places/queries.ts';

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | undefined =>
  v !== null && (values as readonly string[]).includes(v) ? (v as T) : undefined;

export async function offersListPage(rc: RequestContext) {
  const user = requireStaff(rc);
  const p = rc.url.searchParams;
  const query: ManagedListQuery = {
    status: oneOf(offerStatuses, p.get('etat')),
    kind: oneOf(
      offerKinds,
      ({ logement: 'home', 'tiers-lieu': 'tiers_lieu' } as Record<string, string>)[p.get('type') ?? ''] ??
        p.get('type'),
    ),
    q: (p.get('q') ?? '').slice(0, 120) || undefined,
    queue: oneOf(['moderation', 'stale'] as const, p.get('file')),
    page: parseId(p.get('page') ?? '1') ?? 1,
  };
  const [list, counts] = await Promise.all([
    listManagedOffers(db, systemClock, user, query),
    managedQueueCounts(db, systemClock, user),
  ]);
  return render({ list, counts, query });
}

/** A saved offer as the form's values, its commune as one would type it. */
async function formOf(offer: ManagedOffer): Promise<FormState> {
  const commune = await getCommune(db, offer.communeCode);
  const state = stateOf(offer);
  state.values.commune = commune ? `${commune.name} (${commune.postalCodes.split(' ')[0]})` : offer.communeCode;
  return state;
}

export async function offerNewPage(rc: RequestContext) {
  const user = requireStaff(rc);
  const kind: 'home' | 'tiers_lieu' = rc.url.searchParams.get('type') === 'tiers-lieu' ? 'tiers_lieu' : 'home';
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => createOffer(db, systemClock, user, kind, form));
    if (r.ok) return redirect(`/agent/offres/${r.value}?ok=created`, 303);
    ({ state, status } = r);
  }
  return render({ kind, offer: null, state }, status);
}

const notices = [
  'created',
  'saved',
  'publish',
  'archive',
  'draft',
  'open-data',
  'confirm',
  'approve',
  'changes',
  'reject',
] as const;

/** The posts of an offer's page other than its form: one command each. */
const offerActions = {
  'open-data': (user: SessionUser, id: number) => fillFromOpenData(db, systemClock, user, id),
  confirm: (user: SessionUser, id: number) => confirmOffer(db, systemClock, user, id),
  approve: (user: SessionUser, id: number, form: FormFields) => moderateOffer(offersContext, user, id, 'approve', form),
  changes: (user: SessionUser, id: number, form: FormFields) => moderateOffer(offersContext, user, id, 'changes', form),
  reject: (user: SessionUser, id: number, form: FormFields) => moderateOffer(offersContext, user, id, 'reject', form),
};

export async function offerEditPage(rc: RequestContext, idParam: string) {
  const user = requireStaff(rc);
  const id = parseId(idParam) ?? -1;
  let offer = await getManagedOffer(db, user, id);
  let state = await formOf(offer);
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const intent = field(form, 'intent') || 'save';
    const r = await submitForm(rc, form, async () => {
      if (intent === 'save') return updateOffer(db, systemClock, user, id, form);
      if (Object.hasOwn(offerActions, intent)) return offerActions[intent as keyof typeof offerActions](user, id, form);
      if (!isOfferTransition(intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
      return changeOfferStatus(db, systemClock, user, id, intent);
    });
    if (r.ok) return redirect(`/agent/offres/${id}?ok=${intent === 'save' ? 'saved' : intent}`, 303);
    ({ state, status } = r);
    // A refused status change shows what the offer lacks next to the saved values.
    if (intent !== 'save') {
      const saved = await formOf(offer);
      state = { values: { ...saved.values, note: field(form, 'note') }, errors: state.errors, alert: state.alert };
    }
    offer = await getManagedOffer(db, user, id);
  }
  const ok = oneOf(notices, okAfterRedirect(rc));
  const [coverage, moderation] = await Promise.all([
    getCommuneCoverage(db, offer.communeCode),
    moderationOf(db, offer),
  ]);
  return render({ kind: offer.kind, offer, state, ok, coverage: coverage ?? null, moderation }, status);
}
