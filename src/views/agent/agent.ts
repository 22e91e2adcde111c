// The back-office pages of the pipeline: who may open them (staff), their filters, and the
// posts on a file (stage change, note, follow-up outcome).
import type { AstroGlobal } from 'astro';
import { accounts } from '../../server/auth.ts';
import type { SessionUser } from '../../server/accounts/session.ts';
import {
  addNote,
  assignableStaff,
  assignFile,
  findCandidate,
  isStaff,
  moveStage,
  recordFollowUp,
} from '../../server/candidates/commands.ts';
import { markRead, sendAgentMessage } from '../../server/candidates/messages.ts';
import { listProposals, proposeOffers, searchFromNeeds } from '../../server/candidates/proposals.ts';
import { parseOfferSearch, searchParamNames } from '../../server/offers/schemas.ts';
import { runSearch } from '../offers.ts';
import { planStay } from '../../server/candidates/stays.ts';
import { completeTask, createTask } from '../../server/candidates/tasks.ts';
import { markDuplicate, mergeDuplicate, mergedTarget, moveTerritory } from '../../server/candidates/transfer.ts';
import {
  agentHome,
  boardColumns,
  countByStage,
  getCandidateFile,
  listCandidates,
  listSorts,
  type ListQuery,
} from '../../server/candidates/queries.ts';
import { stages } from '../../server/candidates/stages.ts';
import { db } from '../../server/db.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import { listTerritories, resolveCommune } from '../../server/places/queries.ts';
import { isMessageKey, t, type MessageKey } from '../../i18n/index.ts';
import { localizedErrors, readForm, signInUrl } from '../auth/form.ts';

const ctx = { db, clock: accounts.clock };
const fileCtx = { ...ctx, siteUrl: accounts.siteUrl };
type Denied = { redirect: string } | { status: 403 } | { status: 404 };

function staffOnly(astro: AstroGlobal): Denied | null {
  const user = astro.locals.user;
  if (!user) return { redirect: signInUrl(astro) };
  if (!isStaff(user)) return { status: 403 };
  return null;
}

export async function homePage(astro: AstroGlobal) {
  const denied = staffOnly(astro);
  if (denied) return denied;
  return { status: 200 as const, home: await agentHome(db, astro.locals.user!, accounts.clock) };
}

export async function listPage(astro: AstroGlobal) {
  const denied = staffOnly(astro);
  if (denied) return denied;
  const p = astro.url.searchParams;
  const pick = <T extends string>(value: string | null, allowed: readonly T[]) =>
    value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
  const query: ListQuery = {
    q: (p.get('q') ?? '').trim().slice(0, 100) || undefined,
    stage: pick(p.get('etape'), stages),
    territory:
      p.get('territoire') && /^(\d{2}|2A|2B|97\d|queue)$/.test(p.get('territoire')!) ? p.get('territoire')! : undefined,
    agent: /^\d{1,9}$/.test(p.get('agent') ?? '')
      ? Number(p.get('agent'))
      : pick(p.get('agent'), ['me', 'none'] as const),
    waiting: p.get('attente') === 'idle' ? 'idle' : ([7, 30, 90] as const).find((d) => String(d) === p.get('attente')),
    sort: pick(p.get('tri'), listSorts),
    page: /^\d{1,4}$/.test(p.get('page') ?? '') ? Number(p.get('page')) : 1,
  };
  if (p.get('vue') === 'tableau') {
    const [columns, counts] = await Promise.all([
      boardColumns(db, astro.locals.user!),
      countByStage(db, astro.locals.user!),
    ]);
    return { status: 200 as const, query, board: { columns, counts } };
  }
  const user = astro.locals.user!;
  const [list, staff] = await Promise.all([listCandidates(db, user, query, accounts.clock.now()), staffOf(user)]);
  const notice = p.get('ok') === 'transferred' ? t(astro.locals.locale, 'list.transferred') : undefined;
  return { status: 200 as const, query, list, staff, notice };
}

type Form = Record<string, string | string[]>;

/** A posted id or version as a number; anything else is 0, which matches nothing. */
const num = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : 0);

/** The posts of the file page other than a stage move: intent → domain command. Returns where to go next. */
async function fileAction(user: SessionUser, publicId: string, form: Form): Promise<string | null> {
  const here = `/agent/candidats/${publicId}`;
  const actions: Record<string, () => Promise<string>> = {
    note: async () => (await addNote(ctx, user, publicId, form.note), `${here}?ok=note`),
    assign: async () => (await assignFile(fileCtx, user, publicId, num(form.agent)), `${here}?ok=assign`),
    'follow-up': async () => (
      await recordFollowUp(ctx, user, num(form.task), form.outcome === 'left' ? 'left' : 'stayed'),
      `${here}?ok=followUp`
    ),
    task: async () => (await createTask(ctx, user, publicId, form), `${here}?ok=task#taches`),
    'task-done': async () => (await completeTask(ctx, user, publicId, num(form.task)), `${here}?ok=taskDone#taches`),
    stay: async () => (await planStay(fileCtx, user, publicId, form), `${here}?ok=stay#sejour`),
    message: async () => (await sendAgentMessage(fileCtx, user, publicId, form), `${here}?ok=message#messages`),
    duplicate: async () => (await markDuplicate(fileCtx, user, publicId, form.other), `${here}?ok=duplicate#doublon`),
    'not-duplicate': async () => (
      await markDuplicate(fileCtx, user, publicId, undefined, true),
      `${here}?ok=notDuplicate#doublon`
    ),
    merge: async () => `/agent/candidats/${await mergeDuplicate(fileCtx, user, publicId, num(form.version))}?ok=merged`,
    territory: async () => {
      await moveTerritory(fileCtx, user, publicId, form);
      // The file may now be out of the agent's territories.
      return (await canSee(user, publicId)) ? `${here}?ok=territory` : '/agent/candidats?ok=transferred';
    },
  };
  const action = typeof form.intent === 'string' ? actions[form.intent] : undefined;
  return action ? action() : null;
}

/** Staff of the actor's territories (to filter the list by agent). */
async function staffOf(user: SessionUser) {
  const lists = await Promise.all(user.territories.map((code) => assignableStaff(db, code)));
  const byId = new Map(lists.flat().map((s) => [s.id, s]));
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function canSee(user: SessionUser, publicId: string) {
  return findCandidate(db, user, publicId).then(
    () => true,
    () => false,
  );
}

export async function filePage(astro: AstroGlobal, publicId: string) {
  const denied = staffOnly(astro);
  if (denied) return denied;
  const user = astro.locals.user!;
  const locale = astro.locals.locale;
  let errors: Record<string, string> = {};
  let alert: string | undefined;
  let status = 200;
  let values: Record<string, string> = {};
  try {
    if (astro.request.method === 'POST') {
      const form = await readForm(astro.request);
      values = Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'));
      try {
        const done = await fileAction(user, publicId, form);
        if (done) return { redirect: done };
        let settledCommuneCode: string | undefined;
        if (form.to === 'settled' && typeof form.settledCommune === 'string' && form.settledCommune.trim()) {
          settledCommuneCode = (await resolveCommune(db, form.settledCommune, 'settledCommuneCode', user.territories))
            .code;
        }
        await moveStage(ctx, user, publicId, {
          to: String(form.to) as (typeof stages)[number],
          version: num(form.version),
          withdrawalReason:
            typeof form.withdrawalReason === 'string' && form.withdrawalReason ? form.withdrawalReason : undefined,
          withdrawalComment: typeof form.withdrawalComment === 'string' ? form.withdrawalComment : undefined,
          settledCommuneCode,
          settledAt: typeof form.settledAt === 'string' && form.settledAt ? form.settledAt : undefined,
          settledHouseholdSize:
            typeof form.settledHouseholdSize === 'string' && /^\d{1,2}$/.test(form.settledHouseholdSize)
              ? Number(form.settledHouseholdSize)
              : undefined,
        });
        return { redirect: `/agent/candidats/${publicId}?ok=stage` };
      } catch (error) {
        if (error instanceof Invalid) {
          errors = localizedErrors(locale, error);
          alert = t(locale, 'form.errors');
          status = 400;
        } else if (error instanceof Conflict) {
          alert = t(locale, isMessageKey(error.message) ? error.message : 'errors.stale_file');
          status = 409;
        } else if (error instanceof NotFound && error.message !== 'candidate not found') {
          // A task or proposal that is gone: say so on the file.
          alert = t(locale, 'errors.item_gone');
          status = 404;
        } else throw error;
      }
    }
    const data = await getCandidateFile(db, user, publicId);
    // The agent sees the family's messages: they are read.
    await markRead(db, data.file.id, false, accounts.clock.now().toISOString());
    const [staff, territoryList] = await Promise.all([
      data.file.territoryCode ? assignableStaff(db, data.file.territoryCode) : [],
      listTerritories(db),
    ]);
    const ok = astro.url.searchParams.get('ok');
    const notice = ok && isMessageKey(`file.ok.${ok}`) ? t(locale, `file.ok.${ok}` as MessageKey) : undefined;
    return {
      status,
      data,
      staff,
      territories: territoryList,
      errors,
      values: status === 200 ? {} : values,
      alert,
      notice,
      today: accounts.clock.now().toISOString().slice(0, 10),
    };
  } catch (error) {
    // Another territory's file, or one that does not exist: the same "not found". A merged
    // file sends to the file it was merged into.
    if (error instanceof NotFound) {
      const target = await mergedTarget(db, user, publicId);
      return target ? { redirect: `/agent/candidats/${target}` } : { status: 404 as const };
    }
    if (error instanceof Forbidden) return { status: 403 as const };
    throw error;
  }
}

/**
 * /agent/candidats/{id}/proposer: the catalogue searched with the /offres parameters (first
 * pre-filled from the family's needs); the agent ticks offers and proposes them.
 */
export async function proposePage(astro: AstroGlobal, publicId: string) {
  const denied = staffOnly(astro);
  if (denied) return denied;
  const user = astro.locals.user!;
  const locale = astro.locals.locale;
  try {
    const file = await findCandidate(db, user, publicId);
    let alert: string | undefined;
    let status = 200;
    if (astro.request.method === 'POST') {
      const form = await readForm(astro.request);
      try {
        const added = await proposeOffers(fileCtx, user, publicId, form.offers);
        return { redirect: `/agent/candidats/${publicId}?ok=${added ? 'proposed' : 'alreadyProposed'}#propositions` };
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        alert = error.errors.map((e) => t(locale, e.key, { value: e.value ?? '' })).join(' ');
        status = 400;
      }
    } else if (![...astro.url.searchParams.keys()].some((k) => (searchParamNames as string[]).includes(k))) {
      return { redirect: `/agent/candidats/${publicId}/proposer?${searchFromNeeds(file)}` };
    }
    const parsed = parseOfferSearch(astro.url.searchParams);
    const [{ query, errors, result }, territories, already] = await Promise.all([
      runSearch(parsed),
      listTerritories(db),
      listProposals(db, file.id),
    ]);
    return {
      status,
      file,
      raw: parsed.raw,
      query,
      errors: errors.map((e) => ({ field: e.field, message: t(locale, e.key, { value: e.value ?? '', ...e.params }) })),
      result,
      territories,
      proposed: new Set(already.map((p) => p.offerId)),
      alert,
    };
  } catch (error) {
    if (error instanceof NotFound) return { status: 404 as const };
    if (error instanceof Forbidden) return { status: 403 as const };
    throw error;
  }
}
