// The fields of a territory's settings, bound to the form's state. Called in the page's
// frontmatter so that the error summary (rendered before the fields) knows their labels.
import { type formFields } from '../../components/ui/index.ts';
import { t, type Locale } from '../../i18n/index.ts';

export function territoryFields(field: ReturnType<typeof formFields>['field'], locale: Locale) {
  return {
    name: field('name', t(locale, 'territories.name')),
    presentationFr: field('presentationFr', t(locale, 'territories.presentationFr')),
    presentationEn: field('presentationEn', t(locale, 'territories.presentationEn')),
    contactEmail: field('contactEmail', t(locale, 'territories.contactEmail')),
    contactPhone: field('contactPhone', t(locale, 'territories.contactPhone')),
    retentionMonths: field('retentionMonths', t(locale, 'territories.retentionMonths')),
    firstAnswerHours: field('firstAnswerHours', t(locale, 'territories.firstAnswerHours')),
    acceptsOwnerOffers: field('acceptsOwnerOffers', t(locale, 'territories.acceptsOwnerOffers')),
  };
}
export type TerritoryFields = ReturnType<typeof territoryFields>;
