// The ambassadors' forms of /compte (decision 024): their id prefix and their fields' labels,
// read by the fields (AmbassadorPart) and by the page's ErrorSummary (FamilyFile).
import { t, type Locale } from '../../i18n/index.ts';

export function ambassadorForms(locale: Locale) {
  return {
    ambassador: {
      idPrefix: 'amb',
      labels: {
        profession: t(locale, 'ambassador.profession'),
        languages: t(locale, 'ambassador.languages'),
        byEmail: t(locale, 'ambassador.contactWays'),
        phone: t(locale, 'ambassador.phone'),
        bestTimes: t(locale, 'ambassador.bestTimes'),
        presentation: t(locale, 'ambassador.presentation'),
      },
    },
    'ambassador-status': { idPrefix: 'amb-status', labels: { status: t(locale, 'ambassador.status') } },
    story: {
      idPrefix: 'story',
      labels: {
        locale: t(locale, 'ambassador.storyLocale'),
        title: t(locale, 'ambassador.storyTitle'),
        body: t(locale, 'ambassador.storyBody'),
      },
    },
    'introduction-family': { idPrefix: 'intro', labels: { answer: t(locale, 'ambassador.answer') } },
    'introduction-ambassador': { idPrefix: 'intro', labels: { answer: t(locale, 'ambassador.answer') } },
  } as const;
}

export type AmbassadorIntent = keyof ReturnType<typeof ambassadorForms>;
export const isAmbassadorIntent = (intent: string | undefined): intent is AmbassadorIntent =>
  !!intent && Object.hasOwn(ambassadorForms('fr'), intent);
