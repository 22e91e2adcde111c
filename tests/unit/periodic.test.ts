// The server's jobs: each runs once at start, then again after its interval; the start
// says when every first pass has ended (`firstPass`, logged as "start jobs done").
import { describe, expect, it } from 'vitest';
import { startPeriodic } from '../../src/server/periodic.ts';

describe('periodic jobs', () => {
  it('settle their first pass once it has ended, then run again until stopped', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let second!: () => void;
    const ranTwice = new Promise<void>((r) => (second = r));
    let runs = 0;
    const job = startPeriodic('test', 1, async () => {
      runs++;
      if (runs === 1) await gate;
      if (runs === 2) second();
      events.push(`pass ${runs}`);
      return null;
    });
    let settled = false;
    void job.firstPass.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    await job.firstPass;
    expect(events).toEqual(['pass 1']);
    await ranTwice;
    job.stop();
    const stoppedAt = runs;
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(stoppedAt);
  });

  it('settle a failed first pass too, so that the start does not wait for ever', async () => {
    const job = startPeriodic('failing', 60_000, async () => {
      throw new Error('boom');
    });
    await expect(job.firstPass).resolves.toBeUndefined();
    job.stop();
  });
});
