// Translation: t(locale, key, params) with ICU-style {name} and {n, plural, …} through Intl.
// Pure module (no astro:*), so domain code and tests can format messages too.
import { en } from './en.ts';
import { fr } from './fr.ts';
import { formatMessage, formatNumber, type Params } from './format.ts';
import { PORTAL_TIME_ZONE } from '../lib/time.ts';

export { formatMessage, formatNumber, type Params };

export const locales = ['fr', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'fr';
export type MessageKey = keyof typeof fr;
export type Messages = Record<MessageKey, string>;
/** A prefix `p` of two messages `p.title` and `p.lead`: a page's heading and its lead. */
export type PageText = {
  [K in MessageKey]: K extends `${infer P}.title` ? (`${P}.lead` extends MessageKey ? P : never) : never;
}[MessageKey];

/** A page's heading and lead, given as such or by the prefix of their messages. */
export type PageHeading = { text: PageText } | { title: string; lead?: string };
export function pageHeading(locale: Locale, heading: PageHeading): { title: string; lead?: string } {
  if (!('text' in heading)) return heading;
  return { title: t(locale, `${heading.text}.title`), lead: t(locale, `${heading.text}.lead`) };
}

const catalogues: Record<Locale, Messages> = { fr, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export function toLocale(value: string | undefined): Locale {
  return isLocale(value) ? value : defaultLocale;
}

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(fr, value);
}

/** Formats {name} and {count, plural, =0 {…} one {# …} other {# …}} placeholders. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  // A key that is not in the catalogue (a library's own message) reads as a generic error.
  const template = catalogues[locale][key] ?? catalogues[locale]['errors.invalid_value'];
  return formatMessage(locale, template, params);
}

/** The raw templates of some keys, for an island to format with formatMessage(). */
export function messagesFor<K extends MessageKey>(locale: Locale, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, catalogues[locale][k]])) as Record<K, string>;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A date (YYYY-MM-DD: a birthday, a stay's day, a due date) as written, the same day
 * everywhere; an instant (ISO 8601 with its time) on the portal's clock, Paris time.
 */
export function formatDate(
  locale: Locale,
  iso: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'long' },
): string {
  const day = iso.length === 10;
  const date = new Date(day ? `${iso}T00:00:00Z` : iso);
  const timeZone = day ? 'UTC' : PORTAL_TIME_ZONE;
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format)
    dateFormats.set(
      key,
      (format = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, ...options })),
    );
  // French writes the first of the month "1er" ("1er octobre"), Intl writes "1".
  const text = format.format(date);
  return locale === 'fr' ? text.replace(/(^|\s)1 (?=\p{L})/u, '$11er ') : text;
}

/** How long to wait, in words: "12 secondes", "3 minutes" (a rate limit's Retry-After). */
export function waitText(locale: Locale, seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  return s < 60 ? t(locale, 'time.seconds', { count: s }) : t(locale, 'time.minutes', { count: Math.ceil(s / 60) });
}

export function formatPrice(locale: Locale, euros: number): string {
  return formatNumber(locale, euros, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
}

/** The locale of a visitor's path: English under the /en prefix, French elsewhere. */
export function pathLocale(path: string): Locale {
  return /^\/en(?=\/|$|\?)/.test(path) ? 'en' : defaultLocale;
}

/** The path of the same page in another locale: "/offres?x" ⇄ "/en/offres?x". */
export function localizedPath(path: string, locale: Locale): string {
  const bare = path.replace(/^\/en(?=\/|$|\?)/, '') || '/';
  if (locale === defaultLocale) return bare;
  return bare === '/' ? '/en/' : `/en${bare}`;
}

/**
 * The visitor's own path and query ("/en/offres?x"), from the URL a page sees: English pages
 * render French routes (the middleware rewrites /en/…), so Astro.url lacks the prefix, and
 * Astro.originPathname has no query and gains a trailing slash ("/en/offres/").
 */
export function visitorPath(url: URL, locale: Locale): string {
  return localizedPath(url.pathname + url.search, locale);
}
