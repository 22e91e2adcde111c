// "Tell me when fibre arrives": subscribe (signed in, or by email and a confirmation link),
// an import raises the commune past the threshold, one email, never twice, one-click end.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { communeCoverage, fibreAlerts, outbox } from '../../db/schema/index.ts';
import {
  confirmFibreAlert,
  endFibreAlert,
  findFibreAlert,
  openThresholds,
  subscribeFibreAlert,
} from '../../src/server/family/fibre-alerts.ts';
import { importArcepRates } from '../../src/server/imports/arcep-rate.ts';
import { Invalid } from '../../src/server/errors.ts';
import { seededWith } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-05T10:00:00Z') };
const siteUrl = 'https://portail.example';
const ctx = (db: Db) => ({ db, clock, siteUrl });
// Lectoure (32208) as the 2026 data leave it, set low for the test.
const lectoure = { code: '32208', name: 'Lectoure' };
async function* bytes(text: string) {
  yield new TextEncoder().encode(text);
}
const importRate = (db: Db, pct: number, dataDate: string) =>
  importArcepRates(db, clock, bytes(`code_insee,fibre_pct\n32208,${pct}\n`), { fileName: 'r.csv', dataDate, siteUrl });
const mails = (db: Db, template: string) => db.select().from(outbox).where(eq(outbox.template, template));

async function lowCoverage(db: Db) {
  await db.update(communeCoverage).set({ ftthShare: 0 }).where(eq(communeCoverage.communeCode, lectoure.code));
}

describe('fibre alerts', () => {
  it('offers only the thresholds a commune has not reached', () => {
    expect(openThresholds(null)).toEqual(['any', 'half', 'most']);
    expect(openThresholds(0)).toEqual(['any', 'half', 'most']);
    expect(openThresholds(0.6)).toEqual(['most']);
    expect(openThresholds(0.95)).toEqual([]);
  });

  it('a family signed in subscribes at once; the import that crosses the threshold sends one email, never two', async () => {
    const {
      db,
      people: [family],
    } = await seededWith('famille@demo.test');
    await lowCoverage(db);
    const who = { user: family!, ip: '1.1.1.1', locale: 'fr' as const };
    expect(await subscribeFibreAlert(ctx(db), who, lectoure, { threshold: 'half' })).toBe('subscribed');
    // Below the threshold: nothing.
    await importRate(db, 30, '2026-12-01');
    expect(await mails(db, 'fibre_arrived')).toHaveLength(0);
    // Past it: one email, with the commune's page and the one-click end.
    await importRate(db, 62.5, '2027-03-31');
    const sent = await mails(db, 'fibre_arrived');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'famille@demo.test', subject: 'La fibre arrive à Lectoure' });
    expect(sent[0]!.text).toContain('62,5');
    expect(sent[0]!.text).toContain(`${siteUrl}/communes/32208-lectoure`);
    const [alert] = await db.select().from(fibreAlerts);
    expect(sent[0]!.html).toContain(`${siteUrl}/alertes/fibre?token=${alert!.token}`);
    expect(alert).toMatchObject({ notifiedShare: 0.625 });
    // A later import above the threshold again: no second email for the same crossing.
    await importRate(db, 70, '2027-06-30');
    expect(await mails(db, 'fibre_arrived')).toHaveLength(1);
    // The link ends the alert.
    expect(await findFibreAlert(db, alert!.token)).toMatchObject({ communeName: 'Lectoure', announced: true });
    expect(await endFibreAlert(db, alert!.token)).toBe(true);
    expect(await db.select().from(fibreAlerts)).toEqual([]);
    expect(await endFibreAlert(db, alert!.token)).toBe(false);
  });

  it('by email, the alert waits for its confirmation link; a stranger cannot change a confirmed one', async () => {
    const { db } = await seededWith();
    await lowCoverage(db);
    const who = { user: null, ip: '2.2.2.2', locale: 'en' as const };
    expect(await subscribeFibreAlert(ctx(db), who, lectoure, { threshold: 'any', email: ' Jo@Example.org ' })).toBe(
      'check_mailbox',
    );
    const [confirm] = await mails(db, 'fibre_alert_confirm');
    expect(confirm).toMatchObject({ to: 'jo@example.org', subject: 'Confirm your fibre alert for Lectoure' });
    const [alert] = await db.select().from(fibreAlerts);
    expect(confirm!.text).toContain(`${siteUrl}/en/alertes/fibre?token=${alert!.token}`);
    // Unconfirmed: an import past the threshold sends nothing.
    await importRate(db, 5, '2026-12-01');
    expect(await mails(db, 'fibre_arrived')).toHaveLength(0);
    expect(await confirmFibreAlert(db, clock, alert!.token)).toBe(true);
    expect(await findFibreAlert(db, alert!.token)).toMatchObject({ confirmed: true, announced: false });
    // Someone else types the address with another threshold: same answer, nothing changes, no email.
    await subscribeFibreAlert(ctx(db), { ...who, ip: '3.3.3.3' }, lectoure, {
      threshold: 'most',
      email: 'jo@example.org',
    });
    expect(await db.select().from(fibreAlerts)).toMatchObject([{ threshold: 'any', confirmedAt: expect.any(String) }]);
    expect(await mails(db, 'fibre_alert_confirm')).toHaveLength(1);
    await importRate(db, 8, '2027-01-31');
    const [arrived] = await mails(db, 'fibre_arrived');
    expect(arrived).toMatchObject({ to: 'jo@example.org', subject: 'Fibre is arriving in Lectoure', locale: 'en' });
    expect(arrived!.text).toContain(`${siteUrl}/en/communes/32208-lectoure`);
  });

  it('refuses a threshold already reached, a bad address, an unknown threshold; limits confirmation emails', async () => {
    const { db } = await seededWith();
    await db.update(communeCoverage).set({ ftthShare: 0.6 }).where(eq(communeCoverage.communeCode, lectoure.code));
    const who = { user: null, ip: '4.4.4.4', locale: 'fr' as const };
    const refused = (input: object) => subscribeFibreAlert(ctx(db), who, lectoure, input).catch((e: unknown) => e);
    expect(await refused({ threshold: 'half', email: 'a@example.org' })).toMatchObject({
      errors: [{ field: 'threshold', key: 'errors.fibre_threshold_reached' }],
    });
    expect(await refused({ threshold: 'most', email: 'pas une adresse' })).toBeInstanceOf(Invalid);
    expect(await refused({ threshold: 'all', email: 'a@example.org' })).toBeInstanceOf(Invalid);
    expect(await db.select().from(fibreAlerts)).toEqual([]);
    for (let i = 0; i < 3; i++)
      await subscribeFibreAlert(ctx(db), who, lectoure, { threshold: 'most', email: 'b@example.org' });
    expect(await refused({ threshold: 'most', email: 'b@example.org' })).toMatchObject({ name: 'RateLimited' });
    expect(await mails(db, 'fibre_alert_confirm')).toHaveLength(3);
    expect(await findFibreAlert(db, 'x'.repeat(500))).toBeUndefined();
    expect(await confirmFibreAlert(db, clock, 'nope')).toBe(false);
  });
});
