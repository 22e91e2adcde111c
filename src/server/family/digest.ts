// The daily digest of saved searches. For each person with alerting searches whose last
// digest is at least DIGEST_MIN_AGE_MS old, every such search runs through the catalogue's
// own search (searchOffers, restricted to offers published since that search's
// lastDigestAt) and the new offers of all of them go into ONE email, written to the outbox
// in the same transaction that advances lastDigestAt. The advance is conditional on the
// value read, so a second run — in this process, another one, or `npm run digest` from
// cron — finds nothing new and sends nothing; nothing new, no email.
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../db/client.ts';
import { savedSearches, users } from '../../../db/schema/index.ts';
import { kindLine, priceText } from '../../components/offers/offer-text.ts';
import { localizedPath, t, type Locale } from '../../i18n/index.ts';
import type { Clock } from '../clock.ts';
import { Invalid } from '../errors.ts';
import { enqueueRenderedMail } from '../mail/outbox.ts';
import { renderSearchDigest, type DigestSection } from '../mail/digest-template.ts';
import { searchOffers, type OfferCard, type OfferSearchResult } from '../offers/queries.ts';
import { storedQuery } from './saved-searches.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';
import { groupRows } from '../../lib/group.ts';
import { HOUR_MS } from '../../lib/time.ts';

/** A person gets at most one digest in this time ("daily", with slack for the scheduler's ticks). */
export const DIGEST_MIN_AGE_MS = 23.5 * HOUR_MS;
/** How often the in-process scheduler looks for people whose digest is due. */
export const DIGEST_CHECK_MS = HOUR_MS;
/** Offers listed per search in the email; the others are behind its "see all" link. */
export const DIGEST_OFFERS_PER_SEARCH = 5;

export interface DigestContext {
  db: Db;
  clock: Clock;
  /** Public URL of the site, for the links in emails. */
  siteUrl: string;
}

export interface DigestReport {
  /** People whose digest was due. */
  due: number;
  /** Emails written to the outbox. */
  emails: number;
  /** Offers listed across those emails. */
  offers: number;
  /** People skipped because another run changed their searches meanwhile. */
  skipped: number;
}

interface DueSearch {
  id: number;
  name: string;
  query: string;
  lastDigestAt: string;
  unsubscribeToken: string;
}

interface DuePerson {
  userId: number;
  email: string;
  name: string;
  locale: Locale;
  searches: DueSearch[];
}

/** People with alerting searches whose oldest lastDigestAt is at or before `cutoff`. */
async function duePeople(db: Db, cutoff: string): Promise<DuePerson[]> {
  // Only the due people's searches are read (all their alerting ones), not every alerting
  // search of every user: who is due comes from saved_searches_alerts_idx (alerts,
  // lastDigestAt), their searches from saved_searches_user_idx (`+alerts`: not the other index).
  const due = alias(savedSearches, 'due');
  const dueUsers = db
    .select({ userId: due.userId })
    .from(due)
    .where(and(eq(due.alerts, true), lte(due.lastDigestAt, cutoff)));
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      userName: users.name,
      locale: users.locale,
      id: savedSearches.id,
      name: savedSearches.name,
      query: savedSearches.query,
      lastDigestAt: savedSearches.lastDigestAt,
      unsubscribeToken: savedSearches.unsubscribeToken,
    })
    .from(savedSearches)
    .innerJoin(users, eq(users.id, savedSearches.userId))
    .where(and(sql`+${savedSearches.alerts} = 1`, isNull(users.deactivatedAt), inArray(savedSearches.userId, dueUsers)))
    .orderBy(savedSearches.userId, savedSearches.id);
  return groupRows(
    rows,
    (r) => r.userId,
    (r): DuePerson => ({ userId: r.userId, email: r.email, name: r.userName, locale: r.locale, searches: [] }),
    (person, r) => {
      const { id, name, query, lastDigestAt, unsubscribeToken } = r;
      person.searches.push({ id, name, query, lastDigestAt, unsubscribeToken });
    },
  );
}

/** The search's offers published in (lastDigestAt, now], newest first; none if it no longer validates. */
async function newOffers(db: Db, search: DueSearch, now: string): Promise<OfferSearchResult | null> {
  const query = storedQuery(search.query);
  if (!query) return null;
  try {
    return await searchOffers(
      db,
      { ...query, tri: 'recent', page: undefined },
      { after: search.lastDigestAt, upTo: now },
    );
  } catch (error) {
    // A territory or commune that no longer exists: the search finds nothing.
    if (error instanceof Invalid) return null;
    throw error;
  }
}

const absolute = (ctx: DigestContext, path: string) => `${ctx.siteUrl.replace(/\/$/, '')}${path}`;

function offerLine(locale: Locale, offer: OfferCard): string {
  return [
    kindLine(locale, offer),
    `${offer.communeName} (${offer.territoryCode})`,
    priceText(locale, offer, { deskLabel: true }),
    offer.label ? t(locale, 'label.title', { label: offer.label }) : t(locale, 'label.unknown'),
    t(locale, `offer.fibre.${offer.fibreStatus}`),
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Another run advanced a search between our read and our write: roll back, skip the person. */
class Superseded extends Error {}

/** Runs the digest once for every person whose digest is due. */
export async function runDigest(
  ctx: DigestContext,
  { minAgeMs = DIGEST_MIN_AGE_MS }: { minAgeMs?: number } = {},
): Promise<DigestReport> {
  const nowDate = ctx.clock.now();
  const now = nowDate.toISOString();
  const cutoff = new Date(nowDate.getTime() - minAgeMs).toISOString();
  const report: DigestReport = { due: 0, emails: 0, offers: 0, skipped: 0 };
  for (const person of await duePeople(ctx.db, cutoff)) {
    report.due++;
    const locale = person.locale;
    const sections: DigestSection[] = [];
    for (const search of person.searches) {
      const found = await newOffers(ctx.db, search, now);
      if (!found || found.total === 0) continue;
      // "See all": the search itself, newest first (the default order).
      const params = new URLSearchParams(search.query);
      params.delete('tri');
      const searchPath = `${localizedPath('/offres', locale)}${params.size ? `?${params}` : ''}`;
      sections.push({
        name: search.name,
        total: found.total,
        offers: found.items.slice(0, DIGEST_OFFERS_PER_SEARCH).map((o) => ({
          title: o.title,
          url: absolute(ctx, localizedPath(`/offres/${o.id}-${o.slug}`, locale)),
          line: offerLine(locale, o),
        })),
        searchUrl: absolute(ctx, searchPath),
        unsubscribeUrl: absolute(
          ctx,
          `${localizedPath('/alertes/desabonnement', locale)}?token=${encodeURIComponent(search.unsubscribeToken)}`,
        ),
      });
    }
    const written = await ctx.db
      .transaction(async (tx) => {
        // Advance every search from the value read; if any moved meanwhile (another run, alerts
        // switched), this person's digest is someone else's now: write nothing.
        for (const search of person.searches) {
          const moved = await tx
            .update(savedSearches)
            .set({ lastDigestAt: now })
            .where(
              and(
                eq(savedSearches.id, search.id),
                eq(savedSearches.lastDigestAt, search.lastDigestAt),
                eq(savedSearches.alerts, true),
              ),
            );
          if (moved.rowsAffected === 0) throw new Superseded();
        }
        if (sections.length === 0) return false;
        await enqueueRenderedMail(tx, ctx.clock, {
          to: person.email,
          template: 'search_digest',
          locale,
          rendered: renderSearchDigest(locale, {
            name: person.name,
            sections,
            manageUrl: absolute(ctx, localizedPath('/compte/recherches', locale)),
          }),
        });
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof Superseded) return null;
        throw error;
      });
    if (written === null) report.skipped++;
    else if (written) {
      report.emails++;
      report.offers += sections.reduce((n, s) => n + s.offers.length, 0);
    }
  }
  return report;
}

/** Runs the digest now and then every `intervalMs` until stopped (the server process). */
export function startDigest(ctx: DigestContext, intervalMs = DIGEST_CHECK_MS): Periodic {
  return startPeriodic('digest', intervalMs, async () => {
    const r = await runDigest(ctx);
    return r.due > 0
      ? `${r.emails} email(s) with ${r.offers} offer(s) for ${r.due} person(s) due${r.skipped ? `, ${r.skipped} skipped` : ''}`
      : null;
  });
}
