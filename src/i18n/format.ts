// Message formatting without the catalogues, so that islands can format the few
// templates they receive as props: {name} and {count, plural, =0 {…} one {# …} other {# …}}.
export type Params = Record<string, string | number>;

const intlLocale = (locale: string) => (locale === 'fr' ? 'fr-FR' : 'en-GB');

// Intl objects are costly to build and immutable: one per locale and options.
const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

/** Number formats without options, by locale: most numbers of a page. */
const plainFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(locale: string, n: number, options?: Intl.NumberFormatOptions): string {
  if (!options) {
    let format = plainFormats.get(locale);
    if (!format) plainFormats.set(locale, (format = new Intl.NumberFormat(intlLocale(locale))));
    return format.format(n);
  }
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(intlLocale(locale), options)));
  return format.format(n);
}

function plural(locale: string, n: number): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(intlLocale(locale))));
  return rules.select(n);
}

/** A template's parts: text, a parameter, or a plural with its branches. */
type Part = string | { name: string } | { name: string; branches: Map<string, string> };

/** Templates parsed once: a page formats the same few hundred many times. */
const parsed = new Map<string, Part[]>();
const PARSED_KEPT = 5_000;

function parse(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+), plural, ((?:[^{}]*\{[^{}]*\})+)\s*\}|\{(\w+)\}/g)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    if (m[1] && m[2]) {
      const branches = new Map<string, string>();
      for (const b of m[2].matchAll(/(=\d+|\w+)\s*\{([^{}]*)\}/g)) branches.set(b[1]!, b[2]!);
      parts.push({ name: m[1], branches });
    } else parts.push({ name: m[3]! });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

export function formatMessage(locale: string, template: string, params: Params = {}): string {
  // Most messages are plain text: nothing to look for.
  if (!template.includes('{')) return template;
  let parts = parsed.get(template);
  if (!parts) {
    // Islands may format templates of their own; bounded all the same.
    if (parsed.size >= PARSED_KEPT) parsed.clear();
    parsed.set(template, (parts = parse(template)));
  }
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
    } else if ('branches' in part) {
      // A number, or a number already written out ("1 200"): chosen by its value, shown as given.
      const raw = params[part.name] ?? 0;
      const n = typeof raw === 'number' ? raw : Number(raw.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));
      const choice =
        part.branches.get(`=${n}`) ?? part.branches.get(plural(locale, n)) ?? part.branches.get('other') ?? '';
      out += choice.replace(/#/g, typeof raw === 'number' ? formatNumber(locale, raw) : raw);
    } else {
      const value = params[part.name];
      out += value === undefined ? `{${part.name}}` : typeof value === 'number' ? formatNumber(locale, value) : value;
    }
  }
  return out;
}
