// Discovery stays: the agent plans dates, places to visit and hosts; the family is told.
import { and, asc, eq, gt, isNotNull, not, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { candidates, discoveryStays } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { Invalid } from '../errors.ts';
import { formatDate, type MessageKey } from '../../i18n/index.ts';
import { addEvent, changeFile, type CandidatesContext } from './commands.ts';
import { mailFamily, type NotifyContext } from './notify.ts';
import { parseInput, StaySchema } from './schemas.ts';

/** A stay is planned for a family still on its way: not once the file is closed (settled, withdrawn). */
export const mayPlanStay = (file: { stage: string }): boolean => file.stage !== 'settled' && file.stage !== 'withdrawn';

/**
 * Plans a stay and emails the family its programme. On a closed file the action itself is
 * refused (the page no longer offers it; a page drawn before the file closed may still post).
 */
export async function planStay(
  ctx: CandidatesContext & NotifyContext,
  actor: SessionUser,
  publicId: string,
  input: unknown,
): Promise<void> {
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
    if (!mayPlanStay(file)) throw new Invalid([{ field: 'intent', key: 'errors.stay_file_closed' }]);
    const data = parseInput(StaySchema, input);
    await tx.insert(discoveryStays).values({
      candidateId: file.id,
      startDate: data.startDate,
      endDate: data.endDate,
      places: data.places,
      hosts: data.hosts ?? null,
      createdById: actor.id,
      createdAt: now,
    });
    await addEvent(
      tx,
      file.id,
      'visit',
      { start: data.startDate, end: data.endDate, places: data.places, hosts: data.hosts ?? null },
      actor.id,
      now,
    );
    await tx.update(candidates).set({ lastContactAt: now, updatedAt: now }).where(eq(candidates.id, file.id));
    const places = data.places
      .split(/\n+/)
      .map((p) => p.trim())
      .filter(Boolean)
      .join(', ');
    await mailFamily(
      tx,
      ctx,
      file,
      'stay_planned',
      {
        agent: actor.name,
        start: formatDate(file.locale, data.startDate),
        end: formatDate(file.locale, data.endDate),
        places,
      },
      actor.id,
    );
  });
}

export function listStays(db: Db, candidateId: number) {
  return db
    .select()
    .from(discoveryStays)
    .where(eq(discoveryStays.candidateId, candidateId))
    .orderBy(asc(discoveryStays.startDate), asc(discoveryStays.id));
}

/**
 * A stay that had not started when the family settled (its date of settling) or withdrew (the
 * day of the withdrawal) is cancelled, and by which: the family and the agent see it so, not
 * as a visit still ahead. A withdrawn file stays withdrawn: its stage date is the withdrawal's.
 */
export const stayCancelled = (
  stay: { startDate: string },
  file: { stage: string; settledAt: string | null; stageEnteredAt: string },
): 'settled' | 'withdrawn' | null =>
  file.stage === 'settled' && file.settledAt !== null && stay.startDate > file.settledAt
    ? 'settled'
    : file.stage === 'withdrawn' && stay.startDate > file.stageEnteredAt.slice(0, 10)
      ? 'withdrawn'
      : null;

/** What a cancelled stay says, by what cancelled it. */
export const stayCancelledLabel = {
  settled: 'stay.cancelled',
  withdrawn: 'stay.cancelledWithdrawn',
} as const satisfies Record<NonNullable<ReturnType<typeof stayCancelled>>, MessageKey>;

/** `stayCancelled` as SQL, for a query of `discovery_stays` joined with their file: the stays still on. */
export const stayNotCancelled = (): SQL =>
  not(
    or(
      and(
        eq(candidates.stage, 'settled'),
        isNotNull(candidates.settledAt),
        gt(discoveryStays.startDate, candidates.settledAt),
      ),
      and(
        eq(candidates.stage, 'withdrawn'),
        gt(discoveryStays.startDate, sql`substr(${candidates.stageEnteredAt}, 1, 10)`),
      ),
    )!,
  );
