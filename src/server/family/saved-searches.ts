// A family's saved searches of /offres: the query is validated by the catalogue's own
// schema and search (never a copy of their rules) and stored in a canonical form; each
// search can be renamed, deleted, and send a daily digest of new matching offers
// (src/server/family/digest.ts), stopped from its email without signing in.
import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { communes, savedSearches, territories } from '../../../db/schema/index.ts';
import { formatNumber, formatPrice, t, type Locale } from '../../i18n/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Invalid, type FieldError } from '../errors.ts';
import { searchOffers } from '../offers/queries.ts';
import { parseOfferSearch, searchParamNames, type OfferSearchInput } from '../offers/schemas.ts';
import { requireFamily, type FamilyContext } from './favourites.ts';
import {
  parse,
  RenameSearchSchema,
  SaveSearchSchema,
  SEARCH_NAME_MAX,
  SearchAlertsSchema,
  SearchIdSchema,
  SearchNameSchema,
} from './schemas.ts';

export const MAX_SAVED_SEARCHES = 20;

/** Parameters that are not part of what a search finds. */
const NOT_SAVED = new Set(['page']);

/**
 * The canonical query string of a valid search: the catalogue's parameters in their fixed
 * order, without the page nor the default sort. Two searches that find the same offers in
 * the same order have the same canonical form.
 */
export function canonicalQuery(query: OfferSearchInput): string {
  const params = new URLSearchParams();
  for (const name of searchParamNames) {
    const value = query[name];
    if (value === undefined || value === '' || NOT_SAVED.has(name)) continue;
    if (name === 'tri' && value === 'recent') continue;
    params.set(name, String(value));
  }
  return params.toString();
}

/** A stored canonical query as the catalogue's input (the search runs from it). */
export function storedQuery(canonical: string): OfferSearchInput | null {
  const parsed = parseOfferSearch(new URLSearchParams(canonical));
  return parsed.ok ? parsed.query : null;
}

export interface SearchNames {
  territory?: string;
  commune?: string;
}

/**
 * Validates a query string of /offres with the catalogue's schema, then with its search
 * (a territory or commune must name something real). Throws Invalid with the catalogue's
 * own field errors; returns the canonical form, with the commune as its INSEE code.
 */
export async function validateSearch(
  db: Db,
  queryString: string,
): Promise<{ query: OfferSearchInput; canonical: string; names: SearchNames }> {
  const params = new URLSearchParams(queryString.replace(/^\?/, ''));
  for (const name of NOT_SAVED) params.delete(name);
  const parsed = parseOfferSearch(params);
  if (!parsed.ok) throw new Invalid(parsed.errors);
  // Throws Invalid for an unknown territory or commune, like /offres.
  const result = await searchOffers(db, parsed.query);
  const query: OfferSearchInput = { ...parsed.query, ...(result.commune ? { commune: result.commune.code } : {}) };
  const names = (await searchNames(db, [query])).get(canonicalQuery(query)) ?? {};
  return { query, canonical: canonicalQuery(query), names };
}

/** Territory and commune names of searches, keyed by canonical query. */
async function searchNames(db: Db, queries: OfferSearchInput[]): Promise<Map<string, SearchNames>> {
  const territoryCodes = [...new Set(queries.flatMap((q) => (q.territoire ? [q.territoire] : [])))];
  const communeCodes = [...new Set(queries.flatMap((q) => (q.commune ? [q.commune] : [])))];
  const [territoryRows, communeRows] = await Promise.all([
    territoryCodes.length
      ? db
          .select({ code: territories.code, name: territories.name })
          .from(territories)
          .where(inArray(territories.code, territoryCodes))
      : [],
    communeCodes.length
      ? db
          .select({ code: communes.code, name: communes.name })
          .from(communes)
          .where(inArray(communes.code, communeCodes))
      : [],
  ]);
  const territoryName = new Map(territoryRows.map((r) => [r.code, r.name]));
  const communeName = new Map(communeRows.map((r) => [r.code, r.name]));
  return new Map(
    queries.map((q) => [
      canonicalQuery(q),
      { territory: q.territoire && territoryName.get(q.territoire), commune: q.commune && communeName.get(q.commune) },
    ]),
  );
}

/** A readable summary of a search's filters: "Logements à louer · Gers (32) · fibre · jusqu’à 900 €". */
export function describeSearch(locale: Locale, query: OfferSearchInput, names: SearchNames = {}): string {
  const kind =
    query.type === 'logement' || query.transaction || query.tl_km !== undefined || query.ecole_km !== undefined
      ? t(
          locale,
          query.transaction === 'location'
            ? 'family.summary.homesRent'
            : query.transaction === 'vente'
              ? 'family.summary.homesSale'
              : 'search.kind.logement',
        )
      : query.type === 'tiers-lieu'
        ? t(locale, 'search.kind.tiers-lieu')
        : t(locale, 'family.summary.all');
  const parts: string[] = [];
  if (query.territoire) parts.push(`${names.territory ?? query.territoire} (${query.territoire})`);
  if (query.commune) {
    const commune = names.commune ?? query.commune;
    parts.push(query.rayon !== undefined ? t(locale, 'family.summary.near', { km: query.rayon, commune }) : commune);
  }
  if (query.zone) parts.push(t(locale, 'family.summary.zone'));
  if (query.fibre) parts.push(t(locale, 'family.summary.fibre'));
  if (query.debit_min !== undefined) parts.push(t(locale, 'family.summary.download', { mbps: query.debit_min }));
  if (query.upload_min !== undefined) parts.push(t(locale, 'family.summary.upload', { mbps: query.upload_min }));
  if (query.techno) parts.push(t(locale, `tech.${query.techno}`));
  if (query.mobile) parts.push(t(locale, `search.mobile.${query.mobile}`));
  if (query.prix_min !== undefined)
    parts.push(t(locale, 'family.summary.priceMin', { price: formatPrice(locale, query.prix_min) }));
  if (query.prix_max !== undefined)
    parts.push(t(locale, 'family.summary.priceMax', { price: formatPrice(locale, query.prix_max) }));
  if (query.surface_min !== undefined)
    parts.push(t(locale, 'family.summary.surface', { surface: formatNumber(locale, query.surface_min) }));
  if (query.pieces_min !== undefined) parts.push(t(locale, 'family.summary.rooms', { rooms: query.pieces_min }));
  if (query.tl_km !== undefined) parts.push(t(locale, 'family.summary.tlKm', { km: query.tl_km }));
  if (query.ecole_km !== undefined) parts.push(t(locale, 'family.summary.ecoleKm', { km: query.ecole_km }));
  if (query.q) parts.push(t(locale, 'family.summary.text', { q: query.q }));
  const summary = [kind, ...parts].join(' · ');
  return summary.length > SEARCH_NAME_MAX ? `${summary.slice(0, SEARCH_NAME_MAX - 1).trimEnd()}…` : summary;
}

const newToken = () => randomBytes(24).toString('base64url');

/** Saves the search; the name defaults to the summary of its filters (in `locale`). */
export async function saveSearch(
  ctx: FamilyContext,
  actor: SessionUser | null,
  input: unknown,
  locale: Locale,
): Promise<{ id: number; name: string }> {
  requireFamily(actor);
  const data = parse(SaveSearchSchema, input);
  // Every error at once: the typed name and the search.
  const errors: FieldError[] = [];
  const collect = async <T>(check: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors.push(...error.errors);
      return undefined;
    }
  };
  const typed = data.nom ? await collect(() => parse(SearchNameSchema, { nom: data.nom }).nom) : undefined;
  const valid = await collect(() => validateSearch(ctx.db, data.requete));
  if (!valid || errors.length) throw new Invalid(errors);
  const { query, canonical, names } = valid;
  const name = typed ?? describeSearch(locale, query, names);
  return ctx.db.transaction(async (tx) => {
    const mine = await tx
      .select({ name: savedSearches.name, query: savedSearches.query })
      .from(savedSearches)
      .where(eq(savedSearches.userId, actor.id));
    const same = mine.find((s) => s.query === canonical);
    if (same)
      throw new Invalid([{ field: 'requete', key: 'errors.search_already_saved', params: { name: same.name } }]);
    if (mine.length >= MAX_SAVED_SEARCHES)
      throw new Invalid([
        { field: 'requete', key: 'errors.too_many_searches', params: { max: String(MAX_SAVED_SEARCHES) } },
      ]);
    const now = ctx.clock.now().toISOString();
    const [row] = await tx
      .insert(savedSearches)
      .values({
        userId: actor.id,
        name,
        query: canonical,
        alerts: true,
        unsubscribeToken: newToken(),
        lastDigestAt: now,
        createdAt: now,
      })
      .returning({ id: savedSearches.id });
    return { id: row!.id, name };
  });
}

/**
 * The condition that picks the actor's search `id`, for the change that follows; a field
 * error when the search is not the actor's (unknown and others' look alike).
 */
async function ownSearch(db: Db, actor: SessionUser, id: number): Promise<SQL> {
  const owned = and(eq(savedSearches.id, id), eq(savedSearches.userId, actor.id))!;
  const [row] = await db.select({ n: count() }).from(savedSearches).where(owned);
  if (!row || row.n === 0) throw new Invalid([{ field: 'id', key: 'errors.search_unknown' }]);
  return owned;
}

export async function renameSearch(ctx: FamilyContext, actor: SessionUser | null, input: unknown): Promise<void> {
  requireFamily(actor);
  const { id, nom } = parse(RenameSearchSchema, input);
  const owned = await ownSearch(ctx.db, actor, id);
  await ctx.db.update(savedSearches).set({ name: nom }).where(owned);
}

/**
 * Switches a search's alerts on or off. Switched on, the digest starts from now: offers
 * published while alerts were off are not sent all at once.
 */
export async function setSearchAlerts(ctx: FamilyContext, actor: SessionUser | null, input: unknown): Promise<boolean> {
  requireFamily(actor);
  const { id, alertes } = parse(SearchAlertsSchema, input);
  const owned = await ownSearch(ctx.db, actor, id);
  await ctx.db
    .update(savedSearches)
    .set(alertes ? { alerts: true, lastDigestAt: ctx.clock.now().toISOString() } : { alerts: false })
    .where(and(owned, eq(savedSearches.alerts, !alertes)));
  return alertes;
}

export async function deleteSearch(ctx: FamilyContext, actor: SessionUser | null, input: unknown): Promise<void> {
  requireFamily(actor);
  const { id } = parse(SearchIdSchema, input);
  const owned = await ownSearch(ctx.db, actor, id);
  await ctx.db.delete(savedSearches).where(owned);
}

export interface SavedSearchRow {
  id: number;
  name: string;
  /** The canonical query string, to run the search on /offres. */
  query: string;
  summary: string;
  alerts: boolean;
  createdAt: string;
}

export async function listSavedSearches(db: Db, actor: SessionUser | null, locale: Locale): Promise<SavedSearchRow[]> {
  requireFamily(actor);
  const rows = await db
    .select({
      id: savedSearches.id,
      name: savedSearches.name,
      query: savedSearches.query,
      alerts: savedSearches.alerts,
      createdAt: savedSearches.createdAt,
    })
    .from(savedSearches)
    .where(eq(savedSearches.userId, actor.id))
    .orderBy(asc(savedSearches.createdAt), asc(savedSearches.id));
  const queries = rows.map((r) => storedQuery(r.query) ?? {});
  const names = await searchNames(db, queries);
  return rows.map((r, i) => ({
    ...r,
    summary: describeSearch(locale, queries[i]!, names.get(canonicalQuery(queries[i]!))),
  }));
}

/** The shape of the tokens this module issues; anything else is unknown without a query. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** The search an unsubscribe link names, or null when the token is unknown. */
export async function findByUnsubscribeToken(
  db: Db,
  token: string,
): Promise<{ id: number; name: string; alerts: boolean } | null> {
  if (!TOKEN.test(token)) return null;
  const [row] = await db
    .select({ id: savedSearches.id, name: savedSearches.name, alerts: savedSearches.alerts })
    .from(savedSearches)
    .where(eq(savedSearches.unsubscribeToken, token));
  return row ?? null;
}

/** Switches off the alerts of the search the token names (idempotent); null when unknown. */
export async function unsubscribe(db: Db, token: string): Promise<{ name: string } | null> {
  if (!TOKEN.test(token)) return null;
  const [row] = await db
    .update(savedSearches)
    .set({ alerts: false })
    .where(eq(savedSearches.unsubscribeToken, token))
    .returning({ name: savedSearches.name });
  return row ?? null;
}
