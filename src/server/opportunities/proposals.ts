// Jobs and businesses proposed to a family for the partner (issue 16): the file page's box of
// matches (`fileWorkMatches`), an agent's proposal of one (`proposeWork`), the family's answer
// (`answerProposal(…, 'work')` in candidates/proposals.ts, as for homes), and the list both
// sides read. Emails and timeline events as for the offers' proposals (`proposals.ts`).
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'astro/zod';
import type { Db } from '../../../db/client.ts';
import { candidates, communes, opportunities, workProposals } from '../../../db/schema/index.ts';
import { t } from '../../i18n/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { addEvent, changeFile, type CandidateRow, type CandidatesContext } from '../candidates/commands.ts';
import { mailFamily, type NotifyContext } from '../candidates/notify.ts';
import { Invalid } from '../errors.ts';
import { id as idOf, parseInput } from '../input.ts';
import { workMatches } from './queries.ts';

type Ctx = CandidatesContext & NotifyContext;

/**
 * What the file's partner may be offered in its territory: the partner's wish, what they
 * seek and their profession (`professions[1]`), near the wished communes. Items already
 * proposed are marked. A file without a territory, or a partner not seeking, has none.
 */
export async function fileWorkMatches(db: Db, file: CandidateRow) {
  const wish = file.partnerWish ?? null;
  if (!file.territoryCode || wish === 'not_seeking' || wish === 'remote') return { wish, matches: [] };
  const points = file.wishedCommunes.length
    ? await db
        .select({ lat: communes.lat, lng: communes.lng })
        .from(communes)
        .where(inArray(communes.code, file.wishedCommunes))
    : [];
  const matches = await workMatches(db, {
    territory: file.territoryCode,
    wish,
    sought: file.partnerSought ?? null,
    profession: file.professions[1]?.profession ?? null,
    communes: points.flatMap((p) => (p.lat !== null && p.lng !== null ? [{ lat: p.lat, lng: p.lng }] : [])),
  });
  const proposed = new Set(
    (
      await db
        .select({ id: workProposals.opportunityId })
        .from(workProposals)
        .where(eq(workProposals.candidateId, file.id))
    ).map((p) => p.id),
  );
  return { wish, matches: matches.map((m) => ({ ...m, proposed: proposed.has(m.id) })) };
}

const ProposeWorkSchema = z.object({ opportunity: idOf('errors.work_required') });

/** Proposes a published job or business of the file's territory; one proposed already is not again. Returns whether it is new. */
export async function proposeWork(ctx: Ctx, actor: SessionUser, publicId: string, input: unknown): Promise<boolean> {
  const { opportunity } = parseInput(ProposeWorkSchema, input);
  return changeFile(ctx, actor, publicId, async (tx, file, now) => {
    const [item] = await tx
      .select({ id: opportunities.id, title: opportunities.title })
      .from(opportunities)
      .where(
        and(
          eq(opportunities.id, opportunity),
          eq(opportunities.status, 'published'),
          // Only the file's own territory's: another one's is as unknown as a missing one.
          eq(opportunities.territoryCode, file.territoryCode ?? ''),
        ),
      );
    if (!item) throw new Invalid([{ field: 'opportunity', key: 'errors.work_unknown' }]);
    const inserted = await tx
      .insert(workProposals)
      .values({ candidateId: file.id, opportunityId: item.id, proposedById: actor.id, proposedAt: now })
      .onConflictDoNothing()
      .returning({ id: workProposals.id });
    if (!inserted.length) return false;
    await addEvent(tx, file.id, 'proposal', { opportunities: [{ id: item.id, title: item.title }] }, actor.id, now);
    await tx.update(candidates).set({ lastContactAt: now, updatedAt: now }).where(eq(candidates.id, file.id));
    await mailFamily(
      tx,
      ctx,
      file,
      'offers_proposed',
      { agent: actor.name, count: t(file.locale, 'work.proposal.count', { count: 1 }), titles: item.title },
      actor.id,
    );
    return true;
  });
}

/** A file's proposed jobs and businesses, newest first. */
export function listWorkProposals(db: Db, candidateId: number) {
  return db
    .select({
      id: workProposals.id,
      status: workProposals.status,
      comment: workProposals.comment,
      proposedAt: workProposals.proposedAt,
      answeredAt: workProposals.answeredAt,
      opportunityId: opportunities.id,
      kind: opportunities.kind,
      title: opportunities.title,
      employer: opportunities.employer,
      itemStatus: opportunities.status,
      communeName: communes.name,
    })
    .from(workProposals)
    .innerJoin(opportunities, eq(opportunities.id, workProposals.opportunityId))
    .innerJoin(communes, eq(communes.code, opportunities.communeCode))
    .where(eq(workProposals.candidateId, candidateId))
    .orderBy(desc(workProposals.proposedAt), desc(workProposals.id));
}
export type WorkProposal = Awaited<ReturnType<typeof listWorkProposals>>[number];
