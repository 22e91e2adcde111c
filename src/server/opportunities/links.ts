// Public addresses of work items (French paths; localizedPath adds /en).
import { localizedPath, type Locale } from '../../i18n/index.ts';
import { slugify } from '../../lib/text.ts';

export const workListPath = (kind: 'job' | 'business') => (kind === 'job' ? '/emplois' : '/reprises');

/** `/emplois/{id}-{slug}` or `/reprises/{id}-{slug}`: the id decides, the slug reads well. */
export const workPath = (item: { id: number; kind: 'job' | 'business'; title: string }) =>
  `${workListPath(item.kind)}/${item.id}-${slugify(item.title)}`;

/** An owner's page of their business, where they confirm it is still for sale (emails link to it). */
export const ownerBusinessUrl = (siteUrl: string, locale: Locale, id: number) =>
  `${siteUrl.replace(/\/$/, '')}${localizedPath(`/compte/reprises/${id}`, locale)}`;
