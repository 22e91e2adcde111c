// The demo seed: two territories (Gers 32, Manche 50) with fictitious homes, the real
// ANCT tiers-lieux of each (through the open-data import) plus fictitious ones, and the demo accounts. Never for
// production. Deterministic: the same seed and date give the same offers.
import { parse } from 'csv-parse/sync';
import { and, eq, isNotNull } from 'drizzle-orm';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Db } from '../client.ts';
import { communes, offerPhotos, offers, territories, users, userTerritories, type Role } from '../schema/index.ts';
import { hashPassword } from '../../src/server/accounts/password.ts';
import { seedDemoAmbassadors } from './ambassadors.ts';
import { DEVELOPMENT_TOTP_KEY } from '../../src/server/accounts/secret-box.ts';
import { enableWithKey, keyFromBase32 } from '../../src/server/accounts/two-factor.ts';
import { mustUseTwoFactor } from '../../src/server/policy.ts';
import { slugify } from '../../src/lib/text.ts';
import { importArcepRates } from '../../src/server/imports/arcep-rate.ts';
import { importArcepDeployment } from '../../src/server/imports/arcep.ts';
import { importArcepDepartments } from '../../src/server/imports/arcep-departments.ts';
import { ANCT_FIELDS, importAnctTiersLieux } from '../../src/server/imports/tiers-lieux-anct.ts';
import { refreshNearestSchools, refreshNearestTiersLieux } from '../../src/server/offers/nearest.ts';
import { loadDailyLife } from '../../src/server/places/daily-life-data.ts';
import { seedDemoCandidates, seedDemoFamilyFile } from './candidates.ts';
import { refreshMaturity } from '../../src/server/candidates/maturity.ts';
import { subjectsFor, writeDemoPhotos } from './photos.ts';
import { seedDemoWork } from './work.ts';
import { createRandom, type Random } from './random.ts';
import { publicPoint } from '../../src/server/offers/position.ts';
import { DAY_MS } from '../../src/lib/time.ts';

export const DEMO_PASSWORD = 'demo-password-2026';
/**
 * The demo staff accounts' TOTP key (base32, as an authenticator app takes it): public, for
 * demo data only. Agents and administrators must sign in with a code (decision 015); add
 * this key to an app, or compute the code, to sign in as one of them.
 */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/** A new demo database has no fibre alerts: its imports write no email, whatever this address. */
const DEMO_SITE_URL = 'http://localhost:4321';

export const demoAccounts: ReadonlyArray<{ email: string; name: string; role: Role; territories: string[] }> = [
  { email: 'admin@demo.test', name: 'Camille Admin', role: 'platform_admin', territories: [] },
  { email: 'agent.gers@demo.test', name: 'Lucie Agent (Gers)', role: 'agent', territories: ['32'] },
  { email: 'agent.manche@demo.test', name: 'Yann Agent (Manche)', role: 'agent', territories: ['50'] },
  { email: 'direction.gers@demo.test', name: 'Direction du Gers', role: 'territory_admin', territories: ['32'] },
  { email: 'famille@demo.test', name: 'Famille Martin', role: 'family', territories: [] },
  { email: 'proprietaire@demo.test', name: 'Jeanne Roussel', role: 'owner', territories: [] },
];

const demoTerritories = [
  {
    code: '32',
    name: 'Gers',
    accentColor: '#8a3b12',
    presentationFr:
      'Le Gers accueille les télétravailleurs depuis 2012 : une agente vous accompagne de la première visite à l’installation, logement, tiers-lieu et école compris. (Programme fictif de démonstration.)',
    presentationEn:
      'The Gers has welcomed remote workers since 2012: an agent accompanies you from the first visit to settling in, home, tiers-lieu and school included. (Fictitious demo programme.)',
    contactEmail: 'accueil@gers.demo.test',
    contactPhone: '05 62 00 00 00',
    firstAnswerHours: 48,
    acceptsOwnerOffers: true,
  },
  {
    code: '50',
    name: 'Manche',
    accentColor: '#0b5394',
    presentationFr:
      'La Manche vous aide à trouver une maison près de la mer et un bureau fibré, et vous présente les réseaux d’entrepreneurs du territoire. (Programme fictif de démonstration.)',
    presentationEn:
      'La Manche helps you find a home near the sea and an office with fibre, and introduces you to the territory’s entrepreneurs. (Fictitious demo programme.)',
    contactEmail: 'bienvenue@manche.demo.test',
    contactPhone: null,
    firstAnswerHours: 72,
    acceptsOwnerOffers: false,
  },
];

export interface SeedOptions {
  seed?: number;
  /** The seed's "today": publication and check dates are spread before it. */
  now?: Date;
  homesPerTerritory?: number;
  tiersLieuxPerTerritory?: number;
  /** Where the generated placeholder photos are written (PHOTOS_DIR); none when absent. */
  photosDir?: string;
  /** The key that seals TOTP keys (TOTP_KEY); the development key when absent. */
  totpKey?: Uint8Array;
}

type OfferInsert = typeof offers.$inferInsert;
export type CommuneRow = { code: string; name: string; lat: number; lng: number; population: number };

/** Communes with coordinates, where offers can be placed, by code: a department's, or all of France's. */
export async function placedCommunes(
  db: Db,
  departmentCode?: string,
): Promise<Array<CommuneRow & { departmentCode: string }>> {
  return (await db
    .select({
      code: communes.code,
      name: communes.name,
      lat: communes.lat,
      lng: communes.lng,
      population: communes.population,
      departmentCode: communes.departmentCode,
    })
    .from(communes)
    .where(
      and(
        isNotNull(communes.lat),
        departmentCode === undefined ? undefined : eq(communes.departmentCode, departmentCode),
      ),
    )
    .orderBy(communes.code)) as Array<CommuneRow & { departmentCode: string }>;
}

const dataFile = (name: string) => new URL(`../data/${name}`, import.meta.url);
const tiersLieuxFile = dataFile('tiers-lieux-anct-2019.csv');
/** ARCEP's FttH rate per commune, the national edition current on 2026-02-21 (db/data/SOURCES.md). */
export const currentArcepRates = dataFile('arcep-ftth-taux-communes-fr-2026-02.csv');
export const ARCEP_RATES_DATE = '2026-02-21';
export const ARCEP_RATES_SOURCE = 'ARCEP, taux FttH par commune';

/** Seeds an empty database (the referential must be loaded). Returns what it created. */
export async function seedDemo(db: Db, options: SeedOptions = {}) {
  const random = createRandom(options.seed ?? 2026);
  const now = options.now ?? new Date('2026-11-01T09:00:00Z');
  const homesPerTerritory = options.homesPerTerritory ?? 44;
  const tiersLieuxPerTerritory = options.tiersLieuxPerTerritory ?? 12;
  const createdAt = now.toISOString();

  await db.insert(territories).values(demoTerritories.map((t) => ({ ...t, createdAt })));

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const ids = new Map<string, number>();
  for (const account of demoAccounts) {
    const [user] = await db
      .insert(users)
      .values({
        email: account.email,
        name: account.name,
        role: account.role,
        passwordHash,
        emailVerifiedAt: createdAt,
        createdAt,
      })
      .returning({ id: users.id });
    ids.set(account.role, user!.id);
    if (mustUseTwoFactor(account))
      await enableWithKey(
        { db, clock: { now: () => now }, key: options.totpKey ?? DEVELOPMENT_TOTP_KEY },
        user!.id,
        keyFromBase32(DEMO_TOTP_SECRET),
      );
    if (account.territories.length) {
      await db
        .insert(userTerritories)
        .values(account.territories.map((territoryCode) => ({ userId: user!.id, territoryCode })));
    }
  }

  // The ANCT's tiers-lieux of both territories come in through the import (drafts with their
  // source key, so that importing the file again changes nothing); the seed then gives some
  // of them the demo's own details (prices, connectivity, status) below.
  await importAnctTiersLieux(db, { now: () => now }, createReadStream(tiersLieuxFile), {
    fileName: 'tiers-lieux-anct-2019.csv',
    byUser: null,
  });
  const imported = new Map(
    (await db.select({ id: offers.id, key: offers.sourceKey }).from(offers).where(eq(offers.source, 'anct'))).map(
      (o) => [o.key!, o.id],
    ),
  );
  const anct: Record<string, string>[] = parse(await readFile(tiersLieuxFile), { columns: true, bom: true });
  const rows: OfferInsert[] = [];
  /** The seed's rows that are imported tiers-lieux: the id the import gave them. */
  const importedIds = new Map<OfferInsert, number>();
  for (const territory of demoTerritories) {
    const places = await placedCommunes(db, territory.code);
    const byCode = new Map(places.map((p) => [p.code, p]));
    // Larger communes get more offers, as in real life, but villages get some too.
    const weighted = places.map((p) => [p, Math.sqrt(Math.max(50, p.population ?? 50))] as const);

    for (let i = 0; i < homesPerTerritory; i++) {
      rows.push(makeHome(random, random.weighted(weighted), territory.code, now));
    }
    const real = anct.filter((r) => r.INSEEDEP === territory.code && byCode.has(r.INSEECOM ?? ''));
    for (const r of real.slice(0, tiersLieuxPerTerritory)) {
      const row = makeRealTiersLieu(random, r, byCode.get(r.INSEECOM!)!, territory.code, now);
      rows.push(row);
      importedIds.set(row, imported.get(r.ID!)!);
    }
    for (let i = real.length; i < tiersLieuxPerTerritory; i++) {
      rows.push(makeFictitiousTiersLieu(random, random.weighted(weighted), territory.code, now, i));
    }
  }
  // A few offers stay in draft, or are the demo owner's proposals awaiting moderation in a
  // territory that takes them: the public never sees them.
  const accepting = new Set(demoTerritories.filter((t) => t.acceptsOwnerOffers).map((t) => t.code));
  for (const row of rows)
    if (random.chance(0.05)) {
      const pending = random.pick(['draft', 'pending'] as const) === 'pending' && accepting.has(row.territoryCode);
      Object.assign(
        row,
        pending
          ? { status: 'pending', moderation: 'pending', ownerId: ids.get('owner'), connectivitySource: 'owner' }
          : { status: 'draft' },
        { publishedAt: null },
      );
    }

  const inserted: Array<{ id: number; kind: 'home' | 'tiers_lieu'; homeType: string | null; typology: string | null }> =
    [];
  const placed = withConfirmations(withPublicPoints(rows, options.seed ?? 2026), now, options.seed ?? 2026);
  let batch: OfferInsert[] = [];
  const flush = async () => {
    if (batch.length)
      inserted.push(
        ...(await db
          .insert(offers)
          .values(batch)
          .returning({ id: offers.id, kind: offers.kind, homeType: offers.homeType, typology: offers.typology })),
      );
    batch = [];
  };
  for (const [i, row] of placed.entries()) {
    const id = importedIds.get(rows[i]!);
    if (id === undefined) {
      batch.push(row);
      if (batch.length >= 200) await flush();
      continue;
    }
    await flush();
    await db.update(offers).set(demoDetails(row)).where(eq(offers.id, id));
    inserted.push({ id, kind: 'tiers_lieu', homeType: null, typology: row.typology ?? null });
  }
  await flush();
  // The other imported tiers-lieux (no commune code in the file: found by name) stay drafts
  // for the agents to review, with demo details drawn apart so the rest of the seed stays as it was.
  const apart = createRandom((options.seed ?? 2026) + 3);
  const seen = new Set(importedIds.values());
  for (const o of await db.select().from(offers).where(eq(offers.source, 'anct')).orderBy(offers.id)) {
    if (seen.has(o.id)) continue;
    const details = { ...tiersLieuBase(apart, now), status: 'draft' as const, publishedAt: null, description: '' };
    await db
      .update(offers)
      .set({ ...demoDetails(details), ...publicPoint(o, 'approximate', o, () => apart.next()) })
      .where(eq(offers.id, o.id));
  }

  if (options.photosDir) {
    const photos = await writeDemoPhotos(options.photosDir);
    // Several drawings an offer, of what it is (its kind outside first, then rooms or spaces),
    // each subject's variant picked at random: neighbours rarely look alike.
    // Drawn apart, so that the rest of the seed stays as it was.
    const draw = createRandom((options.seed ?? 2026) + 7);
    const photoRows = inserted.flatMap((offer) => {
      // The main sequence moves as it always did here (two draws an offer): the files, stays
      // and figures seeded after the photos stay the same.
      random.next();
      random.next();
      const subjects = subjectsFor(offer);
      const n = draw.int(2, subjects.length);
      const used = new Set<string>();
      return subjects.slice(0, n).map((subject, position) => {
        const choices = photos.filter((p) => p.subject === subject && !used.has(p.key));
        const p = choices[draw.int(0, choices.length - 1)]!;
        used.add(p.key);
        return { offerId: offer.id, storageKey: p.key, width: p.width, height: p.height, alt: p.alt, position };
      });
    });
    for (let i = 0; i < photoRows.length; i += 300) await db.insert(offerPhotos).values(photoRows.slice(i, i + 300));
  }

  // 2018 first (the history's first point), then the current national rates: the figures shown.
  const clock = { now: () => now };
  await importArcepDeployment(
    db,
    clock,
    {
      deployment: createReadStream(dataFile('arcep-ftth-deploiement-communes-2017T3-2018T1-gers-manche.csv')),
      information: createReadStream(dataFile('arcep-ftth-informations-communes-2018T1-gers-manche.csv')),
    },
    { fileName: 'arcep-ftth-deploiement-communes-2017T3-2018T1.csv', siteUrl: DEMO_SITE_URL },
  );
  await importArcepDepartments(db, clock, createReadStream(dataFile('arcep-mci-departements-2026-06-30.csv')), {
    fileName: 'arcep-mci-departements-2026-06-30.csv',
  });
  await importArcepRates(db, clock, createReadStream(currentArcepRates), {
    fileName: 'arcep-ftth-taux-communes-fr-2026-02.csv',
    dataDate: ARCEP_RATES_DATE,
    source: ARCEP_RATES_SOURCE,
    siteUrl: DEMO_SITE_URL,
  });
  await refreshNearestTiersLieux(db);
  // Schools, post offices, SNCF stations and INSEE's facility counts of both territories.
  await loadDailyLife(db);
  await refreshNearestSchools(db);
  const files = await seedDemoCandidates(db, random, now);
  await seedDemoFamilyFile(db, now);
  await refreshMaturity(db);
  await seedDemoAmbassadors(db, now, passwordHash);
  // Jobs and businesses for partners: fixed data, after every draw of the PRNG.
  await seedDemoWork(db, now, ids.get('owner'));
  await db.$client.execute('ANALYZE');
  return { territories: demoTerritories.length, users: demoAccounts.length, offers: rows.length, candidates: files };
}

/** An imported tiers-lieu's demo details: what the file says (its columns, its slug) stays the import's. */
const demoDetails = (row: Partial<OfferInsert>) =>
  Object.fromEntries(
    Object.entries(row).filter(([k]) => !(ANCT_FIELDS as readonly string[]).includes(k) && k !== 'slug'),
  ) as Partial<OfferInsert>;

/** True when the database holds no territory yet: the demo seed may run. */
export async function databaseIsEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ code: territories.code }).from(territories).limit(1);
  return !row;
}

// ——— Connectivity ———————————————————————————————————————————————————————————————

const technologyWeights = [
  ['ftth', 44],
  ['vdsl2', 15],
  ['adsl', 12],
  ['4g-fixe', 8],
  ['thd-radio', 7],
  ['5g-fixe', 5],
  ['satellite', 5],
  ['cable', 4],
] as const;

const speeds: Record<string, { down: readonly number[]; up: readonly number[] }> = {
  ftth: { down: [300, 500, 1000, 1000, 2000, 8000], up: [300, 500, 700, 1000] },
  cable: { down: [100, 400, 1000], up: [50, 100] },
  vdsl2: { down: [30, 45, 60, 80, 95], up: [5, 8, 15, 30] },
  adsl: { down: [2, 4, 6, 8, 12, 18], up: [1] },
  '4g-fixe': { down: [20, 40, 70, 110, 150], up: [5, 10, 20, 35] },
  '5g-fixe': { down: [150, 250, 400, 600], up: [30, 50, 80] },
  'thd-radio': { down: [30, 50, 100], up: [5, 10, 20] },
  satellite: { down: [100, 150, 220], up: [10, 15, 25] },
};

function connectivity(random: Random, now: Date) {
  const bestTechnology = random.weighted(technologyWeights);
  const s = speeds[bestTechnology]!;
  const downloadMbps = random.pick(s.down);
  const uploadMbps = Math.min(downloadMbps, random.pick(s.up));
  const fibre = bestTechnology === 'ftth' ? 'available' : random.chance(0.4) ? 'planned' : 'none';
  return {
    bestTechnology,
    downloadMbps,
    uploadMbps,
    fibreStatus: fibre,
    fibrePlannedAt:
      fibre === 'planned'
        ? `${now.getUTCFullYear() + random.int(0, 2)}-${String(random.int(1, 12)).padStart(2, '0')}-01`
        : null,
    mobileCoverage: random.weighted([
      ['5g', 25],
      ['4g', 60],
      ['3g', 10],
      ['none', 5],
    ] as const),
    connectivitySource: random.weighted([
      ['owner', 50],
      ['agent', 35],
      ['open_data', 15],
    ] as const),
    connectivityCheckedAt: daysBefore(now, random.int(5, 360)).slice(0, 10),
  } satisfies Partial<OfferInsert>;
}

// ——— Homes ——————————————————————————————————————————————————————————————————————

// Titles in French and in English (the English pages show the second).
const homeTypeNames = {
  house: ['Maison', 'house'],
  farmhouse: ['Corps de ferme', 'farmhouse'],
  flat: ['Appartement', 'flat'],
  land: ['Terrain à bâtir', 'Building land'],
} as const;
const features = [
  ['avec jardin', 'with a garden'],
  ['avec grange', 'with a barn'],
  ['de plain-pied', 'on one level'],
  ['avec vue dégagée', 'with open views'],
  ['au cœur du village', 'in the village centre'],
  ['avec bureau lumineux', 'with a bright study'],
  ['avec terrasse', 'with a terrace'],
  ['après rénovation', 'newly renovated'],
] as const;
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const descriptions = [
  'Au calme, à quelques minutes des commerces et de l’école du village.',
  'Une pièce se prête parfaitement à un bureau pour le télétravail.',
  'Chauffage au bois et pompe à chaleur, double vitrage récent.',
  'Jardin clos, idéal pour une famille avec enfants.',
  'Gare TER et marché hebdomadaire à proximité.',
  'Propriétaires attentifs à l’accueil de nouveaux habitants.',
];

export function makeHome(random: Random, place: CommuneRow, territoryCode: string, now: Date): OfferInsert {
  const homeType = random.weighted([
    ['house', 55],
    ['farmhouse', 20],
    ['flat', 15],
    ['land', 10],
  ] as const);
  const transaction =
    homeType === 'land'
      ? 'sale'
      : random.weighted([
          ['rent', 40],
          ['sale', 60],
        ] as const);
  const isLand = homeType === 'land';
  const rooms = isLand ? null : homeType === 'flat' ? random.int(1, 4) : random.int(3, 8);
  const surface = isLand ? null : (rooms ?? 2) * random.int(18, 30);
  const price = isLand
    ? random.int(15, 80) * 1000
    : transaction === 'rent'
      ? Math.round(((surface ?? 60) * random.int(6, 10)) / 10) * 10
      : Math.round(((surface ?? 60) * random.int(1100, 2400)) / 1000) * 1000;
  const [typeFr, typeEn] = homeTypeNames[homeType];
  const feature = isLand ? null : random.pick(features);
  const title = `${typeFr}${rooms ? ` ${rooms} pièces` : ''} ${feature ? `${feature[0]} ` : ''}à ${place.name}`;
  const titleEn = capitalized(
    `${rooms ? `${rooms}-room ` : ''}${typeEn}${feature ? ` ${feature[1]}` : ''} in ${place.name}`,
  );
  const published = daysBefore(now, random.int(0, 300));
  return {
    kind: 'home',
    status: 'published',
    slug: slugify(title),
    title,
    titleEn,
    description: `${random.pick(descriptions)} ${random.pick(descriptions)} (Annonce fictive de démonstration.)`,
    territoryCode,
    communeCode: place.code,
    address: `${random.int(1, 40)} chemin des ${random.pick(['Vignes', 'Chênes', 'Prés', 'Moulins', 'Pommiers'])}`,
    ...jitter(random, place),
    price,
    transaction,
    homeType,
    surface,
    landArea: homeType === 'flat' ? null : random.int(4, 50) * 100,
    rooms,
    bedrooms: rooms ? Math.max(1, rooms - 2) : null,
    energyClass: isLand ? null : random.pick(['B', 'C', 'D', 'D', 'E', 'F']),
    availableFrom: daysBefore(now, -random.int(0, 120)).slice(0, 10),
    ...connectivity(random, now),
    publishedAt: published,
    createdAt: published,
    updatedAt: published,
  };
}

// ——— Tiers-lieux —————————————————————————————————————————————————————————————————

const serviceKeys = ['wifi', 'coffee', 'printer', 'lockers', 'phone_booth', 'kitchen', 'parking', 'events'] as const;

function tiersLieuBase(random: Random, now: Date) {
  const desks = random.int(4, 30);
  const published = daysBefore(now, random.int(0, 300));
  return {
    kind: 'tiers_lieu' as const,
    status: 'published' as const,
    desks,
    meetingRooms: random.int(0, 3),
    priceDay: random.int(10, 25),
    price: random.int(12, 30) * 10,
    openingHours: random.pick([
      'Lun–ven 9 h–18 h',
      'Lun–sam 8 h 30–19 h',
      'Mar–sam 9 h–17 h',
      '24 h/24 pour les abonnés',
    ]),
    services: serviceKeys.filter(() => random.chance(0.6)),
    wheelchairAccessible: random.chance(0.6),
    ...connectivity(random, now),
    publishedAt: published,
    createdAt: published,
    updatedAt: published,
  };
}

function makeRealTiersLieu(
  random: Random,
  r: Record<string, string>,
  place: CommuneRow,
  territoryCode: string,
  now: Date,
): OfferInsert {
  const lat = Number.parseFloat(r.LAT ?? '');
  const lng = Number.parseFloat(r.LONG ?? '');
  const name = (r.NOM_TL ?? 'Tiers-lieu').trim();
  return {
    ...tiersLieuBase(random, now),
    slug: slugify(`${name} ${place.name}`),
    title: name,
    description: `Tiers-lieu recensé par la mission Coworking de l’ANCT (2019). Tarifs, horaires et connexion indiqués ici sont fictifs, pour la démonstration.`,
    typology: /fablab/i.test(r.TYPO ?? '') ? 'fablab' : 'coworking',
    territoryCode,
    communeCode: place.code,
    address: r.ADRESSE || null,
    website: r.WEB ? (r.WEB.startsWith('http') ? r.WEB : `https://${r.WEB}`) : null,
    lat: Number.isFinite(lat) ? lat : place.lat,
    lng: Number.isFinite(lng) ? lng : place.lng,
  };
}

const fictitiousNames = [
  'La Grange connectée',
  'L’Atelier du bourg',
  'Le Relais numérique',
  'La Fabrique',
  'Les Bureaux de la halle',
  'Le Fournil',
  'La Ruche rurale',
  'Le Moulin',
  'L’Escale',
  'La Cabane',
];

export function makeFictitiousTiersLieu(
  random: Random,
  place: CommuneRow,
  territoryCode: string,
  now: Date,
  i: number,
): OfferInsert {
  const name = `${fictitiousNames[i % fictitiousNames.length]} (${place.name})`;
  return {
    ...tiersLieuBase(random, now),
    slug: slugify(name),
    title: name,
    description:
      'Espace partagé avec postes nomades, bureaux fermés et salle de réunion. (Tiers-lieu fictif de démonstration.)',
    typology: random.weighted([
      ['coworking', 55],
      ['hybrid', 25],
      ['workshop', 10],
      ['fablab', 10],
    ] as const),
    territoryCode,
    communeCode: place.code,
    address: `${random.int(1, 20)} place de la Mairie`,
    ...jitter(random, place),
  };
}

// ——— Helpers ————————————————————————————————————————————————————————————————————

/**
 * The rows with their public points (src/server/offers/position.ts), from a PRNG of their
 * own so that the rest of the demo stays what it was.
 */
export function withPublicPoints(rows: OfferInsert[], seed: number): OfferInsert[] {
  const random = createRandom(seed + 1);
  const next = () => random.next();
  return rows.map((row) => ({ ...row, ...publicPoint(row, 'approximate', row, next) }));
}

/**
 * When each offer was last confirmed available, from a PRNG of its own: most within the
 * last six weeks, about one in fifteen 61–85 days ago (flagged in the back office).
 */
function withConfirmations(rows: OfferInsert[], now: Date, seed: number): OfferInsert[] {
  const random = createRandom(seed + 2);
  return rows.map((row) => {
    const since = random.chance(0.07) ? random.int(61, 85) : random.int(0, 45);
    const confirmed = daysBefore(now, since);
    const floor = row.publishedAt ?? row.createdAt ?? confirmed;
    return { ...row, confirmedAt: confirmed > floor ? confirmed : floor };
  });
}

/** A point near the commune's centre, so that markers of one village do not overlap. */
function jitter(random: Random, place: CommuneRow) {
  return {
    lat: Math.round((place.lat + (random.next() - 0.5) * 0.02) * 1e5) / 1e5,
    lng: Math.round((place.lng + (random.next() - 0.5) * 0.02) * 1e5) / 1e5,
  };
}

function daysBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}
