// Message formatting without the catalogues, so that islands can format the few
// templates they receive as props: {name} and {count, plural, =0 {…} one {# …} other {# …}}.
export type Params = Record<string, string | number>;

const intlLocale = (locale: string) => (locale === 'fr' ? 'fr-FR' : 'en-GB');

// Intl objects are costly to build and immutable: one per locale and options.
const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

export function formatNumber(locale: string, n: number, options?: Intl.NumberFormatOptions): string {
  const key = `${locale}|${options ? JSON.stringify(options) : ''}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(intlLocale(locale), options)));
  return format.format(n);
}

function plural(locale: string, n: number): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(intlLocale(locale))));
  return rules.select(n);
}

export function formatMessage(locale: string, template: string, params: Params = {}): string {
  // Most messages are plain text: nothing to look for.
  if (!template.includes('{')) return template;
  return template.replace(
    /\{(\w+), plural, ((?:[^{}]*\{[^{}]*\})+)\s*\}|\{(\w+)\}/g,
    (_m, pluralName: string | undefined, branches: string | undefined, name: string | undefined) => {
      if (pluralName && branches) {
        // A number, or a number already written out ("1 200"): chosen by its value, shown as given.
        const raw = params[pluralName] ?? 0;
        const n = typeof raw === 'number' ? raw : Number(raw.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));
        const options = new Map<string, string>();
        for (const b of branches.matchAll(/(=\d+|\w+)\s*\{([^{}]*)\}/g)) options.set(b[1]!, b[2]!);
        const choice = options.get(`=${n}`) ?? options.get(plural(locale, n)) ?? options.get('other') ?? '';
        return choice.replace(/#/g, typeof raw === 'number' ? formatNumber(locale, raw) : raw);
      }
      const value = params[name ?? ''];
      if (value === undefined) return `{${name}}`;
      return typeof value === 'number' ? formatNumber(locale, value) : value;
    },
  );
}
