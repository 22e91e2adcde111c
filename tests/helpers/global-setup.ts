// Builds template databases once per run (migrations, referential, demo seed) so that
// each test file copies a ready database instead of loading 35 000 communes again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../db/client.ts';
import { applyMigrations } from '../../db/migrate.ts';
import { seedDemo } from '../../db/seed/demo.ts';
import { loadReferential } from '../../src/server/places/referential.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    referentialDb: string;
    seededDb: string;
    photosDir: string;
  }
}

let dir: string;

export async function setup(project: TestProject) {
  dir = await mkdtemp(join(tmpdir(), 'cc-unit-'));
  const referentialDb = join(dir, 'referential.db');
  const db = await createDb(`file:${referentialDb}`);
  await applyMigrations(db);
  await loadReferential(db);
  await db.$client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  db.$client.close();

  const seededDb = join(dir, 'seeded.db');
  const { copyFile } = await import('node:fs/promises');
  await copyFile(referentialDb, seededDb);
  const seeded = await createDb(`file:${seededDb}`);
  await seedDemo(seeded, { photosDir: join(dir, 'photos') });
  await seeded.$client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  seeded.$client.close();

  project.provide('referentialDb', referentialDb);
  project.provide('seededDb', seededDb);
  project.provide('photosDir', join(dir, 'photos'));
}

export async function teardown() {
  await rm(dir, { recursive: true, force: true });
}
