// Requests take turns on the event loop. Reads of an embedded file are synchronous
// (db/prepared-reader.ts), so a page renders from its first step to its compression without
// giving the loop back; and every request that arrived in one poll of the sockets used to
// start in that same poll, however many. Under load that held timers, lock waits and
// finished answers for up to 1.5 s (`npm run bench`, mixed scenario).
// Now each request starts in an immediate of its own, and Node ends an immediate's
// synchronous work, its promises included, before the next one: requests that arrived
// together start one after another for TURN_MS at most, and the others wait for the next
// turn of the loop, after its timers and sockets. The loop is held about TURN_MS plus one
// request's synchronous work; the order stays first come, first served.

export type Start = () => void;

/** How long requests that arrived together may keep starting in one turn of the loop. */
export const TURN_MS = 10;

/** A first-come-first-served queue of request starts, for `turnMs` per turn of the loop. */
export function takingTurns(turnMs = TURN_MS, now: () => number = () => performance.now()): (start: Start) => void {
  /** When the first request of this turn started (null: none yet). */
  let turnStarted: number | null = null;
  const nextTurn = () => {
    turnStarted = null;
  };
  const run = (start: Start) => {
    if (turnStarted === null) {
      turnStarted = now();
      // Queued before any request this turn defers, so it opens the next turn before them.
      setImmediate(nextTurn);
    } else if (now() - turnStarted > turnMs) {
      // Queued from within this turn, it runs in the next one.
      setImmediate(run, start);
      return;
    }
    start();
  };
  return (start) => {
    setImmediate(run, start);
  };
}
