// The staff access log: each action writes its entry (through the real commands where the
// action is one, in its transaction), each administrator reads their territories' entries
// (the platform admin all, agents none), the journal's filters, and the purge at 12 months.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { accessLog, candidates, users } from '../../db/schema/index.ts';
import {
  createPlatformAdmin,
  deactivateStaff,
  inviteStaff,
  reactivateStaff,
  updateStaff,
} from '../../src/server/accounts/commands.ts';
import {
  listAccess,
  logCsvExport,
  logFileOpened,
  parseAccessQuery,
  purgeAccessLog,
} from '../../src/server/audit/access-log.ts';
import { findCandidate } from '../../src/server/candidates/commands.ts';
import { Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import { createTerritory, updateTerritory } from '../../src/server/places/territories.ts';
import { runRetention } from '../../src/server/privacy/retention.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { actor, actors, testDb } from '../helpers/db.ts';

const start = Date.UTC(2026, 11, 5, 10);

/** A seeded database on a clock at `start`, the demo's staff, and a Manche admin invited by the platform admin. */
async function setup() {
  const { db } = await testDb();
  let now = start;
  const clock = { now: () => new Date(now) };
  const ctx = { db, clock, siteUrl: 'https://cc.test' };
  const [platform, gersAdmin, lucie, yann] = await actors(
    db,
    'admin@demo.test',
    'direction.gers@demo.test',
    'agent.gers@demo.test',
    'agent.manche@demo.test',
  );
  await inviteStaff(ctx, platform, {
    email: 'direction.manche@exemple.fr',
    name: 'Direction de la Manche',
    role: 'territory_admin',
    territories: ['50'],
    locale: 'fr',
  });
  const mancheAdmin = await actor(db, 'direction.manche@exemple.fr');
  await db.delete(accessLog);
  return { db, ctx, clock, advance: (ms: number) => (now += ms), platform, gersAdmin, lucie, yann, mancheAdmin };
}

const entries = (db: Db) => db.select().from(accessLog).orderBy(accessLog.id);

async function fileIn(db: Db, territory: string) {
  const [row] = await db.all<{ public_id: string }>(
    sql`SELECT public_id FROM candidates WHERE territory_code = ${territory} AND merged_into_id IS NULL AND anonymised_at IS NULL ORDER BY id LIMIT 1`,
  );
  return row!.public_id;
}

/** Every file opened and export written for a scope test: a file of each territory, the platform's total. */
async function someEntries(db: Db, s: Awaited<ReturnType<typeof setup>>) {
  const gersFile = await findCandidate(db, s.lucie, await fileIn(db, '32'));
  const mancheFile = await findCandidate(db, s.yann, await fileIn(db, '50'));
  await logFileOpened(db, s.clock, s.lucie, gersFile);
  await logFileOpened(db, s.clock, s.yann, mancheFile);
  await logCsvExport(db, s.clock, s.platform, 'rapport-tous-2026-01-01-2027-01-01-months.csv', ['32', '50'], {
    report: 'months',
  });
  await createPlatformAdmin(s.ctx, { email: 'second.admin@exemple.fr', name: 'Second Admin', locale: 'fr' });
  return { gersFile, mancheFile };
}

describe('the access log is written where the actions happen', () => {
  it('a file opened: its public id and territory; a file in the dispatch queue, each territory the family wished', async () => {
    const s = await setup();
    const file = await findCandidate(s.db, s.lucie, await fileIn(s.db, '32'));
    await logFileOpened(s.db, s.clock, s.lucie, file);
    await s.db
      .update(candidates)
      .set({ territoryCode: null, wishedTerritories: ['32', '50'] })
      .where(eq(candidates.id, file.id));
    const queued = await findCandidate(s.db, s.lucie, file.publicId);
    await logFileOpened(s.db, s.clock, s.lucie, queued);
    expect(await entries(s.db)).toMatchObject([
      {
        at: new Date(start).toISOString(),
        actorId: s.lucie.id,
        actorName: 'Lucie Agent (Gers)',
        action: 'file_opened',
        territoryCode: '32',
        filePublicId: file.publicId,
      },
      { action: 'file_opened', territoryCode: '32', filePublicId: file.publicId },
      { action: 'file_opened', territoryCode: '50', filePublicId: file.publicId },
    ]);
  });

  it('a CSV export: its file name, parameters and each territory it covers', async () => {
    const s = await setup();
    await logCsvExport(s.db, s.clock, s.gersAdmin, 'rejets-import-3.csv', ['32'], { import: 3, file: 'offres.csv' });
    await logCsvExport(s.db, s.clock, s.platform, 'rejets-import-4.csv', [], { import: 4 });
    expect(await entries(s.db)).toMatchObject([
      {
        action: 'csv_exported',
        actorName: 'Direction du Gers',
        territoryCode: '32',
        target: 'rejets-import-3.csv',
        details: { import: 3, file: 'offres.csv' },
      },
      { action: 'csv_exported', territoryCode: null, target: 'rejets-import-4.csv' },
    ]);
  });

  it('an invitation, in the transaction that creates the account; none when it is refused', async () => {
    const s = await setup();
    const id = await inviteStaff(s.ctx, s.gersAdmin, {
      email: 'nouvel.agent@exemple.fr',
      name: 'Nouvel Agent',
      role: 'agent',
      territories: ['32'],
      locale: 'fr',
    });
    await expect(
      inviteStaff(s.ctx, s.gersAdmin, {
        email: 'nouvel.agent@exemple.fr',
        name: 'Doublon',
        role: 'agent',
        territories: ['32'],
        locale: 'fr',
      }),
    ).rejects.toThrow();
    await expect(
      inviteStaff(s.ctx, s.gersAdmin, { email: 'x@exemple.fr', name: 'X', role: 'agent', territories: ['50'] }),
    ).rejects.toBeInstanceOf(Invalid);
    expect(await entries(s.db)).toMatchObject([
      {
        action: 'staff_invited',
        actorId: s.gersAdmin.id,
        territoryCode: '32',
        targetUserId: id,
        target: 'Nouvel Agent',
        details: { role: 'agent', territories: ['32'] },
      },
    ]);
  });

  it('a platform admin made from the command line: no actor, no territory', async () => {
    const s = await setup();
    await createPlatformAdmin(s.ctx, { email: 'second.admin@exemple.fr', name: 'Second Admin', locale: 'fr' });
    expect(await entries(s.db)).toMatchObject([
      {
        action: 'staff_invited',
        actorId: null,
        actorName: null,
        territoryCode: null,
        target: 'Second Admin',
        details: { role: 'platform_admin' },
      },
    ]);
  });

  it('a role and territories changed: one entry per change, with before and after, in every territory concerned', async () => {
    const s = await setup();
    // Lucie also serves the Manche, then becomes admin of the Gers only.
    await updateStaff(s.ctx, s.platform, s.lucie.id, { role: 'agent', territories: ['32', '50'] });
    await updateStaff(s.ctx, s.platform, s.lucie.id, { role: 'territory_admin', territories: ['32'] });
    // Saving without a change writes nothing.
    await updateStaff(s.ctx, s.platform, s.lucie.id, { role: 'territory_admin', territories: ['32'] });
    const rows = await entries(s.db);
    expect(rows.map((r) => [r.action, r.territoryCode])).toEqual([
      ['territories_changed', '32'],
      ['territories_changed', '50'],
      ['role_changed', '32'],
      ['role_changed', '50'],
      ['territories_changed', '32'],
      ['territories_changed', '50'],
    ]);
    expect(rows[0]).toMatchObject({
      actorId: s.platform.id,
      targetUserId: s.lucie.id,
      target: 'Lucie Agent (Gers)',
      details: {
        before: { role: 'agent', territories: ['32'] },
        after: { role: 'agent', territories: ['32', '50'] },
      },
    });
    expect(rows[2]!.details).toEqual({
      before: { role: 'agent', territories: ['32', '50'] },
      after: { role: 'territory_admin', territories: ['32'] },
    });
    // A refused change writes nothing: another territory's member, or oneself.
    await expect(
      updateStaff(s.ctx, s.gersAdmin, s.yann.id, { role: 'territory_admin', territories: ['50'] }),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(
      updateStaff(s.ctx, s.gersAdmin, s.gersAdmin.id, { role: 'agent', territories: ['32'] }),
    ).rejects.toBeInstanceOf(Invalid);
    expect(await entries(s.db)).toHaveLength(6);
  });

  it('a member deactivated and reactivated, in each of their territories', async () => {
    const s = await setup();
    const ended: number[] = [];
    await deactivateStaff(s.ctx, s.gersAdmin, s.lucie.id, async (id) => void ended.push(id));
    await reactivateStaff(s.ctx, s.gersAdmin, s.lucie.id);
    await expect(deactivateStaff(s.ctx, s.lucie, s.gersAdmin.id, async () => {})).rejects.toBeInstanceOf(Forbidden);
    expect(ended).toEqual([s.lucie.id]);
    expect(await entries(s.db)).toMatchObject([
      {
        action: 'staff_deactivated',
        actorId: s.gersAdmin.id,
        territoryCode: '32',
        targetUserId: s.lucie.id,
        details: { role: 'agent', territories: ['32'] },
      },
      { action: 'staff_reactivated', territoryCode: '32', targetUserId: s.lucie.id },
    ]);
  });

  it('a territory’s settings: what changed, before and after; a territory created; nothing for a save without change', async () => {
    const s = await setup();
    const settings = {
      name: 'Gers',
      presentationFr: 'Bienvenue dans le Gers.',
      contactEmail: 'accueil@gers.demo.test',
      retentionMonths: '36',
      firstAnswerHours: '48',
      acceptsOwnerOffers: 'yes',
    };
    await updateTerritory(s.db, s.clock, s.gersAdmin, '32', settings);
    await updateTerritory(s.db, s.clock, s.gersAdmin, '32', settings);
    await createTerritory(s.db, s.clock, s.platform, { code: '46', name: '' });
    const rows = await entries(s.db);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ action: 'territory_changed', territoryCode: '32', target: 'Gers' });
    const details = rows[0]!.details as { changed: string[]; before: object; after: object };
    expect(details.changed).toContain('retentionMonths');
    expect(details.changed).toContain('presentationFr');
    // Presentations are named, not copied: long public texts.
    expect(details.before).toMatchObject({ retentionMonths: 24 });
    expect(details.after).toMatchObject({ retentionMonths: 36 });
    expect(details.after).not.toHaveProperty('presentationFr');
    expect(rows[1]).toMatchObject({
      action: 'territory_changed',
      territoryCode: '46',
      actorId: s.platform.id,
      details: { created: true },
    });
  });

  it('keeps an entry readable when its actor’s account is deleted', async () => {
    const s = await setup();
    await inviteStaff(s.ctx, s.gersAdmin, {
      email: 'passage@exemple.fr',
      name: 'Agent de passage',
      role: 'agent',
      territories: ['32'],
      locale: 'fr',
    });
    const passing = await actor(s.db, 'passage@exemple.fr');
    await logFileOpened(s.db, s.clock, passing, await findCandidate(s.db, passing, await fileIn(s.db, '32')));
    await s.db.delete(users).where(eq(users.id, passing.id));
    expect(await entries(s.db)).toMatchObject([
      { action: 'staff_invited', targetUserId: null, target: 'Agent de passage' },
      { action: 'file_opened', actorId: null, actorName: 'Agent de passage' },
    ]);
  });
});

describe('who reads the access log', () => {
  it('a territory admin reads their territory’s entries, the platform admin every one; agents none', async () => {
    const s = await setup();
    const { gersFile, mancheFile } = await someEntries(s.db, s);
    const gers = await listAccess(s.db, s.gersAdmin);
    expect(gers.rows.map((r) => r.territoryCode)).toEqual(['32', '32']);
    expect(gers.rows.map((r) => r.action).sort()).toEqual(['csv_exported', 'file_opened']);
    expect(gers.rows.find((r) => r.action === 'file_opened')!.file).toEqual({
      publicId: gersFile.publicId,
      name: gersFile.name,
    });
    const manche = await listAccess(s.db, s.mancheAdmin);
    expect(manche.rows.map((r) => r.territoryCode)).toEqual(['50', '50']);
    expect(manche.rows.some((r) => r.file?.publicId === gersFile.publicId)).toBe(false);
    expect(manche.rows.find((r) => r.action === 'file_opened')!.file!.publicId).toBe(mancheFile.publicId);
    const all = await listAccess(s.db, s.platform);
    expect(all.total).toBe(5);
    expect(all.rows.some((r) => r.territoryCode === null && r.action === 'staff_invited')).toBe(true);
    await expect(listAccess(s.db, s.lucie)).rejects.toBeInstanceOf(Forbidden);
    const [family] = await actors(s.db, 'famille@demo.test');
    await expect(listAccess(s.db, family)).rejects.toBeInstanceOf(Forbidden);
  });

  it('a file that moved to another territory shows its id, not its family’s name, to its former territory', async () => {
    const s = await setup();
    const { gersFile } = await someEntries(s.db, s);
    await s.db.update(candidates).set({ territoryCode: '50' }).where(eq(candidates.id, gersFile.id));
    const gers = await listAccess(s.db, s.gersAdmin);
    expect(gers.rows.find((r) => r.action === 'file_opened')!.file).toEqual({
      publicId: gersFile.publicId,
      name: null,
    });
  });

  it('filters by period, action, member and file, newest first, a page at a time', async () => {
    const s = await setup();
    const file = await findCandidate(s.db, s.lucie, await fileIn(s.db, '32'));
    for (let i = 0; i < 60; i++) {
      await logFileOpened(s.db, s.clock, s.lucie, file);
      s.advance(DAY_MS / 4);
    }
    await logCsvExport(s.db, s.clock, s.gersAdmin, 'rapport.csv', ['32'], {});
    const read = (query: string) => listAccess(s.db, s.gersAdmin, parseAccessQuery(new URLSearchParams(query)).filters);
    const first = await read('');
    expect(first).toMatchObject({ total: 61, page: 1, pages: 2 });
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]!.action).toBe('csv_exported');
    expect(first.actors.map((a) => a.name)).toEqual(['Direction du Gers', 'Lucie Agent (Gers)']);
    expect((await read('page=2')).rows).toHaveLength(11);
    expect((await read('page=99')).page).toBe(2);
    expect((await read('action=csv_exported')).total).toBe(1);
    expect((await read(`membre=${s.lucie.id}`)).total).toBe(60);
    expect((await read(`dossier=${file.publicId}`)).total).toBe(60);
    expect((await read('dossier=autre')).total).toBe(0);
    // Four entries a day from 5 December: the 6th and 7th hold eight.
    expect((await read('du=2026-12-06&au=2026-12-07')).total).toBe(8);
    const refused = parseAccessQuery(new URLSearchParams('du=2026-12-07&au=2026-12-06&action=nope&membre=x'));
    expect(refused.errors.map((e) => e.field).sort()).toEqual(['action', 'au', 'membre']);
    expect(refused.filters).toEqual({ du: '2026-12-07', page: 1 });
  });

  it('reads a period’s days as Paris days, from midnight to midnight, winter and summer', async () => {
    const s = await setup();
    const file = await findCandidate(s.db, s.lucie, await fileIn(s.db, '32'));
    const openedAt = async (iso: string) => {
      await logFileOpened(s.db, { now: () => new Date(iso) }, s.lucie, file);
    };
    // 00:30 in Paris on the 7th (the 6th in UTC), and 00:30 on the 8th (the 7th in UTC).
    await openedAt('2026-12-06T23:30:00.000Z');
    await openedAt('2026-12-07T23:30:00.000Z');
    // Summer: midnight in Paris is 22:00 UTC.
    await openedAt('2026-07-06T22:30:00.000Z');
    await openedAt('2026-07-07T22:30:00.000Z');
    const days = async (query: string) =>
      (await listAccess(s.db, s.gersAdmin, parseAccessQuery(new URLSearchParams(query)).filters)).rows.map((r) => r.at);
    expect(await days('du=2026-12-07&au=2026-12-07')).toEqual(['2026-12-06T23:30:00.000Z']);
    expect(await days('du=2026-12-08')).toEqual(['2026-12-07T23:30:00.000Z']);
    expect(await days('au=2026-12-06')).toEqual(['2026-07-07T22:30:00.000Z', '2026-07-06T22:30:00.000Z']);
    expect(await days('du=2026-07-07&au=2026-07-07')).toEqual(['2026-07-06T22:30:00.000Z']);
    expect(await days('du=2026-07-06&au=2026-07-06')).toEqual([]);
  });
});

describe('the access log is kept 12 months', () => {
  it('the daily retention job deletes the entries older than 12 months, and counts them', async () => {
    const s = await setup();
    const file = await findCandidate(s.db, s.lucie, await fileIn(s.db, '32'));
    await logFileOpened(s.db, s.clock, s.lucie, file);
    s.advance(DAY_MS);
    await logFileOpened(s.db, s.clock, s.lucie, file);
    const at = (iso: string) => ({ now: () => new Date(iso) });
    // 12 calendar months after the first entry, to the millisecond: not yet older.
    expect(await purgeAccessLog(s.db, at('2027-12-05T10:00:00.000Z'))).toBe(0);
    expect(await purgeAccessLog(s.db, at('2027-12-05T10:00:00.001Z'))).toBe(1);
    expect(await entries(s.db)).toHaveLength(1);
    const report = await runRetention({ db: s.db, clock: at('2027-12-07T00:00:00Z'), siteUrl: 'https://cc.test' });
    expect(report.accessLog).toBe(1);
    expect(await entries(s.db)).toHaveLength(0);
  });
});
