// The demo's ambassadors (decision 024): in each territory, the file that settled there
// last (its follow-ups still ahead: retention leaves it alone) gets a family account (ambassadeur.gers@demo.test, ambassadeur.manche@demo.test),
// an ambassador profile and an approved story. Fixed data, written after everything the
// seed's PRNG draws, so that no other demo figure moves; no file is added, so the reports
// and /impact count the same settled families.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { ambassadorStories, ambassadors, candidates, users } from '../schema/index.ts';

export const demoAmbassadors = [
  {
    territory: '32',
    email: 'ambassadeur.gers@demo.test',
    name: 'Claire Dubois',
    locale: 'fr' as const,
    profession: 'Architecte d’intérieur',
    languages: ['fr' as const, 'en' as const],
    phone: '0612345678',
    bestTimes: 'En semaine après 18 h, le samedi matin',
    presentation:
      'Arrivés de Bordeaux il y a deux ans avec nos deux enfants. Je travaille à distance trois jours par semaine, le reste dans un tiers-lieu à 10 minutes.',
    story: {
      locale: 'fr' as const,
      title: 'De Bordeaux au Gers, sans regret',
      body: 'Nous cherchions de l’espace et du calme sans renoncer à la fibre. L’équipe du territoire nous a fait visiter trois maisons pendant un séjour de découverte, et nous avons trouvé la bonne dès le deuxième jour.\n\nL’école du village accueille nos enfants dans des classes de vingt élèves, et le marché du samedi est devenu notre rendez-vous. Le plus difficile ? Choisir entre toutes les randonnées.',
    },
  },
  {
    territory: '50',
    email: 'ambassadeur.manche@demo.test',
    name: 'Thomas Leroy',
    locale: 'en' as const,
    profession: 'Software engineer',
    languages: ['fr' as const, 'en' as const, 'nl' as const],
    phone: null,
    bestTimes: null,
    presentation:
      'We moved from Amsterdam to the Manche with our daughter. I work remotely for a Dutch company and I am happy to tell you how it went.',
    story: {
      locale: 'en' as const,
      title: 'From Amsterdam to the Cotentin coast',
      body: 'We had never lived outside a city. The fibre reached our village a few months before we arrived, and the tiers-lieu in town gave me colleagues again.\n\nThe paperwork was easier than we feared, and our neighbours helped with everything else.',
    },
  },
];

export async function seedDemoAmbassadors(db: Db, now: Date, passwordHash: string): Promise<void> {
  const at = now.toISOString();
  for (const a of demoAmbassadors) {
    const [file] = await db
      .select({ id: candidates.id, commune: candidates.settledCommuneCode })
      .from(candidates)
      .where(
        and(
          eq(candidates.territoryCode, a.territory),
          eq(candidates.stage, 'settled'),
          isNull(candidates.anonymisedAt),
          isNull(candidates.mergedIntoId),
        ),
      )
      .orderBy(desc(candidates.settledAt), desc(candidates.id))
      .limit(1);
    if (!file?.commune) continue;
    const [user] = await db
      .insert(users)
      .values({
        email: a.email,
        name: a.name,
        role: 'family',
        locale: a.locale,
        passwordHash,
        emailVerifiedAt: at,
        createdAt: at,
      })
      .returning({ id: users.id });
    await db.update(candidates).set({ familyUserId: user!.id }).where(eq(candidates.id, file.id));
    const [amb] = await db
      .insert(ambassadors)
      .values({
        userId: user!.id,
        candidateId: file.id,
        territoryCode: a.territory,
        communeCode: file.commune,
        profession: a.profession,
        languages: a.languages,
        byEmail: true,
        byPhone: a.phone !== null,
        byVideo: true,
        phone: a.phone,
        bestTimes: a.bestTimes,
        presentation: a.presentation,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: ambassadors.id });
    await db.insert(ambassadorStories).values({
      ambassadorId: amb!.id,
      ...a.story,
      status: 'approved',
      moderatedAt: at,
      createdAt: at,
      updatedAt: at,
    });
  }
}
