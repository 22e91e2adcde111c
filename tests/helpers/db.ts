// A fresh database for one test: a copy of a template built by global-setup.ts, or an
// empty file. Real libSQL files in a temporary folder, removed afterwards.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, onTestFinished } from 'vitest';
import { createDb, type Db } from '../../db/client.ts';

export type Template = 'empty' | 'referential' | 'seeded';

export async function testDb(template: Template = 'seeded'): Promise<{ db: Db; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-test-'));
  const path = join(dir, 'test.db');
  if (template !== 'empty') await copyFile(inject(template === 'seeded' ? 'seededDb' : 'referentialDb'), path);
  const db = await createDb(`file:${path}`);
  onTestFinished(async () => {
    db.$client.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { db, path };
}
