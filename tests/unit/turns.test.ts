// Requests take turns on the event loop (scripts/lib/turns.ts): those that arrive together
// start one after another for TURN_MS at most, then the loop runs its timers before the
// next ones, so a burst of busy requests never holds it for all of them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPortalServer } from '../../scripts/lib/server.ts';
import { takingTurns, TURN_MS } from '../../scripts/lib/turns.ts';

/** Holds the thread, as a page rendering from synchronous reads does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A timer that counts how often the loop ran its timers. */
function ticker() {
  let ticks = 0;
  let on = true;
  const tick = () => {
    ticks++;
    if (on) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return { now: () => ticks, stop: () => (on = false) };
}

interface Seen {
  n: number;
  ticks: number;
  at: number;
}

/** Starts between two runs of the timers: each turn's. */
function turnsOf(seen: Seen[]): Seen[][] {
  const turns: Seen[][] = [];
  for (const s of seen) {
    const last = turns.at(-1);
    if (last && last[0]!.ticks === s.ticks) last.push(s);
    else turns.push([s]);
  }
  return turns;
}

describe('takingTurns', () => {
  it('starts work first come, first served, for TURN_MS per turn, timers between turns', async () => {
    // The scheduler's clock moves 3 ms per start; the thread is held a little longer than
    // the timers' 1 ms, so that they are due at the end of every turn, however loaded the machine.
    let clock = 0;
    const inTurn = takingTurns(10, () => clock);
    const timers = ticker();
    const seen: Seen[] = [];
    await new Promise<void>((resolve) => {
      // All queued at once, as when many requests arrive in one poll of the sockets.
      for (let n = 0; n < 16; n++)
        inTurn(() => {
          seen.push({ n, ticks: timers.now(), at: clock });
          clock += 3;
          busy(1.2);
          if (n === 15) resolve();
        });
    });
    timers.stop();
    expect(seen.map((s) => s.n)).toEqual([...Array(16).keys()]);
    // Started at 0, 3, 6 and 9 ms of their turn; the fifth, at 12, waits for the next one.
    expect(turnsOf(seen).map((turn) => turn.map((s) => s.at - turn[0]!.at))).toEqual(Array(4).fill([0, 3, 6, 9]));
  });

  it('runs work queued after a quiet moment, and survives a start that throws', async () => {
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
  it('answers every request of a burst, the loop running its timers every TURN_MS', async () => {
    const timers = ticker();
    const seen: Seen[] = [];
    const server = createPortalServer((req, res) => {
      seen.push({ n: seen.length, ticks: timers.now(), at: performance.now() });
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
    timers.stop();
    agent.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    // 5 ms of work each: at most TURN_MS of starts (at 0, 5 and 10 ms) without the timers
    // running, however loaded the machine (a slower one starts fewer).
    const most = Math.floor(TURN_MS / 5) + 1;
    for (const turn of turnsOf(seen)) expect(turn.length).toBeLessThanOrEqual(most);
  });
});
