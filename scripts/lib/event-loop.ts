// The server's event-loop delay (perf_hooks), logged every EVENT_LOOP_LOG_MS (60 s by
// default) and once more on shutdown: how long a timer waited beyond its time — a request
// waits as long while a synchronous call (a slow query, a synchronous lock wait) holds the
// process. `npm run bench` reads these lines from its two server processes.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { takeLockWaits } from '../../db/client.ts';
import { log } from '../../src/lib/log.ts';

export function watchEventLoop(everyMs = Number(process.env.EVENT_LOOP_LOG_MS ?? 60_000)): { stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const report = () => {
    if (histogram.count === 0) return;
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const locks = takeLockWaits();
    log.info(
      {
        eventLoopMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
        // Another process's locks: how often they were met, the time waited (asynchronously),
        // and the longest synchronous moment one of them held this process.
        lockWaits: {
          count: locks.count,
          waitedMs: Math.round(locks.waitedMs),
          maxSyncMs: Math.round(locks.maxSyncMs * 10) / 10,
        },
      },
      'event loop delay',
    );
    histogram.reset();
  };
  const timer = setInterval(report, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      report();
      histogram.disable();
    },
  };
}
