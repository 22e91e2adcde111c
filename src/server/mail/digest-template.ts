// The daily digest of saved searches (src/server/family/digest.ts) as an email, French and
// English, HTML and plain text: one section per search with its new offers, a "see all"
// link and its own unsubscribe link. Every value put in the HTML is escaped, as in
// templates.ts.
import { formatMessage } from '../../i18n/format.ts';
import { escapeHtml, type MailLocale, type RenderedMail } from './templates.ts';

export interface DigestOffer {
  title: string;
  url: string;
  /** Kind, place, price and connectivity in words. */
  line: string;
}

export interface DigestSection {
  name: string;
  /** New offers of this search (more than `offers` when the list is capped). */
  total: number;
  offers: DigestOffer[];
  /** The search on /offres, newest first: "see all". */
  searchUrl: string;
  unsubscribeUrl: string;
}

export interface Digest {
  name: string;
  sections: DigestSection[];
  /** The saved searches page (/compte/recherches). */
  manageUrl: string;
}

const digestCopies: Record<
  MailLocale,
  Record<
    | 'subjectOne'
    | 'subjectMany'
    | 'greeting'
    | 'intro'
    | 'heading'
    | 'seeAll'
    | 'seeSearch'
    | 'unsubscribe'
    | 'footer'
    | 'manage',
    string
  >
> = {
  fr: {
    subjectOne: '{count, plural, one {# nouvelle offre} other {# nouvelles offres}} pour « {name} »',
    subjectMany: '{count, plural, one {# nouvelle offre} other {# nouvelles offres}} pour vos recherches',
    greeting: 'Bonjour {name},',
    intro: 'Voici les offres publiées depuis notre dernier message qui correspondent à vos recherches enregistrées.',
    heading: '{name} — {count, plural, one {# nouvelle offre} other {# nouvelles offres}}',
    seeAll: 'Voir les {count} nouvelles offres',
    seeSearch: 'Voir la recherche',
    unsubscribe: 'Ne plus recevoir d’alertes pour « {name} »',
    footer:
      'Vous recevez ce message parce que vous avez activé les alertes de vos recherches enregistrées sur Campagne Connectée.',
    manage: 'Gérer mes recherches et mes alertes',
  },
  en: {
    subjectOne: '{count, plural, one {# new offer} other {# new offers}} for “{name}”',
    subjectMany: '{count, plural, one {# new offer} other {# new offers}} for your saved searches',
    greeting: 'Hello {name},',
    intro: 'Here are the offers published since our last message that match your saved searches.',
    heading: '{name} — {count, plural, one {# new offer} other {# new offers}}',
    seeAll: 'See all {count} new offers',
    seeSearch: 'See the search',
    unsubscribe: 'Stop alerts for “{name}”',
    footer: 'You receive this message because you switched on alerts for your saved searches on Campagne Connectée.',
    manage: 'Manage my searches and alerts',
  },
};

/** One email for all of a person's saved searches that have new offers. */
export function renderSearchDigest(locale: MailLocale, digest: Digest): RenderedMail {
  const copy = digestCopies[locale];
  const f = (template: string, params: Record<string, string | number> = {}) => formatMessage(locale, template, params);
  const total = digest.sections.reduce((n, s) => n + s.total, 0);
  const subject =
    digest.sections.length === 1
      ? f(copy.subjectOne, { count: total, name: digest.sections[0]!.name })
      : f(copy.subjectMany, { count: total });
  const more = (s: DigestSection) =>
    s.total > s.offers.length ? f(copy.seeAll, { count: s.total }) : f(copy.seeSearch);
  const colon = locale === 'fr' ? ' : ' : ': ';

  const text = [
    f(copy.greeting, { name: digest.name }),
    f(copy.intro),
    ...digest.sections.map((s) =>
      [
        `## ${f(copy.heading, { name: s.name, count: s.total })}`,
        ...s.offers.map((o) => `- ${o.title}\n  ${o.line}\n  ${o.url}`),
        `${more(s)}${colon}${s.searchUrl}`,
        `${f(copy.unsubscribe, { name: s.name })}${colon}${s.unsubscribeUrl}`,
      ].join('\n'),
    ),
    `${f(copy.manage)}${colon}${digest.manageUrl}`,
    `${f(copy.footer)}\n\n— Campagne Connectée\n`,
  ].join('\n\n');

  const e = escapeHtml;
  const link = (url: string, label: string, style = '') =>
    `<a href="${e(url)}"${style ? ` style="${style}"` : ''}>${e(label)}</a>`;
  const small = 'font-size:.875rem;color:#4d5753';
  const html = `<!doctype html><html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#1c2321;line-height:1.5;max-width:36rem;margin:auto;padding:1rem">
<p>${e(f(copy.greeting, { name: digest.name }))}</p><p>${e(f(copy.intro))}</p>
${digest.sections
  .map(
    (
      s,
    ) => `<h2 style="font-size:1.15rem;margin:1.5rem 0 .5rem">${e(f(copy.heading, { name: s.name, count: s.total }))}</h2>
<ul style="padding-left:1.25rem">${s.offers.map((o) => `<li style="margin-bottom:.5rem">${link(o.url, o.title, 'color:#1f5f4a;font-weight:600')}<br><span style="${small}">${e(o.line)}</span></li>`).join('')}</ul>
<p>${link(s.searchUrl, more(s), 'color:#1f5f4a')}</p>
<p style="${small}">${link(s.unsubscribeUrl, f(copy.unsubscribe, { name: s.name }), 'color:#4d5753')}</p>`,
  )
  .join('\n')}
<p style="${small}">${link(digest.manageUrl, f(copy.manage), 'color:#4d5753')}</p>
<p style="${small}">${e(f(copy.footer))}</p>
<p>— Campagne Connectée</p></body></html>`;
  return { subject, html, text };
}
