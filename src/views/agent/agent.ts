// The back-office pages of the pipeline: who may open them (staff), their filters, and the
// posts on a file (stage change, note, follow-up outcome).
import type { AstroGlobal } from 'astro';
import { accounts } from '../../server/auth.ts';
import { addNote, assignableStaff, assignFile, moveStage, recordFollowUp } from '../../server/candidates/commands.ts';
import { agentHome, boardColumns, countByStage, getCandidateFile, listCandidates, listSorts, type ListQuery } from '../../server/candidates/queries.ts';
import { stages } from '../../server/candidates/stages.ts';
import { db } from '../../server/db.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import { resolveCommune } from '../../server/places/queries.ts';
import { t } from '../../i18n/index.ts';
import { readForm, signInUrl } from '../auth/form.ts';

const ctx = { db, clock: accounts.clock };
type Denied = { redirect: string } | { status: 403 } | { status: 404 };

function staffOnly(astro: AstroGlobal): Denied | null {
  const user = astro.locals.user;
  if (!user) return { redirect: signInUrl(astro) };
  if (!['agent', 'territory_admin', 'platform_admin'].includes(user.role)) return { status: 403 };
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
  const pick = <T extends string>(value: string | null, allowed: readonly T[]) => (value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined);
  const query: ListQuery = {
    q: (p.get('q') ?? '').trim().slice(0, 100) || undefined,
    stage: pick(p.get('etape'), stages),
    territory: p.get('territoire') && /^(\d{2}|2A|2B|97\d|queue)$/.test(p.get('territoire')!) ? p.get('territoire')! : undefined,
    agent: pick(p.get('agent'), ['me', 'none'] as const),
    sort: pick(p.get('tri'), listSorts),
    page: /^\d{1,4}$/.test(p.get('page') ?? '') ? Number(p.get('page')) : 1,
  };
  if (p.get('vue') === 'tableau') {
    const [columns, counts] = await Promise.all([boardColumns(db, astro.locals.user!), countByStage(db, astro.locals.user!)]);
    return { status: 200 as const, query, board: { columns, counts } };
  }
  return { status: 200 as const, query, list: await listCandidates(db, astro.locals.user!, query) };
}

export async function filePage(astro: AstroGlobal, publicId: string) {
  const denied = staffOnly(astro);
  if (denied) return denied;
  const user = astro.locals.user!;
  const locale = astro.locals.locale;
  let errors: Record<string, string> = {};
  let alert: string | undefined;
  let status = 200;
  try {
    if (astro.request.method === 'POST') {
      const form = await readForm(astro.request);
      try {
        if (form.intent === 'note') {
          await addNote(ctx, user, publicId, form.note);
          return { redirect: `/agent/candidats/${publicId}?ok=note` };
        }
        if (form.intent === 'assign') {
          await assignFile({ ...ctx, siteUrl: accounts.siteUrl }, user, publicId, Number(form.agent));
          return { redirect: `/agent/candidats/${publicId}?ok=assign` };
        }
        if (form.intent === 'follow-up') {
          await recordFollowUp(ctx, user, Number(form.task), form.outcome === 'left' ? 'left' : 'stayed');
          return { redirect: `/agent/candidats/${publicId}?ok=follow-up` };
        }
        let settledCommuneCode: string | undefined;
        if (form.to === 'settled' && typeof form.settledCommune === 'string' && form.settledCommune.trim()) {
          settledCommuneCode = (await resolveCommune(db, form.settledCommune, 'settledCommuneCode', user.territories)).code;
        }
        await moveStage(ctx, user, publicId, {
          to: String(form.to) as (typeof stages)[number],
          version: Number(form.version),
          withdrawalReason: typeof form.withdrawalReason === 'string' && form.withdrawalReason ? form.withdrawalReason : undefined,
          withdrawalComment: typeof form.withdrawalComment === 'string' ? form.withdrawalComment : undefined,
          settledCommuneCode,
          settledAt: typeof form.settledAt === 'string' && form.settledAt ? form.settledAt : undefined,
          settledHouseholdSize: typeof form.settledHouseholdSize === 'string' && /^\d{1,2}$/.test(form.settledHouseholdSize) ? Number(form.settledHouseholdSize) : undefined,
        });
        return { redirect: `/agent/candidats/${publicId}?ok=stage` };
      } catch (error) {
        if (error instanceof Invalid) {
          errors = Object.fromEntries(error.errors.map((e) => [e.field, t(locale, e.key, { value: e.value ?? '', ...e.params })]));
          alert = t(locale, 'form.errors');
          status = 400;
        } else if (error instanceof Conflict) {
          alert = t(locale, 'errors.stale_file');
          status = 409;
        } else throw error;
      }
    }
    const data = await getCandidateFile(db, user, publicId);
    const staff = data.file.territoryCode ? await assignableStaff(db, data.file.territoryCode) : [];
    const ok = astro.url.searchParams.get('ok');
    const notices: Record<string, string> = { stage: t(locale, 'file.moved'), note: t(locale, 'file.noted'), assign: t(locale, 'file.assigned') };
    return { status, data, staff, errors, alert, notice: ok ? notices[ok] : undefined };
  } catch (error) {
    // Another territory's file, or one that does not exist: the same "not found".
    if (error instanceof NotFound) return { status: 404 as const };
    if (error instanceof Forbidden) return { status: 403 as const };
    throw error;
  }
}
