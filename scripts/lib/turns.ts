// Requests take turns on the event loop. Reads of an embedded file are synchronous
// (db/prepared-reader.ts), so a page renders from its first step to its compression without
// giving the loop back; and every request that arrived in one poll of the sockets used to
// start in that same poll. Under load that held timers, lock waits and finished answers for
// hundreds of milliseconds (`npm run bench`, mixed scenario). Each request now starts in a
// turn of its own: between two starts the loop runs its timers and its sockets, so it is
// held at most as long as one request's synchronous work. The order stays first come, first
// served, and the work is the same.

export type Start = () => void;

/** A first-come-first-served queue of request starts, one per turn of the event loop. */
export function takingTurns(): (start: Start) => void {
  const waiting: Start[] = [];
  let head = 0;
  let scheduled = false;
  const next = () => {
    const start = waiting[head]!;
    waiting[head++] = undefined as unknown as Start;
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
      scheduled = false;
    } else {
      // Scheduled from within this turn's immediate, it runs in the next turn, after timers and I/O.
      setImmediate(next);
    }
    start();
  };
  return (start) => {
    waiting.push(start);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  };
}
