// A fresh database for one test: a copy of a template built by global-setup.ts, or an
// empty file. Real libSQL files in a temporary folder, removed afterwards. And its users
// as a session sees them.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { inject, onTestFinished } from 'vitest';
import { createDb, type Db } from '../../db/client.ts';
import { users, userTerritories } from '../../db/schema/index.ts';
import type { SessionUser } from '../../src/server/accounts/session.ts';

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

/** The user with this email (e.g. one of the demo seed's accounts) as a session sees them. */
export async function actor(db: Db, email: string): Promise<SessionUser> {
  const [u] = await db.select().from(users).where(eq(users.email, email));
  const territories = (await db.select().from(userTerritories).where(eq(userTerritories.userId, u!.id))).map(
    (t) => t.territoryCode,
  );
  return { id: u!.id, email: u!.email, name: u!.name, role: u!.role, locale: u!.locale, territories };
}

/** A fresh seeded database and these demo users: `const { db, people: [a, b] } = await seededWith('a@…', 'b@…')`. */
export async function seededWith<const E extends readonly string[]>(...emails: E) {
  const { db } = await testDb();
  return { db, people: await actors(db, ...emails) };
}

/** Several users by email, in the same order: `const [a, b] = await actors(db, 'a@…', 'b@…')`. */
export async function actors<const E extends readonly string[]>(
  db: Db,
  ...emails: E
): Promise<{ [K in keyof E]: SessionUser }> {
  const found: SessionUser[] = [];
  for (const email of emails) found.push(await actor(db, email));
  return found as { [K in keyof E]: SessionUser };
}
