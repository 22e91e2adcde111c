// Anonymising candidate files: at the family's request (src/server/family/erase.ts) and
// when the territory's retention period has passed (src/server/candidates/retention.ts).
// What reports count stays exactly as it was — stages and their dates, household, settlement
// commune and date, origin (as the département code or country the report reads from the
// place, never the typed text) —; who the family is, and everything anyone wrote about it,
// goes.
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import {
  candidateEvents,
  candidates,
  ambassadors,
  discoveryStays,
  introductions,
  messages,
  outbox,
  proposals,
  workProposals,
  tasks,
} from '../../../db/schema/index.ts';
import { originOf } from '../reports/queries.ts';
import { addEvent } from './commands.ts';
import { forgetMail } from '../mail/outbox.ts';

/** Event details that are codes, dates, ids or choices, never text typed about the family. */
const KEPT_DETAILS = new Set([
  'territories',
  'of',
  'merged',
  'done',
  'cleared',
  'from',
  'to',
  'reason',
  'consent',
  'fromFamily',
  'template',
  'outboxId',
  'kind',
  'outcome',
  'answer',
  'due',
  'start',
  'end',
  'offers',
  'offer',
  'fields',
]);

/** The place a family came from, as reports read it: "(32)", "(Belgique)" or nothing. */
export function anonymousOrigin(place: string | null): string | null {
  const origin = originOf(place);
  if (!origin) return null;
  return origin.kind === 'department' ? `(${origin.code})` : `(${origin.name})`;
}

export interface FileToAnonymise {
  id: number;
  publicId: string;
  email: string;
  currentPlace: string | null;
}

/**
 * Anonymises files in one transaction: identity and free text of the file, its messages,
 * discovery stays (hosts, places), manual tasks and the titles of follow-ups, the text in
 * its timeline (notes, consent notes, comments — only codes and choices stay), and the
 * emails about it or to its address in the outbox (unsent ones deleted, sent ones emptied).
 * `by`: who asked (the family) or null (the retention job).
 */
export async function anonymiseFiles(tx: Tx, files: FileToAnonymise[], by: number | null, now: string): Promise<void> {
  if (files.length === 0) return;
  const ids = files.map((f) => f.id);
  for (const f of files)
    await tx
      .update(candidates)
      .set({
        name: '—',
        email: `erased-${f.publicId}@invalid`,
        phone: null,
        familyUserId: null,
        currentPlace: anonymousOrigin(f.currentPlace),
        housingNeeds: null,
        workspaceNeeds: null,
        heardFrom: null,
        partnerSought: null,
        maturityReason: null,
        withdrawalComment: null,
        anonymisedAt: now,
        updatedAt: now,
      })
      .where(eq(candidates.id, f.id));
  await tx.delete(messages).where(inArray(messages.candidateId, ids));
  await tx.delete(discoveryStays).where(inArray(discoveryStays.candidateId, ids));
  // Introductions to an ambassador (the agent's note) go; a family that was an ambassador
  // stops being one, and its story goes with it (cascade). Decision 024.
  await tx.delete(introductions).where(inArray(introductions.candidateId, ids));
  await tx.delete(ambassadors).where(inArray(ambassadors.candidateId, ids));
  await tx.update(proposals).set({ comment: null }).where(inArray(proposals.candidateId, ids));
  await tx.update(workProposals).set({ comment: null }).where(inArray(workProposals.candidateId, ids));
  // Follow-ups stay (their outcome is a figure); what an agent typed does not.
  await tx.delete(tasks).where(and(inArray(tasks.candidateId, ids), eq(tasks.kind, 'manual')));
  await tx.update(tasks).set({ title: '—' }).where(inArray(tasks.candidateId, ids));
  const events = await tx
    .select({ id: candidateEvents.id, data: candidateEvents.data })
    .from(candidateEvents)
    .where(inArray(candidateEvents.candidateId, ids));
  for (const e of events) {
    const kept = Object.fromEntries(Object.entries(e.data ?? {}).filter(([k]) => KEPT_DETAILS.has(k)));
    if (Object.keys(kept).length !== Object.keys(e.data ?? {}).length)
      await tx.update(candidateEvents).set({ data: kept }).where(eq(candidateEvents.id, e.id));
  }
  // Another file's timeline may name this one (a duplicate merged into it, or found).
  const publicIds = files.map((f) => f.publicId);
  await tx
    .update(candidateEvents)
    .set({ data: sql`json_remove(${candidateEvents.data}, '$.name', '$.email')` })
    .where(
      and(
        eq(candidateEvents.kind, 'duplicate'),
        or(
          inArray(sql`${candidateEvents.data} ->> 'merged'`, publicIds),
          inArray(sql`${candidateEvents.data} ->> 'of'`, publicIds),
        ),
      ),
    );
  const about = or(
    inArray(outbox.candidateId, ids),
    inArray(
      outbox.to,
      files.map((f) => f.email),
    ),
  );
  await forgetMail(tx, about);
  for (const f of files) await addEvent(tx, f.id, 'erased', {}, by, now);
}
