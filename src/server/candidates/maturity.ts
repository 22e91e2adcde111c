// The maturity score of a file: how ready the family's project looks from what it declared,
// out of 100, as five factors an agent can read line by line (time frame, the main earner's
// remote work, the partner's situation, the budget against the homes on offer where the
// family wishes to live, the connectivity it needs against the coverage there). The computed
// score is stored (`maturity_score`) so that the list and the board sort on it; an agent's
// override (`maturity_override`, with its reason) wins over it.
import { and, asc, eq, gt, inArray, isNotNull, isNull, notInArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  candidates,
  communeCoverage,
  communes,
  offers,
  type PartnerWish,
  type remoteWorkStatuses,
} from '../../../db/schema/index.ts';
import { addEvent, changeFile, type CandidateRow, type CandidatesContext } from './commands.ts';
import { MaturityOverrideSchema, parseInput, type timeFrames } from './schemas.ts';
import type { SessionUser } from '../accounts/session.ts';

type RemoteStatus = (typeof remoteWorkStatuses)[number];
type TimeFrame = (typeof timeFrames)[number];

/** What the score is computed from: the file's answers and the market where it wishes to live. */
export interface MaturityFacts {
  timeFrame: TimeFrame | null;
  remoteStatus: RemoteStatus | null;
  adults: number;
  partnerStatus: RemoteStatus | null;
  partnerWish: PartnerWish | null;
  /** The budget and the published homes of its transaction in the wished area; null: no budget said. */
  budget: { max: number; transaction: 'rent' | 'sale'; homes: number; within: number; area: Area } | null;
  /** The download speed needed and the share of premises that can have it in the wished area. */
  connectivity: { needMbps: number; share: number | null; area: Area } | null;
}
/** Where the market facts were read: the wished communes, or the territory when they say too little. */
export type Area = 'communes' | 'territory';

export const maturityFactorKeys = ['timeFrame', 'work', 'partner', 'budget', 'connectivity'] as const;
export type MaturityFactorKey = (typeof maturityFactorKeys)[number];

/** One line of the explanation: points out of `max`, and why (a message key under `maturity.` and its values). */
export interface MaturityFactor {
  key: MaturityFactorKey;
  points: number;
  max: number;
  reason: string;
  values: Record<string, string | number>;
}

const TIME_FRAME_POINTS: Record<TimeFrame, number> = { lt3m: 25, '3-6m': 20, '6-12m': 12, gt12m: 5 };
const WORK_POINTS: Record<RemoteStatus, number> = { employee: 20, freelancer: 20, founder: 15, job_seeker: 5 };
const PARTNER_POINTS: Record<PartnerWish, number> = {
  remote: 15,
  not_seeking: 15,
  take_over: 10,
  create: 10,
  local_job: 5,
};
/** A budget at or under this is read as a monthly rent when the family did not say. */
export const RENT_CEILING = 5000;
/** A need at or under this many Mb/s is met by any connection the territories offer (ADSL, 4G). */
export const BASIC_MBPS = 8;
/** A need above this many Mb/s asks for fibre; between the two, very high speed of any kind. */
export const THD_MBPS = 30;
/** Fewer published homes than this in the wished communes say too little: the territory's are read. */
export const MIN_HOMES = 5;

/** The factors, each pinned by a unit test. Their maxima add up to 100. */
export function maturityFactors(f: MaturityFacts): MaturityFactor[] {
  const line = (key: MaturityFactorKey, max: number, points: number, reason: string, values = {}) => ({
    key,
    max,
    points,
    reason,
    values,
  });
  const factors: MaturityFactor[] = [
    f.timeFrame
      ? line('timeFrame', 25, TIME_FRAME_POINTS[f.timeFrame], `timeFrame.${f.timeFrame}`)
      : line('timeFrame', 25, 0, 'timeFrame.none'),
    f.remoteStatus
      ? line('work', 20, WORK_POINTS[f.remoteStatus], `work.${f.remoteStatus}`)
      : line('work', 20, 0, 'work.none'),
  ];
  if (f.adults <= 1) factors.push(line('partner', 15, 15, 'partner.alone'));
  else if (f.partnerWish) factors.push(line('partner', 15, PARTNER_POINTS[f.partnerWish], `partner.${f.partnerWish}`));
  else if (f.partnerStatus === 'employee' || f.partnerStatus === 'freelancer')
    factors.push(line('partner', 15, 15, 'partner.remote'));
  else factors.push(line('partner', 15, 0, 'partner.none'));

  const b = f.budget;
  if (!b) factors.push(line('budget', 20, 0, 'budget.none'));
  else if (b.homes === 0) factors.push(line('budget', 20, 10, 'budget.noMarket'));
  else {
    const share = b.within / b.homes;
    const points = share >= 0.5 ? 20 : share >= 0.2 ? 12 : share > 0 ? 5 : 0;
    factors.push(
      line('budget', 20, points, `budget.${b.transaction}.${b.area}`, {
        budget: b.max,
        within: b.within,
        homes: b.homes,
        percent: Math.round(share * 100),
      }),
    );
  }

  const c = f.connectivity;
  if (!c) factors.push(line('connectivity', 20, 10, 'connectivity.none'));
  else if (c.needMbps <= BASIC_MBPS)
    factors.push(line('connectivity', 20, 20, 'connectivity.basic', { mbps: c.needMbps }));
  else if (c.share === null) factors.push(line('connectivity', 20, 10, 'connectivity.unknown', { mbps: c.needMbps }));
  else
    factors.push(
      line(
        'connectivity',
        20,
        Math.round(20 * c.share),
        `connectivity.${c.needMbps > THD_MBPS ? 'ftth' : 'thd'}.${c.area}`,
        {
          mbps: c.needMbps,
          percent: Math.round(c.share * 100),
        },
      ),
    );
  return factors;
}

export const maturityTotal = (factors: MaturityFactor[]) => factors.reduce((sum, f) => sum + f.points, 0);

/** The file's own fields the score reads. */
type FileFacts = Pick<
  CandidateRow,
  | 'timeFrame'
  | 'professions'
  | 'household'
  | 'partnerWish'
  | 'budgetMax'
  | 'transaction'
  | 'minDownloadMbps'
  | 'wishedCommunes'
  | 'wishedTerritories'
  | 'territoryCode'
>;

/** The facts of a file: its answers, and the homes and coverage where it wishes to live. */
export async function maturityFacts(db: Db | Tx, file: FileFacts): Promise<MaturityFacts> {
  const territoriesOf = file.territoryCode ? [file.territoryCode] : file.wishedTerritories;
  const inCommunes = file.wishedCommunes.length > 0;
  const timeFrame = (file.timeFrame as TimeFrame | null) ?? null;

  let budget: MaturityFacts['budget'] = null;
  if (file.budgetMax !== null && file.budgetMax > 0) {
    const transaction = file.transaction ?? (file.budgetMax <= RENT_CEILING ? 'rent' : 'sale');
    const market = async (where: ReturnType<typeof and>) => {
      const [row] = await db
        .select({
          homes: sql<number>`count(*)`,
          within: sql<number>`coalesce(sum(${offers.price} <= ${file.budgetMax}), 0)`,
        })
        .from(offers)
        .where(
          and(
            eq(offers.status, 'published'),
            eq(offers.kind, 'home'),
            eq(offers.transaction, transaction),
            isNotNull(offers.price),
            where,
          ),
        );
      return { homes: Number(row?.homes ?? 0), within: Number(row?.within ?? 0) };
    };
    let area: Area = 'territory';
    let counts = { homes: 0, within: 0 };
    if (inCommunes) {
      counts = await market(inArray(offers.communeCode, file.wishedCommunes));
      if (counts.homes >= MIN_HOMES) area = 'communes';
    }
    if (area === 'territory' && territoriesOf.length)
      counts = await market(inArray(offers.territoryCode, territoriesOf));
    budget = { max: file.budgetMax, transaction, ...counts, area };
  }

  let connectivity: MaturityFacts['connectivity'] = null;
  if (file.minDownloadMbps !== null) {
    const needMbps = file.minDownloadMbps;
    // Fibre for a need above THD_MBPS; else very high speed of any kind where the source says, else fibre.
    const rate =
      needMbps > THD_MBPS
        ? communeCoverage.ftthShare
        : sql`coalesce(${communeCoverage.thdShare}, ${communeCoverage.ftthShare})`;
    const share = async (where: ReturnType<typeof and>) => {
      const [row] = await db
        .select({
          share: sql<
            number | null
          >`sum(${rate} * ${communes.population}) / nullif(sum(CASE WHEN ${rate} IS NOT NULL THEN ${communes.population} END), 0)`,
        })
        .from(communeCoverage)
        .innerJoin(communes, eq(communes.code, communeCoverage.communeCode))
        .where(where);
      return row?.share == null ? null : Number(row.share);
    };
    let area: Area = 'communes';
    let value = inCommunes && needMbps > BASIC_MBPS ? await share(inArray(communes.code, file.wishedCommunes)) : null;
    if (value === null) {
      area = 'territory';
      value =
        needMbps > BASIC_MBPS && territoriesOf.length
          ? await share(inArray(communes.departmentCode, territoriesOf))
          : null;
    }
    connectivity = { needMbps, share: value, area };
  }

  return {
    timeFrame,
    remoteStatus: file.professions[0]?.status ?? null,
    adults: file.household.adults,
    partnerStatus: file.professions[1]?.status ?? null,
    partnerWish: file.partnerWish,
    budget,
    connectivity,
  };
}

/** A file's score explained, and the score that counts (the agent's override when there is one). */
export async function explainMaturity(
  db: Db | Tx,
  file: FileFacts & Pick<CandidateRow, 'maturityOverride' | 'maturityReason'>,
) {
  const factors = maturityFactors(await maturityFacts(db, file));
  const computed = maturityTotal(factors);
  return {
    factors,
    computed,
    score: file.maturityOverride ?? computed,
    override:
      file.maturityOverride === null ? null : { score: file.maturityOverride, reason: file.maturityReason ?? '' },
  };
}

/**
 * Files rescored per read in the daily pass: its memory stays that of a batch, and a batch
 * holds the event loop 10-15 ms (200 held it up to 54 ms at 100 000 files).
 */
export const MATURITY_BATCH = 50;

/**
 * Computes and stores the score of these files (all open files when none are named): after an
 * enquiry, and daily, since the homes on offer and the coverage change under the files.
 */
export async function refreshMaturity(db: Db | Tx, ids?: number[], batch = MATURITY_BATCH): Promise<number> {
  const open = and(isNull(candidates.anonymisedAt), isNull(candidates.mergedIntoId));
  const rescore = async (rows: CandidateRow[]) => {
    let changed = 0;
    for (const row of rows) {
      const score = maturityTotal(maturityFactors(await maturityFacts(db, row)));
      if (score === row.maturityScore) continue;
      await db.update(candidates).set({ maturityScore: score }).where(eq(candidates.id, row.id));
      changed++;
    }
    return changed;
  };
  if (ids)
    return rescore(
      await db
        .select()
        .from(candidates)
        .where(and(inArray(candidates.id, ids), open)),
    );
  // Every open file, a batch at a time in id order, the event loop given back between
  // batches: read at once, 70 000 files held 480 MB for 4 s at each start of a process.
  let changed = 0;
  for (let after = 0; ;) {
    const rows = await db
      .select()
      .from(candidates)
      .where(and(gt(candidates.id, after), notInArray(candidates.stage, ['settled', 'withdrawn']), open))
      .orderBy(asc(candidates.id))
      .limit(batch);
    changed += await rescore(rows);
    if (rows.length < batch) return changed;
    after = rows.at(-1)!.id;
    await new Promise((r) => setImmediate(r));
  }
}

/** An agent sets their own score, with a reason, or (`clear`) returns to the computed one. */
export async function overrideMaturity(
  ctx: CandidatesContext,
  actor: SessionUser,
  publicId: string,
  input: unknown,
  clear = false,
): Promise<void> {
  const data = clear ? null : parseInput(MaturityOverrideSchema, input);
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (clear && file.maturityOverride === null) return;
    await tx
      .update(candidates)
      .set({ maturityOverride: data?.score ?? null, maturityReason: data?.reason ?? null, updatedAt: now })
      .where(eq(candidates.id, file.id));
    await addEvent(
      tx,
      file.id,
      'maturity',
      data ? { score: data.score, text: data.reason } : { cleared: file.maturityOverride },
      actor.id,
      now,
    );
  });
}

/** The cut-offs of the score's three bands, for a chip's colour and words. */
export const maturityBand = (score: number): 'high' | 'medium' | 'low' =>
  score >= 70 ? 'high' : score >= 45 ? 'medium' : 'low';
