import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  candidates,
  communeFacilities,
  communes,
  discoveryStays,
  proposals,
  offers,
  offerPhotos,
  pointsOfInterest,
  stageHistory,
  stations,
  tasks,
  territories,
  users,
  userTerritories,
} from '../../db/schema/index.ts';
import { DEMO_PASSWORD, databaseIsEmpty, demoAccounts, seedDemo } from '../../db/seed/demo.ts';
import { verifyPassword } from '../../src/server/accounts/password.ts';
import { testDb } from '../helpers/db.ts';
import { DAY_MS } from '../../src/lib/time.ts';

describe('demo seed', () => {
  it('creates Gers and Manche with enough published homes and tiers-lieux in real communes of each', async () => {
    const { db } = await testDb('seeded');
    expect((await db.select().from(territories)).map((t) => t.code)).toEqual(['32', '50']);
    for (const code of ['32', '50']) {
      const rows = await db
        .select({ kind: offers.kind, n: sql<number>`count(*)` })
        .from(offers)
        .innerJoin(communes, eq(communes.code, offers.communeCode))
        .where(and(eq(offers.territoryCode, code), eq(offers.status, 'published'), eq(communes.departmentCode, code)))
        .groupBy(offers.kind);
      const byKind = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
      expect(byKind.home).toBeGreaterThanOrEqual(40);
      expect(byKind.tiers_lieu).toBeGreaterThanOrEqual(10);
    }
    // Daily life: schools, post offices, SNCF stations and BPE counts of both territories.
    expect(await db.$count(stations)).toBe(14);
    expect(await db.$count(pointsOfInterest)).toBeGreaterThan(500);
    expect(await db.$count(communeFacilities)).toBe(458 + 445);
  });

  it('varies connectivity, prices and kinds', async () => {
    const { db } = await testDb('seeded');
    const all = await db.select().from(offers);
    const distinct = <T>(f: (o: (typeof all)[number]) => T) => new Set(all.map(f)).size;
    expect(distinct((o) => o.fibreStatus)).toBe(3);
    expect(distinct((o) => o.bestTechnology)).toBeGreaterThanOrEqual(6);
    expect(distinct((o) => o.mobileCoverage)).toBeGreaterThanOrEqual(3);
    expect(distinct((o) => o.homeType)).toBeGreaterThanOrEqual(4);
    expect(distinct((o) => o.transaction)).toBe(3); // rent, sale, and none for tiers-lieux
    const fibre = all.filter((o) => o.fibreStatus === 'available').length / all.length;
    expect(fibre).toBeGreaterThan(0.25);
    expect(fibre).toBeLessThan(0.75);
    for (const o of all) {
      expect(o.downloadMbps).toBeGreaterThan(0);
      expect(o.uploadMbps!).toBeLessThanOrEqual(o.downloadMbps!);
      if (o.kind === 'home') expect(o.price).toBeGreaterThan(0);
      if (o.fibreStatus === 'available') expect(o.bestTechnology).toBe('ftth');
    }
    // Every home has its title in English too, naming the same commune; tiers-lieux keep their names.
    for (const o of all.filter((x) => x.kind === 'home')) {
      expect(o.titleEn).toMatch(/^[A-Z0-9].* in .+$/);
      expect(o.titleEn).not.toMatch(/pièces|Maison|avec/);
      expect(o.titleEn!.split(' in ').at(-1)).toBe(o.title.split(' à ').at(-1));
    }
    expect(all.filter((x) => x.kind === 'tiers_lieu').every((x) => x.titleEn === null)).toBe(true);
    // Some real ANCT tiers-lieux are in the demo, with their real names.
    expect(all.some((o) => o.kind === 'tiers_lieu' && o.description.includes('ANCT'))).toBe(true);
  });

  it('is deterministic: the same seed gives the same offers', async () => {
    const a = await testDb('referential');
    const b = await testDb('referential');
    await seedDemo(a.db, { seed: 7 });
    await seedDemo(b.db, { seed: 7 });
    const strip = (rows: (typeof offers.$inferSelect)[]) => rows.map(({ id: _id, ...rest }) => rest);
    expect(strip(await a.db.select().from(offers).orderBy(offers.id))).toEqual(
      strip(await b.db.select().from(offers).orderBy(offers.id)),
    );
    const c = await testDb('referential');
    await seedDemo(c.db, { seed: 8 });
    expect(strip(await c.db.select().from(offers).orderBy(offers.id))).not.toEqual(
      strip(await a.db.select().from(offers).orderBy(offers.id)),
    );
  });

  it('creates the demo accounts with their roles, territories and password', async () => {
    const { db } = await testDb('seeded');
    for (const account of demoAccounts) {
      const [user] = await db.select().from(users).where(eq(users.email, account.email));
      expect(user?.role).toBe(account.role);
      expect(await verifyPassword(user!.passwordHash!, DEMO_PASSWORD)).toBe(true);
      expect(await verifyPassword(user!.passwordHash!, 'wrong-password-2026')).toBe(false);
      const links = await db.select().from(userTerritories).where(eq(userTerritories.userId, user!.id));
      expect(links.map((l) => l.territoryCode).sort()).toEqual([...account.territories].sort());
    }
    expect(demoAccounts.map((a) => a.email)).toEqual(
      expect.arrayContaining([
        'admin@demo.test',
        'agent.gers@demo.test',
        'agent.manche@demo.test',
        'famille@demo.test',
      ]),
    );
  });

  it('gives the demo owner proposals awaiting moderation where owners are welcome, and offers of every freshness', async () => {
    const { db } = await testDb('seeded');
    const [owner] = await db.select().from(users).where(eq(users.email, 'proprietaire@demo.test'));
    const theirs = await db.select().from(offers).where(eq(offers.ownerId, owner!.id));
    expect(theirs.length).toBeGreaterThan(0);
    for (const o of theirs) expect(o).toMatchObject({ status: 'pending', moderation: 'pending', territoryCode: '32' });
    const all = await db.select().from(offers);
    expect(all.every((o) => o.confirmedAt !== null)).toBe(true);
    const now = Date.parse('2026-11-01T09:00:00Z');
    const age = (o: (typeof all)[number]) => (now - Date.parse(o.confirmedAt!)) / DAY_MS;
    const online = all.filter((o) => o.status === 'published');
    expect(online.some((o) => age(o) > 60)).toBe(true);
    expect(online.every((o) => age(o) < 90)).toBe(true);
  });

  it('fills each territory with at least 60 candidate files over three years, across every stage, with consistent histories', async () => {
    const { db } = await testDb('seeded');
    const files = await db.select().from(candidates);
    const now = new Date('2026-11-01T09:00:00Z').getTime();
    for (const code of ['32', '50']) {
      const mine = files.filter((f) => f.territoryCode === code);
      expect(mine.length).toBeGreaterThanOrEqual(60);
      expect(new Set(mine.map((f) => f.stage))).toEqual(
        new Set(['enquiry', 'qualified', 'discovery', 'settling', 'settled', 'withdrawn']),
      );
      const oldest = Math.min(...mine.map((f) => new Date(f.createdAt).getTime()));
      expect((now - oldest) / DAY_MS).toBeGreaterThan(700);
    }
    const history = await db.select().from(stageHistory);
    for (const f of files) {
      const rows = history.filter((h) => h.candidateId === f.id).sort((a, b) => a.enteredAt.localeCompare(b.enteredAt));
      expect(rows[0]!.stage).toBe('enquiry');
      expect(rows.at(-1)).toMatchObject({ stage: f.stage, leftAt: null });
      for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.leftAt).toBe(rows[i]!.enteredAt);
      if (f.stage === 'settled') expect(f.settledCommuneCode && f.settledAt && f.settledHouseholdSize).toBeTruthy();
      if (f.stage === 'withdrawn') expect(f.withdrawalReason).toBeTruthy();
    }
    const followUps = await db.select().from(tasks);
    expect(followUps.filter((t) => t.outcome === 'left').length).toBeGreaterThan(0);
    expect(followUps.filter((t) => t.outcome === 'stayed').length).toBeGreaterThan(0);
    // Files past qualification had offers proposed; those in discovery, a stay.
    const [proposed, stays] = await Promise.all([db.select().from(proposals), db.select().from(discoveryStays)]);
    const qualifiedOnce = new Set(history.filter((h) => h.stage === 'qualified').map((h) => h.candidateId));
    expect(new Set(proposed.map((p) => p.candidateId)).size).toBeGreaterThan(qualifiedOnce.size * 0.8);
    expect(proposed.every((p) => qualifiedOnce.has(p.candidateId))).toBe(true);
    expect(new Set(proposed.map((p) => p.status))).toEqual(new Set(['proposed', 'accepted', 'declined']));
    expect(stays.length).toBeGreaterThan(20);
    // The demo family account has a file of its own to look at.
    const demoFamily = files.filter((f) => f.email === 'famille@demo.test');
    expect(demoFamily.map((f) => f.stage)).toEqual(['discovery']);
    expect(proposed.filter((p) => p.candidateId === demoFamily[0]!.id)).toHaveLength(2);
  });

  it('illustrates every offer with several drawings of what it is, out of at least 30', async () => {
    const { db } = await testDb();
    const rows = await db
      .select({
        offerId: offerPhotos.offerId,
        key: offerPhotos.storageKey,
        position: offerPhotos.position,
        kind: offers.kind,
        homeType: offers.homeType,
      })
      .from(offerPhotos)
      .innerJoin(offers, eq(offers.id, offerPhotos.offerId));
    expect(new Set(rows.map((r) => r.key)).size).toBeGreaterThanOrEqual(30);
    const byOffer = Map.groupBy(rows, (r) => r.offerId);
    const outside = { house: 'house', flat: 'flat', farmhouse: 'farmhouse', land: 'land' } as const;
    for (const photos of byOffer.values()) {
      expect(photos.length).toBeGreaterThanOrEqual(2);
      expect(new Set(photos.map((p) => p.key)).size).toBe(photos.length);
      const cover = photos.find((p) => p.position === 0)!;
      const subject = /^demo-(.+)-\d+\.jpg$/.exec(cover.key)?.[1];
      if (cover.kind === 'home') {
        expect(subject).toBe(outside[cover.homeType!]);
        // A house is never shown by an empty plot, nor a plot by a room.
        const subjects = photos.map((p) => /^demo-(.+)-\d+\.jpg$/.exec(p.key)?.[1]);
        if (cover.homeType === 'land') expect(new Set(subjects)).toEqual(new Set(['land']));
        else expect(subjects).not.toContain('land');
      } else expect(['coworking', 'workshop', 'barn']).toContain(subject);
    }
    for (const { id } of await db.select({ id: offers.id }).from(offers).where(eq(offers.status, 'published')))
      expect(byOffer.has(id), `published offer ${id} has photos`).toBe(true);
  });

  it('knows when a database is empty', async () => {
    expect(await databaseIsEmpty((await testDb('referential')).db)).toBe(true);
    expect(await databaseIsEmpty((await testDb('seeded')).db)).toBe(false);
  });
});
