// The Atom feed of a territory's newest published offers: public data only (title, kind,
// price, label, commune, the public page), built from the catalogue's search.
import type { Db } from '../../../db/client.ts';
import { kindLine, priceText } from '../../components/offers/offer-text.ts';
import { localizedPath, t, type Locale } from '../../i18n/index.ts';
import { escapeXml as xml } from '../../lib/text.ts';
import { NotFound } from '../errors.ts';
import { getTerritoryOverview } from '../places/queries.ts';
import { searchOffers } from './queries.ts';

export async function offersFeed(
  db: Db,
  { territory, locale, site }: { territory: string; locale: Locale; site: string },
): Promise<string> {
  if (!/^(\d{2,3}|2[AB])$/.test(territory)) throw new NotFound('territory');
  const place = await getTerritoryOverview(db, territory);
  const { items } = await searchOffers(db, { territoire: territory, tri: 'recent' });
  const base = site.replace(/\/$/, '');
  const self = `${base}${localizedPath(`/territoires/${territory}/offres.atom`, locale)}`;
  const updated = items[0]?.publishedAt ?? new Date(0).toISOString();
  const entries = items.map((o) => {
    const url = `${base}${localizedPath(`/offres/${o.id}-${o.slug}`, locale)}`;
    const summary = [
      kindLine(locale, o),
      priceText(locale, o),
      o.communeName,
      o.label ? t(locale, 'label.title', { label: o.label }) : t(locale, 'label.unknown'),
    ].join(' · ');
    return `<entry><id>${xml(url)}</id><title>${xml(o.title)}</title><link href="${xml(url)}"/><updated>${xml(o.publishedAt ?? updated)}</updated><summary>${xml(summary)}</summary></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${locale}">
<id>${xml(self)}</id>
<title>${xml(t(locale, 'feed.title', { territory: place.name }))}</title>
<link rel="self" href="${xml(self)}"/>
<link href="${xml(`${base}${localizedPath(`/offres?territoire=${territory}`, locale)}`)}"/>
<updated>${xml(updated)}</updated>
<author><name>Campagne Connectée</name></author>
${entries.join('\n')}
</feed>
`;
}
