// Requests take turns on the event loop (scripts/lib/turns.ts): between two starts, the
// loop runs its timers, so one busy request after another never holds it for all of them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPortalServer } from '../../scripts/lib/server.ts';
import { takingTurns } from '../../scripts/lib/turns.ts';

/** Holds the thread, as a page rendering from synchronous reads does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('takingTurns', () => {
  it('starts queued work first come, first served, one per turn, timers between', async () => {
    const inTurn = takingTurns();
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const seen: Array<{ n: number; ticks: number }> = [];
    const done = new Promise<void>((resolve) => {
      // All queued at once, as when many requests arrive in one poll of the sockets.
      for (let n = 0; n < 12; n++)
        inTurn(() => {
          seen.push({ n, ticks });
          busy(3);
          if (n === 11) resolve();
        });
    });
    await done;
    ticking = false;
    expect(seen.map((s) => s.n)).toEqual([...Array(12).keys()]);
    // A timer due during each start fired before the next one.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.ticks).toBeGreaterThan(seen[i - 1]!.ticks);
  });

  it('runs work queued after the queue emptied, and survives a start that throws', async () => {
    const inTurn = takingTurns();
    const order: string[] = [];
    await new Promise<void>((resolve) => inTurn(() => (order.push('a'), resolve())));
    const failing = new Promise<void>((resolve) => {
      process.once('uncaughtException', () => resolve());
    });
    // A start that throws is the request's own failure; the next ones still run.
    inTurn(() => {
      throw new Error('boom');
    });
    await failing;
    await new Promise<void>((resolve) => inTurn(() => (order.push('b'), resolve())));
    expect(order).toEqual(['a', 'b']);
  });
});

describe('the portal server', () => {
  it('answers every request of a burst, each started in its own turn', async () => {
    const starts: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const server = createPortalServer((req, res) => {
      starts.push(ticks);
      busy(5);
      res.end(req.url);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const get = (path: string) =>
      new Promise<string>((resolve, reject) =>
        http
          .get({ port, host: '127.0.0.1', path, agent }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c)).on('end', () => resolve(body));
          })
          .on('error', reject),
      );
    const paths = Array.from({ length: 32 }, (_, i) => `/p${i}`);
    expect(await Promise.all(paths.map(get))).toEqual(paths);
    clearInterval(timer);
    agent.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    // 5 ms of work each: an interval of 1 ms fires between any two starts.
    for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThan(starts[i - 1]!);
  });
});
