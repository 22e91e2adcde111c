// The forms of a file page, by intent: their id prefix and their fields' labels, read by
// the fields (FileSide, FileMain) and by the page's ErrorSummary (FileView).
import { formFields } from '../../../components/ui/index.ts';
import { t, type Locale } from '../../../i18n/index.ts';

export function fileForms(locale: Locale) {
  return {
    stage: {
      idPrefix: 'm',
      labels: {
        to: t(locale, 'file.moveTo'),
        settledCommuneCode: t(locale, 'file.settledCommune'),
        settledAt: t(locale, 'file.settledAt'),
        settledHouseholdSize: t(locale, 'file.settledSize'),
        withdrawalReason: t(locale, 'file.reason'),
        withdrawalComment: t(locale, 'file.comment'),
      },
      // The commune is typed by name and reported under its resolved code.
      names: { settledCommuneCode: 'settledCommune' },
    },
    assign: { idPrefix: 'a', labels: { agent: t(locale, 'file.assign') } },
    task: {
      idPrefix: 't',
      labels: {
        title: t(locale, 'file.taskTitle'),
        dueDate: t(locale, 'file.taskDue'),
        assigneeId: t(locale, 'file.taskAssignee'),
      },
    },
    note: { idPrefix: 'n', labels: { note: t(locale, 'file.note') } },
    duplicate: { idPrefix: 'd', labels: { other: t(locale, 'file.markDuplicate') } },
    territory: {
      idPrefix: 'tr',
      labels: {
        territory: t(locale, 'file.transferTo'),
        consent: t(locale, 'file.transferConsent'),
        consentNote: t(locale, 'file.transferConsentNote'),
      },
    },
    stay: {
      idPrefix: 's',
      labels: {
        startDate: t(locale, 'stay.start'),
        endDate: t(locale, 'stay.end'),
        places: t(locale, 'stay.places'),
        hosts: t(locale, 'stay.hosts'),
      },
    },
    message: { idPrefix: 'msg', labels: { body: t(locale, 'file.writeMessage') } },
    maturity: {
      idPrefix: 'mat',
      labels: { score: t(locale, 'maturity.override.score'), reason: t(locale, 'maturity.override.reason') },
    },
    introduce: {
      idPrefix: 'intro',
      labels: { ambassador: t(locale, 'introduce.ambassador'), note: t(locale, 'introduce.note') },
    },
    'propose-work': { idPrefix: 'wk', labels: { opportunity: t(locale, 'match.title') } },
    project: {
      idPrefix: 'pr',
      labels: {
        name: t(locale, 'projectEdit.name'),
        phone: t(locale, 'projectEdit.phone'),
        adults: t(locale, 'projectEdit.adults'),
        children: t(locale, 'projectEdit.children'),
        profession: t(locale, 'projectEdit.profession'),
        remoteStatus: t(locale, 'projectEdit.remoteStatus'),
        partnerProfession: t(locale, 'projectEdit.partnerProfession'),
        partnerRemoteStatus: t(locale, 'projectEdit.partnerRemoteStatus'),
        partnerWish: t(locale, 'projectEdit.partnerWish'),
        partnerSought: t(locale, 'projectEdit.partnerSought'),
        currentPlace: t(locale, 'projectEdit.currentPlace'),
        wishedCommunes: t(locale, 'projectEdit.communes'),
        transaction: t(locale, 'projectEdit.transaction'),
        budgetMax: t(locale, 'projectEdit.budget'),
        housingNeeds: t(locale, 'projectEdit.housingNeeds'),
        workspaceNeeds: t(locale, 'projectEdit.workspaceNeeds'),
        minDownloadMbps: t(locale, 'projectEdit.minDownload'),
        timeFrame: t(locale, 'projectEdit.timeFrame'),
      },
    },
  } as const;
}

export type FileFormIntent = keyof ReturnType<typeof fileForms>;

/**
 * The fields of one form of the file page: `field(key)` gives a field's props, refilled
 * and with its error only when that form was the one posted (the stage form has no intent);
 * otherwise with `initial` (what the file says now, for a form that edits it).
 */
export function fileFields<I extends FileFormIntent>(
  locale: Locale,
  intent: I,
  state: { errors: Record<string, string>; values: Record<string, string> },
  initial: Record<string, string> = {},
) {
  const form = fileForms(locale)[intent];
  const posted = state.values.intent === intent || (intent === 'stage' && !state.values.intent);
  const { field } = formFields(posted ? state : { errors: {}, values: initial }, form.idPrefix);
  const names: Record<string, string> = 'names' in form ? form.names : {};
  return (key: keyof (typeof form)['labels'] & string) =>
    field(names[key] ?? key, (form.labels as Record<string, string>)[key]!, key);
}
