// The pipeline's stage rules, in one pure function (no database): forward one stage, back
// one stage, withdrawn from any stage with a reason, settled only with commune, date and
// household size.
import { stages, withdrawalReasons, type Stage } from '../../../db/schema/candidates.ts';
import type { FieldError } from '../errors.ts';

export const pipeline: readonly Stage[] = ['enquiry', 'qualified', 'discovery', 'settling', 'settled'];
export { stages, withdrawalReasons };

export interface TransitionInput {
  to: Stage;
  withdrawalReason?: string;
  withdrawalComment?: string;
  settledCommuneCode?: string;
  settledAt?: string;
  settledHouseholdSize?: number;
}

/**
 * Whether a move can be undone (`undoStageMove`): one between two stages of the way, as the
 * board makes them. Settling and withdrawing, made on the file's form, are not: they close
 * what the family could still answer, start the follow-ups, change the public figures.
 */
export const undoableMove = (from: Stage, to: Stage): boolean =>
  from !== 'settled' && to !== 'settled' && pipeline.includes(from) && pipeline.includes(to);

/** How long its author may undo a move: the board offers it for seconds, a slow answer may take longer. */
export const UNDO_WINDOW_MS = 5 * 60_000;

/** The stages a file may move to from `from`. */
export function allowedMoves(from: Stage): Stage[] {
  if (from === 'withdrawn') return [];
  const i = pipeline.indexOf(from);
  const moves: Stage[] = [];
  if (i > 0) moves.push(pipeline[i - 1]!);
  if (i < pipeline.length - 1) moves.push(pipeline[i + 1]!);
  moves.push('withdrawn');
  return moves;
}

/** Field errors of a move (empty when it is allowed). */
export function checkTransition(from: Stage, input: TransitionInput, today: string): FieldError[] {
  if (!allowedMoves(from).includes(input.to))
    return [{ field: 'to', key: 'errors.stage_move_not_allowed', value: input.to }];
  const errors: FieldError[] = [];
  if (input.to === 'withdrawn') {
    if (!input.withdrawalReason || !(withdrawalReasons as readonly string[]).includes(input.withdrawalReason)) {
      errors.push({ field: 'withdrawalReason', key: 'errors.withdrawal_reason_required' });
    }
  }
  if (input.to === 'settled') {
    if (!input.settledCommuneCode) errors.push({ field: 'settledCommuneCode', key: 'errors.settled_commune_required' });
    if (!input.settledAt || !/^\d{4}-\d{2}-\d{2}$/.test(input.settledAt) || input.settledAt > today) {
      errors.push({ field: 'settledAt', key: 'errors.settled_date_required' });
    }
    if (
      !input.settledHouseholdSize ||
      !Number.isInteger(input.settledHouseholdSize) ||
      input.settledHouseholdSize < 1 ||
      input.settledHouseholdSize > 30
    ) {
      errors.push({ field: 'settledHouseholdSize', key: 'errors.settled_household_required' });
    }
  }
  return errors;
}

/** Follow-up checks after settlement: 6 and 12 months later. */
export function followUpDates(settledAt: string): { sixMonths: string; twelveMonths: string } {
  const d = new Date(`${settledAt}T00:00:00Z`);
  const plus = (months: number) => {
    const x = new Date(d);
    x.setUTCMonth(x.getUTCMonth() + months);
    return x.toISOString().slice(0, 10);
  };
  return { sixMonths: plus(6), twelveMonths: plus(12) };
}
