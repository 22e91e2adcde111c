// Text helpers shared by the server, the seed and the tests. Pure functions only.

/** Lower-case, accent-free, punctuation folded to single spaces: "L'Isle-Jourdain" → "l isle jourdain". */
export function foldText(input: string): string {
  return input
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** JSON to write inside a <script> element: a `<` escaped, so no text in it can close the element. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** Text for XML content or an attribute (the sitemap, the Atom feed): markup characters as references. */
export const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** URL slug: "Longère à Mauvezin" → "longere-a-mauvezin". */
export function slugify(input: string, maxLength = 80): string {
  const slug = foldText(input).replace(/ /g, '-');
  return slug.slice(0, maxLength).replace(/-+$/, '') || 'offre';
}

/** A commune as people write it, and as the server reads it back: "Auch (32000)". */
export const communeLabel = (c: { name: string; postalCodes: string; departmentCode?: string }) =>
  `${c.name} (${c.postalCodes.split(' ')[0] || c.departmentCode || ''})`;
