// Demo jobs and businesses to take over (issue 16): fixed, real-looking items in each demo
// territory, written after everything the seeded PRNG draws (no existing draw shifts). Each
// is confirmed a few days before `now`; one business is the demo owner's proposal awaiting
// moderation, one job is a draft.
import type { Db } from '../client.ts';
import { opportunities, opportunityEvents } from '../schema/index.ts';
import { DAY_MS } from '../../src/lib/time.ts';

type Item = Omit<typeof opportunities.$inferInsert, 'createdAt' | 'updatedAt' | 'status'> & {
  status?: (typeof opportunities.$inferInsert)['status'];
  daysAgo: number;
};

const job = (
  territoryCode: string,
  communeCode: string,
  title: string,
  employer: string,
  contract: Item['contract'],
  hoursPerWeek: number,
  teleworkable: boolean,
  description: string,
  daysAgo: number,
): Item => ({
  kind: 'job',
  territoryCode,
  communeCode,
  title,
  employer,
  contract,
  hoursPerWeek,
  teleworkable,
  description,
  daysAgo,
});
const business = (
  territoryCode: string,
  communeCode: string,
  title: string,
  sector: Item['sector'],
  priceMin: number,
  priceMax: number,
  turnoverBand: Item['turnoverBand'],
  reason: string,
  wantedBy: string,
  description: string,
  daysAgo: number,
): Item => ({
  kind: 'business',
  territoryCode,
  communeCode,
  title,
  sector,
  priceMin,
  priceMax,
  turnoverBand,
  reason,
  wantedBy,
  description,
  daysAgo,
});

export const demoWork: Item[] = [
  job(
    '32',
    '32013',
    'Graphiste – chargé·e de communication',
    'Office de tourisme Grand Auch Cœur de Gascogne',
    'permanent',
    35,
    true,
    'Conception des supports imprimés et numériques de l’office (brochures, affiches, réseaux sociaux), suivi des prestataires d’impression. Deux jours de télétravail par semaine.',
    4,
  ),
  job(
    '32',
    '32013',
    'Infirmier·ère en soins généraux',
    'Centre hospitalier d’Auch',
    'permanent',
    35,
    false,
    'Service de médecine polyvalente, roulement en 12 h. Accompagnement à la prise de poste et aide au logement les premiers mois.',
    9,
  ),
  job(
    '32',
    '32107',
    'Professeur·e des écoles remplaçant·e',
    'Direction des services départementaux de l’Éducation nationale',
    'fixed_term',
    24,
    false,
    'Remplacements dans les écoles du secteur de Condom et de la Ténarèze, pour l’année scolaire.',
    12,
  ),
  job(
    '32',
    '32160',
    'Développeur·se web',
    'Coopérative numérique du Savès',
    'permanent',
    35,
    true,
    'Applications web pour les collectivités et les associations du territoire. Télétravail possible trois jours par semaine, bureaux au tiers-lieu de L’Isle-Jourdain.',
    6,
  ),
  job(
    '32',
    '32208',
    'Boulanger·ère',
    'Boulangerie du Bastion',
    'fixed_term',
    39,
    false,
    'Fabrication du pain et des viennoiseries, de 4 h à 11 h, six mois renouvelables avant un CDI.',
    15,
  ),
  job(
    '32',
    '32119',
    'Comptable',
    'Cabinet d’expertise comptable de l’Armagnac',
    'permanent',
    35,
    true,
    'Tenue et révision de dossiers d’artisans et d’exploitations viticoles. Télétravail un jour par semaine.',
    20,
  ),
  business(
    '32',
    '32256',
    'Librairie-papeterie en centre-bourg',
    'retail',
    60000,
    80000,
    'under_100k',
    'Départ à la retraite',
    '2027-06-30',
    'Librairie-papeterie de 90 m² sur la place principale, clientèle fidèle, logement de 80 m² à l’étage. Accompagnement par le cédant pendant trois mois.',
    8,
  ),
  business(
    '32',
    '32132',
    'Restaurant traditionnel de 40 couverts',
    'hospitality',
    150000,
    190000,
    '300k_1m',
    'Projet de reconversion',
    '2027-03-31',
    'Restaurant de cuisine gasconne sous les arcades, terrasse de 30 places, cuisine aux normes refaite en 2022. Deux salariés.',
    14,
  ),
  business(
    '32',
    '32107',
    'Atelier d’ébénisterie',
    'crafts',
    40000,
    55000,
    'under_100k',
    'Départ à la retraite',
    '2027-09-30',
    'Atelier de 200 m² équipé (toupie, dégauchisseuse, cabine de vernissage), carnet de commandes de six mois.',
    25,
  ),
  job(
    '50',
    '50502',
    'Graphiste web',
    'Agence Bocage Communication',
    'permanent',
    35,
    true,
    'Identités visuelles, sites et supports des clients de l’agence (PME, collectivités). Télétravail deux jours par semaine.',
    5,
  ),
  job(
    '50',
    '50129',
    'Technicien·ne de maintenance industrielle',
    'Chantiers navals du Cotentin',
    'permanent',
    37,
    false,
    'Maintenance préventive et curative des équipements de production, astreintes une semaine sur cinq.',
    7,
  ),
  job(
    '50',
    '50147',
    'Aide-soignant·e',
    'EHPAD Les Hortensias',
    'fixed_term',
    35,
    false,
    'Remplacement de huit mois, possibilité de CDI ensuite. Équipe de jour.',
    11,
  ),
  job(
    '50',
    '50218',
    'Chargé·e de projets tourisme',
    'Communauté de communes Granville Terre et Mer',
    'fixed_term',
    35,
    true,
    'Développement de l’offre touristique hors saison et animation des partenaires. Télétravail un jour par semaine.',
    18,
  ),
  job(
    '50',
    '50025',
    'Professeur·e de piano',
    'École de musique de la baie',
    'seasonal',
    12,
    false,
    'Cours individuels, de septembre à juin, le mercredi et le samedi.',
    30,
  ),
  business(
    '50',
    '50615',
    'Boulangerie-pâtisserie',
    'food',
    180000,
    220000,
    '300k_1m',
    'Départ à la retraite',
    '2027-04-30',
    'Boulangerie au cœur de Valognes, fournil équipé, trois salariés, logement de fonction. Le cédant forme le repreneur.',
    10,
  ),
  business(
    '50',
    '50218',
    'Boutique de vêtements de plage',
    'retail',
    35000,
    50000,
    '100k_300k',
    'Changement de région',
    '2027-02-28',
    'Boutique de 60 m² près du port, forte activité d’avril à septembre, bail commercial récent.',
    16,
  ),
  business(
    '50',
    '50147',
    'Cabinet de kinésithérapie (parts)',
    'health',
    50000,
    70000,
    '100k_300k',
    'Départ d’un associé',
    '2027-01-31',
    'Parts d’un cabinet de trois praticiens, locaux accessibles, patientèle importante.',
    21,
  ),
];

/** The demo's jobs and businesses; `ownerId` makes the last Gers business the owner's pending proposal. */
export async function seedDemoWork(db: Db, now: Date, ownerId: number | undefined): Promise<number> {
  const rows = demoWork.map(({ daysAgo, ...item }, i) => {
    const at = new Date(now.getTime() - daysAgo * DAY_MS).toISOString();
    const draft = i === 5;
    const proposal = i === 8 && ownerId !== undefined;
    return {
      ...item,
      status: proposal ? ('pending' as const) : draft ? ('draft' as const) : ('published' as const),
      ...(proposal ? { moderation: 'pending' as const, ownerId } : {}),
      publishedAt: proposal || draft ? null : at,
      confirmedAt: at,
      createdAt: at,
      updatedAt: at,
    };
  });
  const inserted = await db
    .insert(opportunities)
    .values(rows)
    .returning({ id: opportunities.id, status: opportunities.status, createdAt: opportunities.createdAt });
  await db.insert(opportunityEvents).values(
    inserted.flatMap((r) => [
      {
        opportunityId: r.id,
        kind: r.status === 'pending' ? ('proposed' as const) : ('created' as const),
        byUserId: r.status === 'pending' ? ownerId : null,
        at: r.createdAt,
      },
      ...(r.status === 'published' ? [{ opportunityId: r.id, kind: 'published' as const, at: r.createdAt }] : []),
    ]),
  );
  return rows.length;
}
