// /compte/comparer?offres=1&offres=2…: two to four favourites side by side, each with the
// family's private note (a form per offer; saving comes back to the same comparison).
import { db } from '../../server/db.ts';
import { Invalid } from '../../server/errors.ts';
import { compareFavourites, saveFavouriteNote, type Comparison } from '../../server/family/favourites.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { field, readForm, submitForm, type FormState } from '../../server/http/form.ts';
import { requireFamily } from '../../server/http/guards.ts';
import { redirect, render, type Outcome } from '../../server/http/respond.ts';
import { localizedPath, t } from '../../i18n/index.ts';

export interface CompareView {
  comparison: Comparison | null;
  /** The comparison's own address (where a saved note comes back to). */
  here: string;
  notice?: string;
  alert?: string;
  /** A refused note: which offer's, and what was typed. */
  refused?: { offerId: number; state: FormState };
  /** A refused note whose offer is not on the page any more (taken out of the favourites meanwhile): its text, to copy. */
  lostNote?: string;
}

/** The ids asked for: `offres` repeated, or one comma-separated value. */
const idsOf = (params: URLSearchParams) => params.getAll('offres').flatMap((v) => v.split(','));

export async function comparePage(rc: RequestContext): Promise<Outcome<CompareView>> {
  const user = requireFamily(rc);
  const locale = rc.locals.locale;
  const base = localizedPath('/compte/comparer', locale);
  const ids = idsOf(rc.url.searchParams);
  const here = `${base}?${ids.map((id) => `offres=${encodeURIComponent(id)}`).join('&')}`;
  const load = async () => {
    try {
      return { comparison: await compareFavourites(db, user, { offres: ids }) };
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return { comparison: null, alert: t(locale, error.errors[0]!.key) };
    }
  };
  if (!isPost(rc)) {
    const loaded = await load();
    const ok = okAfterRedirect(rc);
    return render(
      { ...loaded, here, notice: ok === 'note' ? t(locale, 'compare.noteSaved') : undefined },
      loaded.comparison ? 200 : 400,
    );
  }
  const form = await readForm(rc.request);
  const r = await submitForm(rc, form, async () => {
    if (field(form, 'intent') !== 'note') throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
    return saveFavouriteNote(db, user, form);
  });
  if (r.ok) return redirect(`${here}&ok=note#note-${r.value}`, 303);
  const loaded = await load();
  const offerId = Number(field(form, 'offre'));
  const onPage = loaded.comparison?.offers.some((o) => o.id === offerId) ?? false;
  const typed = String(r.state.values.note ?? '');
  return render(
    {
      ...loaded,
      here,
      // The offer is no longer a favourite: said in its own words, not "correct the fields shown".
      alert: r.state.errors.offre ? t(locale, 'compare.noteNotSaved') : r.state.alert,
      refused: { offerId, state: r.state },
      ...(!onPage && typed.trim() ? { lostNote: typed } : {}),
    },
    r.status,
    r.headers,
  );
}
