// The family's pages, shared by both locales: /compte/favoris (list, and the hearts' form
// posts), /compte/recherches (saved searches and their settings) and
// /alertes/desabonnement (the digest's unsubscribe link, without signing in). Each handler
// reads the request, calls one domain function and maps its typed errors to what the view
// shows; a visitor is sent to sign in and brought back with what they were doing.
import type { AstroGlobal } from 'astro';
import { accounts } from '../../server/auth.ts';
import { db } from '../../server/db.ts';
import { Invalid, NotFound } from '../../server/errors.ts';
import {
  favouriteOfferIds,
  listFavourites,
  mayKeepFavourites,
  setFavourite,
  type FavouriteList,
} from '../../server/family/favourites.ts';
import {
  canonicalQuery,
  defaultSearchName,
  deleteSearch,
  findByUnsubscribeToken,
  listSavedSearches,
  renameSearch,
  saveSearch,
  setSearchAlerts,
  unsubscribe,
  type SavedSearchRow,
} from '../../server/family/saved-searches.ts';
import { getPublishedOffer } from '../../server/offers/queries.ts';
import type { OfferSearchInput } from '../../server/offers/schemas.ts';
import { localizedPath, t, type Locale } from '../../i18n/index.ts';
import { readForm, signInUrl } from '../auth/form.ts';

const ctx = { db, clock: accounts.clock };

type Redirect = { redirect: string; status: 302 | 303 };

/** A path of this site to come back to: no other origin, no scheme tricks; its fragment dropped. */
export function localReturn(value: unknown, fallback: string): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\') ||
    value.length > 2000
  )
    return fallback;
  try {
    const url = new URL(value, 'http://portal.invalid');
    return url.origin === 'http://portal.invalid' ? url.pathname + url.search : fallback;
  } catch {
    return fallback;
  }
}

/** Percent-encodes everything but letters, digits and -_. (the sign-in page accepts only those in its return path). */
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The sign-in page, coming back to `path` afterwards. */
const signInThen = (locale: Locale, path: string) => `${localizedPath('/connexion', locale)}?retour=${encode(path)}`;

/**
 * True when this GET follows a navigation from this site (the sign-in form's redirect), so
 * that coming back from signing in may finish what was asked. A link from elsewhere only
 * shows a confirmation button (no change by a cross-site GET).
 */
const fromThisSite = (astro: AstroGlobal) => astro.request.headers.get('Sec-Fetch-Site') === 'same-origin';

const message = (locale: Locale, error: Invalid) =>
  error.errors.map((e) => t(locale, e.key, { value: e.value ?? '', ...e.params })).join(' ');

// ——— Hearts ————————————————————————————————————————————————————————————————————————

const favouriteSets = new WeakMap<object, Promise<Set<number>>>();

/**
 * What a heart shows for this request: nothing for staff, "not kept" for visitors (the
 * page may be cached and shared by every visitor), the family's own state otherwise. The
 * family's favourites are read once per request, whatever the number of hearts.
 */
export async function heartState(
  astro: AstroGlobal,
  offerId: number,
): Promise<'hidden' | 'visitor' | 'kept' | 'not-kept'> {
  const user = astro.locals.user;
  if (!mayKeepFavourites(user)) return 'hidden';
  if (!user) return 'visitor';
  let ids = favouriteSets.get(astro.locals);
  if (!ids) favouriteSets.set(astro.locals, (ids = favouriteOfferIds(db, user)));
  return (await ids).has(offerId) ? 'kept' : 'not-kept';
}

export type FavouritesResult =
  | Redirect
  | { json: Record<string, unknown>; status: number }
  | { status: 403 }
  | {
      status: 200 | 400;
      list: FavouriteList;
      alert?: string;
      notice?: string;
      confirm?: { offerId: number; title: string; back: string };
    };

const json = (status: number, body: Record<string, unknown>) => ({ json: body, status });

export async function favouritesPage(astro: AstroGlobal): Promise<FavouritesResult> {
  const user = astro.locals.user;
  const locale = astro.locals.locale;
  const here = localizedPath('/compte/favoris', locale);
  const wantsJson = (astro.request.headers.get('Accept') ?? '').includes('application/json');

  if (astro.request.method === 'POST') {
    const form = await readForm(astro.request);
    const back = localReturn(form.retour, here);
    const offerId = typeof form.offre === 'string' && /^\d{1,12}$/.test(form.offre) ? form.offre : null;
    if (!user) {
      // Sign in, then come back here to add it (a removal needs no account).
      const then = offerId && form.favori === '1' ? `${here}?ajouter=${offerId}&retour=${encode(back)}` : back;
      return wantsJson
        ? json(401, { redirect: signInThen(locale, then) })
        : { redirect: signInThen(locale, then), status: 303 };
    }
    if (user.role !== 'family')
      return wantsJson ? json(403, { error: t(locale, 'errors.family_only') }) : { status: 403 };
    try {
      const result = await setFavourite(ctx, user, form);
      if (wantsJson) return json(200, result);
      return { redirect: `${back}#favori-${result.offerId}`, status: 303 };
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      if (wantsJson) return json(400, { error: message(locale, error) });
      return { status: 400, list: await listFavourites(db, user), alert: message(locale, error) };
    }
  }

  if (!user) return { redirect: signInUrl(astro), status: 302 };
  if (user.role !== 'family') return { status: 403 };
  const add = astro.url.searchParams.get('ajouter');
  const back = localReturn(astro.url.searchParams.get('retour'), here);
  if (add !== null) {
    if (fromThisSite(astro)) {
      try {
        const result = await setFavourite(ctx, user, { offre: add, favori: '1' });
        return { redirect: `${back}#favori-${result.offerId}`, status: 303 };
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return { status: 400, list: await listFavourites(db, user), alert: message(locale, error) };
      }
    }
    const list = await listFavourites(db, user);
    const offer = /^\d{1,12}$/.test(add) ? await offerTitle(Number(add)) : null;
    if (offer) return { status: 200, list, confirm: { offerId: offer.id, title: offer.title, back } };
    return { status: 400, list, alert: t(locale, 'errors.favourite_unpublished') };
  }
  return { status: 200, list: await listFavourites(db, user) };
}

async function offerTitle(id: number): Promise<{ id: number; title: string } | null> {
  try {
    const offer = await getPublishedOffer(db, id);
    return { id: offer.id, title: offer.title };
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}

// ——— Saved searches ——————————————————————————————————————————————————————————————————

/** What the save form on /offres holds: the search as a canonical query, and its default name. */
export async function saveSearchForm(
  astro: AstroGlobal,
  query: OfferSearchInput,
  communeCode: string | undefined,
): Promise<{ requete: string; nom: string } | null> {
  const user = astro.locals.user;
  if (user && user.role !== 'family') return null;
  const search = { ...query, page: undefined, ...(communeCode ? { commune: communeCode } : {}) };
  return { requete: canonicalQuery(search), nom: await defaultSearchName(db, astro.locals.locale, search) };
}

export interface PendingSearch {
  requete: string;
  nom: string;
  errors: string[];
}

export type SearchesResult =
  | Redirect
  | { status: 403 }
  | {
      status: 200 | 400;
      searches: SavedSearchRow[];
      notice?: string;
      alert?: string;
      /** A search to save: back from signing in (confirm), or refused (errors). */
      pending?: PendingSearch;
      /** A rename refused: the search, its message and what was typed. */
      rowError?: { id: number; message: string; value: string };
    };

const notices = {
  enregistree: 'searches.saved',
  renommee: 'searches.renamed',
  'alertes-on': 'searches.alertsEnabled',
  'alertes-off': 'searches.alertsDisabled',
  supprimee: 'searches.deleted',
} as const;

export async function savedSearchesPage(astro: AstroGlobal): Promise<SearchesResult> {
  const user = astro.locals.user;
  const locale = astro.locals.locale;
  const here = localizedPath('/compte/recherches', locale);
  const done = (what: keyof typeof notices, id?: number): Redirect => ({
    redirect: `${here}?ok=${what}${id ? `&id=${id}` : ''}`,
    status: 303,
  });

  if (astro.request.method === 'POST') {
    const form = await readForm(astro.request);
    const action = form.action;
    if (!user) {
      // Saving from /offres: sign in, then come back here to save it.
      const requete = typeof form.requete === 'string' ? form.requete : '';
      const nom = typeof form.nom === 'string' ? form.nom : '';
      const then = action === 'enregistrer' ? `${here}?requete=${encode(requete)}&nom=${encode(nom)}` : here;
      return { redirect: signInThen(locale, then), status: 303 };
    }
    if (user.role !== 'family') return { status: 403 };
    try {
      switch (action) {
        case 'renommer':
          await renameSearch(ctx, user, form);
          return done('renommee');
        case 'alertes':
          return done((await setSearchAlerts(ctx, user, form)) ? 'alertes-on' : 'alertes-off');
        case 'supprimer':
          await deleteSearch(ctx, user, form);
          return done('supprimee');
        default: {
          const saved = await saveSearch(ctx, user, form, locale);
          return done('enregistree', saved.id);
        }
      }
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const searches = await listSavedSearches(db, user, locale);
      const text = (e: Invalid['errors'][number]) => t(locale, e.key, { value: e.value ?? '', ...e.params });
      const id = typeof form.id === 'string' && /^\d{1,12}$/.test(form.id) ? Number(form.id) : null;
      if (
        action === 'renommer' &&
        id !== null &&
        searches.some((s) => s.id === id) &&
        error.errors.some((e) => e.field === 'nom')
      ) {
        return {
          status: 400,
          searches,
          alert: t(locale, 'form.errors'),
          rowError: { id, message: message(locale, error), value: typeof form.nom === 'string' ? form.nom : '' },
        };
      }
      if (action === 'renommer' || action === 'alertes' || action === 'supprimer')
        return { status: 400, searches, alert: message(locale, error) };
      const pending = {
        requete: typeof form.requete === 'string' ? form.requete : '',
        nom: typeof form.nom === 'string' ? form.nom : '',
        errors: error.errors.map(text),
      };
      return { status: 400, searches, alert: t(locale, 'searches.notSaved'), pending };
    }
  }

  if (!user) return { redirect: signInUrl(astro), status: 302 };
  if (user.role !== 'family') return { status: 403 };
  const params = astro.url.searchParams;
  const requete = params.get('requete');
  if (requete !== null) {
    const nom = params.get('nom') ?? '';
    // Back from signing in: save it now; from elsewhere, ask first.
    if (fromThisSite(astro)) {
      try {
        const saved = await saveSearch(ctx, user, { requete, nom }, locale);
        return done('enregistree', saved.id);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        return {
          status: 400,
          searches: await listSavedSearches(db, user, locale),
          alert: t(locale, 'searches.notSaved'),
          pending: {
            requete,
            nom,
            errors: error.errors.map((e) => t(locale, e.key, { value: e.value ?? '', ...e.params })),
          },
        };
      }
    }
    return { status: 200, searches: await listSavedSearches(db, user, locale), pending: { requete, nom, errors: [] } };
  }
  const searches = await listSavedSearches(db, user, locale);
  const ok = params.get('ok');
  let notice: string | undefined;
  if (ok && ok in notices) {
    const saved = searches.find((s) => String(s.id) === params.get('id'));
    notice = t(locale, notices[ok as keyof typeof notices], { name: saved?.name ?? '' });
  }
  return { status: 200, searches, notice };
}

// ——— Unsubscribe ———————————————————————————————————————————————————————————————————

export type UnsubscribeResult = {
  status: 200 | 400;
  state: 'confirm' | 'done' | 'already' | 'unknown';
  name?: string;
  token: string;
};

export async function unsubscribePage(astro: AstroGlobal): Promise<UnsubscribeResult> {
  let token = astro.url.searchParams.get('token') ?? '';
  if (astro.request.method === 'POST') {
    const form = await readForm(astro.request);
    if (typeof form.token === 'string') token = form.token;
    const done = await unsubscribe(db, token);
    return done ? { status: 200, state: 'done', name: done.name, token } : { status: 400, state: 'unknown', token: '' };
  }
  const search = await findByUnsubscribeToken(db, token);
  if (!search) return { status: 400, state: 'unknown', token: '' };
  return { status: 200, state: search.alerts ? 'confirm' : 'already', name: search.name, token };
}
