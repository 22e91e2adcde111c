// Freshness: an offer its agent or owner has not confirmed for STALE_DAYS is flagged in the
// back office (and its owner emailed, once per unconfirmed period); after HIDE_DAYS it leaves
// the public catalogue (status `expired`) until someone confirms it. Confirming is one click;
// an agent's edit or publication confirms too. `runFreshness` is a pass of the periodic job.
import { and, eq, inArray, isNotNull, lt, or, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { offerEvents, offers, opportunities, opportunityEvents, users } from '../../../db/schema/index.ts';
import { DAY_MS, HOUR_MS } from '../../lib/time.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';
import { ownerOfferUrl } from './links.ts';
import { ownerBusinessUrl } from '../opportunities/links.ts';
import { tiersLieuChanged } from './nearest.ts';
import { changeLife, type ItemOf } from './manage.ts';
import { isOwner, isStaff, territoryCondition } from '../policy.ts';

export const STALE_DAYS = 60;
export const HIDE_DAYS = 90;

const daysBefore = (clock: Clock, days: number) => new Date(clock.now().getTime() - days * DAY_MS).toISOString();

/** SQL: the offer is online (or hidden for it) and unconfirmed for STALE_DAYS. */
export const staleCondition = (clock: Clock) =>
  and(inArray(offers.status, ['published', 'expired']), lt(offers.confirmedAt, daysBefore(clock, STALE_DAYS)));
/** The same rule for jobs and businesses. */
export const workStaleCondition = (clock: Clock) =>
  and(
    inArray(opportunities.status, ['published', 'expired']),
    lt(opportunities.confirmedAt, daysBefore(clock, STALE_DAYS)),
  );

/**
 * "Still available": its agent (in their territories) or its owner says so. An offer hidden
 * for want of confirmation comes back to the catalogue.
 */
export async function confirmOffer(db: Db, clock: Clock, actor: SessionUser, id: number): Promise<void> {
  const offer = await confirmItem(db, clock, actor, 'offer', id);
  // Back in the catalogue: it counts again as a nearest tiers-lieu.
  if (offer.status === 'expired' && offer.kind === 'tiers_lieu') await tiersLieuChanged(db, id, null);
}

/** Confirms an offer (`offer`) or a job or business (`work`) of the actor; returns what it was. */
export async function confirmItem(db: Db, clock: Clock, actor: SessionUser, of: ItemOf, id: number) {
  if (!isOwner(actor) && !isStaff(actor)) throw new Forbidden();
  const table = of === 'offer' ? offers : opportunities;
  const mine = isOwner(actor) ? eq(table.ownerId, actor.id) : territoryCondition(actor, table.territoryCode);
  const [item] = await db
    .select({ status: table.status, kind: table.kind })
    .from(table)
    .where(and(eq(table.id, id), mine));
  if (!item) throw new NotFound(of === 'offer' ? 'offer' : 'opportunity');
  if (item.status !== 'published' && item.status !== 'expired')
    throw new Invalid([{ field: 'intent', key: 'errors.offer_not_online' }]);
  const now = clock.now().toISOString();
  const back = item.status === 'expired' ? { status: 'published' as const } : {};
  await changeLife(
    db,
    of,
    id,
    { confirmedAt: now, ownerRemindedAt: null, ...back, updatedAt: now },
    { kind: 'confirmed', byUserId: actor.id },
  );
  return item;
}

/** Published offers unconfirmed for HIDE_DAYS leave the catalogue; returns how many. */
export async function expireUnconfirmed(db: Db, clock: Clock): Promise<number> {
  const now = clock.now().toISOString();
  const gone = await db.transaction(async (tx) => {
    const rows = await tx
      .update(offers)
      .set({ status: 'expired', updatedAt: now })
      .where(and(eq(offers.status, 'published'), lt(offers.confirmedAt, daysBefore(clock, HIDE_DAYS))))
      .returning({ id: offers.id, kind: offers.kind, lat: offers.lat, lng: offers.lng, fibre: offers.fibreStatus });
    if (rows.length)
      await tx.insert(offerEvents).values(rows.map(({ id }) => ({ offerId: id, kind: 'expired' as const, at: now })));
    return rows;
  });
  // A hidden tiers-lieu is nobody's nearest any more.
  for (const o of gone) if (o.kind === 'tiers_lieu' && o.fibre === 'available') await tiersLieuChanged(db, o.id, o);
  return gone.length;
}

/** Jobs and businesses (src/server/opportunities/) age by the same rule: published ones unconfirmed for HIDE_DAYS are hidden. */
export async function expireUnconfirmedWork(db: Db, clock: Clock): Promise<number> {
  const now = clock.now().toISOString();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(opportunities)
      .set({ status: 'expired', updatedAt: now })
      .where(and(eq(opportunities.status, 'published'), lt(opportunities.confirmedAt, daysBefore(clock, HIDE_DAYS))))
      .returning({ id: opportunities.id });
    if (rows.length)
      await tx
        .insert(opportunityEvents)
        .values(rows.map(({ id }) => ({ opportunityId: id, kind: 'expired' as const, at: now })));
    return rows.length;
  });
}

/**
 * Owners of offers and of businesses unconfirmed for STALE_DAYS get one email per
 * unconfirmed period, with the link to their page's "still available"; returns how many.
 */
export async function remindOwners(db: Db, clock: Clock, siteUrl: string): Promise<number> {
  const owner = { email: users.email, name: users.name, locale: users.locale };
  const unreminded = <T extends typeof offers | typeof opportunities>(t: T) =>
    or(isNull(t.ownerRemindedAt), lt(t.ownerRemindedAt, t.confirmedAt));
  const [homes, businesses] = await Promise.all([
    db
      .select({ id: offers.id, title: offers.title, confirmedAt: offers.confirmedAt, ...owner })
      .from(offers)
      .innerJoin(users, eq(users.id, offers.ownerId))
      .where(and(isNotNull(offers.ownerId), staleCondition(clock), unreminded(offers))),
    db
      .select({ id: opportunities.id, title: opportunities.title, confirmedAt: opportunities.confirmedAt, ...owner })
      .from(opportunities)
      .innerJoin(users, eq(users.id, opportunities.ownerId))
      .where(and(isNotNull(opportunities.ownerId), workStaleCondition(clock), unreminded(opportunities))),
  ]);
  const due = [
    ...homes.map((o) => ({ ...o, table: offers, url: ownerOfferUrl(siteUrl, o.locale, o.id) })),
    ...businesses.map((o) => ({ ...o, table: opportunities, url: ownerBusinessUrl(siteUrl, o.locale, o.id) })),
  ];
  let sent = 0;
  for (const o of due) {
    const days = Math.floor((clock.now().getTime() - Date.parse(o.confirmedAt ?? '')) / DAY_MS);
    const t = o.table;
    await db.transaction(async (tx) => {
      // Only if nobody confirmed or reminded in between (a concurrent pass writes nothing).
      const [claimed] = await tx
        .update(t)
        .set({ ownerRemindedAt: clock.now().toISOString() })
        .where(and(eq(t.id, o.id), sql`${t.confirmedAt} IS ${o.confirmedAt}`, unreminded(t)))
        .returning({ id: t.id });
      if (!claimed) return;
      await enqueueMail(tx, clock, {
        to: o.email,
        template: 'offer_confirm_reminder',
        locale: o.locale,
        params: {
          name: o.name,
          offer: o.title,
          days: String(days),
          left: String(Math.max(0, HIDE_DAYS - days)),
          url: o.url,
        },
      });
      sent++;
    });
  }
  return sent;
}

export interface FreshnessContext {
  db: Db;
  clock: Clock;
  siteUrl: string;
}

/** One pass: hide what is too old, remind owners of what is getting old. */
export async function runFreshness(ctx: FreshnessContext): Promise<{ expired: number; reminded: number }> {
  const expired = (await expireUnconfirmed(ctx.db, ctx.clock)) + (await expireUnconfirmedWork(ctx.db, ctx.clock));
  const reminded = await remindOwners(ctx.db, ctx.clock, ctx.siteUrl);
  return { expired, reminded };
}

/** The periodic pass in the server process (hourly: a day's precision is what the rule needs). */
export function startFreshness(ctx: FreshnessContext, intervalMs = HOUR_MS): Periodic {
  return startPeriodic('freshness', intervalMs, async () => {
    const r = await runFreshness(ctx);
    return r.expired || r.reminded ? `${r.expired} offer(s) hidden, ${r.reminded} owner(s) reminded` : null;
  });
}
