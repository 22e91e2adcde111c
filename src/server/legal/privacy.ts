// What the privacy notice and the cookies statement state as figures, read from where the
// rules live: each territory's retention of closed files (its settings), session and link
// lifetimes (the accounts' modules), the abuse counters' windows, the staff access log's
// months, the outbox's days and months. A changed rule changes the notice; only the account
// policy below is stated here.
import type { Db } from '../../../db/client.ts';
import { DAY_MS, HOUR_MS } from '../../lib/time.ts';
import { LIMITS } from '../accounts/rate-limit.ts';
import { SESSION_COOKIE_MAX_AGE_DAYS, SESSION_COOKIE_NAME } from '../accounts/session-cookie.ts';
import { SESSION_LIFETIMES } from '../accounts/session.ts';
import { TOKEN_LIFETIME_MS } from '../accounts/tokens.ts';
import { territoriesWithSettings } from '../places/territories.ts';
import { ACCESS_LOG_MONTHS } from '../audit/access-log.ts';
import { MAIL_MONTHS, MAIL_TEXT_DAYS } from '../mail/outbox.ts';

/**
 * Accounts without a sign-in for this long are deleted, after a warning email this many days
 * before. The policy the notice announces (issue 13); the job that applies it reads these.
 */
export const INACTIVE_ACCOUNTS = { years: 3, warningDays: 30 } as const;

/** A territory as the legal pages name it: retention of its closed files, its contact. */
export interface LegalTerritory {
  code: string;
  name: string;
  retentionMonths: number;
  contactEmail: string | null;
  contactPhone: string | null;
}

/** Every territory, by code, with its configured retention and contact. */
export async function legalTerritories(db: Db): Promise<LegalTerritory[]> {
  return (await territoriesWithSettings(db)).map(({ code, name, retentionMonths, contactEmail, contactPhone }) => ({
    code,
    name,
    retentionMonths,
    contactEmail,
    contactPhone,
  }));
}

const staffRoles = ['agent', 'territory_admin', 'platform_admin'] as const;
const familyRoles = ['family', 'owner'] as const;
const minOf = (values: number[]) => Math.min(...values);
const maxOf = (values: number[]) => Math.max(...values);

/** Lifetimes the notices state, in the unit they read best in. */
export function lifetimes() {
  const windows = Object.values(LIMITS).map((l) => l.windowMs);
  const tokens = Object.values(TOKEN_LIFETIME_MS);
  return {
    sessionCookie: { name: SESSION_COOKIE_NAME, maxAgeDays: SESSION_COOKIE_MAX_AGE_DAYS },
    /** A family's or an owner's session ends after this many days without a visit. */
    familyIdleDays: Math.round(maxOf(familyRoles.map((r) => SESSION_LIFETIMES[r].idleMs)) / DAY_MS),
    /** A staff session ends after this many hours without a visit, and this many days at most. */
    staffIdleHours: Math.round(maxOf(staffRoles.map((r) => SESSION_LIFETIMES[r].idleMs)) / HOUR_MS),
    staffMaxDays: Math.round(maxOf(staffRoles.map((r) => SESSION_LIFETIMES[r].absoluteMs)) / DAY_MS),
    /** Links sent by email (sign-in, verification, reset, invitation) expire within these. */
    linkMinMinutes: Math.round(minOf(tokens) / 60_000),
    linkMaxDays: Math.round(maxOf(tokens) / DAY_MS),
    /** Abuse counters count within windows of these lengths. */
    counterMinMinutes: Math.round(minOf(windows) / 60_000),
    counterMaxHours: Math.round(maxOf(windows) / HOUR_MS),
    inactiveAccounts: INACTIVE_ACCOUNTS,
    /** The staff access log's entries are deleted after this many months. */
    accessLogMonths: ACCESS_LOG_MONTHS,
    /** A sent email's text is emptied after this many days, its row deleted after these months. */
    mailTextDays: MAIL_TEXT_DAYS,
    mailMonths: MAIL_MONTHS,
  };
}

/**
 * The host a map tile template loads from ("https://{s}.tile.example.org/{z}/{x}/{y}.png" →
 * "tile.example.org"): the one other site a visitor's browser may reach.
 */
export function tileHost(template: string): string {
  try {
    return new URL(template.replace(/\{s\}\./, '').replace(/\{[^}]*\}/g, '0')).host;
  } catch {
    return template;
  }
}
