// The progress bar of a running import: the row says how many bytes of how many the import
// has read, while it reads.
import { readFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { imports } from '../../db/schema/index.ts';
import { ByteProgress } from '../../src/server/imports/byte-progress.ts';
import { importArcepRates } from '../../src/server/imports/arcep-rate.ts';
import { testDb } from '../helpers/db.ts';

describe('ByteProgress', () => {
  it('shows on the import’s row how much of the file is read, while it is read', async () => {
    const { db } = await testDb('referential');
    const file = await readFile(new URL('../../db/data/arcep-ftth-taux-communes-fr-2026-02.csv', import.meta.url));
    const half = Math.floor(file.length / 2);
    let release!: () => void;
    const rest = new Promise<void>((r) => (release = r));
    // The upload as it arrives: half of it, then the rest when the test has seen the progress.
    async function* upload() {
      yield file.subarray(0, half);
      await rest;
      yield file.subarray(half);
    }
    const progress = new ByteProgress(file.length, { everyMs: 0 });
    let importId = 0;
    const running = importArcepRates(db, { now: () => new Date('2026-12-05T10:00:00Z') }, progress.track(upload()), {
      fileName: 'taux.csv',
      dataDate: '2026-02-21',
      siteUrl: 'http://test.local',
      onStart: (id) => void progress.attach(db, (importId = id)),
    });
    const row = async () => (await db.select().from(imports).where(eq(imports.id, importId)))[0];
    await expect.poll(async () => (await row())?.bytesRead, { timeout: 60_000 }).toBe(half);
    expect(await row()).toMatchObject({ status: 'running', bytesTotal: file.length });
    expect(progress.share).toBeCloseTo(0.5, 2);
    release();
    expect(await running).toMatchObject({ status: 'done' });
    expect(await row()).toMatchObject({ status: 'done', bytesRead: file.length });
  });
});
