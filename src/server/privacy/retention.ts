// Personal data kept no longer than needed (GDPR art. 5-1-e), by a daily job (in the server
// process, and in `npm run digest` for cron):
// - a closed file — withdrawn, or settled once its last follow-up is behind it — is
//   anonymised when its territory's retention period (`territories.retention_months`) has
//   passed since the last contact; reports keep exactly their figures (anonymiseFiles);
// - a family's or owner's account unused for 3 years is warned by email, then deleted 30
//   days later unless it was used meanwhile (any sign-in or activity clears the warning);
// - the staff access log's entries are deleted after 12 months (purgeAccessLog);
// - a sent email's subject and text are emptied after 30 days (its one-time link with them),
//   sent and failed emails deleted after 12 months (pruneOutbox).
import { and, eq, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { anonymiseFiles, type FileToAnonymise } from '../candidates/anonymise.ts';
import type { Clock } from '../clock.ts';
import { eraseAccount } from '../family/erase.ts';
import { formatDate, localizedPath } from '../../i18n/index.ts';
import { DAY_MS } from '../../lib/time.ts';
import { enqueueMail, pruneOutbox } from '../mail/outbox.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';
import { expiresWhenInactive } from '../policy.ts';
import { INACTIVE_ACCOUNTS } from '../legal/privacy.ts';
import { purgeAccessLog } from '../audit/access-log.ts';

export interface RetentionContext {
  db: Db;
  clock: Clock;
  siteUrl: string;
}

/** Files anonymised per transaction: a big first run never holds the write lock for long. */
const BATCH = 200;

/**
 * The closed files whose retention period has passed, with the files merged into them.
 * Read from two partial indexes (migration 0057): the closed files contacted before the
 * shortest period's cut-off, then each territory's own; the merged files of those. Scanning
 * every file took 130 ms at 100 000, holding the event loop at each start of a server.
 */
async function expiredFiles(db: Db, now: string): Promise<FileToAnonymise[]> {
  const cutOff = (months: SQL) => sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${now}, '-' || ${months} || ' months')`;
  return db.all<FileToAnonymise>(sql`
    WITH expired AS MATERIALIZED (
      SELECT c.id FROM candidates c JOIN territories t ON t.code = c.territory_code
      WHERE c.stage IN ('withdrawn', 'settled') AND c.anonymised_at IS NULL AND c.merged_into_id IS NULL
        AND c.last_contact_at < (SELECT ${cutOff(sql`min(retention_months)`)} FROM territories)
        AND c.last_contact_at < ${cutOff(sql`t.retention_months`)}
        AND (c.stage = 'withdrawn' OR NOT EXISTS (
          SELECT 1 FROM tasks k WHERE k.candidate_id = c.id AND k.done_at IS NULL AND k.due_date > substr(${now}, 1, 10)))
    )
    SELECT id, public_id AS publicId, email, current_place AS currentPlace FROM candidates
    WHERE id IN (SELECT id FROM expired) AND anonymised_at IS NULL
    UNION ALL
    SELECT id, public_id, email, current_place FROM candidates
    WHERE merged_into_id IN (SELECT id FROM expired) AND merged_into_id IS NOT NULL AND anonymised_at IS NULL
    ORDER BY 1`);
}

export async function anonymiseExpiredFiles(ctx: RetentionContext): Promise<number> {
  const now = ctx.clock.now().toISOString();
  const files = await expiredFiles(ctx.db, now);
  for (let i = 0; i < files.length; i += BATCH)
    await ctx.db.transaction((tx) => anonymiseFiles(tx, files.slice(i, i + BATCH), null, now));
  return files.length;
}

const yearsBefore = (date: Date, years: number) => {
  const d = new Date(date);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d;
};

/** Warns the accounts unused for 3 years less 30 days, deletes those warned 30 days ago. */
export async function expireInactiveAccounts(ctx: RetentionContext): Promise<{ warned: number; deleted: number }> {
  const now = ctx.clock.now();
  const lastUse = sql`coalesce(${users.lastSeenAt}, ${users.createdAt})`;
  const warnBefore = new Date(
    yearsBefore(now, INACTIVE_ACCOUNTS.years).getTime() + INACTIVE_ACCOUNTS.warningDays * DAY_MS,
  ).toISOString();
  const toWarn = await ctx.db
    .select({ id: users.id, email: users.email, name: users.name, locale: users.locale })
    .from(users)
    .where(and(expiresWhenInactive(users.role), isNull(users.inactivityWarnedAt), sql`${lastUse} < ${warnBefore}`));
  const deletion = new Date(now.getTime() + INACTIVE_ACCOUNTS.warningDays * DAY_MS);
  for (const u of toWarn)
    await ctx.db.transaction(async (tx) => {
      await tx.update(users).set({ inactivityWarnedAt: now.toISOString() }).where(eq(users.id, u.id));
      await enqueueMail(tx, ctx.clock, {
        to: u.email,
        template: 'account_inactive',
        locale: u.locale,
        params: {
          name: u.name,
          date: formatDate(u.locale, deletion.toISOString()),
          url: new URL(localizedPath('/connexion', u.locale), ctx.siteUrl).toString(),
        },
      });
    });
  const toDelete = await ctx.db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(
      and(
        expiresWhenInactive(users.role),
        isNotNull(users.inactivityWarnedAt),
        lte(users.inactivityWarnedAt, new Date(now.getTime() - INACTIVE_ACCOUNTS.warningDays * DAY_MS).toISOString()),
        or(isNull(users.lastSeenAt), sql`${users.lastSeenAt} < ${users.inactivityWarnedAt}`),
      ),
    );
  for (const u of toDelete) await ctx.db.transaction((tx) => eraseAccount(tx, u.id, u.email));
  return { warned: toWarn.length, deleted: toDelete.length };
}

export interface RetentionReport {
  files: number;
  warned: number;
  deleted: number;
  /** Entries of the staff access log older than 12 months, deleted. */
  accessLog: number;
  /** Sent emails whose subject and text were emptied, and emails deleted (`pruneOutbox`). */
  mailTexts: number;
  mails: number;
}

export async function runRetention(ctx: RetentionContext): Promise<RetentionReport> {
  const files = await anonymiseExpiredFiles(ctx);
  const accounts = await expireInactiveAccounts(ctx);
  const accessLog = await purgeAccessLog(ctx.db, ctx.clock);
  const mail = await pruneOutbox(ctx.db, ctx.clock);
  return { files, ...accounts, accessLog, mailTexts: mail.emptied, mails: mail.deleted };
}

export function startRetention(ctx: RetentionContext, intervalMs = DAY_MS): Periodic {
  return startPeriodic('retention', intervalMs, async () => {
    const r = await runRetention(ctx);
    return r.files || r.warned || r.deleted || r.accessLog || r.mailTexts || r.mails
      ? `${r.files} file(s) anonymised, ${r.warned} account(s) warned, ${r.deleted} deleted, ${r.accessLog} access log entries deleted, ${r.mailTexts} email text(s) emptied, ${r.mails} email(s) deleted`
      : null;
  });
}
