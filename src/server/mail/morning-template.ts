// A staff member's morning brief (issue 16): what is due today, in sections of links to files.
import { formatMessage } from '../../i18n/format.ts';
import { escapeHtml, type MailLocale, type RenderedMail } from './templates.ts';

export interface BriefItem {
  /** "Famille Martin — Rappeler (en retard depuis le 2 déc.)". */
  line: string;
  url: string;
}

export interface MorningBrief {
  name: string;
  tasks: BriefItem[];
  stays: BriefItem[];
  /** Files past the territory's first-answer target. */
  late: BriefItem[];
  /** Enquiries waiting for a first answer (those past the target included). */
  waiting: number;
  homeUrl: string;
}

const N = '\u00a0';
const copies: Record<MailLocale, Record<string, string>> = {
  fr: {
    subject: `Votre journée${N}: {count, plural, one {# point} other {# points}} à suivre`,
    greeting: 'Bonjour {name},',
    intro: 'Voici ce qui vous attend aujourd’hui sur Campagne Connectée.',
    tasks: 'Tâches du jour et en retard',
    stays: 'Séjours de découverte qui commencent aujourd’hui ou demain',
    late: 'Dossiers qui attendent une première réponse au-delà de l’engagement du territoire',
    waiting: '{count, plural, one {# demande attend} other {# demandes attendent}} une première réponse.',
    open: 'Ouvrir mon espace agent',
    footer:
      'Vous recevez ce message chaque matin où quelque chose vous attend, parce que vous êtes agent du programme.',
  },
  en: {
    subject: 'Your day: {count, plural, one {# item} other {# items}} to follow up',
    greeting: 'Hello {name},',
    intro: 'Here is what awaits you today on Campagne Connectée.',
    tasks: 'Tasks due today and late',
    stays: 'Discovery stays starting today or tomorrow',
    late: 'Files waiting for a first answer beyond the territory’s target',
    waiting: '{count, plural, one {# enquiry is} other {# enquiries are}} waiting for a first answer.',
    open: 'Open my agent home',
    footer: 'You receive this message each morning something awaits you, because you are an agent of the programme.',
  },
};

/** Items in the brief: tasks, stays and late files (the waiting count is their context). */
export const briefCount = (b: MorningBrief) => b.tasks.length + b.stays.length + b.late.length;

export function renderMorningBrief(locale: MailLocale, brief: MorningBrief): RenderedMail {
  const copy = copies[locale];
  const f = (template: string, params: Record<string, string | number> = {}) => formatMessage(locale, template, params);
  const colon = locale === 'fr' ? `${N}: ` : ': ';
  const sections = (
    [
      ['late', brief.late],
      ['tasks', brief.tasks],
      ['stays', brief.stays],
    ] as const
  ).filter(([, items]) => items.length > 0);
  const text = [
    f(copy.greeting!, { name: brief.name }),
    f(copy.intro!),
    ...sections.map(([key, items]) => [`## ${copy[key]}`, ...items.map((i) => `- ${i.line}\n  ${i.url}`)].join('\n')),
    brief.waiting > 0 ? f(copy.waiting!, { count: brief.waiting }) : '',
    `${f(copy.open!)}${colon}${brief.homeUrl}`,
    `${f(copy.footer!)}\n\n— Campagne Connectée\n`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const e = escapeHtml;
  const html = `<!doctype html><html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#1c2321;line-height:1.5;max-width:36rem;margin:auto;padding:1rem">
<p>${e(f(copy.greeting!, { name: brief.name }))}</p><p>${e(f(copy.intro!))}</p>
${sections
  .map(
    ([key, items]) =>
      `<h2 style="font-size:1.1rem;margin:1.25rem 0 .5rem">${e(copy[key]!)}</h2><ul style="padding-left:1.25rem">${items
        .map((i) => `<li style="margin-bottom:.4rem"><a href="${e(i.url)}" style="color:#1f5f4a">${e(i.line)}</a></li>`)
        .join('')}</ul>`,
  )
  .join('\n')}
${brief.waiting > 0 ? `<p>${e(f(copy.waiting!, { count: brief.waiting }))}</p>` : ''}
<p><a href="${e(brief.homeUrl)}" style="display:inline-block;background:#1f5f4a;color:#fff;padding:.75rem 1.25rem;border-radius:4px;text-decoration:none;font-weight:600">${e(f(copy.open!))}</a></p>
<p style="font-size:.875rem;color:#4d5753">${e(f(copy.footer!))}</p>
<p>— Campagne Connectée</p></body></html>`;
  return { subject: f(copy.subject!, { count: briefCount(brief) }), html, text };
}
