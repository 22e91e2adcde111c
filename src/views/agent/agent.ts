// The back-office pages of the pipeline: the agent's home, the list and board with their
// filters, a file with its posts (one intent → one command), and proposing offers.
import { accounts } from '../../server/auth.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import {
  addNote,
  assignableStaff,
  assignFile,
  findCandidate,
  moveStage,
  recordFollowUp,
  undoStageMove,
} from '../../server/candidates/commands.ts';
import { markRead, sendAgentMessage } from '../../server/candidates/messages.ts';
import { editProject } from '../../server/candidates/project.ts';
import { overrideMaturity } from '../../server/candidates/maturity.ts';
import { listProposals, proposeOffers, searchFromNeeds } from '../../server/candidates/proposals.ts';
import { fileWorkMatches, listWorkProposals, proposeWork } from '../../server/opportunities/proposals.ts';
import { agentHome, boardColumns, getCandidateFile, listCandidates } from '../../server/candidates/queries.ts';
import {
  parseListQuery,
  parseFileLists,
  parseTimelineFilter,
  StageMoveSchema,
  type ListQuery,
  type StageMoveInput,
} from '../../server/candidates/schemas.ts';
import { planStay } from '../../server/candidates/stays.ts';
import { completeTask, createTask } from '../../server/candidates/tasks.ts';
import { markDuplicate, mergeDuplicate, mergedTarget, moveTerritory } from '../../server/candidates/transfer.ts';
import { db } from '../../server/db.ts';
import { resendEmail } from '../../server/mail/undelivered.ts';
import { Invalid, NotFound } from '../../server/errors.ts';
import { asksJson, isPost, okAfterRedirect, type RequestContext } from '../../server/http/context.ts';
import { emptyState, field, readForm, refusal, submitForm, type FormFields } from '../../server/http/form.ts';
import { requireStaff } from '../../server/http/guards.ts';
import { redirect, render, type Outcome } from '../../server/http/respond.ts';
import { parseId, parseInput, queryObject } from '../../server/input.ts';
import { parseOfferSearch, searchParamNames } from '../../server/offers/schemas.ts';
import { listTerritories, resolveCommune } from '../../server/places/queries.ts';
import { isMessageKey, t, type MessageKey } from '../../i18n/index.ts';
import { portalDay } from '../../lib/time.ts';
import { runSearch } from '../offers.ts';
import { logFileOpened } from '../../server/audit/access-log.ts';
import { managedQueueCounts } from '../../server/offers/manage.ts';
import { fileIntroductions, introduce, territoryAmbassadors } from '../../server/ambassadors/introductions.ts';

const ctx = { db, clock: accounts.clock };
const fileCtx = { ...ctx, siteUrl: accounts.siteUrl };

export async function homePage(rc: RequestContext) {
  const user = requireStaff(rc);
  const [home, offers] = await Promise.all([
    agentHome(db, user, accounts.clock),
    managedQueueCounts(db, accounts.clock, user),
  ]);
  return render({ home, offers });
}

type Board = Awaited<ReturnType<typeof boardColumns>>;
interface ListFilters {
  query: ListQuery;
  staff: Awaited<ReturnType<typeof staffOf>>;
  /** The commune filter's error (a name that names no commune, or several). */
  communeError?: string;
}
type ListPageView = ListFilters &
  ({ board: Board; today: string } | { list: Awaited<ReturnType<typeof listCandidates>>; notice?: string });

/**
 * The list's filters from the query string (the list and the board share them): a commune
 * typed by name is resolved among the actor's territories; one that names nothing is
 * dropped, with its error beside the field.
 */
async function listFilters(rc: RequestContext, user: SessionUser): Promise<ListFilters> {
  const query = parseListQuery(queryObject(rc.url.searchParams));
  let communeError: string | undefined;
  if (query.commune) {
    try {
      query.communeCode = (await resolveCommune(db, query.commune, 'commune', user.territories)).code;
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const e = error.errors[0]!;
      communeError = t(rc.locals.locale, e.key, { value: e.value ?? '', ...e.params });
    }
  }
  return { query, staff: await staffOf(user), communeError };
}

export async function listPage(rc: RequestContext): Promise<Outcome<ListPageView>> {
  const user = requireStaff(rc);
  const filters = await listFilters(rc, user);
  const now = accounts.clock.now();
  if (rc.url.searchParams.get('vue') === 'tableau')
    return render({
      ...filters,
      board: await boardColumns(db, user, filters.query, now),
      today: portalDay(now),
    });
  const list = await listCandidates(db, user, filters.query, now);
  const notice = okAfterRedirect(rc) === 'transferred' ? t(rc.locals.locale, 'list.transferred') : undefined;
  return render({ ...filters, list, notice });
}

/** Staff of the actor's territories (to filter the list by agent). */
async function staffOf(user: SessionUser) {
  const lists = await Promise.all(user.territories.map((code) => assignableStaff(db, code)));
  const byId = new Map(lists.flat().map((s) => [s.id, s]));
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const canSee = (user: SessionUser, publicId: string) =>
  findCandidate(db, user, publicId).then(
    () => true,
    () => false,
  );

/** A stage move: the settlement commune typed by name is resolved among the actor's territories. */
async function move(user: SessionUser, publicId: string, input: StageMoveInput) {
  const settledCommuneCode =
    input.to === 'settled' && input.settledCommune
      ? (await resolveCommune(db, input.settledCommune, 'settledCommuneCode', user.territories)).code
      : undefined;
  await moveStage(ctx, user, publicId, { ...input, settledCommuneCode });
}

type FileAction = (user: SessionUser, publicId: string, form: FormFields) => Promise<string>;

/** The posts of the file page: intent → command, answering where to go next ('' = the file with `?ok=`). */
const fileActions: Record<string, FileAction> = {
  stage: async (user, id, form) => (await move(user, id, parseInput(StageMoveSchema, form)), '?ok=stage'),
  // The board's "Undo": its last move, with the version that move gave the file.
  'undo-stage': async (user, id, form) => (
    await undoStageMove(ctx, user, id, parseId(form.version) ?? 0),
    '?ok=undone'
  ),
  note: async (user, id, form) => (await addNote(ctx, user, id, form.note), '?ok=note'),
  maturity: async (user, id, form) => (await overrideMaturity(ctx, user, id, form), '?ok=maturity#maturite'),
  'maturity-clear': async (user, id) => (
    await overrideMaturity(ctx, user, id, {}, true),
    '?ok=maturityCleared#maturite'
  ),
  assign: async (user, id, form) => (await assignFile(fileCtx, user, id, parseId(form.agent) ?? 0), '?ok=assign'),
  'follow-up': async (user, id, form) => (
    await recordFollowUp(ctx, user, id, parseId(form.task) ?? 0, field(form, 'outcome') === 'left' ? 'left' : 'stayed'),
    '?ok=followUp'
  ),
  task: async (user, id, form) => (await createTask(ctx, user, id, form), '?ok=task#taches'),
  'task-done': async (user, id, form) => (
    await completeTask(ctx, user, id, parseId(form.task) ?? 0),
    '?ok=taskDone#taches'
  ),
  stay: async (user, id, form) => (await planStay(fileCtx, user, id, form), '?ok=stay#sejour'),
  message: async (user, id, form) => (await sendAgentMessage(fileCtx, user, id, form), '?ok=message#messages'),
  introduce: async (user, id, form) => (await introduce(fileCtx, user, id, form), '?ok=introduced#ambassadeurs'),
  duplicate: async (user, id, form) => (await markDuplicate(fileCtx, user, id, form.other), '?ok=duplicate#doublon'),
  'not-duplicate': async (user, id) => (
    await markDuplicate(fileCtx, user, id, undefined, true),
    '?ok=notDuplicate#doublon'
  ),
  merge: async (user, id, form) =>
    `/agent/candidats/${await mergeDuplicate(fileCtx, user, id, parseId(form.version) ?? 0)}?ok=merged`,
  'resend-email': async (user, id, form) => {
    const file = await findCandidate(db, user, id);
    await resendEmail(db, accounts.clock, user, parseId(form.email) ?? 0, file.id);
    return '?ok=resent#timeline-title';
  },
  project: async (user, id, form) =>
    (await editProject(ctx, user, id, form)) ? '?ok=project#contact' : '?ok=projectSame#contact',
  'propose-work': async (user, id, form) =>
    (await proposeWork(fileCtx, user, id, form)) ? '?ok=workProposed#emplois' : '?ok=workAlreadyProposed#emplois',
  territory: async (user, id, form) => {
    await moveTerritory(fileCtx, user, id, form);
    // The file may now be out of the agent's territories.
    return (await canSee(user, id)) ? '?ok=territory' : '/agent/candidats?ok=transferred';
  },
};

/** A posted intent names an action of the page, never a property of objects (`__proto__`, `constructor`). */
const actionOf = (form: FormFields): FileAction => {
  const intent = field(form, 'intent') || 'stage';
  if (!Object.hasOwn(fileActions, intent)) throw new Invalid([{ field: 'intent', key: 'errors.unknown_intent' }]);
  return fileActions[intent]!;
};

export async function filePage(rc: RequestContext, publicId: string) {
  const user = requireStaff(rc);
  const locale = rc.locals.locale;
  const here = `/agent/candidats/${publicId}`;
  try {
    let state = emptyState();
    let status = 200;
    let headers: Record<string, string> = {};
    const posted = isPost(rc);
    if (posted) {
      // Another territory's file is "not found" before its form is read.
      await findCandidate(db, user, publicId);
      const form = await readForm(rc.request);
      const r = await submitForm(rc, form, () => actionOf(form)(user, publicId, form), { gone: 'errors.item_gone' });
      if (r.ok)
        // The board's fetch asks for no page: 204 says done, where a redirect could also be to sign in.
        return asksJson(rc)
          ? new Response(null, { status: 204 })
          : redirect(r.value.startsWith('/') ? r.value : `${here}${r.value}`, 303);
      ({ state, status, headers } = r);
    }
    const data = await getCandidateFile(db, user, publicId, {
      timeline: parseTimelineFilter(rc.url.searchParams.get('journal')),
      shown: parseFileLists(rc.url.searchParams),
      now: accounts.clock.now(),
    });
    // Refused for a newer version: the form comes back with what was typed and the file's
    // version now, so that posting it again, once the conflict is read, is deliberate.
    if (status === 409 && state.values.version !== undefined) state.values.version = String(data.file.version);
    // The access log: once per opening of the page, not again for the page after one of its posts.
    // A refused post is shown with its error only, never beside the previous success (`?ok=` of its URL).
    const ok = okAfterRedirect(rc);
    if (!posted && ok === null) await logFileOpened(db, accounts.clock, user, data.file);
    // The agent sees the family's messages: they are read.
    await markRead(db, data.file.id, false, accounts.clock.now().toISOString());
    const [staff, territoryList, introductions, ambassadors, matches, workProposalList] = await Promise.all([
      data.file.territoryCode ? assignableStaff(db, data.file.territoryCode) : [],
      listTerritories(db),
      fileIntroductions(db, data.file.id),
      data.file.territoryCode ? territoryAmbassadors(db, data.file.territoryCode) : [],
      fileWorkMatches(db, data.file),
      listWorkProposals(db, data.file.id),
    ]);
    const notice = ok && isMessageKey(`file.ok.${ok}`) ? t(locale, `file.ok.${ok}` as MessageKey) : undefined;
    const view = {
      data,
      staff,
      territories: territoryList,
      errors: state.errors,
      values: state.values,
      alert: state.alert,
      notice,
      today: portalDay(accounts.clock.now()),
      introductions,
      ambassadors,
      work: { ...matches, proposals: workProposalList },
    };
    return render(view, status, headers);
  } catch (error) {
    // A merged file sends to the file it was merged into (the board's post: not found, said as
    // a failure, where a redirect would read as done); others are not found.
    if (error instanceof NotFound && !(isPost(rc) && asksJson(rc))) {
      const target = await mergedTarget(db, user, publicId);
      if (target) return redirect(`/agent/candidats/${target}`);
    }
    throw error;
  }
}

/**
 * /agent/candidats/{id}/proposer: the catalogue searched with the /offres parameters (first
 * pre-filled from the family's needs); the agent ticks offers and proposes them.
 */
export async function proposePage(rc: RequestContext, publicId: string) {
  const user = requireStaff(rc);
  const locale = rc.locals.locale;
  const file = await findCandidate(db, user, publicId);
  let alert: string | undefined;
  let status = 200;
  if (isPost(rc)) {
    const form = await readForm(rc.request);
    const r = await submitForm(rc, form, () => proposeOffers(fileCtx, user, publicId, form.offers));
    if (r.ok)
      return redirect(`/agent/candidats/${publicId}?ok=${r.value ? 'proposed' : 'alreadyProposed'}#propositions`, 303);
    alert = refusal(r);
    status = r.status;
  } else if (![...rc.url.searchParams.keys()].some((k) => (searchParamNames as string[]).includes(k))) {
    return redirect(`/agent/candidats/${publicId}/proposer?${searchFromNeeds(file)}`);
  }
  const parsed = parseOfferSearch(rc.url.searchParams);
  const [{ query, errors, result }, territories, already] = await Promise.all([
    runSearch(parsed),
    listTerritories(db),
    listProposals(db, file.id),
  ]);
  const view = {
    file,
    raw: parsed.raw,
    query,
    errors: errors.map((e) => ({ field: e.field, message: t(locale, e.key, { value: e.value ?? '', ...e.params }) })),
    result,
    territories,
    proposed: new Set(already.map((p) => p.offerId)),
    alert,
  };
  return render(view, status);
}
