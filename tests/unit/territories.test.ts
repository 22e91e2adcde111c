import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { territories } from '../../db/schema/index.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../src/server/errors.ts';
import {
  configurableTerritories,
  createTerritory,
  departmentsWithoutTerritory,
  presentationIn,
  territoryWithSettings,
  updateTerritory,
} from '../../src/server/places/territories.ts';
import { seededWith } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-05T10:00:00Z') };
const settings = (over: Record<string, unknown> = {}) => ({
  name: 'Gers',
  presentationFr: 'Bienvenue dans le Gers.',
  presentationEn: '',
  contactEmail: 'Accueil@Gers.fr',
  contactPhone: '05 62 00 00 00',
  retentionMonths: '36',
  firstAnswerHours: '24',
  acceptsOwnerOffers: 'yes',
  ...over,
});

/** A fresh seeded database and its platform admin, Gers admin and Gers agent. */
async function world() {
  const { db, people } = await seededWith('admin@demo.test', 'direction.gers@demo.test', 'agent.gers@demo.test');
  const [platform, gersAdmin, agent] = people;
  return { db, platform, gersAdmin, agent };
}

describe('territories', () => {
  it('the platform admin makes a département a territory, with the default settings', async () => {
    const { db, platform, gersAdmin, agent } = await world();
    expect((await departmentsWithoutTerritory(db)).map((d) => d.code)).toContain('46');
    expect(await createTerritory(db, clock, platform, { code: '46', name: '' })).toBe('46');
    expect(await territoryWithSettings(db, '46')).toMatchObject({
      name: 'Lot',
      retentionMonths: 24,
      firstAnswerHours: 48,
      acceptsOwnerOffers: false,
      presentationFr: null,
    });
    expect((await departmentsWithoutTerritory(db)).map((d) => d.code)).not.toContain('46');
    await expect(createTerritory(db, clock, platform, { code: '46' })).rejects.toBeInstanceOf(Conflict);
    await expect(createTerritory(db, clock, platform, { code: '99' })).rejects.toBeInstanceOf(Invalid);
    await expect(createTerritory(db, clock, platform, { code: '../32' })).rejects.toBeInstanceOf(Invalid);
    // Only the platform admin creates territories.
    await expect(createTerritory(db, clock, gersAdmin, { code: '47' })).rejects.toBeInstanceOf(Forbidden);
    await expect(createTerritory(db, clock, agent, { code: '47' })).rejects.toBeInstanceOf(Forbidden);
    expect(await db.select().from(territories).where(eq(territories.code, '47'))).toEqual([]);
  });

  it('a territory admin edits their own territory’s settings only; blanks clear, bad values change nothing', async () => {
    const { db, platform, gersAdmin, agent } = await world();
    expect((await configurableTerritories(db, gersAdmin)).map((x) => x.code)).toEqual(['32']);
    expect((await configurableTerritories(db, platform)).map((x) => x.code)).toEqual(['32', '50']);
    await expect(configurableTerritories(db, agent)).rejects.toBeInstanceOf(Forbidden);

    await updateTerritory(db, clock, gersAdmin, '32', settings());
    expect(await territoryWithSettings(db, '32')).toMatchObject({
      presentationFr: 'Bienvenue dans le Gers.',
      presentationEn: null,
      contactEmail: 'accueil@gers.fr',
      contactPhone: '0562000000',
      retentionMonths: 36,
      firstAnswerHours: 24,
      acceptsOwnerOffers: true,
    });
    // An unticked box and blank fields are posted as absent: they clear.
    await updateTerritory(db, clock, gersAdmin, '32', settings({ acceptsOwnerOffers: undefined, contactPhone: '' }));
    expect(await territoryWithSettings(db, '32')).toMatchObject({ acceptsOwnerOffers: false, contactPhone: null });

    const before = await territoryWithSettings(db, '32');
    for (const [field, value] of [
      ['name', ''],
      ['retentionMonths', '3'],
      ['firstAnswerHours', '0'],
      ['contactEmail', 'not an email'],
      ['contactPhone', 'call me'],
      ['presentationFr', 'x'.repeat(1201)],
    ]) {
      const error = await updateTerritory(db, clock, gersAdmin, '32', settings({ [field!]: value })).catch(
        (e: unknown) => e,
      );
      expect(error, field).toBeInstanceOf(Invalid);
      expect((error as Invalid).errors.map((e) => e.field)).toEqual([field]);
    }
    expect(await territoryWithSettings(db, '32')).toEqual(before);

    // Another territory is "not found" for a territory admin; the platform admin edits any.
    await expect(updateTerritory(db, clock, gersAdmin, '50', settings())).rejects.toBeInstanceOf(NotFound);
    await expect(updateTerritory(db, clock, agent, '32', settings())).rejects.toBeInstanceOf(Forbidden);
    await updateTerritory(db, clock, platform, '50', settings({ name: 'Manche' }));
    expect((await territoryWithSettings(db, '50')).firstAnswerHours).toBe(24);
  });

  it('shows the presentation in the visitor’s language, else in the other one', () => {
    expect(presentationIn({ presentationFr: 'Bonjour', presentationEn: null }, 'en')).toBe('Bonjour');
    expect(presentationIn({ presentationFr: 'Bonjour', presentationEn: 'Hello' }, 'en')).toBe('Hello');
    expect(presentationIn({ presentationFr: null, presentationEn: null }, 'fr')).toBeNull();
  });
});
