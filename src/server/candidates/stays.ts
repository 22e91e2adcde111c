// Discovery stays: the agent plans dates, places to visit and hosts; the family is told.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { candidates, discoveryStays } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import { formatDate } from '../../i18n/index.ts';
import { addEvent, changeFile, type CandidatesContext } from './commands.ts';
import { mailFamily, type NotifyContext } from './notify.ts';
import { parseInput, StaySchema } from './schemas.ts';

export async function planStay(
  ctx: CandidatesContext & NotifyContext,
  actor: SessionUser,
  publicId: string,
  input: unknown,
): Promise<void> {
  const data = parseInput(StaySchema, input);
  await changeFile(ctx, actor, publicId, async (tx, file, now) => {
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
 * A stay that had not started when the family settled is cancelled: the family and the
 * agent see it so, not as a visit still ahead.
 */
export const stayCancelled = (
  stay: { startDate: string },
  file: { stage: string; settledAt: string | null },
): boolean => file.stage === 'settled' && file.settledAt !== null && stay.startDate > file.settledAt;
