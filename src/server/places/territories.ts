// Territories as the back office sets them up: the platform admin creates one from a
// département of the referential; its administrators (and the platform admin) edit its
// settings. What the public pages show comes from here (name, presentation, contact,
// first-answer promise); retention and owner proposals are rules other modules read.
import { asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { departments, territories } from '../../../db/schema/index.ts';
import type { SessionUser } from '../accounts/session.ts';
import type { Clock } from '../clock.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { parseInput } from '../input.ts';
import { isPlatformAdmin, mayConfigureTerritory, territoryCondition } from '../policy.ts';
import { NewTerritorySchema, TerritorySettingsSchema } from './territory-schemas.ts';
import { logAccess } from '../audit/access-log.ts';

export interface Territory {
  code: string;
  name: string;
  accentColor: string;
  presentationFr: string | null;
  presentationEn: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  retentionMonths: number;
  firstAnswerHours: number;
  acceptsOwnerOffers: boolean;
}

const columns = {
  code: territories.code,
  name: territories.name,
  accentColor: territories.accentColor,
  presentationFr: territories.presentationFr,
  presentationEn: territories.presentationEn,
  contactEmail: territories.contactEmail,
  contactPhone: territories.contactPhone,
  retentionMonths: territories.retentionMonths,
  firstAnswerHours: territories.firstAnswerHours,
  acceptsOwnerOffers: territories.acceptsOwnerOffers,
};

/** Every territory with its settings, public (the territory page, /projet). */
export function territoriesWithSettings(db: Db): Promise<Territory[]> {
  return db.select(columns).from(territories).orderBy(asc(territories.code));
}

/** One territory with its settings; NotFound for an unknown code. */
export async function territoryWithSettings(db: Db | Tx, code: string): Promise<Territory> {
  const [row] = await db.select(columns).from(territories).where(eq(territories.code, code));
  if (!row) throw new NotFound('territory');
  return row;
}

/** The territories an administrator configures: all (platform admin) or theirs. */
export async function configurableTerritories(db: Db, actor: SessionUser): Promise<Territory[]> {
  if (!mayConfigureTerritory(actor)) throw new Forbidden();
  return db
    .select(columns)
    .from(territories)
    .where(territoryCondition(actor, territories.code))
    .orderBy(asc(territories.code));
}

/** One territory the actor configures: another territory is "not found", like an unknown code. */
export async function configurableTerritory(db: Db, actor: SessionUser, code: string): Promise<Territory> {
  if (!mayConfigureTerritory(actor, code))
    throw mayConfigureTerritory(actor) ? new NotFound('territory') : new Forbidden();
  return territoryWithSettings(db, code);
}

/** The départements of the referential that are not territories yet (the create form's choices). */
export async function departmentsWithoutTerritory(db: Db): Promise<Array<{ code: string; name: string }>> {
  const taken = new Set((await db.select({ code: territories.code }).from(territories)).map((t) => t.code));
  const all = await db
    .select({ code: departments.code, name: departments.name })
    .from(departments)
    .orderBy(asc(departments.code));
  return all.filter((d) => !taken.has(d.code));
}

/** The platform admin makes a département a territory; returns its code. */
export async function createTerritory(db: Db, clock: Clock, actor: SessionUser, input: unknown): Promise<string> {
  if (!isPlatformAdmin(actor)) throw new Forbidden();
  const { code, name, ...settings } = parseInput(NewTerritorySchema, input);
  return db.transaction(async (tx) => {
    const [department] = await tx.select().from(departments).where(eq(departments.code, code));
    if (!department) throw new Invalid([{ field: 'code', key: 'errors.department_unknown' }]);
    const [existing] = await tx.select({ code: territories.code }).from(territories).where(eq(territories.code, code));
    if (existing) throw new Conflict('errors.territory_exists', 'code');
    const now = clock.now().toISOString();
    const created = { code, name: name ?? department.name, ...settings };
    await tx.insert(territories).values({ ...created, createdAt: now });
    await logAccess(tx, {
      at: now,
      actor,
      action: 'territory_changed',
      territories: [code],
      target: created.name,
      details: { created: true, after: { ...created, presentationFr: undefined, presentationEn: undefined } },
    });
    return code;
  });
}

/**
 * A territory's administrators (and the platform admin) change its settings; the access log
 * gets what changed, before and after (the presentations only as changed: long public texts).
 */
export async function updateTerritory(
  db: Db,
  clock: Clock,
  actor: SessionUser,
  code: string,
  input: unknown,
): Promise<void> {
  await configurableTerritory(db, actor, code);
  const settings = parseInput(TerritorySettingsSchema, input);
  // Blank optional fields clear what was set (drizzle skips undefined: they become null).
  const next = {
    ...settings,
    presentationFr: settings.presentationFr ?? null,
    presentationEn: settings.presentationEn ?? null,
    contactEmail: settings.contactEmail ?? null,
    contactPhone: settings.contactPhone ?? null,
  };
  await db.transaction(async (tx) => {
    const { code: _, ...current } = await territoryWithSettings(tx, code);
    const changed = (Object.keys(next) as Array<keyof typeof next>).filter((k) => next[k] !== current[k]);
    await tx.update(territories).set(next).where(eq(territories.code, code));
    if (changed.length === 0) return;
    const shown = (values: Partial<Territory>) =>
      Object.fromEntries(changed.filter((k) => !k.startsWith('presentation')).map((k) => [k, values[k]]));
    await logAccess(tx, {
      at: clock.now(),
      actor,
      action: 'territory_changed',
      territories: [code],
      target: next.name,
      details: { changed, before: shown(current), after: shown(next) },
    });
  });
}

/** The presentation in the visitor's language, else in the other one. */
export const presentationIn = (t: Pick<Territory, 'presentationFr' | 'presentationEn'>, locale: string) =>
  (locale === 'en' ? (t.presentationEn ?? t.presentationFr) : (t.presentationFr ?? t.presentationEn)) ?? null;
