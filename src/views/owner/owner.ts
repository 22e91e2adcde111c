// The owners' pages: /proposer-une-offre (propose a home or a tiers-lieu), /compte/offres
// (their offers and where each stands) and /compte/offres/{id} (edit, confirm, withdraw).
// Rules live in src/server/offers/owners.ts and freshness.ts; every form posts to its page.
import { db } from '../../server/db.ts';
import { offersContext } from '../../server/auth.ts';
import { systemClock } from '../../server/clock.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, submitForm } from '../../server/http/form.ts';
import { requireRole } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId } from '../../server/input.ts';
import { localizedPath } from '../../i18n/index.ts';
import { confirmOffer } from '../../server/offers/freshness.ts';
import {
  editOwnOffer,
  getOwnOffer,
  listOwnOffers,
  proposalTerritories,
  proposeOffer,
  withdrawOwnOffer,
} from '../../server/offers/owners.ts';
import { offerFormState } from '../offer-form.ts';

const kindOf = (rc: RequestContext): 'home' | 'tiers_lieu' =>
  rc.url.searchParams.get('type') === 'tiers-lieu' ? 'tiers_lieu' : 'home';

/** A visitor is shown how to take part; an owner, the form; anyone else signed in, a 403. */
export async function proposePage(rc: RequestContext) {
  const territories = await proposalTerritories(db);
  const kind = kindOf(rc);
  if (!rc.locals.user && !isPost(rc)) return render({ kind, territories, signedIn: false, state: emptyState() });
  const owner = requireRole(rc, 'owner');
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => proposeOffer(offersContext, owner, kind, form));
    if (r.ok) return redirect(`${localizedPath('/compte/offres', rc.locals.locale)}?ok=proposed`, 303);
    ({ state, status } = r);
  }
  return render({ kind, territories, signedIn: true, state }, status);
}

const listNotices = ['proposed', 'confirm', 'withdraw'] as const;

export async function ownOffersPage(rc: RequestContext) {
  const owner = requireRole(rc, 'owner');
  const ok = okAfterRedirect(rc);
  return render({
    offers: await listOwnOffers(db, systemClock, owner),
    ok: listNotices.find((n) => n === ok),
  });
}

const offerActions = {
  confirm: (owner: Parameters<typeof confirmOffer>[2], id: number) => confirmOffer(db, systemClock, owner, id),
  withdraw: (owner: Parameters<typeof confirmOffer>[2], id: number) => withdrawOwnOffer(offersContext, owner, id),
};

export async function ownOfferPage(rc: RequestContext, idParam: string) {
  const owner = requireRole(rc, 'owner');
  const id = parseId(idParam) ?? -1;
  let offer = await getOwnOffer(db, owner, id);
  let state = await offerFormState(offer.current);
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const intent = field(form, 'intent') || 'save';
    const list = localizedPath('/compte/offres', rc.locals.locale);
    const r = await submitForm(rc, form, async () => {
      if (intent === 'save') return editOwnOffer(offersContext, owner, id, form);
      if (!Object.hasOwn(offerActions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
      return offerActions[intent as keyof typeof offerActions](owner, id);
    });
    if (r.ok) return redirect(intent === 'save' ? `${list}/${id}?ok=saved` : `${list}?ok=${intent}`, 303);
    ({ state, status } = r);
    if (intent !== 'save')
      state = { ...(await offerFormState(offer.current)), errors: state.errors, alert: state.alert };
    offer = await getOwnOffer(db, owner, id);
  }
  return render({ offer, state, ok: okAfterRedirect(rc) === 'saved' }, status);
}
