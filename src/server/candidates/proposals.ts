// Offers an agent proposes to a family, found with the catalogue's own search, and the
// family's answers (accept / decline, with a comment).
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'astro/zod';
import type { Db } from '../../../db/client.ts';
import {
  candidates,
  communes,
  offerPhotos,
  offers,
  opportunities,
  proposals,
  workProposals,
} from '../../../db/schema/index.ts';
import { connectivityLabel } from '../offers/connectivity-label.ts';
import { transactionParam } from '../offers/schemas.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import { t } from '../../i18n/index.ts';
import { addEvent, changeFile, type CandidateRow, type CandidatesContext } from './commands.ts';
import { mailFamily, mailStaff, type NotifyContext } from './notify.ts';
import { parseInput, ProposalAnswerSchema } from './schemas.ts';

type Ctx = CandidatesContext & NotifyContext;

export const PROPOSE_MAX = 20;

/** The catalogue search a proposal starts from: the family's needs as /offres parameters. */
export function searchFromNeeds(file: CandidateRow): URLSearchParams {
  const p = new URLSearchParams();
  const wished = file.wishedTerritories;
  const territory = file.territoryCode ?? wished[0];
  if (territory) p.set('territoire', territory);
  p.set('type', 'logement');
  if (file.transaction) p.set('transaction', transactionParam(file.transaction));
  if (file.budgetMax) p.set('prix_max', String(file.budgetMax));
  if (file.minDownloadMbps) p.set('debit_min', String(file.minDownloadMbps));
  const communesWished = file.wishedCommunes;
  if (communesWished[0]) {
    p.set('commune', communesWished[0]);
    p.set('rayon', '20');
  }
  return p;
}

const OfferIds = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(
      z.preprocess(
        (v) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : v),
        z.number({ error: 'errors.offer_unknown' }).int().positive(),
      ),
      { error: 'errors.offer_unknown' },
    )
    .min(1, { error: 'errors.offers_required' })
    .max(PROPOSE_MAX, { error: 'errors.too_many_offers' }),
);

/** Proposes published offers; offers already proposed to this family are skipped. Returns how many are new. */
export async function proposeOffers(
  ctx: Ctx,
  actor: SessionUser,
  publicId: string,
  offerIds: unknown,
): Promise<number> {
  const ids = [...new Set(parseInput(z.object({ offers: OfferIds }), { offers: offerIds }).offers)];
  return changeFile(ctx, actor, publicId, async (tx, file, now) => {
    const found = await tx
      .select({ id: offers.id, title: offers.title })
      .from(offers)
      .where(and(inArray(offers.id, ids), eq(offers.status, 'published')));
    if (found.length !== ids.length) throw new Invalid([{ field: 'offers', key: 'errors.offer_unknown' }]);
    const already = await tx
      .select({ offerId: proposals.offerId })
      .from(proposals)
      .where(and(eq(proposals.candidateId, file.id), inArray(proposals.offerId, ids)));
    const fresh = found.filter((o) => !already.some((a) => a.offerId === o.id));
    if (fresh.length === 0) return 0;
    await tx
      .insert(proposals)
      .values(fresh.map((o) => ({ candidateId: file.id, offerId: o.id, proposedById: actor.id, proposedAt: now })));
    await addEvent(
      tx,
      file.id,
      'proposal',
      { offers: fresh.map((o) => ({ id: o.id, title: o.title })) },
      actor.id,
      now,
    );
    await tx.update(candidates).set({ lastContactAt: now, updatedAt: now }).where(eq(candidates.id, file.id));
    await mailFamily(
      tx,
      ctx,
      file,
      'offers_proposed',
      {
        agent: actor.name,
        count: t(file.locale, 'proposal.count', { count: fresh.length }),
        titles: fresh.map((o) => o.title).join(', '),
      },
      actor.id,
    );
    return fresh.length;
  });
}

/** The two kinds of proposals: homes and tiers-lieux (`offer`), jobs and businesses (`work`). */
const proposalTables = {
  offer: { proposals, items: offers, item: proposals.offerId },
  work: { proposals: workProposals, items: opportunities, item: workProposals.opportunityId },
} as const;

/**
 * The family accepts or declines a proposal of its own file (a home by default, or a job or
 * business); it may change its mind later. The timeline event, the file's last contact and
 * the staff's email follow in the same transaction.
 */
export async function answerProposal(
  ctx: Ctx,
  family: SessionUser,
  file: CandidateRow,
  input: unknown,
  of: keyof typeof proposalTables = 'offer',
): Promise<void> {
  const data = parseInput(ProposalAnswerSchema, input);
  const now = ctx.clock.now().toISOString();
  const { proposals: table, items, item } = proposalTables[of];
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: table.id, title: items.title, status: table.status, online: items.status })
      .from(table)
      .innerJoin(items, eq(items.id, item))
      .where(and(eq(table.id, data.proposal), eq(table.candidateId, file.id)));
    if (!row) throw new NotFound('proposal');
    // A proposal closed at settlement, or of an item no longer online, has nothing left to
    // answer: the page offers no form for it, so the refusal is about the whole post.
    if (row.status === 'closed') throw new Conflict('errors.proposal_closed');
    if (row.online !== 'published') throw new Conflict('errors.proposal_offline');
    await tx
      .update(table)
      .set({ status: data.answer, comment: data.comment ?? null, answeredAt: now })
      .where(eq(table.id, row.id));
    await addEvent(
      tx,
      file.id,
      'proposal',
      { answer: data.answer, offer: row.title, comment: data.comment ?? null },
      family.id,
      now,
    );
    await tx.update(candidates).set({ lastContactAt: now, updatedAt: now }).where(eq(candidates.id, file.id));
    await mailStaff(tx, ctx, file, 'proposal_answered', (locale) => ({
      offer: row.title,
      answer: t(locale, data.answer === 'accepted' ? 'proposal.mailAccepted' : 'proposal.mailDeclined'),
      comment: data.comment ? t(locale, 'proposal.mailComment', { comment: data.comment }) : '',
    }));
  });
}

/** A file's proposals, newest first, each with its offer's cover photo and connectivity label. */
export async function listProposals(db: Db, candidateId: number) {
  const rows = await db
    .select({
      id: proposals.id,
      status: proposals.status,
      comment: proposals.comment,
      proposedAt: proposals.proposedAt,
      answeredAt: proposals.answeredAt,
      offerId: offers.id,
      slug: offers.slug,
      title: offers.title,
      kind: offers.kind,
      price: offers.price,
      transaction: offers.transaction,
      offerStatus: offers.status,
      communeName: communes.name,
      downloadMbps: offers.downloadMbps,
      uploadMbps: offers.uploadMbps,
      photoId: offerPhotos.id,
      photoKey: offerPhotos.storageKey,
      photoWidth: offerPhotos.width,
      photoHeight: offerPhotos.height,
      photoAlt: offerPhotos.alt,
    })
    .from(proposals)
    .innerJoin(offers, eq(offers.id, proposals.offerId))
    .innerJoin(communes, eq(communes.code, offers.communeCode))
    // The cover is the photo at position 0.
    .leftJoin(offerPhotos, and(eq(offerPhotos.offerId, offers.id), eq(offerPhotos.position, 0)))
    .where(eq(proposals.candidateId, candidateId))
    .orderBy(desc(proposals.proposedAt), desc(proposals.id));
  return rows.map(({ photoId, photoKey, photoWidth, photoHeight, photoAlt, downloadMbps, uploadMbps, ...p }) => ({
    ...p,
    label: connectivityLabel(downloadMbps, uploadMbps),
    photo:
      photoId === null
        ? null
        : { id: photoId, storageKey: photoKey!, width: photoWidth!, height: photoHeight!, alt: photoAlt! },
  }));
}
