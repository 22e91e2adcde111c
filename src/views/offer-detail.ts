// Loads the offer detail page: the published offer, what is near it, and its commune's
// fibre coverage. Shared by both locales.
import { db } from '../server/db.ts';
import { NotFound } from '../server/errors.ts';
import { findNearbyOffers, getPublishedOffer, type NearbyOffer, type OfferDetail } from '../server/offers/queries.ts';
import { getCommuneCoverage } from '../server/places/queries.ts';

export const NEARBY_KM = 30;

export type OfferDetailData =
  | {
      kind: 'found';
      offer: OfferDetail;
      nearby: NearbyOffer[];
      coverage: Awaited<ReturnType<typeof getCommuneCoverage>>;
    }
  | { kind: 'redirect'; id: number; slug: string }
  | { kind: 'not-found' };

/** `ref` is "{id}-{slug}"; a wrong or missing slug redirects to the canonical one. */
export async function loadOfferDetail(ref: string): Promise<OfferDetailData> {
  const m = /^(\d{1,12})(?:-(.*))?$/.exec(ref);
  if (!m) return { kind: 'not-found' };
  try {
    const offer = await getPublishedOffer(db, Number(m[1]));
    if (m[2] !== offer.slug) return { kind: 'redirect', id: offer.id, slug: offer.slug };
    const [nearby, coverage] = await Promise.all([
      findNearbyOffers(db, offer, offer.kind === 'home' ? 'tiers_lieu' : 'home', {
        km: NEARBY_KM,
        limit: 5,
        excludeId: offer.id,
      }),
      getCommuneCoverage(db, offer.communeCode),
    ]);
    return { kind: 'found', offer, nearby, coverage };
  } catch (error) {
    if (error instanceof NotFound) return { kind: 'not-found' };
    throw error;
  }
}
