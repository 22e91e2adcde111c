// Demo candidate files: for each territory, files created over the last three years that
// went through the pipeline with plausible durations; some settled (with 6- and 12-month
// follow-ups), some withdrew, recent ones still on their way. Deterministic. Fictitious people.
import { and, count, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../client.ts';
import {
  candidateEvents,
  candidates,
  communes,
  discoveryStays,
  messages,
  offers,
  proposals,
  stageBit,
  stageHistory,
  tasks,
  users,
  userTerritories,
  withdrawalReasons,
  type Stage,
  type EventData,
} from '../schema/index.ts';
import { followUpDates, pipeline } from '../../src/server/candidates/stages.ts';
import { CONSENT_TEXT_VERSION } from '../../src/server/candidates/schemas.ts';
import { createRandom, type Random } from './random.ts';
import { DAY_MS as DAY, HOUR_MS } from '../../src/lib/time.ts';

/** A closed stay's length in days, to a tenth, as `closeStays()` writes it. */
export const stayDays = (entered: string, left: string | null) =>
  left === null ? null : Math.round(((Date.parse(left) - Date.parse(entered)) / DAY) * 10) / 10;
const surnames = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefebvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
  'Morel',
  'Girard',
  'Andre',
  'Mercier',
  'Dupont',
  'Lambert',
  'Bonnet',
  'Francois',
  'Martinez',
  'Legrand',
  'Garnier',
  'Faure',
  'Rousseau',
  'Blanc',
  'Guerin',
  'Muller',
  'Henry',
  'Roussel',
  'Nicolas',
  'Perrin',
  'Smith',
  'Jansen',
  'Rossi',
  'Schmidt',
  'Murphy',
];
const origins = [
  'Paris (75)',
  'Lyon (69)',
  'Bordeaux (33)',
  'Toulouse (31)',
  'Nantes (44)',
  'Lille (59)',
  'Rennes (35)',
  'Montreuil (93)',
  'Bruxelles (Belgique)',
  'Londres (Royaume-Uni)',
  'Genève (Suisse)',
  'Marseille (13)',
];
const jobs = [
  ['Développeuse web', 'employee'],
  ['Graphiste', 'freelancer'],
  ['Consultant en cybersécurité', 'employee'],
  ['Traductrice', 'freelancer'],
  ['Fondateur d’une start-up', 'founder'],
  ['Chef de projet', 'employee'],
  ['Comptable', 'employee'],
  ['Photographe', 'freelancer'],
  ['Data scientist', 'employee'],
  ['Architecte', 'freelancer'],
  ['En reconversion', 'job_seeker'],
] as const;
/** Days a file typically spends in each stage before moving on. */
const typicalDays: Record<Exclude<Stage, 'settled' | 'withdrawn'>, [number, number]> = {
  enquiry: [1, 10],
  qualified: [10, 60],
  discovery: [20, 120],
  settling: [30, 150],
};

export async function seedDemoCandidates(db: Db, random: Random, now: Date, perTerritory = 64): Promise<number> {
  const staff = await db
    .select({ id: users.id, role: users.role, territory: userTerritories.territoryCode })
    .from(users)
    .innerJoin(userTerritories, eq(userTerritories.userId, users.id))
    .where(inArray(users.role, ['agent', 'territory_admin']));
  const territoryCodes = [...new Set(staff.map((s) => s.territory))].sort();
  let created = 0;
  // Proposals and stays draw from their own sequence, so that they do not change the files.
  const extras = createRandom(random.int(1, 1_000_000));
  for (const territory of territoryCodes) {
    const agents = staff.filter((s) => s.territory === territory);
    const agentId = (agents.find((a) => a.role === 'agent') ?? agents[0])!.id;
    const places = await db
      .select({ code: communes.code, name: communes.name })
      .from(communes)
      .where(and(eq(communes.departmentCode, territory), isNotNull(communes.lat)))
      .orderBy(communes.code);
    const homes = await db
      .select({ id: offers.id, title: offers.title, communeName: communes.name })
      .from(offers)
      .innerJoin(communes, eq(communes.code, offers.communeCode))
      .where(and(eq(offers.territoryCode, territory), eq(offers.status, 'published'), eq(offers.kind, 'home')))
      .orderBy(offers.id)
      .limit(60);
    // Families settle where homes are offered: the territory's four communes with the most
    // published homes (so that /impact has communes and years it may name, k ≥ 5).
    const welcoming = await db
      .select({ code: offers.communeCode })
      .from(offers)
      .where(and(eq(offers.territoryCode, territory), eq(offers.status, 'published'), eq(offers.kind, 'home')))
      .groupBy(offers.communeCode)
      .orderBy(desc(count()), offers.communeCode)
      .limit(4);
    for (let i = 0; i < perTerritory; i++) {
      // Spread over three years, more recent files being a little more frequent.
      // The last few arrived this week, so that the demo has fresh enquiries to answer.
      const ageDays = i >= perTerritory - 4 ? random.int(0, 2) : Math.floor(Math.pow(random.next(), 1.3) * 3 * 365);
      let at = new Date(now.getTime() - ageDays * DAY);
      const createdAt = at.toISOString();
      const surname = random.pick(surnames);
      const adults = random.weighted([
        [1, 2],
        [2, 8],
      ] as const);
      const children = Array.from(
        {
          length: random.weighted([
            [0, 4],
            [1, 3],
            [2, 3],
            [3, 1],
          ] as const),
        },
        () => random.int(0, 16),
      );
      const [job, status] = random.pick(jobs);
      const history: Array<{ stage: Stage; enteredAt: string; leftAt: string | null }> = [];
      let stage: Stage = 'enquiry';
      let withdrawal: { reason: (typeof withdrawalReasons)[number]; comment: string } | null = null;
      let settled: { commune: string; at: string; size: number } | null = null;
      const events: Array<{
        kind: (typeof candidateEvents.$inferInsert)['kind'];
        data: EventData;
        by: number | null;
        at: string;
      }> = [{ kind: 'created', data: { territories: [territory] }, by: null, at: createdAt }];
      history.push({ stage, enteredAt: createdAt, leftAt: null });
      // Walk forward while time allows; each stage may end in a withdrawal instead.
      // The freshest files wait for a first answer, so the demo always has some.
      const fresh = i >= perTerritory - 4;
      while (!fresh && stage !== 'settled' && stage !== 'withdrawn') {
        const [min, max] = typicalDays[stage];
        const next = new Date(at.getTime() + random.int(min, max) * DAY);
        if (next > now) break;
        const withdraw = random.chance(stage === 'enquiry' ? 0.18 : 0.12);
        const to: Stage = withdraw ? 'withdrawn' : pipeline[pipeline.indexOf(stage) + 1]!;
        history[history.length - 1]!.leftAt = next.toISOString();
        history.push({ stage: to, enteredAt: next.toISOString(), leftAt: null });
        events.push({ kind: 'stage_change', data: { from: stage, to }, by: agentId, at: next.toISOString() });
        if (to === 'withdrawn')
          withdrawal = {
            reason: random.pick(withdrawalReasons),
            comment: 'Motif recueilli lors d’un appel (démonstration).',
          };
        if (to === 'settled')
          settled = {
            commune: random.pick(welcoming.length ? welcoming : places).code,
            at: next.toISOString().slice(0, 10),
            size: adults + children.length,
          };
        if (random.chance(0.6))
          events.push({
            kind: 'note',
            data: {
              text: random.pick([
                'Appel de qualification fait.',
                'Visite de deux maisons prévue.',
                'Famille très intéressée par le tiers-lieu.',
                'Attend la réponse de son employeur.',
                'Recherche une école pour la rentrée.',
              ]),
            },
            by: agentId,
            at: new Date(next.getTime() + DAY).toISOString(),
          });
        stage = to;
        at = next;
      }
      const [row] = await db
        .insert(candidates)
        .values({
          publicId: `demo${territory}${String(i).padStart(3, '0')}x${random.int(100000, 999999)}`.slice(0, 16),
          territoryCode: territory,
          stage,
          stageEnteredAt: history.at(-1)!.enteredAt,
          assignedAgentId: stage === 'enquiry' && random.chance(0.5) ? null : agentId,
          name: `Famille ${surname}`,
          email: `famille.${surname.toLowerCase()}.${territory}${i}@exemple.test`,
          phone: random.chance(0.7) ? `06${String(random.int(10_000_000, 99_999_999))}` : null,
          household: { adults, children },
          professions: [{ profession: job, status }],
          currentPlace: random.pick(origins),
          wishedTerritories: [territory],
          wishedCommunes: random.chance(0.4) ? [random.pick(places).code] : [],
          budgetMax: random.chance(0.5) ? random.int(5, 14) * 100 : random.int(12, 40) * 10_000,
          transaction: random.pick(['rent', 'sale'] as const),
          housingNeeds: 'Maison avec une pièce pour le bureau et un jardin. (Dossier fictif de démonstration.)',
          workspaceNeeds: random.chance(0.5) ? 'Un poste en tiers-lieu deux jours par semaine.' : null,
          minDownloadMbps: random.pick([30, 100, 300, 1000]),
          timeFrame: random.pick(['lt3m', '3-6m', '6-12m', 'gt12m'] as const),
          heardFrom: random.pick(['Presse', 'Salon', 'Bouche-à-oreille', 'Réseaux sociaux']),
          consentTextVersion: CONSENT_TEXT_VERSION,
          consentAt: createdAt,
          withdrawalReason: withdrawal?.reason ?? null,
          withdrawalComment: withdrawal?.comment ?? null,
          settledCommuneCode: settled?.commune ?? null,
          settledAt: settled?.at ?? null,
          settledHouseholdSize: settled?.size ?? null,
          version: history.length,
          lastContactAt: events.at(-1)!.at,
          reachedStages: history.reduce((bits, h) => bits | stageBit(h.stage), 0),
          firstSettledAt: history.find((h) => h.stage === 'settled')?.enteredAt ?? null,
          ...(() => {
            const first =
              events
                .filter((e) => e.by !== null)
                .map((e) => e.at)
                .sort()[0] ?? null;
            return {
              firstResponseAt: first,
              responseHours: first
                ? Math.round(((Date.parse(first) - Date.parse(createdAt)) / HOUR_MS) * 10) / 10
                : null,
            };
          })(),
          createdAt,
          updatedAt: history.at(-1)!.enteredAt,
        })
        .returning({ id: candidates.id });
      const candidateId = row!.id;
      await seedProposalsAndStay(db, extras, candidateId, agentId, history, homes, now, events);
      await db.insert(stageHistory).values(
        history.map((h, n) => ({
          candidateId,
          stage: h.stage,
          enteredAt: h.enteredAt,
          leftAt: h.leftAt,
          days: stayDays(h.enteredAt, h.leftAt),
          byUserId: n === 0 ? null : agentId,
          territoryCode: territory,
        })),
      );
      await db
        .insert(candidateEvents)
        .values(events.map((e) => ({ candidateId, kind: e.kind, data: e.data, byUserId: e.by, at: e.at })));
      if (settled) {
        const { sixMonths, twelveMonths } = followUpDates(settled.at);
        const today = now.toISOString().slice(0, 10);
        // Past follow-ups were done; most families stayed.
        const followUp = (kind: 'follow_up_6m' | 'follow_up_12m', due: string) => {
          const done = due < today && random.chance(0.9);
          return {
            candidateId,
            kind,
            title:
              kind === 'follow_up_6m'
                ? 'Suivi à 6 mois : la famille est-elle toujours là ?'
                : 'Suivi à 12 mois : la famille est-elle toujours là ?',
            dueDate: due,
            assigneeId: agentId,
            doneAt: done ? `${due}T10:00:00.000Z` : null,
            outcome: done ? (random.chance(0.88) ? ('stayed' as const) : ('left' as const)) : null,
            createdAt: settled!.at,
          };
        };
        await db.insert(tasks).values([followUp('follow_up_6m', sixMonths), followUp('follow_up_12m', twelveMonths)]);
      }
      created++;
    }
  }
  return created;
}

type Home = { id: number; title: string; communeName: string };

/**
 * Once qualified, a file gets one to three proposed homes (one accepted if it went on to
 * discovery); once in discovery, a planned stay visiting them. Events join the timeline.
 */
async function seedProposalsAndStay(
  db: Db,
  random: Random,
  candidateId: number,
  agentId: number,
  history: Array<{ stage: Stage; enteredAt: string }>,
  homes: Home[],
  now: Date,
  events: Array<{
    kind: (typeof candidateEvents.$inferInsert)['kind'];
    data: EventData;
    by: number | null;
    at: string;
  }>,
) {
  const qualified = history.find((h) => h.stage === 'qualified');
  if (!qualified || homes.length < 3) return;
  const discovery = history.find((h) => h.stage === 'discovery');
  const proposedAt = new Date(new Date(qualified.enteredAt).getTime() + random.int(1, 6) * DAY);
  if (proposedAt > now) return;
  const picked = [
    ...new Map(Array.from({ length: random.int(1, 3) }, () => random.pick(homes)).map((h) => [h.id, h])).values(),
  ];
  const answeredAt = new Date(proposedAt.getTime() + random.int(1, 5) * DAY);
  const answered = answeredAt <= now && random.chance(0.8);
  await db.insert(proposals).values(
    picked.map((h, n) => ({
      candidateId,
      offerId: h.id,
      status: !answered
        ? ('proposed' as const)
        : discovery && n === 0
          ? ('accepted' as const)
          : random.chance(0.3)
            ? ('accepted' as const)
            : ('declined' as const),
      comment:
        answered && random.chance(0.4)
          ? random.pick([
              'Le jardin nous plaît beaucoup.',
              'Trop loin de l’école.',
              'Nous aimerions la visiter.',
              'Un peu petite pour nous.',
            ])
          : null,
      proposedById: agentId,
      proposedAt: proposedAt.toISOString(),
      answeredAt: answered ? answeredAt.toISOString() : null,
    })),
  );
  events.push({
    kind: 'proposal',
    data: { offers: picked.map((h) => ({ id: h.id, title: h.title })) },
    by: agentId,
    at: proposedAt.toISOString(),
  });
  if (!discovery) return;
  const stayStart = new Date(new Date(discovery.enteredAt).getTime() + random.int(5, 20) * DAY)
    .toISOString()
    .slice(0, 10);
  const stayEnd = new Date(new Date(`${stayStart}T00:00:00Z`).getTime() + random.int(2, 6) * DAY)
    .toISOString()
    .slice(0, 10);
  const placesToVisit = [...new Set(picked.map((h) => h.communeName))]
    .map((c) => `Visite à ${c}`)
    .concat(['Tiers-lieu le plus proche', 'École du village'])
    .join('\n');
  await db.insert(discoveryStays).values({
    candidateId,
    startDate: stayStart,
    endDate: stayEnd,
    places: placesToVisit,
    hosts: random.pick(['Gîte communal', 'Famille ambassadrice du village', null]),
    createdById: agentId,
    createdAt: discovery.enteredAt,
  });
  events.push({
    kind: 'visit',
    data: { start: stayStart, end: stayEnd, places: placesToVisit },
    by: agentId,
    at: discovery.enteredAt,
  });
}

/**
 * The demo family account's own file (famille@demo.test), in the Gers, in discovery: two
 * proposals (one accepted), a planned stay and a short exchange of messages.
 */
export async function seedDemoFamilyFile(db: Db, now: Date): Promise<void> {
  const [agent] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'agent.gers@demo.test'));
  const [family] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'famille@demo.test'));
  if (!agent || !family) return;
  const homes = await db
    .select({ id: offers.id, title: offers.title })
    .from(offers)
    .where(
      and(
        eq(offers.territoryCode, '32'),
        eq(offers.status, 'published'),
        eq(offers.kind, 'home'),
        eq(offers.transaction, 'rent'),
      ),
    )
    .orderBy(offers.id)
    .limit(2);
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();
  const [row] = await db
    .insert(candidates)
    .values({
      publicId: 'demoFamilleMartn',
      territoryCode: '32',
      stage: 'discovery',
      stageEnteredAt: at(6),
      assignedAgentId: agent.id,
      familyUserId: family.id,
      name: 'Famille Martin',
      email: 'famille@demo.test',
      household: { adults: 2, children: [5, 9] },
      professions: [
        { profession: 'Développeuse web', status: 'employee' },
        { profession: 'Graphiste', status: 'freelancer' },
      ],
      partnerWish: 'remote',
      currentPlace: 'Lyon (69)',
      wishedTerritories: ['32'],
      budgetMax: 1100,
      transaction: 'rent',
      housingNeeds: 'Une maison avec trois chambres et un jardin, près d’une école.',
      workspaceNeeds: 'Un poste en tiers-lieu deux jours par semaine.',
      minDownloadMbps: 300,
      timeFrame: '3-6m',
      heardFrom: 'Salon',
      consentTextVersion: CONSENT_TEXT_VERSION,
      consentAt: at(30),
      version: 3,
      lastContactAt: at(2),
      reachedStages: stageBit('enquiry') | stageBit('qualified') | stageBit('discovery'),
      firstResponseAt: at(28),
      responseHours: 48,
      createdAt: at(30),
      updatedAt: at(2),
    })
    .returning({ id: candidates.id });
  const candidateId = row!.id;
  await db.insert(stageHistory).values([
    { candidateId, stage: 'enquiry', enteredAt: at(30), leftAt: at(28), days: 2, territoryCode: '32' },
    {
      candidateId,
      stage: 'qualified',
      enteredAt: at(28),
      leftAt: at(6),
      days: 22,
      byUserId: agent.id,
      territoryCode: '32',
    },
    { candidateId, stage: 'discovery', enteredAt: at(6), byUserId: agent.id, territoryCode: '32' },
  ]);
  const stayStart = at(-10).slice(0, 10);
  const stayEnd = at(-13).slice(0, 10);
  if (homes.length === 2) {
    await db.insert(proposals).values([
      {
        candidateId,
        offerId: homes[0]!.id,
        status: 'accepted',
        comment: 'Nous aimerions la visiter pendant le séjour.',
        proposedById: agent.id,
        proposedAt: at(20),
        answeredAt: at(18),
      },
      { candidateId, offerId: homes[1]!.id, status: 'proposed', proposedById: agent.id, proposedAt: at(20) },
    ]);
  }
  await db.insert(discoveryStays).values({
    candidateId,
    startDate: stayStart,
    endDate: stayEnd,
    places: 'Visite de la maison proposée\nTiers-lieu de Mauvezin\nÉcole primaire',
    hosts: 'Gîte communal de Mauvezin',
    createdById: agent.id,
    createdAt: at(6),
  });
  await db.insert(messages).values([
    {
      candidateId,
      authorId: agent.id,
      fromFamily: false,
      body: 'Bonjour ! Je vous ai préparé un séjour de découverte. Dites-moi si les dates vous conviennent.',
      at: at(5),
      readAt: at(4),
    },
    {
      candidateId,
      authorId: family.id,
      fromFamily: true,
      body: 'Parfait pour nous, merci ! Pourrons-nous visiter l’école ?',
      at: at(2),
    },
  ]);
  await db.insert(candidateEvents).values(
    [
      { kind: 'created' as const, data: { territories: ['32'] }, byUserId: null, at: at(30) },
      { kind: 'stage_change' as const, data: { from: 'enquiry', to: 'qualified' }, byUserId: agent.id, at: at(28) },
      {
        kind: 'proposal' as const,
        data: { offers: homes.map((h) => ({ id: h.id, title: h.title })) },
        byUserId: agent.id,
        at: at(20),
      },
      { kind: 'stage_change' as const, data: { from: 'qualified', to: 'discovery' }, byUserId: agent.id, at: at(6) },
      { kind: 'visit' as const, data: { start: stayStart, end: stayEnd }, byUserId: agent.id, at: at(6) },
      {
        kind: 'message' as const,
        data: {
          fromFamily: false,
          text: 'Bonjour ! Je vous ai préparé un séjour de découverte. Dites-moi si les dates vous conviennent.',
        },
        byUserId: agent.id,
        at: at(5),
      },
      {
        kind: 'message' as const,
        data: { fromFamily: true, text: 'Parfait pour nous, merci ! Pourrons-nous visiter l’école ?' },
        byUserId: family.id,
        at: at(2),
      },
    ].map((e) => ({ ...e, candidateId })),
  );
}
