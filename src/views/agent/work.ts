// /agent/emplois and /agent/reprises (issue 16): agents list, create and edit the job offers
// and businesses to take over of their territories and move them through their life. Rules
// live in src/server/opportunities/; every form posts to its own page, as /agent/offres.
import type { SessionUser } from '../../server/accounts/session.ts';
import { db } from '../../server/db.ts';
import { systemClock } from '../../server/clock.ts';
import { Invalid } from '../../server/errors.ts';
import { isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, submitForm, type FormFields } from '../../server/http/form.ts';
import { requireStaff } from '../../server/http/guards.ts';
import { redirect, render } from '../../server/http/respond.ts';
import { parseId, shownCount } from '../../server/input.ts';
import { offerStatuses } from '../../../db/schema/offers.ts';
import {
  changeWorkStatus,
  confirmWork,
  createWork,
  getManagedWork,
  listManagedWork,
  updateWork,
  workQueueCounts,
  type WorkKind,
} from '../../server/opportunities/manage.ts';
import { moderateWork, workModerationOf } from '../../server/opportunities/owners.ts';
import { historyOf, HISTORY_SHOWN } from '../../server/offers/manage.ts';
import { offersContext } from '../../server/auth.ts';
import { offerFormState } from '../offer-form.ts';

/** The back office's path of a kind. */
export const workBase = (kind: WorkKind) => (kind === 'job' ? '/agent/emplois' : '/agent/reprises');

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | undefined =>
  v !== null && (values as readonly string[]).includes(v) ? (v as T) : undefined;

export async function workListPage(rc: RequestContext, kind: WorkKind) {
  const user = requireStaff(rc);
  const p = rc.url.searchParams;
  const query = {
    kind,
    status: oneOf(offerStatuses, p.get('etat')),
    q: (p.get('q') ?? '').slice(0, 120) || undefined,
    queue: oneOf(['moderation', 'stale'] as const, p.get('file')),
    page: parseId(p.get('page') ?? '1') ?? 1,
  };
  const [list, counts] = await Promise.all([
    listManagedWork(db, systemClock, user, query),
    workQueueCounts(db, systemClock, user, kind),
  ]);
  return render({ kind, list, counts, query });
}

export async function workNewPage(rc: RequestContext, kind: WorkKind) {
  const user = requireStaff(rc);
  let state = emptyState();
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => createWork(db, systemClock, user, kind, form));
    if (r.ok) return redirect(`${workBase(kind)}/${r.value}?ok=created`, 303);
    ({ state, status } = r);
  }
  return render({ kind, item: null, state, moderation: null }, status);
}

export const workNotices = [
  'created',
  'saved',
  'publish',
  'archive',
  'draft',
  'confirm',
  'approve',
  'changes',
  'reject',
] as const;
export type WorkNotice = (typeof workNotices)[number];

type WorkAction = (user: SessionUser, id: number, form: FormFields) => Promise<WorkNotice>;

/** The posts of an item's page: intent → command. */
const workActions: Record<string, WorkAction> = {
  save: async (user, id, form) => (await updateWork(db, systemClock, user, id, form), 'saved'),
  confirm: async (user, id) => (await confirmWork(db, systemClock, user, id), 'confirm'),
  publish: async (user, id) => (await changeWorkStatus(db, systemClock, user, id, 'publish'), 'publish'),
  archive: async (user, id) => (await changeWorkStatus(db, systemClock, user, id, 'archive'), 'archive'),
  draft: async (user, id) => (await changeWorkStatus(db, systemClock, user, id, 'draft'), 'draft'),
  approve: async (user, id, form) => (await moderateWork(offersContext, user, id, 'approve', form), 'approve'),
  changes: async (user, id, form) => (await moderateWork(offersContext, user, id, 'changes', form), 'changes'),
  reject: async (user, id, form) => (await moderateWork(offersContext, user, id, 'reject', form), 'reject'),
};

const actionOf = (intent: string): WorkAction => {
  if (!Object.hasOwn(workActions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
  return workActions[intent]!;
};

export async function workEditPage(rc: RequestContext, kind: WorkKind, idParam: string) {
  const user = requireStaff(rc);
  const id = parseId(idParam) ?? -1;
  let item = await getManagedWork(db, user, id, kind);
  let state = await offerFormState(item);
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const intent = field(form, 'intent') || 'save';
    const r = await submitForm(rc, form, () => actionOf(intent)(user, id, form));
    if (r.ok) return redirect(`${workBase(kind)}/${id}?ok=${r.value}`, 303);
    ({ state, status } = r);
    if (intent !== 'save') {
      const note = state.values.note;
      state = { ...(await offerFormState(item)), errors: state.errors, alert: state.alert };
      if (note) state.values.note = note;
    }
    item = await getManagedWork(db, user, id, kind);
  }
  const ok = oneOf(workNotices, okAfterRedirect(rc));
  const [moderation, history] = await Promise.all([
    workModerationOf(db, item),
    historyOf(db, 'work', id, shownCount(rc.url.searchParams.get('historique'), HISTORY_SHOWN)),
  ]);
  return render({ kind, item, state, ok, moderation, history }, status);
}
