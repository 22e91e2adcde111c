// Translation: t(locale, key, params) with ICU-style {name} and {n, plural, …} through Intl.
// Pure module (no astro:*), so domain code and tests can format messages too.
import { en } from './en.ts';
import { fr } from './fr.ts';

export const locales = ['fr', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'fr';
export type MessageKey = keyof typeof fr;
export type Messages = Record<MessageKey, string>;

const catalogues: Record<Locale, Messages> = { fr, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export function toLocale(value: string | undefined): Locale {
  return isLocale(value) ? value : defaultLocale;
}

export type Params = Record<string, string | number>;

/** Formats {name} and {count, plural, =0 {…} one {# …} other {# …}} placeholders. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = catalogues[locale][key];
  return format(locale, template, params);
}

function format(locale: Locale, template: string, params: Params): string {
  return template.replace(
    /\{(\w+), plural, ((?:[^{}]*\{[^{}]*\})+)\s*\}|\{(\w+)\}/g,
    (_m, pluralName: string | undefined, branches: string | undefined, name: string | undefined) => {
      if (pluralName && branches) {
        const n = Number(params[pluralName] ?? 0);
        const options = new Map<string, string>();
        for (const b of branches.matchAll(/(=\d+|\w+)\s*\{([^{}]*)\}/g)) options.set(b[1]!, b[2]!);
        const choice = options.get(`=${n}`) ?? options.get(new Intl.PluralRules(locale).select(n)) ?? options.get('other') ?? '';
        return choice.replace(/#/g, formatNumber(locale, n));
      }
      const value = params[name ?? ''];
      if (value === undefined) return `{${name}}`;
      return typeof value === 'number' ? formatNumber(locale, value) : value;
    },
  );
}

export function formatNumber(locale: Locale, n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', options).format(n);
}

export function formatPrice(locale: Locale, euros: number): string {
  return formatNumber(locale, euros, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
}

/** The path of the same page in another locale: "/offres?x" ⇄ "/en/offres?x". */
export function localizedPath(path: string, locale: Locale): string {
  const bare = path.replace(/^\/en(?=\/|$|\?)/, '') || '/';
  if (locale === defaultLocale) return bare;
  return bare === '/' ? '/en/' : `/en${bare}`;
}
