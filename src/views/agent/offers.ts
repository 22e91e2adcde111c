// /agent/offres, /agent/offres/nouvelle and /agent/offres/{id}: agents list, create and
// edit the offers of their territories, move them through their life and manage their
// photos. Rules live in src/server/offers/manage.ts and manage-photos.ts; every form posts
// to its own page.
import { PHOTOS_DIR } from 'astro:env/server';
import type { SessionUser } from '../../server/accounts/session.ts';
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { Invalid, NotFound, PayloadTooLarge } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import {
  emptyState,
  field,
  readForm,
  readUpload,
  submitForm,
  UPLOAD_LIMIT_BYTES,
  type FormFields,
  type FormState,
  type UploadedFile,
} from '../../server/http/form.ts';
import { offersContext } from '../../server/auth.ts';
import { confirmOffer } from '../../server/offers/freshness.ts';
import { moderateOffer, moderationOf } from '../../server/offers/owners.ts';
import { requireStaff } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId, shownCount } from '../../server/input.ts';
import { t } from '../../i18n/index.ts';
import { addPhotos, deletePhoto, makeCover, movePhoto, setPhotoAlt } from '../../server/offers/manage-photos.ts';
import {
  changeOfferStatus,
  createOffer,
  fillFromOpenData,
  getManagedOffer,
  historyOf,
  HISTORY_SHOWN,
  listManagedOffers,
  managedQueueCounts,
  managedSorts,
  updateOffer,
  type ManagedListQuery,
} from '../../server/offers/manage.ts';
import { offerKinds, offerStatuses } from '../../../db/schema/offers.ts';
import { getCommuneCoverage } from '../../server/places/queries.ts';
import { offerFormState } from '../offer-form.ts';

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | undefined =>
  v !== null && (values as readonly string[]).includes(v) ? (v as T) : undefined;

export async function offersListPage(rc: RequestContext) {
  const user = requireStaff(rc);
  const p = rc.url.searchParams;
  const query: ManagedListQuery = {
    status: oneOf(offerStatuses, p.get('etat')),
    kind: oneOf(
      offerKinds,
      ({ logement: 'home', 'tiers-lieu': 'tiers_lieu' } as Record<string, string>)[p.get('type') ?? ''] ??
        p.get('type'),
    ),
    q: (p.get('q') ?? '').slice(0, 120) || undefined,
    queue: oneOf(['moderation', 'stale'] as const, p.get('file')),
    sort: oneOf(managedSorts, p.get('tri')),
    page: parseId(p.get('page') ?? '1') ?? 1,
  };
  const [list, counts] = await Promise.all([
    listManagedOffers(db, systemClock, user, query),
    managedQueueCounts(db, systemClock, user),
  ]);
  return render({ list, counts, query });
}

export async function offerNewPage(rc: RequestContext) {
  const user = requireStaff(rc);
  const kind: 'home' | 'tiers_lieu' = rc.url.searchParams.get('type') === 'tiers-lieu' ? 'tiers_lieu' : 'home';
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => createOffer(db, systemClock, user, kind, form));
    if (r.ok) return redirect(`/agent/offres/${r.value}?ok=created`, 303);
    ({ state, status } = r);
  }
  return render({ kind, offer: null, state }, status);
}

export const offerNotices = [
  'created',
  'saved',
  'publish',
  'archive',
  'draft',
  'open-data',
  'confirm',
  'approve',
  'changes',
  'reject',
  'photos',
  'photo-alt',
  'photo-moved',
  'photo-cover',
  'photo-deleted',
] as const;
export type OfferNotice = (typeof offerNotices)[number];

const photoCtx = { db, clock: systemClock, photosDir: PHOTOS_DIR };
/** The photo a photo form names; a missing or malformed id is a photo that is not there. */
const photoOf = (form: FormFields): number => {
  const id = parseId(field(form, 'photo'));
  if (id === undefined) throw new NotFound('photo');
  return id;
};

type OfferAction = (user: SessionUser, id: number, form: FormFields, files: UploadedFile[]) => Promise<OfferNotice>;

/** The posts of an offer's page: intent → command, answering the notice to show after the redirect. */
const offerActions: Record<string, OfferAction> = {
  save: async (user, id, form) => (await updateOffer(db, systemClock, user, id, form), 'saved'),
  'open-data': async (user, id) => (await fillFromOpenData(db, systemClock, user, id), 'open-data'),
  confirm: async (user, id) => (await confirmOffer(db, systemClock, user, id), 'confirm'),
  approve: async (user, id, form) => (await moderateOffer(offersContext, user, id, 'approve', form), 'approve'),
  changes: async (user, id, form) => (await moderateOffer(offersContext, user, id, 'changes', form), 'changes'),
  reject: async (user, id, form) => (await moderateOffer(offersContext, user, id, 'reject', form), 'reject'),
  publish: async (user, id) => (await changeOfferStatus(db, systemClock, user, id, 'publish'), 'publish'),
  archive: async (user, id) => (await changeOfferStatus(db, systemClock, user, id, 'archive'), 'archive'),
  draft: async (user, id) => (await changeOfferStatus(db, systemClock, user, id, 'draft'), 'draft'),
  'photos-add': async (user, id, form, files) => {
    const photos = files.filter((f) => f.field === 'photos');
    await addPhotos(photoCtx, user, id, photos, field(form, 'photosAlt'));
    return 'photos';
  },
  'photo-alt': async (user, id, form) => (
    await setPhotoAlt(photoCtx, user, id, photoOf(form), field(form, 'alt')),
    'photo-alt'
  ),
  'photo-up': async (user, id, form) => (await movePhoto(photoCtx, user, id, photoOf(form), 'up'), 'photo-moved'),
  'photo-down': async (user, id, form) => (await movePhoto(photoCtx, user, id, photoOf(form), 'down'), 'photo-moved'),
  'photo-cover': async (user, id, form) => (await makeCover(photoCtx, user, id, photoOf(form)), 'photo-cover'),
  'photo-delete': async (user, id, form) => (await deletePhoto(photoCtx, user, id, photoOf(form)), 'photo-deleted'),
};

/** A posted intent names an action of the page, never a property of objects (`__proto__`, `constructor`). */
const actionOf = (intent: string): OfferAction => {
  if (!Object.hasOwn(offerActions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
  return offerActions[intent]!;
};

/**
 * The post: a multipart one (the photos' form) up to the upload limit, its files apart; an
 * upload over the limit is refused on the page, next to the photos field, without being read.
 */
async function readPost(rc: RequestContext): Promise<{ form: FormFields; files: UploadedFile[] } | FormState> {
  if (!(rc.request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data'))
    return { form: await readForm(rc.request), files: [] };
  try {
    const { fields, files } = await readUpload(rc.request, UPLOAD_LIMIT_BYTES);
    return { form: fields, files };
  } catch (error) {
    if (!(error instanceof PayloadTooLarge)) throw error;
    const locale = rc.locals.locale;
    return {
      errors: {
        photos: t(locale, 'errors.photos_batch_too_large', { max: String(UPLOAD_LIMIT_BYTES / 1024 / 1024) }),
      },
      values: {},
      alert: t(locale, 'form.errors'),
    };
  }
}

export async function offerEditPage(rc: RequestContext, idParam: string) {
  const user = requireStaff(rc);
  const id = parseId(idParam) ?? -1;
  let offer = await getManagedOffer(db, user, id);
  let state = await offerFormState(offer);
  let status = 200;
  if (isPost(rc)) {
    const post = await readPost(rc);
    const intent = 'form' in post ? field(post.form, 'intent') || 'save' : 'photos-add';
    const r =
      'form' in post
        ? await submitForm(rc, post.form, () => actionOf(intent)(user, id, post.form, post.files), {
            gone: 'errors.photo_gone',
          })
        : { ok: false as const, status: 413, state: post };
    if (r.ok) return redirect(`/agent/offres/${id}?ok=${r.value}${r.value.startsWith('photo') ? '#photos' : ''}`, 303);
    ({ state, status } = r);
    // A refused status change or photo form shows the saved values (and what its photo form had typed).
    if (intent !== 'save') {
      const typed = Object.fromEntries(
        ['photo', 'alt', 'photosAlt', 'note'].flatMap((k) => (state.values[k] ? [[k, state.values[k]]] : [])),
      );
      state = { ...(await offerFormState(offer)), errors: state.errors, alert: state.alert };
      state.values = { ...state.values, ...typed };
    }
    offer = await getManagedOffer(db, user, id);
  }
  const ok = oneOf(offerNotices, okAfterRedirect(rc));
  const [coverage, moderation, history] = await Promise.all([
    getCommuneCoverage(db, offer.communeCode),
    moderationOf(db, offer),
    historyOf(db, 'offer', id, shownCount(rc.url.searchParams.get('historique'), HISTORY_SHOWN)),
  ]);
  return render({ kind: offer.kind, offer, state, ok, coverage: coverage ?? null, moderation, history }, status);
}
