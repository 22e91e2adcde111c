// Loads the offer detail page: the published offer, what is near it, and its commune's
// fibre coverage and daily life. Shared by both locales.
import { db } from '../server/db.ts';
import { NotFound } from '../server/errors.ts';
import type { RequestContext } from '../server/http/context.ts';
import { PUBLIC_OFFER, redirect, render } from '../server/http/respond.ts';
import { searchReferrer } from '../server/http/return-path.ts';
import {
  findNearbyOffers,
  getPastOffer,
  getPublishedOffer,
  publicDetail,
  type OfferDetail,
  type PastOffer,
} from '../server/offers/queries.ts';
import { publicPointOf } from '../server/offers/position.ts';
import { dailyLife } from '../server/places/daily-life.ts';
import { getCommuneCoverage } from '../server/places/queries.ts';
import { localizedPath } from '../i18n/index.ts';

export const NEARBY_KM = 30;

/**
 * `ref` is "{id}-{slug}"; a wrong or missing slug redirects to the canonical one. Opened
 * from a search, the page leads back to it, at this offer's card (the page cache keys such
 * a page by that search too: src/middleware.ts).
 */
export async function offerDetailPage(rc: Pick<RequestContext, 'locals' | 'request' | 'url'>, ref: string) {
  const m = /^(\d{1,12})(?:-(.*))?$/.exec(ref);
  if (!m) throw new NotFound(PUBLIC_OFFER);
  const id = Number(m[1]);
  let offer: OfferDetail;
  try {
    offer = await getPublishedOffer(db, id);
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    const past = await getPastOffer(db, id);
    if (past) return pastOfferPage(past);
    throw new NotFound(PUBLIC_OFFER);
  }
  if (m[2] !== offer.slug) return redirect(localizedPath(`/offres/${offer.id}-${offer.slug}`, rc.locals.locale), 301);
  // Daily life from the commune's centre, never from the offer's point (decision 006).
  const [nearby, coverage, life] = await Promise.all([
    findNearbyOffers(db, publicPointOf(offer), offer.kind === 'home' ? 'tiers_lieu' : 'home', {
      km: NEARBY_KM,
      limit: 5,
      excludeId: offer.id,
    }),
    getCommuneCoverage(db, offer.communeCode),
    dailyLife(db, offer.commune),
  ]);
  // Distances between public points, and the page gets the public point only (decision 006).
  const search = searchReferrer(rc.request, rc.url);
  const back = search ? `${search}#offre-${offer.id}` : null;
  return render({ offer: publicDetail(offer), nearby, coverage, dailyLife: life, back });
}

/**
 * An offer that was public and is no longer (withdrawn, not confirmed): a family coming from
 * a favourite, a proposal or a search engine learns so (410 Gone), with offers of the same
 * kind around it and the search of its commune, rather than a bare "not found".
 */
async function pastOfferPage(past: PastOffer) {
  const similar = await findNearbyOffers(db, publicPointOf(past), past.kind, { km: NEARBY_KM, limit: 5 });
  return render({ past, similar }, 410);
}
