// Who publishes the portal, who hosts it and whom to write to: what the legal notice, the
// privacy notice and the accessibility statement say about the operator. A deployment edits
// this one file (the pages read nothing else about the operator). A value left null reads
// "to be completed by the publisher" on the pages: nothing here is invented — no name,
// SIRET, address or audit until the operator provides them.

export interface Organisation {
  name: string | null;
  /** E.g. "Département (collectivité territoriale)", "Groupement d’intérêt public". */
  legalForm: string | null;
  /** Postal address, one line. */
  address: string | null;
  /** 14 digits, from the INSEE's SIRENE directory. */
  siret: string | null;
  phone: string | null;
  email: string | null;
}

/** The result of an RGAA conformity audit, when one has been carried out. */
export interface AccessibilityAudit {
  /** ISO date of the audit. */
  date: string;
  /** Who audited (a company, or the operator's own team). */
  auditor: string;
  /** Share of the applicable RGAA criteria that are met, 0–100. */
  rate: number;
}

export interface LegalIdentity {
  publisher: Organisation;
  /** The director of publication (loi n° 2004-575, art. 6): name and office. */
  director: string | null;
  host: Pick<Organisation, 'name' | 'address' | 'phone'>;
  /** How to reach the data protection officer (an email or a postal address). */
  dataProtectionOfficer: string | null;
  /** Where to report an accessibility problem; the publisher's email when null. */
  accessibilityContact: string | null;
  /** The address of the publisher's multi-year accessibility plan (schéma pluriannuel). */
  accessibilityPlanUrl: string | null;
  accessibilityAudit: AccessibilityAudit | null;
}

export const legalIdentity: LegalIdentity = {
  publisher: { name: null, legalForm: null, address: null, siret: null, phone: null, email: null },
  director: null,
  host: { name: null, address: null, phone: null },
  dataProtectionOfficer: null,
  accessibilityContact: null,
  accessibilityPlanUrl: null,
  accessibilityAudit: null,
};

/** The date the legal texts (their wording in src/i18n) were last changed. */
export const LEGAL_TEXTS_DATE = '2026-12-05';
