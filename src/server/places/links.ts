// The address of a commune's page: /communes/{insee}-{slug} (the slug from its name).
import { slugify } from '../../lib/text.ts';

export const communePath = (c: { code: string; name: string }) => `/communes/${c.code}-${slugify(c.name)}`;
