// Absolute links to offers' pages, for the emails that point to them.
import { localizedPath, type Locale } from '../../i18n/index.ts';

/** The owner's page of an offer, in the owner's language. */
export const ownerOfferUrl = (siteUrl: string, locale: Locale, id: number) =>
  `${siteUrl.replace(/\/$/, '')}${localizedPath(`/compte/offres/${id}`, locale)}`;
