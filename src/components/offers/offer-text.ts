// How an offer is named in words, the same on cards and on its page.
import { formatPrice, t, type Locale } from '../../i18n/index.ts';
import type { OfferCard } from '../../server/offers/queries.ts';

type Describable = Pick<OfferCard, 'kind' | 'homeType' | 'transaction' | 'typology' | 'price'>;

/** The title in the page's language: the English one on English pages when there is one. */
export const offerTitle = (locale: Locale, offer: { title: string; titleEn?: string | null }): string =>
  (locale === 'en' && offer.titleEn) || offer.title;

/** "Maison · Vente", "Espace de coworking"… */
export function kindLine(locale: Locale, offer: Describable): string {
  if (offer.kind === 'home') {
    return [
      offer.homeType && t(locale, `offer.homeType.${offer.homeType}`),
      offer.transaction && t(locale, `offer.transaction.${offer.transaction}`),
    ]
      .filter(Boolean)
      .join(' · ');
  }
  return offer.typology ? t(locale, `offer.typology.${offer.typology}`) : t(locale, 'offer.kind.tiers_lieu');
}

/** The price as people read it: a rent or a desk per month, a sale price, or "on request". */
export function priceText(
  locale: Locale,
  offer: Describable,
  { deskLabel = false }: { deskLabel?: boolean } = {},
): string {
  if (offer.price === null) return t(locale, 'offer.priceOnRequest');
  const price = formatPrice(locale, offer.price);
  if (offer.kind === 'tiers_lieu') return t(locale, deskLabel ? 'offer.priceDesk' : 'offer.pricePerMonth', { price });
  return offer.transaction === 'rent' ? t(locale, 'offer.pricePerMonth', { price }) : price;
}
