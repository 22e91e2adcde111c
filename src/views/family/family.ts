// The family's pages, shared by both locales: /compte/favoris (list, and the hearts' form
// posts), /compte/recherches (saved searches and their settings) and
// /alertes/desabonnement (the digest's unsubscribe link, without signing in). Each handler
// reads the request, calls one domain function and maps its typed errors to what the view
// shows; a visitor is sent to sign in and brought back with what they were doing.
import { accounts } from '../../server/auth.ts';
import { db } from '../../server/db.ts';
import { Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import {
  favouriteOfferIds,
  listFavourites,
  mayKeepFavourites,
  setFavourite,
  type FavouriteList,
} from '../../server/family/favourites.ts';
import {
  canonicalQuery,
  describeSearch,
  deleteSearch,
  findByUnsubscribeToken,
  listSavedSearches,
  renameSearch,
  saveSearch,
  setSearchAlerts,
  unsubscribe,
  type SavedSearchRow,
  type SearchNames,
} from '../../server/family/saved-searches.ts';
import { asksJson, isPost, type RequestContext } from '../../server/http/context.ts';
import { errorSentence, field, readForm, refusal, submitForm } from '../../server/http/form.ts';
import { requireFamily } from '../../server/http/guards.ts';
import { redirect, render, type Outcome, type Redirect } from '../../server/http/respond.ts';
import { returnable, safeReturnPath } from '../../server/http/return-path.ts';
import { getPublishedOffer } from '../../server/offers/queries.ts';
import type { OfferSearchInput } from '../../server/offers/schemas.ts';
import { isFamily } from '../../server/policy.ts';
import { localizedPath, t, type Locale } from '../../i18n/index.ts';

const ctx = { db, clock: accounts.clock };

/** Percent-encodes everything but letters, digits and -_. (the sign-in page accepts only those in its return path). */
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The sign-in page, coming back to `path` afterwards. */
const signInThen = (locale: Locale, path: string) =>
  `${localizedPath('/connexion', locale)}?retour=${encode(returnable(path))}`;

/**
 * True when this GET follows a navigation from this site (the sign-in form's redirect), so
 * that coming back from signing in may finish what was asked. A link from elsewhere only
 * shows a confirmation button (no change by a cross-site GET).
 */
const fromThisSite = (rc: RequestContext) => rc.request.headers.get('Sec-Fetch-Site') === 'same-origin';

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8' } });

// ——— Hearts ————————————————————————————————————————————————————————————————————————

const favouriteSets = new WeakMap<object, Promise<Set<number>>>();

/**
 * What a heart shows for this request: nothing for staff, "not kept" for visitors (the
 * page may be cached and shared by every visitor), the family's own state otherwise. The
 * family's favourites are read once per request, whatever the number of hearts.
 */
export async function heartState(
  rc: Pick<RequestContext, 'locals'>,
  offerId: number,
): Promise<'hidden' | 'visitor' | 'kept' | 'not-kept'> {
  const user = rc.locals.user;
  if (!mayKeepFavourites(user)) return 'hidden';
  if (!user) return 'visitor';
  let ids = favouriteSets.get(rc.locals);
  if (!ids) favouriteSets.set(rc.locals, (ids = favouriteOfferIds(db, user)));
  return (await ids).has(offerId) ? 'kept' : 'not-kept';
}

export interface FavouritesView {
  list: FavouriteList;
  alert?: string;
  notice?: string;
  confirm?: { offerId: number; title: string; back: string };
}

const offerIdOf = (value: string) => (/^\d{1,12}$/.test(value) ? value : null);

export async function favouritesPage(rc: RequestContext): Promise<Outcome<FavouritesView>> {
  const locale = rc.locals.locale;
  const here = localizedPath('/compte/favoris', locale);
  const wantsJson = asksJson(rc);

  if (isPost(rc)) {
    const user = rc.locals.user;
    const form = await readForm(rc.request);
    const back = safeReturnPath(form.retour, here);
    const offerId = offerIdOf(field(form, 'offre'));
    if (!user) {
      // Sign in, then come back here to add it (a removal needs no account).
      const then =
        offerId && field(form, 'favori') === '1' ? `${here}?ajouter=${offerId}&retour=${encode(back)}` : back;
      return wantsJson ? json(401, { redirect: signInThen(locale, then) }) : redirect(signInThen(locale, then), 303);
    }
    if (!isFamily(user)) {
      if (wantsJson) return json(403, { error: t(locale, 'errors.family_only') });
      throw new Forbidden();
    }
    const r = await submitForm(rc, form, () => setFavourite(ctx, user, form));
    if (r.ok)
      return wantsJson
        ? json(200, { ...r.value, words: await heartWords(locale, r.value.offerId, r.value.favourite) })
        : redirect(`${back}#favori-${r.value.offerId}`, 303);
    if (wantsJson) return json(r.status, { error: refusal(r) });
    return render({ list: await listFavourites(db, user), alert: refusal(r) }, r.status);
  }

  const user = requireFamily(rc);
  const add = rc.url.searchParams.get('ajouter');
  const back = safeReturnPath(rc.url.searchParams.get('retour'), here);
  if (add !== null) {
    if (fromThisSite(rc)) {
      const r = await submitForm(rc, { offre: add, favori: '1' }, (input) => setFavourite(ctx, user, input));
      if (r.ok) return redirect(`${back}#favori-${r.value.offerId}`, 303);
      return render({ list: await listFavourites(db, user), alert: refusal(r) }, r.status);
    }
    const list = await listFavourites(db, user);
    const offer = offerIdOf(add) ? await offerTitle(Number(add)) : null;
    if (offer) return render({ list, confirm: { offerId: offer.id, title: offer.title, back } });
    return render({ list, alert: t(locale, 'errors.favourite_unpublished') }, 400);
  }
  return render({ list: await listFavourites(db, user) });
}

/** A heart's words after a click, in the visitor's language (FavouriteButton.astro says them first). */
async function heartWords(locale: Locale, offerId: number, kept: boolean) {
  const title = (await offerTitle(offerId))?.title ?? '';
  const plain = t(locale, kept ? 'favourite.remove' : 'favourite.add');
  return {
    title: plain,
    plain,
    named: t(locale, 'favourite.named', { action: plain, title }),
    said: t(locale, kept ? 'favourite.added' : 'favourite.removed', { title }),
  };
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

/**
 * What the save form on /offres holds: the search as a canonical query, and its default
 * name from the territory's and commune's names the page already has.
 */
export function saveSearchForm(
  rc: Pick<RequestContext, 'locals'>,
  query: OfferSearchInput,
  communeCode: string | undefined,
  names: SearchNames,
): { requete: string; nom: string } | null {
  if (!mayKeepFavourites(rc.locals.user)) return null;
  const search = { ...query, page: undefined, ...(communeCode ? { commune: communeCode } : {}) };
  return { requete: canonicalQuery(search), nom: describeSearch(rc.locals.locale, search, names) };
}

export interface PendingSearch {
  requete: string;
  nom: string;
  errors: string[];
}

export interface SearchesView {
  searches: SavedSearchRow[];
  notice?: string;
  alert?: string;
  /** A search to save: back from signing in (confirm), or refused (errors). */
  pending?: PendingSearch;
  /** A rename refused: the search, its message and what was typed. */
  rowError?: { id: number; message: string; value: string };
}

const notices = {
  enregistree: 'searches.saved',
  renommee: 'searches.renamed',
  'alertes-on': 'searches.alertsEnabled',
  'alertes-off': 'searches.alertsDisabled',
  supprimee: 'searches.deleted',
} as const;

export async function savedSearchesPage(rc: RequestContext): Promise<Outcome<SearchesView>> {
  const locale = rc.locals.locale;
  const here = localizedPath('/compte/recherches', locale);
  const done = (what: keyof typeof notices, id?: number): Redirect =>
    redirect(`${here}?ok=${what}${id ? `&id=${id}` : ''}`, 303);
  const texts = (error: Invalid) => error.errors.map((e) => t(locale, e.key, { value: e.value ?? '', ...e.params }));

  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const action = field(form, 'action');
    if (!rc.locals.user) {
      // Saving from /offres: sign in, then come back here to save it.
      const then =
        action === 'enregistrer'
          ? `${here}?requete=${encode(field(form, 'requete'))}&nom=${encode(field(form, 'nom'))}`
          : here;
      return redirect(signInThen(locale, then), 303);
    }
    const user = requireFamily(rc);
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
      const id = /^\d{1,12}$/.test(field(form, 'id')) ? Number(field(form, 'id')) : null;
      if (
        action === 'renommer' &&
        id !== null &&
        searches.some((s) => s.id === id) &&
        error.errors.some((e) => e.field === 'nom')
      ) {
        const rowError = { id, message: errorSentence(locale, error), value: field(form, 'nom') };
        return render({ searches, alert: t(locale, 'form.errors'), rowError }, 400);
      }
      if (action === 'renommer' || action === 'alertes' || action === 'supprimer')
        return render({ searches, alert: errorSentence(locale, error) }, 400);
      const pending = { requete: field(form, 'requete'), nom: field(form, 'nom'), errors: texts(error) };
      return render({ searches, alert: t(locale, 'searches.notSaved'), pending }, 400);
    }
  }

  const user = requireFamily(rc);
  const params = rc.url.searchParams;
  const requete = params.get('requete');
  if (requete !== null) {
    const nom = params.get('nom') ?? '';
    // Back from signing in: save it now; from elsewhere, ask first.
    if (fromThisSite(rc)) {
      try {
        const saved = await saveSearch(ctx, user, { requete, nom }, locale);
        return done('enregistree', saved.id);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        const searches = await listSavedSearches(db, user, locale);
        return render(
          { searches, alert: t(locale, 'searches.notSaved'), pending: { requete, nom, errors: texts(error) } },
          400,
        );
      }
    }
    return render({ searches: await listSavedSearches(db, user, locale), pending: { requete, nom, errors: [] } });
  }
  const searches = await listSavedSearches(db, user, locale);
  const ok = params.get('ok');
  let notice: string | undefined;
  if (ok && Object.hasOwn(notices, ok)) {
    const saved = searches.find((s) => String(s.id) === params.get('id'));
    notice = t(locale, notices[ok as keyof typeof notices], { name: saved?.name ?? '' });
  }
  return render({ searches, notice });
}

// ——— Unsubscribe ———————————————————————————————————————————————————————————————————

export interface UnsubscribeView {
  state: 'confirm' | 'done' | 'already' | 'unknown';
  name?: string;
  token: string;
}

export async function unsubscribePage(rc: RequestContext): Promise<Outcome<UnsubscribeView>> {
  let token = rc.url.searchParams.get('token') ?? '';
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    if (typeof form.token === 'string') token = form.token;
    const done = await unsubscribe(db, token);
    return done ? render({ state: 'done', name: done.name, token }) : render({ state: 'unknown', token: '' }, 400);
  }
  const search = await findByUnsubscribeToken(db, token);
  if (!search) return render({ state: 'unknown', token: '' }, 400);
  return render({ state: search.alerts ? 'confirm' : 'already', name: search.name, token });
}
