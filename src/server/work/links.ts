// Public addresses of work items (French paths; localizedPath adds /en).
import { slugify } from '../../lib/text.ts';

export const workListPath = (kind: 'job' | 'business') => (kind === 'job' ? '/emplois' : '/reprises');

/** `/emplois/{id}-{slug}` or `/reprises/{id}-{slug}`: the id decides, the slug reads well. */
export const workPath = (item: { id: number; kind: 'job' | 'business'; title: string }) =>
  `${workListPath(item.kind)}/${item.id}-${slugify(item.title)}`;
