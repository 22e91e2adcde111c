// The servers' event-loop lines: the part of a delay the process's own work explains.
import { describe, expect, it } from 'vitest';
import { ownWorkDelay } from '../../scripts/lib/event-loop.ts';

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('own work in the event-loop delay', () => {
  it('counts a synchronous task that holds the loop, and not a loop left idle', async () => {
    const own = ownWorkDelay();
    try {
      await tick();
      own.take();
      // Idle: the ticks come on time, or late only by what little the thread did meanwhile.
      for (let i = 0; i < 5; i++) await tick();
      expect(own.take()).toBeLessThan(40);
      // 80 ms of the thread's own CPU in one go (counted in CPU, so a busy machine cannot shorten it).
      const cpu = () => {
        const u = process.threadCpuUsage();
        return (u.user + u.system) / 1000;
      };
      const until = cpu() + 80;
      while (cpu() < until);
      await tick();
      expect(own.take()).toBeGreaterThanOrEqual(60);
    } finally {
      own.stop();
    }
  });
});
