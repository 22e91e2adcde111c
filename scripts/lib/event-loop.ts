// The server's event-loop delay (perf_hooks), logged every EVENT_LOOP_LOG_MS (60 s by
// default) and once more on shutdown: how long a timer waited beyond its time — a request
// waits as long while a synchronous call (a slow query, a synchronous lock wait) holds the
// process. `npm run bench` reads these lines from its two server processes.
//
// A timer also waits while the loop's thread has no CPU (other processes have the cores):
// on a busy machine that is part of the delay too. `ownMax` is the longest delay the
// process's own work explains: a late tick's delay bounded by the CPU time the loop's
// thread used meanwhile (`process.threadCpuUsage`, Node 23.9+).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { takeLockWaits } from '../../db/client.ts';
import { log } from '../../src/lib/log.ts';

/** Ticks every `stepMs`; `take()` gives the longest own-work delay since the last take. */
export function ownWorkDelay(stepMs = 10): { take: () => number; stop: () => void } {
  let last = performance.now();
  let lastCpu = process.threadCpuUsage();
  let max = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    const cpu = process.threadCpuUsage();
    const late = now - last - stepMs;
    const usedMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    if (late > 0) max = Math.max(max, Math.min(late, usedMs));
    last = now;
    lastCpu = cpu;
  }, stepMs);
  tick.unref();
  return {
    take: () => {
      const m = max;
      max = 0;
      return m;
    },
    stop: () => clearInterval(tick),
  };
}

export function watchEventLoop(everyMs = Number(process.env.EVENT_LOOP_LOG_MS ?? 60_000)): { stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const own = ownWorkDelay();
  const report = () => {
    if (histogram.count === 0) return;
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const locks = takeLockWaits();
    log.info(
      {
        eventLoopMs: {
          p50: ms(histogram.percentile(50)),
          p99: ms(histogram.percentile(99)),
          max: ms(histogram.max),
          ownMax: Math.round(own.take() * 10) / 10,
        },
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
      own.stop();
    },
  };
}
