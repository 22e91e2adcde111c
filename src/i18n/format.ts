// Message formatting without the catalogues, so that islands can format the few
// templates they receive as props: {name} and {count, plural, =0 {…} one {# …} other {# …}}.
export type Params = Record<string, string | number>;

const intlLocale = (locale: string) => (locale === 'fr' ? 'fr-FR' : 'en-GB');

export function formatNumber(locale: string, n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlLocale(locale), options).format(n);
}

export function formatMessage(locale: string, template: string, params: Params = {}): string {
  return template.replace(
    /\{(\w+), plural, ((?:[^{}]*\{[^{}]*\})+)\s*\}|\{(\w+)\}/g,
    (_m, pluralName: string | undefined, branches: string | undefined, name: string | undefined) => {
      if (pluralName && branches) {
        const n = Number(params[pluralName] ?? 0);
        const options = new Map<string, string>();
        for (const b of branches.matchAll(/(=\d+|\w+)\s*\{([^{}]*)\}/g)) options.set(b[1]!, b[2]!);
        const choice = options.get(`=${n}`) ?? options.get(new Intl.PluralRules(intlLocale(locale)).select(n)) ?? options.get('other') ?? '';
        return choice.replace(/#/g, formatNumber(locale, n));
      }
      const value = params[name ?? ''];
      if (value === undefined) return `{${name}}`;
      return typeof value === 'number' ? formatNumber(locale, value) : value;
    },
  );
}
