// "Tell me when fibre arrives": a person asks to be told when a commune's FttH coverage
// passes a threshold. Signed in, the alert is theirs at once; by email, it waits for the
// confirmation link. When a coverage import raises a commune past an alert's threshold,
// one email goes through the outbox, in the import's own transaction, and the alert is
// marked announced: never twice for the same crossing. Every email carries the link that
// ends the alert in one click.
import { randomBytes } from 'node:crypto';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'astro/zod';
import type { Db } from '../../../db/client.ts';
import { communeCoverage, communes, coverageHistory, fibreAlerts, fibreThresholds } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { Invalid, RateLimited } from '../errors.ts';
import { parseInput } from '../input.ts';
import { EmailSchema } from '../accounts/schemas.ts';
import { hit, LIMITS } from '../accounts/rate-limit.ts';
import type { SessionUser } from '../accounts/session.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { MailLocale } from '../mail/templates.ts';
import { communePath } from '../places/links.ts';
import { formatNumber } from '../../i18n/format.ts';

export type FibreThreshold = (typeof fibreThresholds)[number];

/** The share of premises each threshold means: any premises, half of them, most of them. */
export const THRESHOLD_SHARES: Record<FibreThreshold, number> = { any: 0.000001, half: 0.5, most: 0.8 };

export const FibreAlertSchema = z.object({
  threshold: z.enum(fibreThresholds, { error: 'errors.invalid_choice' }),
});
export const AnonymousFibreAlertSchema = FibreAlertSchema.extend({ email: EmailSchema });

export interface AlertsContext {
  db: Db;
  clock: Clock;
  siteUrl: string;
}

const newToken = () => randomBytes(24).toString('base64url');
const absolute = (siteUrl: string, path: string) => `${siteUrl.replace(/\/$/, '')}${path}`;
const localized = (locale: MailLocale, path: string) => (locale === 'en' ? `/en${path}` : path);
export const alertUrl = (token: string) => `/alertes/fibre?token=${encodeURIComponent(token)}`;

/** The thresholds a commune has not reached yet (an alert on the others would never fire). */
export const openThresholds = (share: number | null | undefined): FibreThreshold[] =>
  fibreThresholds.filter((t) => (share ?? 0) < THRESHOLD_SHARES[t]);

export type SubscribeOutcome = 'subscribed' | 'check_mailbox';

/**
 * Asks for an alert on a commune. Signed in: active at once, on the account's address.
 * By email: a confirmation link is sent (the same answer whether or not an alert exists,
 * so the form tells no one who subscribed to what).
 */
export async function subscribeFibreAlert(
  ctx: AlertsContext,
  who: { user: SessionUser | null; ip: string; locale: MailLocale },
  commune: { code: string; name: string },
  input: unknown,
): Promise<SubscribeOutcome> {
  const { threshold } = parseInput(who.user ? FibreAlertSchema : AnonymousFibreAlertSchema, input);
  const email = who.user ? who.user.email : parseInput(AnonymousFibreAlertSchema, input).email;
  const [coverage] = await ctx.db
    .select({ share: communeCoverage.ftthShare })
    .from(communeCoverage)
    .where(eq(communeCoverage.communeCode, commune.code));
  if (!openThresholds(coverage?.share).includes(threshold))
    throw new Invalid([{ field: 'threshold', key: 'errors.fibre_threshold_reached' }]);
  const now = ctx.clock.now().toISOString();
  if (who.user) {
    await ctx.db
      .insert(fibreAlerts)
      .values({
        email,
        userId: who.user.id,
        communeCode: commune.code,
        threshold: threshold,
        locale: who.locale,
        token: newToken(),
        confirmedAt: now,
        createdAt: now,
      })
      .onConflictDoUpdate({
        target: [fibreAlerts.email, fibreAlerts.communeCode],
        set: { threshold: threshold, userId: who.user.id, confirmedAt: now, notifiedAt: null, notifiedShare: null },
      });
    return 'subscribed';
  }
  // Each confirmation email goes to an address a stranger typed: limit them.
  for (const [key, limit] of [
    [`alert:ip:${who.ip}`, LIMITS.signUpPerIp],
    [`alert:email:${email}`, LIMITS.emailPerAddress],
  ] as const) {
    const r = await hit(ctx.db, key, limit, ctx.clock);
    if (!r.allowed) throw new RateLimited(r.retryAfter);
  }
  await ctx.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(fibreAlerts)
      .where(and(eq(fibreAlerts.email, email), eq(fibreAlerts.communeCode, commune.code)));
    // An active alert is its owner's: a stranger who types the address changes nothing.
    if (existing?.confirmedAt) return;
    const token = existing?.token ?? newToken();
    if (existing)
      await tx
        .update(fibreAlerts)
        .set({ threshold: threshold, locale: who.locale })
        .where(eq(fibreAlerts.id, existing.id));
    else
      await tx.insert(fibreAlerts).values({
        email,
        communeCode: commune.code,
        threshold: threshold,
        locale: who.locale,
        token,
        createdAt: now,
      });
    await enqueueMail(tx, ctx.clock, {
      to: email,
      template: 'fibre_alert_confirm',
      locale: who.locale,
      params: { commune: commune.name, url: absolute(ctx.siteUrl, localized(who.locale, alertUrl(token))) },
    });
  });
  return 'check_mailbox';
}

export interface FibreAlertView {
  communeCode: string;
  communeName: string;
  threshold: FibreThreshold;
  confirmed: boolean;
  announced: boolean;
}

/** The alert a link names, or undefined when the token is unknown (or the alert ended). */
export async function findFibreAlert(db: Db, token: string): Promise<FibreAlertView | undefined> {
  if (!token || token.length > 64) return undefined;
  const [row] = await db
    .select({
      communeCode: fibreAlerts.communeCode,
      communeName: communes.name,
      threshold: fibreAlerts.threshold,
      confirmedAt: fibreAlerts.confirmedAt,
      notifiedAt: fibreAlerts.notifiedAt,
    })
    .from(fibreAlerts)
    .innerJoin(communes, eq(communes.code, fibreAlerts.communeCode))
    .where(eq(fibreAlerts.token, token));
  return (
    row && {
      communeCode: row.communeCode,
      communeName: row.communeName,
      threshold: row.threshold,
      confirmed: row.confirmedAt !== null,
      announced: row.notifiedAt !== null,
    }
  );
}

/** The confirmation link's button: the alert becomes active (again, harmless). */
export async function confirmFibreAlert(db: Db, clock: Clock, token: string): Promise<boolean> {
  if (!token || token.length > 64) return false;
  const done = await db
    .update(fibreAlerts)
    .set({ confirmedAt: sql`coalesce(${fibreAlerts.confirmedAt}, ${clock.now().toISOString()})` })
    .where(eq(fibreAlerts.token, token))
    .returning({ id: fibreAlerts.id });
  return done.length > 0;
}

/** The unsubscribe link's button: the alert is gone. */
export async function endFibreAlert(db: Db, token: string): Promise<boolean> {
  if (!token || token.length > 64) return false;
  const done = await db.delete(fibreAlerts).where(eq(fibreAlerts.token, token)).returning({ id: fibreAlerts.id });
  return done.length > 0;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Inside a coverage import's last transaction, once its figures are shown: every active,
 * not yet announced alert on a commune of the import whose coverage now reaches its
 * threshold gets its email, and is marked announced.
 */
export async function announceFibre(tx: Tx, clock: Clock, siteUrl: string, importId: number): Promise<number> {
  const threshold = sql`CASE ${fibreAlerts.threshold} WHEN 'any' THEN ${THRESHOLD_SHARES.any} WHEN 'half' THEN ${THRESHOLD_SHARES.half} ELSE ${THRESHOLD_SHARES.most} END`;
  const due = await tx
    .select({
      id: fibreAlerts.id,
      email: fibreAlerts.email,
      locale: fibreAlerts.locale,
      token: fibreAlerts.token,
      code: communes.code,
      name: communes.name,
      share: communeCoverage.ftthShare,
    })
    .from(fibreAlerts)
    .innerJoin(communeCoverage, eq(communeCoverage.communeCode, fibreAlerts.communeCode))
    .innerJoin(communes, eq(communes.code, fibreAlerts.communeCode))
    .where(
      and(
        isNotNull(fibreAlerts.confirmedAt),
        isNull(fibreAlerts.notifiedAt),
        sql`${communeCoverage.ftthShare} >= ${threshold}`,
        sql`${fibreAlerts.communeCode} IN (SELECT ${coverageHistory.communeCode} FROM ${coverageHistory} WHERE ${coverageHistory.importId} = ${importId})`,
      ),
    );
  const now = clock.now().toISOString();
  for (const a of due) {
    const locale = a.locale;
    await enqueueMail(tx, clock, {
      to: a.email,
      template: 'fibre_arrived',
      locale,
      params: {
        commune: a.name,
        share: formatNumber(locale, a.share!, { style: 'percent', maximumFractionDigits: 1 }),
        url: absolute(siteUrl, localized(locale, communePath(a))),
        unsubscribeUrl: absolute(siteUrl, localized(locale, alertUrl(a.token))),
      },
    });
    await tx.update(fibreAlerts).set({ notifiedAt: now, notifiedShare: a.share }).where(eq(fibreAlerts.id, a.id));
  }
  return due.length;
}
