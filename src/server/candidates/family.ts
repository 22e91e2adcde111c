// The family's side of its file: what /compte shows (stage, proposals, stay, messages),
// answering and writing, "download my data" (erasing is src/server/family/erase.ts). A family reaches only the
// files filed with its verified address; it never sees another file.
import { listWorkProposals } from '../opportunities/proposals.ts';
import { and, asc, count, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  ambassadorStories,
  ambassadors,
  authTokens,
  calendarFeeds,
  candidateEvents,
  candidates,
  communes,
  discoveryStays,
  favourites,
  fibreAlerts,
  introductions,
  messages,
  offerPhotos,
  offers,
  outbox,
  proposals,
  opportunities,
  recoveryCodes,
  sessions,
  twoFactor,
  userTerritories,
  workProposals,
  savedSearches,
  stageHistory,
  tasks,
  territories,
  users,
} from '../../../db/schema/index.ts';
import type { EventData } from '../../../db/schema/candidates.ts';
import type { SessionUser } from '../accounts/session.ts';
import { shortName } from '../ambassadors/ambassadors.ts';
import { lastNotes } from '../offers/manage.ts';
import { PHOTO_WIDTHS, photoUrl } from '../offers/photos.ts';
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

/**
 * Every table holding something about an account — by its id, its address or one of its
 * files —, and where the export puts it (`exported`) or why it leaves it out (`leftOut`).
 * A unit test lists the database's tables with such a column and fails on one named in
 * neither. Within exported tables, secrets never leave (the password's hash, the TOTP keys,
 * session ids, the hashes of recovery codes and emailed links, unsubscribe and confirmation
 * tokens), nor staff's ids; and a staff account's rows as author, assignee or agent of
 * families' files are those families' data, not its own.
 */
export const ACCOUNT_DATA = {
  exported: {
    users: 'account (never the password’s hash)',
    user_territories: 'account.territories',
    candidates: 'files',
    stage_history: 'files[].stageHistory',
    candidate_events: 'files[].timeline',
    tasks: 'files[].tasks',
    proposals: 'files[].proposals',
    work_proposals: 'files[].workProposals',
    messages: 'files[].messages',
    discovery_stays: 'files[].discoveryStays',
    ambassador_introductions:
      'files[].introductions (the ambassador as the family was shown them) and ambassador.introductions (the household’s size and the note, as the ambassador was shown them); never the token’s hash',
    ambassadors: 'ambassador',
    ambassador_stories: 'ambassador.story (not who moderated it)',
    favourites: 'favourites',
    saved_searches: 'savedSearches (not the unsubscribe token)',
    fibre_alerts: 'fibreAlerts: the account’s and those asked with its address signed out (not the link’s token)',
    offers: 'offers',
    offer_photos: 'offers[].photos: each one’s description, size and address (the owner may fetch it), not its file',
    offer_events:
      'offers[].lastNote: the agents’ last message to the owner (each was emailed); not the back office’s history (staff, field names)',
    opportunities: 'businesses',
    opportunity_events: 'businesses[].lastNote: the same for businesses',
    outbox: 'emails: what was sent to the address and when, not the texts (they carry one-time links)',
    sessions: 'security.sessions: their dates, never their ids',
    two_factor: 'security.twoFactorEnabledAt, never the keys',
    recovery_codes: 'security.recoveryCodesLeft, never their hashes',
    auth_tokens: 'security.emailLinks: purpose and dates, never the hashes',
    calendar_feeds: 'security.calendarFeedCreatedAt, never the hash',
  },
  leftOut: {
    access_log:
      'the staff access log: the operator’s security record (GDPR art. 32), read by administrators; asked of the data protection officer',
    imports: 'a member of staff’s imports: the back office’s work, nothing about the person',
    rate_limits:
      'abuse counters keyed by an IP address, an email or an account’s id, minutes to a day long: counts, nothing said or done',
  },
} as const;

/**
 * A `duplicate` event as its family may read it: it names the other file (its id, the name
 * and address it was filed with), which may be another family's (one phone for two
 * households). Only a reference to one of the family's own files stays.
 */
function ownDuplicate(data: EventData, ownFiles: Set<string>): EventData {
  return Object.fromEntries(
    Object.entries(data).filter(
      ([k, v]) => k === 'cleared' || ((k === 'of' || k === 'merged') && typeof v === 'string' && ownFiles.has(v)),
    ),
  );
}

/**
 * Everything the portal holds about the account, as one JSON document (right of access); its
 * photos' addresses on `siteUrl`.
 */
export async function exportFamilyData(db: Db, user: SessionUser, now: Date, siteUrl = '') {
  const [account] = await db
    .select({
      name: users.name,
      email: users.email,
      locale: users.locale,
      role: users.role,
      createdAt: users.createdAt,
      emailVerifiedAt: users.emailVerifiedAt,
      lastSeenAt: users.lastSeenAt,
      inactivityWarnedAt: users.inactivityWarnedAt,
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
  const ownPhotos = ownOffers.length
    ? await db
        .select({
          offerId: offerPhotos.offerId,
          id: offerPhotos.id,
          storageKey: offerPhotos.storageKey,
          position: offerPhotos.position,
          alt: offerPhotos.alt,
          width: offerPhotos.width,
          height: offerPhotos.height,
        })
        .from(offerPhotos)
        .where(
          inArray(
            offerPhotos.offerId,
            ownOffers.map((o) => o.id),
          ),
        )
        .orderBy(asc(offerPhotos.offerId), asc(offerPhotos.position), asc(offerPhotos.id))
    : [];
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
  // The agents' last message on each (a request for changes, a refusal): the owner was emailed it.
  const [offerNotes, businessNotes] = await Promise.all([
    lastNotes(
      db,
      'offer',
      ownOffers.map((o) => o.id),
    ),
    lastNotes(
      db,
      'work',
      ownBusinesses.map((b) => b.id),
    ),
  ]);
  const site = siteUrl.replace(/\/$/, '');
  const largest = PHOTO_WIDTHS[PHOTO_WIDTHS.length - 1]!;
  const ownFiles = new Set(files.map((f) => f.publicId));
  const [accountTerritories, ambassador, fileIntroductions, alerts, emails, security] = await Promise.all([
    db
      .select({ code: userTerritories.territoryCode })
      .from(userTerritories)
      .where(eq(userTerritories.userId, user.id))
      .orderBy(asc(userTerritories.territoryCode)),
    ambassadorData(db, user.id),
    ids.length ? introductionsOfFiles(db, ids) : [],
    fibreAlertsOf(db, account?.email ?? user.email),
    db
      .select({
        template: outbox.template,
        locale: outbox.locale,
        status: outbox.status,
        createdAt: outbox.createdAt,
        sentAt: outbox.sentAt,
      })
      .from(outbox)
      .where(eq(outbox.to, account?.email ?? user.email))
      .orderBy(asc(outbox.id)),
    securityData(db, user.id),
  ]);
  return {
    exportedAt: now.toISOString(),
    account: account && { ...account, territories: accountTerritories.map((t) => t.code) },
    files: files.map(
      ({ id, duplicateOfId: _d, mergedIntoId: _m, version: _v, familyUserId: _f, assignedAgentId: _a, ...file }) => ({
        ...file,
        household: file.household,
        professions: file.professions,
        wishedTerritories: file.wishedTerritories,
        wishedCommunes: file.wishedCommunes,
        stageHistory: of(history, id).map(({ id: _i, byUserId: _b, ...h }) => h),
        timeline: of(events, id).map((e) => ({
          kind: e.kind,
          at: e.at,
          data: e.kind === 'duplicate' ? ownDuplicate(e.data, ownFiles) : e.data,
        })),
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
        introductions: of(fileIntroductions, id),
      }),
    ),
    favourites: favs,
    savedSearches: searches,
    offers: ownOffers.map((offer) => ({
      ...offer,
      photos: ownPhotos
        .filter((p) => p.offerId === offer.id)
        .map(({ id, storageKey, position, alt, width, height }) => ({
          position,
          alt,
          width,
          height,
          url: `${site}${photoUrl({ id, storageKey }, largest)}`,
        })),
      lastNote: offerNotes.get(offer.id) ?? null,
    })),
    businesses: ownBusinesses.map((b) => ({ ...b, lastNote: businessNotes.get(b.id) ?? null })),
    ambassador,
    fibreAlerts: alerts,
    emails,
    security,
  };
}

/**
 * The files' introductions to ambassadors, as the family sees them on /compte (decision 024):
 * the ambassador's first name and initial, profession, commune, languages and presentation,
 * the agent's note, where it stands and the family's own answer — never a contact detail,
 * nor the ambassador's answer.
 */
async function introductionsOfFiles(db: Db, ids: number[]) {
  const rows = await db
    .select({
      candidateId: introductions.candidateId,
      name: users.name,
      profession: ambassadors.profession,
      commune: communes.name,
      languages: ambassadors.languages,
      presentation: ambassadors.presentation,
      note: introductions.note,
      status: introductions.status,
      answer: introductions.familyAnswer,
      createdAt: introductions.createdAt,
      updatedAt: introductions.updatedAt,
    })
    .from(introductions)
    .innerJoin(ambassadors, eq(ambassadors.id, introductions.ambassadorId))
    .innerJoin(users, eq(users.id, ambassadors.userId))
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .where(inArray(introductions.candidateId, ids))
    .orderBy(asc(introductions.createdAt), asc(introductions.id));
  return rows.map(({ name, profession, commune, languages, presentation, ...r }) => ({
    ...r,
    ambassador: { name: shortName(name), profession, commune, languages, presentation },
  }));
}

/**
 * The account's ambassador profile (what it shares), its story with the moderators' message,
 * and the introductions asked of it as the ambassador sees them: the household's size and the
 * agent's note, never who the family is.
 */
async function ambassadorData(db: Db, userId: number) {
  const [me] = await db
    .select({
      id: ambassadors.id,
      status: ambassadors.status,
      territoryCode: ambassadors.territoryCode,
      communeCode: ambassadors.communeCode,
      commune: communes.name,
      profession: ambassadors.profession,
      languages: ambassadors.languages,
      byEmail: ambassadors.byEmail,
      byPhone: ambassadors.byPhone,
      byVideo: ambassadors.byVideo,
      phone: ambassadors.phone,
      bestTimes: ambassadors.bestTimes,
      presentation: ambassadors.presentation,
      createdAt: ambassadors.createdAt,
      updatedAt: ambassadors.updatedAt,
    })
    .from(ambassadors)
    .innerJoin(communes, eq(communes.code, ambassadors.communeCode))
    .where(eq(ambassadors.userId, userId));
  if (!me) return null;
  const { id, ...profile } = me;
  const [[story], asked] = await Promise.all([
    db
      .select({
        locale: ambassadorStories.locale,
        title: ambassadorStories.title,
        body: ambassadorStories.body,
        status: ambassadorStories.status,
        moderationNote: ambassadorStories.moderationNote,
        moderatedAt: ambassadorStories.moderatedAt,
        createdAt: ambassadorStories.createdAt,
        updatedAt: ambassadorStories.updatedAt,
      })
      .from(ambassadorStories)
      .where(eq(ambassadorStories.ambassadorId, id)),
    db
      .select({
        household: candidates.household,
        note: introductions.note,
        status: introductions.status,
        answer: introductions.ambassadorAnswer,
        createdAt: introductions.createdAt,
        updatedAt: introductions.updatedAt,
      })
      .from(introductions)
      .innerJoin(candidates, eq(candidates.id, introductions.candidateId))
      .where(eq(introductions.ambassadorId, id))
      .orderBy(asc(introductions.createdAt), asc(introductions.id)),
  ]);
  return {
    ...profile,
    story: story ?? null,
    introductions: asked.map(({ household, ...r }) => ({
      householdSize: household.adults + household.children.length,
      ...r,
    })),
  };
}

/**
 * "Tell me when fibre arrives" alerts: the account's and those asked with its address signed
 * out. Both carry the address (a signed-in alert is written with the account's, which never
 * changes), read through `fibre_alerts_email_commune_idx`; `user_id` has no index.
 */
function fibreAlertsOf(db: Db, email: string) {
  return db
    .select({
      email: fibreAlerts.email,
      communeCode: fibreAlerts.communeCode,
      commune: communes.name,
      threshold: fibreAlerts.threshold,
      locale: fibreAlerts.locale,
      confirmedAt: fibreAlerts.confirmedAt,
      notifiedAt: fibreAlerts.notifiedAt,
      notifiedShare: fibreAlerts.notifiedShare,
      createdAt: fibreAlerts.createdAt,
    })
    .from(fibreAlerts)
    .innerJoin(communes, eq(communes.code, fibreAlerts.communeCode))
    .where(eq(fibreAlerts.email, email))
    .orderBy(asc(fibreAlerts.createdAt), asc(fibreAlerts.id));
}

const isoOfMs = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

/** What the account's security holds, without a secret: dates, a purpose, a count. */
async function securityData(db: Db, userId: number) {
  const [openSessions, [totp], [codes], links, [feed]] = await Promise.all([
    db
      .select({
        createdAt: sessions.createdAt,
        lastActiveAt: sessions.lastActiveAt,
        expiresAt: sessions.expiresAt,
        secondStep: sessions.twoFactorVerified,
      })
      .from(sessions)
      .where(eq(sessions.userId, userId))
      .orderBy(asc(sessions.createdAt)),
    db.select({ enabledAt: twoFactor.enabledAt }).from(twoFactor).where(eq(twoFactor.userId, userId)),
    db
      .select({ left: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
    db
      .select({
        purpose: authTokens.purpose,
        createdAt: authTokens.createdAt,
        expiresAt: authTokens.expiresAt,
        usedAt: authTokens.usedAt,
      })
      .from(authTokens)
      .where(eq(authTokens.userId, userId))
      .orderBy(asc(authTokens.createdAt), asc(authTokens.id)),
    db.select({ createdAt: calendarFeeds.createdAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId)),
  ]);
  return {
    /** Sessions: when each began, was last used and would end (lucia's expiry is in seconds). */
    sessions: openSessions.map((x) => ({
      startedAt: isoOfMs(x.createdAt),
      lastActiveAt: isoOfMs(x.lastActiveAt),
      expiresAt: isoOfMs(x.expiresAt * 1000),
      secondStep: x.secondStep,
    })),
    twoFactorEnabledAt: totp?.enabledAt ?? null,
    recoveryCodesLeft: codes?.left ?? 0,
    emailLinks: links,
    calendarFeedCreatedAt: feed?.createdAt ?? null,
  };
}
