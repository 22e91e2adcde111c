// What the legal pages state comes from the rules they describe: each territory's retention
// as configured, session and link lifetimes, the conformity status an audit allows.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { territories } from '../../db/schema/index.ts';
import { SESSION_COOKIE_NAME } from '../../src/server/accounts/session-cookie.ts';
import { conformityStatus } from '../../src/server/legal/accessibility.ts';
import { legalIdentity } from '../../src/server/legal/identity.ts';
import { legalTerritories, lifetimes, tileHost } from '../../src/server/legal/privacy.ts';
import { testDb } from '../helpers/db.ts';

describe('legal pages’ facts', () => {
  it('lists every territory with the retention and contact its settings hold', async () => {
    const { db } = await testDb();
    await db.update(territories).set({ retentionMonths: 37, contactEmail: null }).where(eq(territories.code, '50'));
    const list = await legalTerritories(db);
    expect(list.map((x) => x.code)).toEqual(['32', '50']);
    expect(list.find((x) => x.code === '50')).toMatchObject({ retentionMonths: 37, contactEmail: null });
    expect(list.find((x) => x.code === '32')).toMatchObject({
      retentionMonths: 24,
      contactEmail: 'accueil@gers.demo.test',
    });
  });

  it('states the lifetimes the account modules enforce', () => {
    expect(lifetimes()).toEqual({
      sessionCookie: { name: SESSION_COOKIE_NAME, maxAgeDays: 30 },
      familyIdleDays: 30,
      staffIdleHours: 8,
      staffMaxDays: 7,
      linkMinMinutes: 15,
      linkMaxDays: 7,
      counterMinMinutes: 1,
      counterMaxHours: 24,
      inactiveAccounts: { years: 3, warningDays: 30 },
      accessLogMonths: 12,
      mailTextDays: 30,
      mailMonths: 12,
    });
  });

  it('declares "non conforme" without an audit, and the status an audit’s rate allows', () => {
    expect(conformityStatus(null)).toBe('none');
    expect(conformityStatus({ date: '2027-01-10', auditor: 'Audit', rate: 49.9 })).toBe('none');
    expect(conformityStatus({ date: '2027-01-10', auditor: 'Audit', rate: 50 })).toBe('partial');
    expect(conformityStatus({ date: '2027-01-10', auditor: 'Audit', rate: 100 })).toBe('full');
    // Nothing invented about the operator: no audit, no SIRET until one is configured.
    expect(legalIdentity.accessibilityAudit).toBeNull();
    expect(legalIdentity.publisher.siret ?? '').toMatch(/^(\d{14})?$/);
  });

  it('names the map tiles’ host', () => {
    expect(tileHost('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('tile.openstreetmap.org');
    expect(tileHost('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toBe('tile.example.org');
    expect(tileHost('http://127.0.0.1:4321/test-tiles/{z}/{x}/{y}.png')).toBe('127.0.0.1:4321');
  });
});
