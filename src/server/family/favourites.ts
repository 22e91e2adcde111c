// A family's favourite offers. Only families keep favourites (staff get Forbidden); only a
// published offer can be added, and removing always works (even once it is unpublished).
// Setting the wished state rather than toggling makes a double submit or a stale page harmless.
import { and, count, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { favourites, offers } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Forbidden, Invalid } from '../errors.ts';
import { isFamily, mayKeepFavourites } from '../policy.ts';
import { listPublishedCards, type OfferCard } from '../offers/queries.ts';
import { CompareSchema, FavouriteSchema, NoteSchema, parse } from './schemas.ts';
import { dailyLife, type DailyLifeEntry } from '../places/daily-life.ts';
import { getCommune } from '../places/queries.ts';

/** More than any family needs; keeps a runaway script from filling the table. */
export const MAX_FAVOURITES = 500;

export interface FamilyContext {
  db: Db;
  clock: Clock;
}

export function requireFamily(actor: SessionUser | null): asserts actor is SessionUser {
  if (!actor || !isFamily(actor)) throw new Forbidden();
}

/** Who gets a heart on offer cards: visitors (it leads to sign-in) and families, not staff. */
export { mayKeepFavourites };

/**
 * Sets whether an offer is among the actor's favourites (`favori`: "1" add, "0" remove).
 * Returns the resulting state.
 */
export async function setFavourite(
  ctx: FamilyContext,
  actor: SessionUser | null,
  input: unknown,
): Promise<{ offerId: number; favourite: boolean }> {
  requireFamily(actor);
  const { offre: offerId, favori } = parse(FavouriteSchema, input);
  if (!favori) {
    await ctx.db.delete(favourites).where(and(eq(favourites.userId, actor.id), eq(favourites.offerId, offerId)));
    return { offerId, favourite: false };
  }
  return ctx.db.transaction(async (tx) => {
    const [offer] = await tx.select({ status: offers.status }).from(offers).where(eq(offers.id, offerId));
    if (!offer || offer.status !== 'published')
      throw new Invalid([{ field: 'offre', key: 'errors.favourite_unpublished' }]);
    const [already] = await tx
      .select({ n: count() })
      .from(favourites)
      .where(and(eq(favourites.userId, actor.id), eq(favourites.offerId, offerId)));
    if (already!.n > 0) return { offerId, favourite: true };
    const [kept] = await tx.select({ n: count() }).from(favourites).where(eq(favourites.userId, actor.id));
    if (kept!.n >= MAX_FAVOURITES)
      throw new Invalid([
        { field: 'offre', key: 'errors.too_many_favourites', params: { max: String(MAX_FAVOURITES) } },
      ]);
    await tx
      .insert(favourites)
      .values({ userId: actor.id, offerId, createdAt: ctx.clock.now().toISOString() })
      .onConflictDoNothing();
    return { offerId, favourite: true };
  });
}

/** The ids of the actor's favourite offers (empty for visitors and staff). */
export async function favouriteOfferIds(db: Db, actor: SessionUser | null): Promise<Set<number>> {
  if (!actor || !isFamily(actor)) return new Set();
  const rows = await db.select({ offerId: favourites.offerId }).from(favourites).where(eq(favourites.userId, actor.id));
  return new Set(rows.map((r) => r.offerId));
}

export interface FavouriteList {
  /** Published favourites as cards, most recently added first. */
  cards: OfferCard[];
  /** Favourites that are no longer published: shown as such, with a remove button. */
  unavailable: Array<{ id: number; title: string }>;
}

export async function listFavourites(db: Db, actor: SessionUser | null): Promise<FavouriteList> {
  requireFamily(actor);
  const rows = await db
    .select({ id: offers.id, title: offers.title, status: offers.status })
    .from(favourites)
    .innerJoin(offers, eq(offers.id, favourites.offerId))
    .where(eq(favourites.userId, actor.id))
    .orderBy(desc(favourites.createdAt), desc(favourites.offerId));
  const cards = await listPublishedCards(
    db,
    rows.filter((r) => r.status === 'published').map((r) => r.id),
  );
  const shown = new Set(cards.map((c) => c.id));
  return { cards, unavailable: rows.filter((r) => !shown.has(r.id)).map(({ id, title }) => ({ id, title })) };
}

export interface Comparison {
  /** The offers, in the order they were asked for, each with the family's note, and the
   *  nearest école and station of its commune (from its centre: daily-life.ts). */
  offers: Array<OfferCard & { note: string; school: DailyLifeEntry | null; station: DailyLifeEntry | null }>;
}

/**
 * Two to four of the actor's published favourites side by side (`offres`: their ids); any
 * other id — not a favourite, another family's, unpublished — refuses the whole comparison.
 */
export async function compareFavourites(db: Db, actor: SessionUser | null, input: unknown): Promise<Comparison> {
  requireFamily(actor);
  const { offres: ids } = parse(CompareSchema, input);
  const mine = await db
    .select({ offerId: favourites.offerId, note: favourites.note })
    .from(favourites)
    .where(and(eq(favourites.userId, actor.id), inArray(favourites.offerId, ids)));
  const notes = new Map(mine.map((r) => [r.offerId, r.note ?? '']));
  const cards = await listPublishedCards(
    db,
    ids.filter((id) => notes.has(id)),
  );
  if (cards.length !== ids.length) throw new Invalid([{ field: 'offres', key: 'errors.compare_not_favourites' }]);
  const near = await Promise.all(
    cards.map(async (card) => {
      const commune = await getCommune(db, card.communeCode);
      const life = commune ? await dailyLife(db, commune) : null;
      const entry = (kind: DailyLifeEntry['kind']) => life?.entries.find((e) => e.kind === kind) ?? null;
      return { school: entry('school_primary'), station: entry('station') };
    }),
  );
  return { offers: cards.map((card, i) => ({ ...card, note: notes.get(card.id)!, ...near[i]! })) };
}

/** Writes the actor's private note on one of their favourites (an empty note clears it). */
export async function saveFavouriteNote(db: Db, actor: SessionUser | null, input: unknown): Promise<number> {
  requireFamily(actor);
  const { offre: offerId, note } = parse(NoteSchema, input);
  const saved = await db
    .update(favourites)
    .set({ note: note === '' ? null : note })
    .where(and(eq(favourites.userId, actor.id), eq(favourites.offerId, offerId)))
    .returning({ offerId: favourites.offerId });
  if (saved.length === 0) throw new Invalid([{ field: 'offre', key: 'errors.compare_not_favourites' }]);
  return offerId;
}
