// The family's side of its file: what /compte shows (stage, proposals, stay, messages),
// answering and writing, "download my data" (erasing is src/server/family/erase.ts). A family reaches only the
// files filed with its verified address; it never sees another file.
import { listWorkProposals } from '../opportunities/proposals.ts';
import { and, asc, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  candidateEvents,
  candidates,
  discoveryStays,
  favourites,
  messages,
  offers,
  proposals,
  opportunities,
  workProposals,
  savedSearches,
  stageHistory,
  tasks,
  territories,
  users,
} from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { isFamily } from '../policy.ts';
import type { CandidateRow } from './commands.ts';
import { listMessages } from './messages.ts';
import { listProposals } from './proposals.ts';
import { listStays } from './stays.ts';
import { fileListSizes } from './schemas.ts';

const mine = (user: SessionUser) =>
  and(
    or(eq(candidates.familyUserId, user.id), eq(candidates.email, user.email)),
    isNull(candidates.anonymisedAt),
    isNull(candidates.mergedIntoId),
  );

/** The family's current file: the newest one filed with the account's address. */
export async function familyFile(db: Db, user: SessionUser): Promise<CandidateRow | null> {
  if (!isFamily(user)) return null;
  const [row] = await db
    .select()
    .from(candidates)
    .where(mine(user))
    .orderBy(desc(candidates.createdAt), desc(candidates.id))
    .limit(1);
  return row ?? null;
}

export interface FamilyFileSummary {
  publicId: string;
  stage: CandidateRow['stage'];
  stageEnteredAt: string;
  territoryName: string | null;
  agentName: string | null;
}

/** What /compte shows of the file: its last `shownMessages` messages. */
export async function familyAccount(db: Db, user: SessionUser, shownMessages: number = fileListSizes.messages) {
  const file = await familyFile(db, user);
  if (!file) return null;
  const [[place], fileProposals, thread, stays, workProposals] = await Promise.all([
    db
      .select({ territoryName: territories.name, agentName: users.name })
      .from(candidates)
      .leftJoin(territories, eq(territories.code, candidates.territoryCode))
      .leftJoin(users, eq(users.id, candidates.assignedAgentId))
      .where(eq(candidates.id, file.id)),
    listProposals(db, file.id),
    listMessages(db, file.id, shownMessages),
    listStays(db, file.id),
    listWorkProposals(db, file.id),
  ]);
  const summary: FamilyFileSummary = {
    publicId: file.publicId,
    stage: file.stage,
    stageEnteredAt: file.stageEnteredAt,
    territoryName: place?.territoryName ?? null,
    agentName: place?.agentName ?? null,
  };
  // What was proposed and is no longer online keeps its commune and kind, never its text or
  // photo: since it went offline, an owner may have edited it with no agent reading it.
  return {
    file,
    summary,
    proposals: fileProposals.map((p) =>
      p.offerStatus === 'published' ? p : { ...p, title: null, photo: null, price: null },
    ),
    messages: thread.rows,
    messageTotal: thread.total,
    stays,
    workProposals: workProposals.map((p) => (p.itemStatus === 'published' ? p : { ...p, title: null, employer: null })),
  };
}

/** The rows hanging off the given files, table by table, for the export of a family's data. */
function rowsOfFiles(db: Db, ids: number[]) {
  return Promise.all([
    db.select().from(stageHistory).where(inArray(stageHistory.candidateId, ids)).orderBy(asc(stageHistory.enteredAt)),
    db.select().from(candidateEvents).where(inArray(candidateEvents.candidateId, ids)).orderBy(asc(candidateEvents.at)),
    db.select().from(tasks).where(inArray(tasks.candidateId, ids)),
    db
      .select({
        candidateId: proposals.candidateId,
        offer: offers.title,
        offerId: offers.id,
        status: proposals.status,
        comment: proposals.comment,
        proposedAt: proposals.proposedAt,
        answeredAt: proposals.answeredAt,
      })
      .from(proposals)
      .innerJoin(offers, eq(offers.id, proposals.offerId))
      .where(inArray(proposals.candidateId, ids)),
    db.select().from(messages).where(inArray(messages.candidateId, ids)).orderBy(asc(messages.at)),
    db.select().from(discoveryStays).where(inArray(discoveryStays.candidateId, ids)),
  ]);
}

/** Everything the portal holds about the account, as one JSON document (right of access). */
export async function exportFamilyData(db: Db, user: SessionUser, now: Date) {
  const [account] = await db
    .select({
      name: users.name,
      email: users.email,
      locale: users.locale,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.id, user.id));
  const files = isFamily(user) ? await db.select().from(candidates).where(mine(user)).orderBy(asc(candidates.id)) : [];
  const ids = files.map((f) => f.id);
  const noFileRows: Awaited<ReturnType<typeof rowsOfFiles>> = [[], [], [], [], [], []];
  const of = <T extends { candidateId: number }>(rows: T[], id: number) =>
    rows.filter((r) => r.candidateId === id).map(({ candidateId: _, ...rest }) => rest);
  const [[history, events, fileTasks, props, thread, stays], favs, searches] = await Promise.all([
    ids.length ? rowsOfFiles(db, ids) : noFileRows,
    db
      .select({
        offerId: favourites.offerId,
        title: offers.title,
        createdAt: favourites.createdAt,
        note: favourites.note,
      })
      .from(favourites)
      .innerJoin(offers, eq(offers.id, favourites.offerId))
      .where(eq(favourites.userId, user.id)),
    db
      .select({
        name: savedSearches.name,
        query: savedSearches.query,
        alerts: savedSearches.alerts,
        createdAt: savedSearches.createdAt,
      })
      .from(savedSearches)
      .where(eq(savedSearches.userId, user.id)),
  ]);
  // An owner's offers, with what only they and the agents see (address, exact point).
  const ownOffers = await db
    .select({
      id: offers.id,
      kind: offers.kind,
      status: offers.status,
      title: offers.title,
      description: offers.description,
      communeCode: offers.communeCode,
      address: offers.address,
      lat: offers.lat,
      lng: offers.lng,
      createdAt: offers.createdAt,
      confirmedAt: offers.confirmedAt,
      proposedChanges: offers.proposedChanges,
    })
    .from(offers)
    .where(eq(offers.ownerId, user.id));
  // Jobs and businesses proposed to the files (issue 16), and an owner's businesses.
  const workRows = ids.length
    ? await db
        .select({
          candidateId: workProposals.candidateId,
          title: opportunities.title,
          status: workProposals.status,
          comment: workProposals.comment,
          proposedAt: workProposals.proposedAt,
          answeredAt: workProposals.answeredAt,
        })
        .from(workProposals)
        .innerJoin(opportunities, eq(opportunities.id, workProposals.opportunityId))
        .where(inArray(workProposals.candidateId, ids))
    : [];
  const ownBusinesses = await db
    .select({
      id: opportunities.id,
      status: opportunities.status,
      title: opportunities.title,
      description: opportunities.description,
      communeCode: opportunities.communeCode,
      createdAt: opportunities.createdAt,
    })
    .from(opportunities)
    .where(eq(opportunities.ownerId, user.id));
  return {
    exportedAt: now.toISOString(),
    account,
    files: files.map(
      ({ id, duplicateOfId: _d, mergedIntoId: _m, version: _v, familyUserId: _f, assignedAgentId: _a, ...file }) => ({
        ...file,
        household: file.household,
        professions: file.professions,
        wishedTerritories: file.wishedTerritories,
        wishedCommunes: file.wishedCommunes,
        stageHistory: of(history, id).map(({ id: _i, byUserId: _b, ...h }) => h),
        timeline: of(events, id).map((e) => ({ kind: e.kind, at: e.at, data: e.data })),
        tasks: of(fileTasks, id).map(({ title, dueDate, doneAt, outcome }) => ({ title, dueDate, doneAt, outcome })),
        proposals: of(props, id),
        workProposals: of(workRows, id),
        messages: of(thread, id).map((m) => ({ fromFamily: m.fromFamily, body: m.body, at: m.at })),
        discoveryStays: of(stays, id).map(({ startDate, endDate, places, hosts }) => ({
          startDate,
          endDate,
          places,
          hosts,
        })),
      }),
    ),
    favourites: favs,
    savedSearches: searches,
    offers: ownOffers,
    businesses: ownBusinesses,
  };
}
