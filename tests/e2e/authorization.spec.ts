// The authorization matrix: every route of src/pages (found on disk, so that a new route
// cannot escape this test) is requested by each role and by an agent of the other
// territory, in both locales for the pages that have an English twin, and must answer the
// expected status. A cross-territory read must look exactly like "not found". Then every
// form of the portal is posted, with each intent it knows and hostile ones, by each role.
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { apiAs, expect, inLocale, localizedRoutes, routesOnDisk, test, type Portal } from './fixtures.ts';
import { slugify } from '../../src/lib/text.ts';

type Who = 'anonymous' | 'family' | 'owner' | 'agentGers' | 'agentManche' | 'adminGers' | 'platform';
const people: Record<Exclude<Who, 'anonymous'>, string> = {
  family: 'famille@demo.test',
  owner: 'proprietaire@demo.test',
  agentGers: 'agent.gers@demo.test',
  agentManche: 'agent.manche@demo.test',
  adminGers: 'direction.gers@demo.test',
  platform: 'admin@demo.test',
};
const everyone = (status: number): Record<Who, number> => ({
  anonymous: status,
  family: status,
  owner: status,
  agentGers: status,
  agentManche: status,
  adminGers: status,
  platform: status,
});

/** One request context per person, signed in through the real form (anonymous: none). */
async function contextsFor(portal: Portal): Promise<Map<Who, APIRequestContext>> {
  const contexts = new Map<Who, APIRequestContext>([['anonymous', await apiAs(portal)]]);
  for (const [who, email] of Object.entries(people) as Array<[Exclude<Who, 'anonymous'>, string]>)
    contexts.set(who, await apiAs(portal, email));
  return contexts;
}

/** A new enquiry for the Gers, filed through /projet: a file the tests may change. */
async function newGersFile(portal: Portal, anonymous: APIRequestContext, label: string): Promise<string> {
  const email = `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`;
  const filed = await anonymous.post('/projet', {
    form: { name: `Famille ${label}`, email, adults: '2', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  expect(filed.status()).toBe(200);
  const rs = await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] });
  return String(rs.rows[0]!.public_id);
}

/** A photo of an offer of `territory` that is not published, and that offer. */
async function draftPhotoIn(portal: Portal, territory: string, what: 'photo' | 'offer' = 'photo'): Promise<number> {
  const rs = await portal.sql.execute({
    sql: `SELECT p.id AS photo, o.id AS offer FROM offer_photos p JOIN offers o ON o.id = p.offer_id
          WHERE o.status <> 'published' AND o.territory_code = ? ORDER BY p.id LIMIT 1`,
    args: [territory],
  });
  return Number(rs.rows[0]![what]);
}

interface Sample {
  url: (ids: Ids) => string;
  expect: Record<Who, number>;
}
interface Ids {
  offer: string;
  /** Published offers of the Gers and of the Manche, by id (the back office). */
  gersOffer: number;
  mancheOffer: number;
  photo: number;
  /** Photos of offers not published, in the Gers and in the Manche: their territory's staff only. */
  gersDraftPhoto: number;
  mancheDraftPhoto: number;
  gersAgent: number;
  mancheAgent: number;
  mail: number;
  gersFile: string;
  /** An offer of the demo owner. */
  ownerOffer: number;
  /** An open-data import (any administrator) and an offers import into the Manche (its administrators). */
  openDataImport: number;
  mancheImport: number;
  /** Jobs and businesses (issue 16): published ones of each territory, a draft, the owner's proposal. */
  work: WorkIds;
}
interface WorkIds {
  gersJob: number;
  gersJobRef: string;
  mancheJob: number;
  gersBusinessRef: string;
  mancheBusiness: number;
  draftJob: number;
  ownerBusiness: number;
  gersBusiness: number;
}

/** Jobs and businesses of the demo seed to request and post to. */
async function workIds(portal: Portal): Promise<WorkIds> {
  const one = async (where: string) => {
    const row = (await portal.sql.execute(`SELECT id, title FROM opportunities WHERE ${where} ORDER BY id LIMIT 1`))
      .rows[0]!;
    return { id: Number(row.id), ref: `${row.id}-${slugify(String(row.title))}` };
  };
  const gersJob = await one("kind = 'job' AND status = 'published' AND territory_code = '32'");
  const gersBusiness = await one("kind = 'business' AND status = 'published' AND territory_code = '32'");
  return {
    gersJob: gersJob.id,
    gersJobRef: gersJob.ref,
    mancheJob: (await one("kind = 'job' AND status = 'published' AND territory_code = '50'")).id,
    gersBusinessRef: gersBusiness.ref,
    gersBusiness: gersBusiness.id,
    mancheBusiness: (await one("kind = 'business' AND status = 'published' AND territory_code = '50'")).id,
    draftJob: (await one("kind = 'job' AND status = 'draft'")).id,
    ownerBusiness: (await one("kind = 'business' AND owner_id IS NOT NULL AND moderation = 'pending'")).id,
  };
}

const signedIn = everyone(200);
signedIn.anonymous = 302;
const staffOnly = { ...signedIn, family: 403, owner: 403 };
const adminsOnly = { ...staffOnly, agentGers: 403, agentManche: 403 };
const familyOnly = { ...everyone(403), anonymous: 302, family: 200 };
const ownerOnly = { ...everyone(403), anonymous: 302, owner: 200 };
const platformDevOnly = {
  anonymous: 302,
  family: 404,
  owner: 404,
  agentGers: 404,
  agentManche: 404,
  adminGers: 404,
  platform: 200,
};

/** Route pattern (from the file name) → the URLs to request and what each person gets. */
const matrix: Record<string, Sample[]> = {
  '/': [{ url: () => '/', expect: everyone(200) }],
  '/offres': [{ url: () => '/offres', expect: everyone(200) }],
  '/offres/[ref]': [{ url: (i) => `/offres/${i.offer}`, expect: everyone(200) }],
  '/territoires/[code]': [{ url: () => '/territoires/32', expect: everyone(200) }],
  '/territoires/[code]/offres.atom': [
    { url: () => '/territoires/32/offres.atom', expect: everyone(200) },
    { url: () => '/territoires/99/offres.atom', expect: everyone(404) },
    { url: () => '/territoires/..%2F32/offres.atom', expect: everyone(404) },
  ],
  '/connexion': [{ url: () => '/connexion', expect: everyone(200) }],
  '/connexion/lien': [{ url: () => '/connexion/lien?token=nope-nope-nope', expect: everyone(400) }],
  '/inscription': [{ url: () => '/inscription', expect: everyone(200) }],
  '/inscription/confirmer': [{ url: () => '/inscription/confirmer?token=nope-nope-nope', expect: everyone(400) }],
  '/mot-de-passe-oublie': [{ url: () => '/mot-de-passe-oublie', expect: everyone(200) }],
  '/mot-de-passe-oublie/nouveau': [
    { url: () => '/mot-de-passe-oublie/nouveau?token=nope-nope-nope', expect: everyone(400) },
  ],
  '/invitation': [{ url: () => '/invitation?token=nope-nope-nope', expect: everyone(400) }],
  '/deconnexion': [{ url: () => '/deconnexion', expect: everyone(303) }],
  '/compte': [{ url: () => '/compte', expect: signedIn }],
  // Every account has its security page; the second step's page sends a signed-in person on.
  '/compte/securite': [{ url: () => '/compte/securite', expect: signedIn }],
  '/connexion/verification': [{ url: () => '/connexion/verification?retour=%2Fcompte', expect: everyone(302) }],
  '/compte/favoris': [{ url: () => '/compte/favoris', expect: familyOnly }],
  // Offers that are not the family's favourites, or too few: refused with the reason (400).
  '/compte/comparer': [
    {
      url: (i) => `/compte/comparer?offres=${i.gersOffer}&offres=${i.mancheOffer}`,
      expect: { ...familyOnly, family: 400 },
    },
    { url: () => '/compte/comparer?offres=x&offres=1,2,3,4,5', expect: { ...familyOnly, family: 400 } },
  ],
  '/compte/recherches': [{ url: () => '/compte/recherches', expect: familyOnly }],
  '/compte/offres': [{ url: () => '/compte/offres', expect: ownerOnly }],
  '/compte/offres/[id]': [
    { url: (i) => `/compte/offres/${i.ownerOffer}`, expect: ownerOnly },
    // Another owner's offer, or an agent's: not found, like an unknown id.
    { url: (i) => `/compte/offres/${i.gersOffer}`, expect: { ...ownerOnly, owner: 404 } },
    { url: () => '/compte/offres/999999', expect: { ...ownerOnly, owner: 404 } },
  ],
  // Visitors learn how to take part; owners get the form; families and staff have no use for it.
  '/proposer-une-offre': [
    { url: () => '/proposer-une-offre', expect: { ...ownerOnly, anonymous: 200 } },
    { url: () => '/proposer-une-offre?type=tiers-lieu', expect: { ...ownerOnly, anonymous: 200 } },
  ],
  // Works without an account; an unknown token is a clear 400, never a 5xx.
  '/alertes/desabonnement': [{ url: () => '/alertes/desabonnement?token=nope-nope-nope-nope', expect: everyone(400) }],
  '/alertes/fibre': [{ url: () => '/alertes/fibre?token=nope-nope-nope-nope', expect: everyone(400) }],
  '/communes/[ref]': [
    { url: () => '/communes/32369-sainte-christie-d-armagnac', expect: everyone(200) },
    { url: () => '/communes/99999-nulle-part', expect: everyone(404) },
    { url: () => '/communes/..%2F..%2Fadmin', expect: everyone(404) },
  ],
  // The demo family's file is open: "My project" is that file on /compte, not a new enquiry.
  '/projet': [{ url: () => '/projet', expect: { ...everyone(200), family: 302 } }],
  '/admin': [{ url: () => '/admin', expect: adminsOnly }],
  '/admin/territoires': [{ url: () => '/admin/territoires', expect: adminsOnly }],
  '/admin/imports': [{ url: () => '/admin/imports', expect: adminsOnly }],
  '/admin/emails': [{ url: () => '/admin/emails', expect: adminsOnly }],
  '/admin/journal': [
    { url: () => '/admin/journal', expect: adminsOnly },
    { url: () => '/admin/journal?du=2026-01-01&au=2026-12-31&membre=1&dossier=x&page=2', expect: adminsOnly },
    // A filter that is not one: the journal without it, and the filter named (400).
    { url: () => '/admin/journal?action=nope', expect: { ...adminsOnly, adminGers: 400, platform: 400 } },
  ],
  '/admin/imports/modele-offres.csv': [
    { url: () => '/admin/imports/modele-offres.csv', expect: adminsOnly },
    { url: () => '/admin/imports/modele-offres.csv?langue=en', expect: adminsOnly },
  ],
  '/admin/imports/[id]/rejets.csv': [
    { url: (i) => `/admin/imports/${i.openDataImport}/rejets.csv`, expect: adminsOnly },
    // Another territory's offers import, seen by the Gers admin: not found, like an unknown id.
    { url: (i) => `/admin/imports/${i.mancheImport}/rejets.csv`, expect: { ...adminsOnly, adminGers: 404 } },
    { url: () => '/admin/imports/999999/rejets.csv', expect: { ...adminsOnly, adminGers: 404, platform: 404 } },
    { url: () => '/admin/imports/x/rejets.csv', expect: { ...adminsOnly, adminGers: 404, platform: 404 } },
  ],
  '/admin/territoires/[code]': [
    { url: () => '/admin/territoires/32', expect: adminsOnly },
    // Another territory's settings, seen by the Gers admin: not found, like an unknown code.
    { url: () => '/admin/territoires/50', expect: { ...adminsOnly, adminGers: 404 } },
    { url: () => '/admin/territoires/99', expect: { ...adminsOnly, adminGers: 404, platform: 404 } },
    { url: () => '/admin/territoires/..%2F32', expect: { ...adminsOnly, adminGers: 404, platform: 404 } },
  ],
  '/agent': [{ url: () => '/agent', expect: staffOnly }],
  '/agent/agenda': [{ url: () => '/agent/agenda', expect: staffOnly }],
  // The territories' ambassadors and their stories to moderate: any member of staff, each their territories'.
  '/agent/ambassadeurs': [{ url: () => '/agent/ambassadeurs', expect: staffOnly }],
  // A family answers an introduction through its emailed link, without an account; an unknown link is not found.
  '/mise-en-relation': [
    { url: () => '/mise-en-relation?jeton=nope-nope-nope-nope', expect: everyone(404) },
    { url: () => '/mise-en-relation', expect: everyone(404) },
  ],
  // A calendar feed answers its secret token only, whoever asks (calendar apps have no session).
  '/agenda.ics': [
    { url: () => '/agenda.ics', expect: everyone(404) },
    { url: () => `/agenda.ics?token=${'a'.repeat(43)}`, expect: everyone(404) },
    { url: () => '/agenda.ics?token=..%2F..%2Fetc', expect: everyone(404) },
  ],
  '/agent/candidats': [
    { url: () => '/agent/candidats', expect: staffOnly },
    // The board under the list's filters; a commune that names nothing is an error beside its field.
    { url: () => '/agent/candidats?vue=tableau&q=a&agent=me&attente=7&commune=Auch', expect: staffOnly },
    { url: () => '/agent/candidats?vue=tableau&commune=Nullepartville', expect: staffOnly },
  ],
  '/agent/offres': [{ url: () => '/agent/offres?etat=published&q=maison', expect: staffOnly }],
  '/agent/offres/nouvelle': [
    { url: () => '/agent/offres/nouvelle', expect: staffOnly },
    { url: () => '/agent/offres/nouvelle?type=tiers-lieu', expect: staffOnly },
  ],
  '/agent/offres/[id]': [
    // Another territory's offer: "not found", like an unknown id.
    { url: (i) => `/agent/offres/${i.gersOffer}`, expect: { ...staffOnly, agentManche: 404 } },
    { url: (i) => `/agent/offres/${i.mancheOffer}`, expect: { ...staffOnly, agentGers: 404, adminGers: 404 } },
    {
      url: () => '/agent/offres/999999',
      expect: { ...staffOnly, agentGers: 404, agentManche: 404, adminGers: 404, platform: 404 },
    },
  ],
  '/agent/candidats/[id]': [
    // A file of the Gers: the Manche agent gets "not found", like for an unknown id.
    { url: (i) => `/agent/candidats/${i.gersFile}`, expect: { ...staffOnly, agentManche: 404 } },
    // The timeline filtered by kind: the same answers.
    { url: (i) => `/agent/candidats/${i.gersFile}?journal=notes`, expect: { ...staffOnly, agentManche: 404 } },
    {
      url: () => '/agent/candidats/inconnu',
      expect: { ...staffOnly, agentGers: 404, agentManche: 404, adminGers: 404, platform: 404 },
    },
  ],
  '/agent/candidats/[id]/proposer': [
    { url: (i) => `/agent/candidats/${i.gersFile}/proposer?territoire=32`, expect: { ...staffOnly, agentManche: 404 } },
    // Without filters, the search starts from the family's needs.
    {
      url: (i) => `/agent/candidats/${i.gersFile}/proposer`,
      expect: { ...staffOnly, agentGers: 302, adminGers: 302, platform: 302, agentManche: 404 },
    },
  ],
  '/impact': [{ url: () => '/impact', expect: everyone(200) }],
  '/impact/carte.png': [
    { url: () => '/impact/carte.png?territoire=32', expect: everyone(200) },
    { url: () => '/impact/carte.png?territoire=99', expect: everyone(404) },
  ],
  '/agent/rapports': [
    { url: () => '/agent/rapports', expect: adminsOnly },
    // Another territory's report is "not found" for its admin; the platform admin sees it.
    { url: () => '/agent/rapports?territoire=50', expect: { ...adminsOnly, adminGers: 404 } },
  ],
  '/agent/rapports/annuel': [{ url: () => '/agent/rapports/annuel?annee=2026', expect: adminsOnly }],
  '/agent/rapports/carte.png': [
    { url: () => '/agent/rapports/carte.png', expect: adminsOnly },
    { url: () => '/agent/rapports/carte.png?territoire=50', expect: { ...adminsOnly, adminGers: 404 } },
  ],
  '/agent/rapports/export.csv': [
    { url: () => '/agent/rapports/export.csv?table=months', expect: adminsOnly },
    { url: () => '/agent/rapports/export.csv?table=months&territoire=50', expect: { ...adminsOnly, adminGers: 404 } },
  ],
  '/compte/donnees.json': [{ url: () => '/compte/donnees.json', expect: signedIn }],
  '/admin/agents/[id]': [
    { url: (i) => `/admin/agents/${i.gersAgent}`, expect: adminsOnly },
    // An agent of the Manche, seen by the Gers admin: not found, like an unknown id.
    { url: (i) => `/admin/agents/${i.mancheAgent}`, expect: { ...adminsOnly, adminGers: 404 } },
    { url: () => '/admin/agents/999999', expect: { ...adminsOnly, adminGers: 404, platform: 404 } },
  ],
  '/dev/boite-mail': [{ url: () => '/dev/boite-mail', expect: platformDevOnly }],
  '/dev/boite-mail/[id]': [{ url: (i) => `/dev/boite-mail/${i.mail}`, expect: platformDevOnly }],
  '/healthz': [{ url: () => '/healthz', expect: everyone(200) }],
  '/ping': [{ url: () => '/ping', expect: everyone(200) }],
  '/robots.txt': [{ url: () => '/robots.txt', expect: everyone(200) }],
  '/sitemap.xml': [{ url: () => '/sitemap.xml', expect: everyone(200) }],
  '/sitemaps/[part].xml': [
    { url: () => '/sitemaps/pages.xml', expect: everyone(200) },
    { url: () => '/sitemaps/offres-1.xml', expect: everyone(200) },
    // Past the last part, or a name the index never gives.
    { url: () => '/sitemaps/offres-999.xml', expect: everyone(404) },
    { url: () => '/sitemaps/tout.xml', expect: everyone(404) },
  ],
  '/photos/[file]': [
    { url: (i) => `/photos/${i.photo}-320.webp`, expect: everyone(200) },
    // A draft's photo: the back office of its territory shows it, and its owner (the Gers one is
    // the owner's, the Manche one nobody's: checked with the ids); for anyone else it does not exist.
    {
      url: (i) => `/photos/${i.gersDraftPhoto}-320.webp`,
      expect: { ...everyone(404), owner: 200, agentGers: 200, adminGers: 200, platform: 200 },
    },
    {
      url: (i) => `/photos/${i.mancheDraftPhoto}-640.webp`,
      expect: { ...everyone(404), agentManche: 200, platform: 200 },
    },
    { url: () => '/photos/999999-320.webp', expect: everyone(404) },
  ],
  '/api': [{ url: () => '/api', expect: everyone(200) }],
  '/mentions-legales': [{ url: () => '/mentions-legales', expect: everyone(200) }],
  '/confidentialite': [{ url: () => '/confidentialite', expect: everyone(200) }],
  '/accessibilite': [{ url: () => '/accessibilite', expect: everyone(200) }],
  '/cookies': [{ url: () => '/cookies', expect: everyone(200) }],
  '/api/v1/[...path]': [
    { url: () => '/api/v1/communes?q=auch', expect: everyone(200) },
    { url: () => '/api/v1/communes?q=au&departement=32', expect: everyone(200) },
    { url: () => '/api/v1/communes?q=au&departement=x', expect: everyone(400) },
    { url: () => '/api/v1/offres?territoire=32', expect: everyone(200) },
    { url: () => '/api/v1/offres.geojson?territoire=50', expect: everyone(200) },
    { url: () => '/api/v1/installations.csv', expect: everyone(200) },
    { url: () => '/api/v1/openapi.json', expect: everyone(200) },
    { url: () => '/api/v1/nulle-part', expect: everyone(404) },
  ],
  // Jobs and businesses (issue 16): public when published, another kind's id or a draft not found.
  '/emplois': [
    { url: () => '/emplois', expect: everyone(200) },
    { url: () => '/emplois?territoire=32&commune=Auch&rayon=30&type=permanent&teletravail=yes', expect: everyone(200) },
    { url: () => '/emplois?territoire=zz&rayon=999&type=retail', expect: everyone(400) },
    { url: () => '/emplois?commune=Nullepartville', expect: everyone(400) },
  ],
  '/emplois/[id]': [
    { url: (i) => `/emplois/${i.work.gersJobRef}`, expect: everyone(200) },
    { url: (i) => `/emplois/${i.work.gersJob}`, expect: everyone(301) },
    { url: (i) => `/emplois/${i.work.gersBusinessRef}`, expect: everyone(404) },
    { url: (i) => `/emplois/${i.work.draftJob}`, expect: everyone(404) },
    { url: () => '/emplois/999999', expect: everyone(404) },
    { url: () => '/emplois/..%2Fadmin', expect: everyone(404) },
  ],
  '/reprises': [
    { url: () => '/reprises?territoire=50&type=food', expect: everyone(200) },
    { url: () => '/reprises?type=permanent', expect: everyone(400) },
  ],
  '/reprises/[id]': [
    { url: (i) => `/reprises/${i.work.gersBusinessRef}`, expect: everyone(200) },
    { url: (i) => `/reprises/${i.work.gersJobRef}`, expect: everyone(404) },
    { url: (i) => `/reprises/${i.work.ownerBusiness}`, expect: everyone(404) },
  ],
  '/agent/emplois': [
    { url: () => '/agent/emplois', expect: staffOnly },
    { url: () => '/agent/emplois?file=stale&etat=published&q=graphiste&page=2', expect: staffOnly },
  ],
  '/agent/emplois/nouveau': [{ url: () => '/agent/emplois/nouveau', expect: staffOnly }],
  '/agent/emplois/[id]': [
    { url: (i) => `/agent/emplois/${i.work.gersJob}`, expect: { ...staffOnly, agentManche: 404 } },
    { url: (i) => `/agent/emplois/${i.work.mancheJob}`, expect: { ...staffOnly, agentGers: 404, adminGers: 404 } },
    // A business under the jobs' address, an unknown id: not found.
    {
      url: (i) => `/agent/emplois/${i.work.gersBusiness}`,
      expect: { ...staffOnly, agentGers: 404, agentManche: 404, adminGers: 404, platform: 404 },
    },
    {
      url: () => '/agent/emplois/x',
      expect: { ...staffOnly, agentGers: 404, agentManche: 404, adminGers: 404, platform: 404 },
    },
  ],
  '/agent/reprises': [{ url: () => '/agent/reprises?file=moderation', expect: staffOnly }],
  '/agent/reprises/nouvelle': [{ url: () => '/agent/reprises/nouvelle', expect: staffOnly }],
  '/agent/reprises/[id]': [
    { url: (i) => `/agent/reprises/${i.work.ownerBusiness}`, expect: { ...staffOnly, agentManche: 404 } },
    {
      url: (i) => `/agent/reprises/${i.work.mancheBusiness}`,
      expect: { ...staffOnly, agentGers: 404, adminGers: 404 },
    },
  ],
  '/compte/reprises': [{ url: () => '/compte/reprises', expect: ownerOnly }],
  '/compte/reprises/[id]': [
    { url: (i) => `/compte/reprises/${i.work.ownerBusiness}`, expect: ownerOnly },
    // Not the owner's: not found, like an unknown id.
    { url: (i) => `/compte/reprises/${i.work.gersBusiness}`, expect: { ...ownerOnly, owner: 404 } },
    { url: () => '/compte/reprises/999999', expect: { ...ownerOnly, owner: 404 } },
  ],
  '/404': [{ url: () => '/404', expect: everyone(404) }],
  '/500': [{ url: () => '/500', expect: everyone(404) }],
};

test('every route on disk is in the authorization matrix, French and English', () => {
  const french = routesOnDisk().map((r) => r.replace(/^\/en(?=\/|$)/, '') || '/');
  const missing = french.filter((r) => !(r in matrix));
  expect(missing, 'routes without an entry in the authorization matrix').toEqual([]);
  // English pages still on disk must be in the list of localized routes (requested under /en).
  const english = routesOnDisk()
    .filter((r) => /^\/en(\/|$)/.test(r))
    .map((r) => r.replace(/^\/en/, '') || '/');
  expect(english.filter((r) => !(localizedRoutes as readonly string[]).includes(r))).toEqual([]);
  expect(
    localizedRoutes.filter((r) => !french.includes(r)),
    'localized routes that are not pages',
  ).toEqual([]);
});

test('each role gets exactly the expected answer on every route', async ({ portal }) => {
  test.slow();
  const contexts = await contextsFor(portal);
  // Real ids to request, and at least one email in the mailbox.
  await contexts
    .get('anonymous')!
    .post('/mot-de-passe-oublie', { form: { email: 'direction.gers@demo.test' }, headers: { Origin: portal.url } });
  const gersFile = await newGersFile(portal, contexts.get('anonymous')!, 'matrice');
  const one = async (sql: string) => (await portal.sql.execute(sql)).rows[0]!;
  const offer = await one("SELECT id, slug FROM offers WHERE status = 'published' ORDER BY id LIMIT 1");
  const offerIn = async (code: string) =>
    Number((await one(`SELECT id FROM offers WHERE status = 'published' AND territory_code = '${code}' LIMIT 1`)).id);
  const ids: Ids = {
    offer: `${offer.id}-${offer.slug}`,
    gersOffer: await offerIn('32'),
    mancheOffer: await offerIn('50'),
    photo: Number(
      (
        await one(
          "SELECT p.id FROM offer_photos p JOIN offers o ON o.id = p.offer_id WHERE o.status = 'published' LIMIT 1",
        )
      ).id,
    ),
    gersDraftPhoto: await draftPhotoIn(portal, '32'),
    mancheDraftPhoto: await draftPhotoIn(portal, '50'),
    gersAgent: Number((await one("SELECT id FROM users WHERE email = 'agent.gers@demo.test'")).id),
    mancheAgent: Number((await one("SELECT id FROM users WHERE email = 'agent.manche@demo.test'")).id),
    mail: Number((await one('SELECT max(id) AS id FROM outbox')).id),
    gersFile,
    ownerOffer: await ownerOffer(portal),
    openDataImport: Number((await one('SELECT min(id) AS id FROM imports WHERE territory_code IS NULL')).id),
    mancheImport: Number(
      (
        await one(
          `INSERT INTO imports (kind, file_name, status, mode, territory_code, started_at)
           VALUES ('offers_csv', 'matrice.csv', 'failed', 'all', '50', '2026-12-01T00:00:00Z') RETURNING id`,
        )
      ).id,
    ),
    work: await workIds(portal),
  };
  // Whose the drafts' photos are, as their expectations say.
  const photoOwner = async (photo: number) =>
    (
      await one(
        `SELECT coalesce((SELECT email FROM users WHERE id = o.owner_id), '') AS email
         FROM offer_photos p JOIN offers o ON o.id = p.offer_id WHERE p.id = ${photo}`,
      )
    ).email;
  expect([await photoOwner(ids.gersDraftPhoto), await photoOwner(ids.mancheDraftPhoto)]).toEqual([people.owner, '']);

  const failures: string[] = [];
  for (const [route, samples] of Object.entries(matrix)) {
    for (const sample of samples) {
      for (const locale of ['fr', 'en'] as const) {
        if (locale === 'en' && !(localizedRoutes as readonly string[]).includes(route)) continue;
        const localized = inLocale(sample.url(ids), locale);
        for (const [who, status] of Object.entries(sample.expect) as Array<[Who, number]>) {
          const res = await contexts.get(who)!.get(localized);
          if (res.status() !== status) failures.push(`${who} GET ${localized}: ${res.status()}, expected ${status}`);
        }
      }
    }
  }
  expect(failures).toEqual([]);

  // Cross-territory is indistinguishable from not found: same status, same page.
  const admin = contexts.get('adminGers')!;
  const other = await admin.get(`/admin/agents/${ids.mancheAgent}`);
  const unknown = await admin.get('/admin/agents/999999');
  expect(other.status()).toBe(unknown.status());
  // The page links to its own address (language switch): apart from that, the same bytes.
  const same = async (res: Awaited<ReturnType<APIRequestContext['get']>>) =>
    (await res.text()).replaceAll(new URL(res.url()).pathname, '<path>');
  expect(await same(other)).toBe(await same(unknown));
  const manche = contexts.get('agentManche')!;
  const otherFile = await manche.get(`/agent/candidats/${ids.gersFile}`);
  const unknownFile = await manche.get('/agent/candidats/inconnu');
  expect(otherFile.status()).toBe(404);
  expect(await same(otherFile)).toBe(await same(unknownFile));
  for (const ctx of contexts.values()) await ctx.dispose();
});

// ——— Posts ——————————————————————————————————————————————————————————————————————————

/** Names a hostile client may send as an intent: never a 500, never a redirect to "[object Object]". */
const hostileIntents = ['__proto__', 'hasOwnProperty', 'valueOf', 'constructor', 'toString', 'nope'];

interface PostIds {
  file: string;
  offer: number;
  /** An offer of the demo owner awaiting moderation in the Gers. */
  ownerOffer: number;
  /** A published offer of the Gers (the back office's offer page), in a commune partly covered by fibre. */
  gersOffer: number;
  /** A published offer of the Gers in a commune where every premises can have fibre. */
  fullyCoveredOffer: number;
  /** An offer of the Gers that is not published, one of its photos, and a photo the posts may delete. */
  gersDraft: number;
  gersDraftPhoto: number;
  deletablePhoto: number;
  /** A photo of an offer of the Manche. */
  manchePhoto: number;
  /** A follow-up task and a manual task of `file`, both already done. */
  doneFollowUp: number;
  doneTask: number;
  /** A throwaway agent of the Gers, one who serves the Gers and the Manche, the Manche's demo agent. */
  gersAgent: number;
  twoTerritoryAgent: number;
  mancheAgent: number;
  /** The demo ambassadors' ids and the Manche ambassador's (approved) story. */
  gersAmbassador: number;
  mancheAmbassador: number;
  mancheStory: number;
  work: WorkIds;
}

interface PostSample {
  /** The French path; localized routes are posted under /en too. */
  path: (ids: PostIds) => string;
  form: (ids: PostIds) => Array<[string, string]>;
  expect: Record<Who, number>;
  /** What the post tries, for failure messages. */
  what: string;
  /** False where a refusal shows the page with an alert but no form to correct (nothing to refill). */
  formAgain?: false;
}

// Anonymous posts on a page that needs an account go to sign in (303).
const fileStaff = (status: number): Record<Who, number> => ({
  anonymous: 303,
  family: 403,
  owner: 403,
  agentGers: status,
  // Another territory's file: the same answer as an unknown one.
  agentManche: 404,
  adminGers: status,
  platform: status,
});
/** Any member of staff (a new offer's page): the answer `status`. */
const staffPosts = (status: number): Record<Who, number> => ({
  anonymous: 303,
  family: 403,
  owner: 403,
  agentGers: status,
  agentManche: status,
  adminGers: status,
  platform: status,
});
const familyPosts = (status: number): Record<Who, number> => ({
  anonymous: 303,
  family: status,
  owner: 403,
  agentGers: 403,
  agentManche: 403,
  adminGers: 403,
  platform: 403,
});
/** Anyone signed in: the answer `status`. */
const accountPosts = (status: number): Record<Who, number> => ({ ...everyone(status), anonymous: 303 });
const ownerPosts = (status: number): Record<Who, number> => ({ ...familyPosts(403), family: 403, owner: status });
const adminPosts = (adminGers: number, platform = adminGers): Record<Who, number> => ({
  anonymous: 303,
  family: 403,
  owner: 403,
  agentGers: 403,
  agentManche: 403,
  adminGers,
  platform,
});

const file = (i: PostIds) => `/agent/candidats/${i.file}`;
const agentPage = (id: (i: PostIds) => number) => (i: PostIds) => `/admin/agents/${id(i)}`;
const twoTerritories = (i: PostIds) => i.twoTerritoryAgent;

// The samples below write each form as a query string, e.g. "intent=note&note=".
const fields = (query: string): Array<[string, string]> => [...new URLSearchParams(query)];

/** A post to the page at `path`. */
const toPage = (what: string, path: string, expect: Record<Who, number>, form: string): PostSample => ({
  what,
  path: () => path,
  form: () => fields(form),
  expect,
});
/** A post to the Gers file's page (the form made from the ids where it names one); what its staff gets. */
const toFile = (what: string, status: number, form: string | ((i: PostIds) => string)): PostSample => ({
  what,
  path: file,
  form: (i) => fields(typeof form === 'string' ? form : form(i)),
  expect: fileStaff(status),
});
/** A post to the page of the Gers draft offer; what its staff gets. */
const toDraft = (what: string, status: number, form: (i: PostIds) => string): PostSample => ({
  what,
  path: (i) => `/agent/offres/${i.gersDraft}`,
  form: (i) => fields(form(i)),
  expect: fileStaff(status),
});
/** A post to the page of the agent `id` in the staff administration. */
const toAgent = (what: string, id: (i: PostIds) => number, expect: Record<Who, number>, form: string): PostSample => ({
  what,
  path: agentPage(id),
  form: () => fields(form),
  expect,
});
/** One post per hostile intent, all refused alike (`form`: what is posted with each; the intent alone by default). */
const hostile = (
  what: string,
  path: PostSample['path'],
  expect: Record<Who, number>,
  form = (intent: string) => `intent=${intent}`,
): PostSample[] =>
  hostileIntents.map((intent) => ({ what: `${what} ${intent}`, path, form: () => fields(form(intent)), expect }));

/** A commune whose fibre is still to come (14 % in ARCEP's 2026 data): its page has the alert form. */
const commune = '/communes/32369-sainte-christie-d-armagnac';

/** Every form of the portal, each intent it posts, and what each person gets. */
const posts: PostSample[] = [
  // The file page: one form per intent, and the stage move (no intent).
  toFile('empty note', 400, 'intent=note&note='),
  toFile('send again an email that is not undelivered', 404, 'intent=resend-email&email=999999'),
  toFile('note', 303, 'intent=note&note=Note de la matrice'),
  toFile('assign to nobody', 400, 'intent=assign&agent=0'),
  toFile('follow-up already recorded', 409, (i) => `intent=follow-up&task=${i.doneFollowUp}&outcome=stayed`),
  toFile('task without title', 400, 'intent=task&title='),
  toFile('task already done', 409, (i) => `intent=task-done&task=${i.doneTask}`),
  toFile('stay without dates', 400, 'intent=stay'),
  toFile('empty message', 400, 'intent=message&body='),
  toFile('duplicate of nothing', 400, 'intent=duplicate&other='),
  toFile('not a duplicate', 303, 'intent=not-duplicate'),
  toFile('maturity score out of range', 400, 'intent=maturity&score=101&reason=Trop'),
  toFile('maturity score without a reason', 400, 'intent=maturity&score=80&reason='),
  toFile('maturity score', 303, 'intent=maturity&score=80&reason=Appel de la matrice'),
  toFile('maturity back to computed', 303, 'intent=maturity-clear'),
  toFile('merge a stale version', 409, 'intent=merge&version=999999'),
  toFile('project without a name', 400, 'intent=project&name=&adults=2&version=1'),
  toFile('project over a stale version', 409, 'intent=project&name=Famille Matrice&adults=2&version=999999'),
  toFile('move to no territory', 400, 'intent=territory&territory='),
  toFile('stage move without its facts', 400, 'to=settled&version=1'),
  ...hostile('intent', file, fileStaff(400)),
  {
    what: 'propose nothing',
    path: (i: PostIds) => `${file(i)}/proposer`,
    form: () => [['offers', '']],
    expect: fileStaff(400),
  },
  {
    what: 'propose an offer',
    path: (i: PostIds) => `${file(i)}/proposer`,
    form: (i) => [['offers', String(i.offer)]],
    expect: fileStaff(303),
  },
  // Jobs and businesses (issue 16): proposing one to the file, the back office's pages, owners.
  toFile('propose no job', 400, 'intent=propose-work&opportunity='),
  toFile('propose a job of the Manche', 400, (i) => `intent=propose-work&opportunity=${i.work.mancheJob}`),
  toFile('propose a job', 303, (i) => `intent=propose-work&opportunity=${i.work.gersJob}`),
  {
    what: 'job without a title',
    path: (i: PostIds) => `/agent/emplois/${i.work.gersJob}`,
    form: () => fields('intent=save&title=&commune=32013'),
    expect: fileStaff(400),
  },
  {
    what: 'publish a published job',
    path: (i: PostIds) => `/agent/emplois/${i.work.gersJob}`,
    form: () => fields('intent=publish'),
    expect: fileStaff(400),
  },
  {
    what: 'job still available',
    path: (i: PostIds) => `/agent/emplois/${i.work.gersJob}`,
    form: () => fields('intent=confirm'),
    expect: fileStaff(303),
  },
  {
    what: 'approve a job that awaits no decision',
    path: (i: PostIds) => `/agent/emplois/${i.work.gersJob}`,
    form: () => fields('intent=approve'),
    expect: fileStaff(400),
  },
  ...(['changes', 'reject'] as const).map((intent) => ({
    what: `business ${intent} without a message`,
    path: (i: PostIds) => `/agent/reprises/${i.work.ownerBusiness}`,
    form: () => fields(`intent=${intent}&note=`),
    expect: fileStaff(400),
  })),
  ...hostile('job intent', (i: PostIds) => `/agent/emplois/${i.work.gersJob}`, fileStaff(400)),
  toPage('new job without a title', '/agent/emplois/nouveau', staffPosts(400), 'title=&commune=32013'),
  toPage(
    'new business draft in the Gers',
    '/agent/reprises/nouvelle',
    { ...staffPosts(303), agentManche: 400 },
    'title=Reprise%20de%20la%20matrice&commune=32013',
  ),
  toPage('empty business proposal', '/compte/reprises', ownerPosts(400), 'intent=propose&title=&commune='),
  ...hostile('business proposal intent', () => '/compte/reprises', ownerPosts(400)),
  {
    what: 'owner business edit without a title',
    path: (i: PostIds) => `/compte/reprises/${i.work.ownerBusiness}`,
    form: () => fields('intent=save&title=&commune=32013'),
    expect: ownerPosts(400),
  },
  {
    what: 'edit a business that is not the owner’s',
    path: (i: PostIds) => `/compte/reprises/${i.work.gersBusiness}`,
    form: () => fields('intent=save&title=x'),
    expect: ownerPosts(404),
    formAgain: false,
  },
  {
    what: 'confirm a business still in moderation',
    path: (i: PostIds) => `/compte/reprises/${i.work.ownerBusiness}`,
    form: () => fields('intent=confirm'),
    expect: ownerPosts(400),
  },
  {
    what: 'withdraw a business that is not the owner’s',
    path: (i: PostIds) => `/compte/reprises/${i.work.gersBusiness}`,
    form: () => fields('intent=withdraw'),
    expect: ownerPosts(404),
    formAgain: false,
  },
  {
    what: 'confirm a business that is not the owner’s',
    path: (i: PostIds) => `/compte/reprises/${i.work.gersBusiness}`,
    form: () => fields('intent=confirm'),
    expect: ownerPosts(404),
    formAgain: false,
  },
  toPage('answer without a job', '/compte', familyPosts(400), 'intent=answer-work'),
  // Offers in the back office: a Gers offer's page (refused input leaves it as it is), and new drafts.
  {
    what: 'offer without a title',
    path: (i: PostIds) => `/agent/offres/${i.gersOffer}`,
    form: () => fields('intent=save&title=&commune=32013'),
    expect: fileStaff(400),
  },
  {
    what: 'publish a published offer',
    path: (i: PostIds) => `/agent/offres/${i.gersOffer}`,
    form: () => fields('intent=publish'),
    expect: fileStaff(400),
  },
  {
    what: 'fibre from open data, commune fully covered',
    path: (i: PostIds) => `/agent/offres/${i.fullyCoveredOffer}`,
    form: () => fields('intent=open-data'),
    expect: fileStaff(303),
  },
  {
    what: 'fibre from open data, commune partly covered',
    path: (i: PostIds) => `/agent/offres/${i.gersOffer}`,
    form: () => fields('intent=open-data'),
    expect: fileStaff(400),
  },
  {
    what: 'still available',
    path: (i: PostIds) => `/agent/offres/${i.gersOffer}`,
    form: () => fields('intent=confirm'),
    expect: fileStaff(303),
  },
  {
    what: 'approve what awaits no decision',
    path: (i: PostIds) => `/agent/offres/${i.gersOffer}`,
    form: () => fields('intent=approve'),
    expect: fileStaff(400),
  },
  ...(['changes', 'reject'] as const).map((intent) => ({
    what: `${intent} without a message`,
    path: (i: PostIds) => `/agent/offres/${i.ownerOffer}`,
    form: () => fields(`intent=${intent}&note=`),
    expect: fileStaff(400),
  })),
  ...hostile('offer intent', (i: PostIds) => `/agent/offres/${i.gersOffer}`, fileStaff(400)),
  // An offer's photos (a draft of the Gers: nothing public moves). Uploads are multipart: the
  // upload itself is in offer-photos.spec.ts; posted as a plain form, it has no file.
  toDraft('photos without a file', 400, () => 'intent=photos-add&photosAlt=Vue'),
  toDraft('photo without a text', 400, (i) => `intent=photo-alt&photo=${i.gersDraftPhoto}&alt=`),
  toDraft('photo text', 303, (i) => `intent=photo-alt&photo=${i.gersDraftPhoto}&alt=Photo%20de%20la%20matrice`),
  toDraft('photo up', 303, (i) => `intent=photo-up&photo=${i.gersDraftPhoto}`),
  toDraft('photo down', 303, (i) => `intent=photo-down&photo=${i.gersDraftPhoto}`),
  toDraft('photo as cover', 303, (i) => `intent=photo-cover&photo=${i.gersDraftPhoto}`),
  // Another offer's photo through this page: not there, nothing changes.
  toDraft('delete a photo of the Manche', 404, (i) => `intent=photo-delete&photo=${i.manchePhoto}`),
  toDraft('photo as cover, no photo', 404, () => 'intent=photo-cover&photo=999999'),
  // The first member of staff deletes it; for the next ones, it is gone.
  {
    ...toDraft('delete a photo', 303, (i) => `intent=photo-delete&photo=${i.deletablePhoto}`),
    expect: { ...fileStaff(303), adminGers: 404, platform: 404 },
  },
  ...hostileIntents.map((id) => toDraft(`photo ${id}`, 404, () => `intent=photo-cover&photo=${id}`)),
  // Owners: a proposal (refused input changes nothing), their offer's page.
  toPage('empty proposal', '/proposer-une-offre', ownerPosts(400), 'title=&commune='),
  toPage(
    'proposal in a territory closed to owners',
    '/proposer-une-offre?type=tiers-lieu',
    ownerPosts(400),
    'title=Tiers-lieu%20de%20la%20matrice&commune=50129&typology=coworking&description=x&bestTechnology=ftth&downloadMbps=100&uploadMbps=50&priceDay=10',
  ),
  {
    what: 'owner edit without a title',
    path: (i: PostIds) => `/compte/offres/${i.ownerOffer}`,
    form: () => fields('intent=save&title=&commune=32013'),
    expect: { ...ownerPosts(400), owner: 400 },
  },
  {
    what: 'still available before publication',
    path: (i: PostIds) => `/compte/offres/${i.ownerOffer}`,
    form: () => fields('intent=confirm'),
    expect: ownerPosts(400),
  },
  {
    what: 'confirm an offer that is not the owner’s',
    path: (i: PostIds) => `/compte/offres/${i.gersOffer}`,
    form: () => fields('intent=confirm'),
    expect: ownerPosts(404),
    formAgain: false,
  },
  ...hostile('owner intent', (i: PostIds) => `/compte/offres/${i.ownerOffer}`, ownerPosts(400)),
  toPage('new offer without a title', '/agent/offres/nouvelle', staffPosts(400), 'title=&commune=32013'),
  toPage(
    'new draft in the Gers',
    '/agent/offres/nouvelle?type=tiers-lieu',
    { ...staffPosts(303), agentManche: 400 },
    'title=Tiers-lieu%20de%20la%20matrice&commune=32013',
  ),
  // The family's own file on /compte (refused input: the demo family's file stays as it is).
  toPage('answer without a proposal', '/compte', familyPosts(400), 'intent=answer'),
  toPage('empty message', '/compte', familyPosts(400), 'intent=message&body='),
  toPage('erase unconfirmed', '/compte', familyPosts(400), 'intent=erase'),
  ...hostile('intent', () => '/compte', familyPosts(400)),
  // Two-step verification: anyone signed in; refused input is a 400 (and costs no attempt);
  // staff may not turn it off.
  toPage('confirm an app without a code', '/compte/securite', accountPosts(400), 'intent=confirm&otp='),
  toPage('new recovery codes without proof', '/compte/securite', accountPosts(400), 'intent=regenerate&proof='),
  toPage('another app without proof', '/compte/securite', accountPosts(400), 'intent=replace&proof='),
  toPage(
    'turn off without proof',
    '/compte/securite',
    { ...staffPosts(403), family: 400, owner: 400 },
    'intent=disable&proof=',
  ),
  toPage('ask for a key', '/compte/securite', accountPosts(303), 'intent=start'),
  toPage('forget the key asked for', '/compte/securite', accountPosts(303), 'intent=cancel'),
  ...hostile('security intent', () => '/compte/securite', accountPosts(400)),
  { ...toPage('heart on no offer', '/compte/favoris', familyPosts(400), 'offre=x&favori=1'), formAgain: false },
  { ...toPage('heart off no offer', '/compte/favoris', familyPosts(400), 'offre=x&favori=0'), formAgain: false },
  ...(['enregistrer', 'renommer', 'alertes', 'supprimer', ...hostileIntents] as const).map((action) => ({
    what: `saved search ${action}`,
    // Renaming, alerting or deleting search 0: no row to show a form for.
    formAgain: ['renommer', 'alertes', 'supprimer'].includes(action) ? (false as const) : undefined,
    path: () => '/compte/recherches',
    form: () =>
      [
        ['action', action],
        ['id', '0'],
        ['nom', ''],
        ['requete', 'territoire=zz'],
      ] as Array<[string, string]>,
    expect: familyPosts(400),
  })),
  // Staff administration.
  toPage('invite nobody', '/admin', adminPosts(400), 'name=&email=&territories=32'),
  toAgent('unknown role', (i) => i.gersAgent, adminPosts(400), 'role=nope&territories=32'),
  toAgent('deactivate', (i) => i.gersAgent, adminPosts(303), 'intent=deactivate'),
  toAgent('reactivate', (i) => i.gersAgent, adminPosts(303), 'intent=reactivate'),
  // The Manche's agent, seen from the Gers: not found.
  toAgent('unknown role, other territory', (i) => i.mancheAgent, adminPosts(404, 400), 'role=nope&territories=50'),
  toAgent('deactivate, unknown agent', () => 999999, adminPosts(404), 'intent=deactivate'),
  // An agent who also serves the Manche is beyond the Gers admin (403); the platform admin may.
  toAgent(
    'role of an agent of two territories',
    twoTerritories,
    adminPosts(403, 303),
    'role=agent&territories=32&territories=50',
  ),
  toAgent('deactivate an agent of two territories', twoTerritories, adminPosts(403, 303), 'intent=deactivate'),
  toAgent('reactivate an agent of two territories', twoTerritories, adminPosts(403, 303), 'intent=reactivate'),
  ...hostile(
    'staff intent',
    agentPage((i) => i.gersAgent),
    adminPosts(400),
  ),
  // Territories: only the platform admin creates one; each admin sets their own.
  toPage('create a territory from no département', '/admin/territoires', adminPosts(403, 400), 'code=&name='),
  toPage('create a territory that exists', '/admin/territoires', adminPosts(403, 409), 'code=32'),
  toPage('create a territory, unknown département', '/admin/territoires', adminPosts(403, 400), 'code=99'),
  toPage(
    'territory settings, bad values',
    '/admin/territoires/32',
    adminPosts(400),
    'name=&retentionMonths=3&firstAnswerHours=0',
  ),
  toPage('settings of another territory', '/admin/territoires/50', adminPosts(404, 400), 'name=&retentionMonths=3'),
  toPage('settings of no territory', '/admin/territoires/99', adminPosts(404), 'name=Nulle%20part'),
  // Imports: administrators only; a post without its file changes nothing.
  toPage('import without a file', '/admin/imports', adminPosts(400), 'kind=arcep-taux&dataDate=2026-01-01'),
  toPage('import of an unknown kind', '/admin/imports', adminPosts(400), 'kind=nope&dataDate=2026-01-01'),
  toPage('import dated in the future', '/admin/imports', adminPosts(400), 'kind=arcep-taux&dataDate=9999-12-31'),
  // Undelivered emails: administrators send one again; an unknown one is gone, an unknown intent a 400.
  {
    ...toPage('send again no email', '/admin/emails', adminPosts(404), 'intent=resend&email=999999'),
    formAgain: false,
  },
  { ...toPage('emails, unknown intent', '/admin/emails', adminPosts(400), 'intent=nope&email=1'), formAgain: false },
  toPage('offers import without a territory', '/admin/imports', adminPosts(400), 'kind=offres&mode=all'),
  // Into another territory: refused before the file is read (the platform admin lacks the file).
  toPage('offers import into the Manche', '/admin/imports', adminPosts(403, 400), 'kind=offres&territory=50&mode=all'),
  toPage('offers import, unknown mode', '/admin/imports', adminPosts(400), 'kind=offres&territory=32&mode=nope'),
  toPage('tiers-lieux import without a file', '/admin/imports', adminPosts(400), 'kind=tiers-lieux-anct&mode=rows'),
  // A note on an offer that is not a favourite; any other intent refused. Posted without a
  // comparison in the address, the refusal has no form to refill (compare.spec covers that).
  ...[
    toPage('note on no favourite', '/compte/comparer', familyPosts(400), 'intent=note&offre=999999&note=x'),
    ...hostile('comparison intent', () => '/compte/comparer', familyPosts(400)),
  ].map((p) => ({ ...p, formAgain: false as const })),
  // The calendar link: made (its URL shown once, 200), revoked; any other intent refused.
  // Ambassadors (decision 024): introductions from the file, moderation of stories, the family's answers.
  toFile('introduce to nobody', 400, 'intent=introduce&ambassador='),
  toFile('introduce to an unknown ambassador', 400, 'intent=introduce&ambassador=999999'),
  toFile(
    'introduce to another territory’s ambassador',
    400,
    (i) => `intent=introduce&ambassador=${i.mancheAmbassador}`,
  ),
  toFile(
    'introduce with a note too long',
    400,
    (i) => `intent=introduce&ambassador=${i.gersAmbassador}&note=${'x'.repeat(1001)}`,
  ),
  toPage('approve an unknown story', '/agent/ambassadeurs', staffPosts(404), 'intent=approve&story=999999'),
  // Without a story to moderate, a refusal is the page with its alert (no form to refill).
  {
    ...toPage('reject a story without an id', '/agent/ambassadeurs', staffPosts(400), 'intent=reject&story='),
    formAgain: false,
  },
  {
    what: 'approve the Manche story again',
    path: () => '/agent/ambassadeurs',
    form: (i) => fields(`intent=approve&story=${i.mancheStory}`),
    // Another territory's story: not found; its own staff: it was already decided (409).
    expect: { ...staffPosts(409), agentGers: 404, adminGers: 404 },
  },
  {
    what: 'ask changes to the Manche story',
    path: () => '/agent/ambassadeurs',
    form: (i) => fields(`intent=changes&story=${i.mancheStory}&note=Plus court`),
    expect: { ...staffPosts(409), agentGers: 404, adminGers: 404 },
  },
  ...hostile('ambassadors intent', () => '/agent/ambassadeurs', staffPosts(400)).map((p) => ({
    ...p,
    formAgain: false as const,
  })),
  // The demo family is not settled: it may not become an ambassador, nor write a story.
  toPage(
    'ambassador opt-in before settling',
    '/compte',
    familyPosts(403),
    'intent=ambassador&languages=fr&byEmail=yes&presentation=Bonjour',
  ),
  toPage('ambassador story before opting in', '/compte', familyPosts(403), 'intent=story&locale=fr&title=T&body=B'),
  toPage('ambassador pause without being one', '/compte', familyPosts(404), 'intent=ambassador-status&status=paused'),
  toPage('ambassador status unknown', '/compte', familyPosts(400), 'intent=ambassador-status&status=nope'),
  toPage(
    'answer an unknown introduction',
    '/compte',
    familyPosts(404),
    'intent=introduction-family&introduction=999999&answer=accepted',
  ),
  toPage(
    'answer as ambassador',
    '/compte',
    familyPosts(404),
    'intent=introduction-ambassador&introduction=999999&answer=declined',
  ),
  toPage(
    'answer an introduction with nonsense',
    '/compte',
    familyPosts(400),
    'intent=introduction-family&introduction=1&answer=peut-etre',
  ),
  toPage(
    'introduction answer, bad link',
    '/mise-en-relation',
    everyone(404),
    'intent=answer&jeton=nope&answer=accepted',
  ),
  {
    ...toPage('introduction answer, no answer', '/mise-en-relation', everyone(400), 'intent=answer&jeton=nope&answer='),
    formAgain: false,
  },
  toPage('calendar link made', '/agent/agenda', staffPosts(200), 'intent=create'),
  toPage('calendar link revoked', '/agent/agenda', staffPosts(303), 'intent=revoke'),
  ...hostile('calendar intent', () => '/agent/agenda', staffPosts(400)),
  // Account forms and the public forms: anyone may post, refused input is 400.
  toPage('sign in without credentials', '/connexion', everyone(400), 'email=&password='),
  // The second step: a visitor goes to sign in, a signed-in person on to where they were going.
  toPage('second step, no sign-in under way', '/connexion/verification', everyone(303), 'otp=123456'),
  toPage('magic link without address', '/connexion', everyone(400), 'intent=magic&email='),
  ...hostile(
    'sign-in intent',
    () => '/connexion',
    everyone(400),
    (intent) => `intent=${intent}&email=&password=`,
  ),
  toPage('sign up empty', '/inscription', everyone(400), 'name=&email=&password='),
  toPage('reset for nobody', '/mot-de-passe-oublie', everyone(400), 'email='),
  toPage('new password, bad token', '/mot-de-passe-oublie/nouveau', everyone(400), 'token=nope-nope-nope&password='),
  toPage('invitation, bad token', '/invitation', everyone(400), 'token=nope-nope-nope&password='),
  toPage('empty project', '/projet', everyone(400), 'name='),
  {
    ...toPage('unsubscribe, bad token', '/alertes/desabonnement', everyone(400), 'token=nope-nope-nope-nope'),
    formAgain: false,
  },
  // Fibre alerts: anyone may ask (a visitor gives an address); the link's page needs its token.
  toPage('fibre alert, unknown threshold', commune, everyone(400), 'threshold=nope&email='),
  toPage('fibre alert, threshold reached', commune, everyone(400), 'threshold=any&email=a%40exemple.fr'),
  ...(['confirm', 'end'] as const).map((intent) => ({
    ...toPage(`fibre alert ${intent}, bad token`, '/alertes/fibre', everyone(400), `intent=${intent}&token=nope`),
    formAgain: false as const,
  })),
  ...hostile('fibre alert intent', () => '/alertes/fibre?token=nope', everyone(400)).map((p) => ({
    ...p,
    formAgain: false as const,
  })),
];

/** The route pattern of a French path, to know whether it has an English twin. */
const routeOf = (path: string) =>
  path
    .split('?')[0]!
    .replace(/^\/agent\/candidats\/[^/]+/, '/agent/candidats/[id]')
    .replace(/^\/admin\/agents\/[^/]+/, '/admin/agents/[id]')
    .replace(/^\/agent\/offres\/\d+$/, '/agent/offres/[id]')
    .replace(/^\/compte\/offres\/\d+$/, '/compte/offres/[id]')
    .replace(/^\/compte\/reprises\/\d+$/, '/compte/reprises/[id]')
    .replace(/^\/admin\/territoires\/[^/]+/, '/admin/territoires/[code]')
    .replace(/^\/communes\/[^/]+/, '/communes/[ref]');

/** Everything wrong with one answer to a post; empty when it is the expected one. */
async function checkPost(res: APIResponse, expected: number, portalUrl: string, formAgain: boolean) {
  const problems: string[] = [];
  if (res.status() !== expected) problems.push(`${res.status()}, expected ${expected}`);
  const location = res.headers()['location'];
  if (expected === 303 && res.status() === 303) {
    if (!location || !location.startsWith('/') || new URL(location, portalUrl).origin !== portalUrl)
      problems.push(`redirect to ${location}`);
    else if (/object(%20|\s|\+)Object/i.test(location)) problems.push(`redirect to ${location}`);
  }
  if (expected === 400 && res.status() === 400) {
    if (!(res.headers()['content-type'] ?? '').startsWith('text/html')) problems.push('400 without a page');
    else if (formAgain && !(await res.text()).includes('<form')) problems.push('400 without the form');
  }
  return problems;
}

async function postMatrix(portal: Portal, samples: PostSample[], ids: PostIds, contexts: Map<Who, APIRequestContext>) {
  const failures: string[] = [];
  for (const sample of samples) {
    const french = sample.path(ids);
    for (const locale of ['fr', 'en'] as const) {
      if (locale === 'en' && !(localizedRoutes as readonly string[]).includes(routeOf(french))) continue;
      const path = inLocale(french, locale);
      for (const [who, status] of Object.entries(sample.expect) as Array<[Who, number]>) {
        const res = await contexts.get(who)!.post(path, {
          data: new URLSearchParams(sample.form(ids)).toString(),
          headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        const problems = await checkPost(res, status, portal.url, sample.formAgain !== false);
        // Anonymous posts on a page that needs an account go to sign in, then come back.
        if (who === 'anonymous' && status === 303 && res.status() === 303) {
          const signIn = `${inLocale('/connexion', locale)}?retour=`;
          if (!res.headers()['location']?.startsWith(signIn)) problems.push(`not sent to ${signIn}`);
        }
        for (const p of problems) failures.push(`${who} POST ${path} (${sample.what}): ${p}`);
      }
    }
  }
  return failures;
}

/** The ids the posts need: a fresh Gers file with two finished tasks, and throwaway agents. */
async function postIds(portal: Portal, anonymous: APIRequestContext): Promise<PostIds> {
  const publicId = await newGersFile(portal, anonymous, 'postes');
  const one = async (sql: string, args: Array<string | number | null> = []) =>
    (await portal.sql.execute({ sql, args })).rows[0]!;
  const fileId = Number((await one('SELECT id FROM candidates WHERE public_id = ?', [publicId])).id);
  const gersDraft = await draftPhotoIn(portal, '32', 'offer');
  await portal.sql.execute("DELETE FROM offer_photos WHERE storage_key = 'matrice-absente.webp'");
  const now = new Date().toISOString();
  const task = async (kind: string) =>
    Number(
      (
        await one(
          'INSERT INTO tasks (candidate_id, kind, title, due_date, done_at, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
          [fileId, kind, 'Tâche de la matrice', now.slice(0, 10), now, kind === 'manual' ? null : 'stayed', now],
        )
      ).id,
    );
  const agent = async (label: string, territories: string[]) => {
    const id = Number(
      (
        await one(
          "INSERT INTO users (email, name, role, locale, created_at) VALUES (?, ?, 'agent', 'fr', ?) RETURNING id",
          [`${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`, `Agent ${label}`, now],
        )
      ).id,
    );
    for (const code of territories)
      await portal.sql.execute({
        sql: 'INSERT INTO user_territories (user_id, territory_code) VALUES (?, ?)',
        args: [id, code],
      });
    return id;
  };
  const ambassadorIn = async (territory: string) =>
    Number((await one('SELECT id FROM ambassadors WHERE territory_code = ? ORDER BY id LIMIT 1', [territory])).id);
  const mancheAmbassador = await ambassadorIn('50');
  return {
    file: publicId,
    gersAmbassador: await ambassadorIn('32'),
    mancheAmbassador,
    mancheStory: Number(
      (await one('SELECT id FROM ambassador_stories WHERE ambassador_id = ?', [mancheAmbassador])).id,
    ),
    offer: Number((await one("SELECT id FROM offers WHERE status = 'published' ORDER BY id LIMIT 1")).id),
    gersOffer: Number(
      (
        await one(
          "SELECT o.id FROM offers o JOIN commune_coverage c ON c.commune_code = o.commune_code WHERE o.status = 'published' AND o.territory_code = '32' AND c.ftth_share > 0 AND c.ftth_share < 1 ORDER BY o.id LIMIT 1",
        )
      ).id,
    ),
    fullyCoveredOffer: Number(
      (
        await one(
          "SELECT o.id FROM offers o JOIN commune_coverage c ON c.commune_code = o.commune_code WHERE o.status = 'published' AND o.territory_code = '32' AND c.ftth_share = 1 ORDER BY o.id LIMIT 1",
        )
      ).id,
    ),
    gersDraft,
    gersDraftPhoto: await draftPhotoIn(portal, '32'),
    // One row with no file, for the posts to delete (none left over from an earlier part).
    deletablePhoto: Number(
      (
        await one(
          "INSERT INTO offer_photos (offer_id, storage_key, width, height, alt, position) VALUES (?, 'matrice-absente.webp', 10, 10, 'À supprimer', 99) RETURNING id",
          [gersDraft],
        )
      ).id,
    ),
    manchePhoto: await draftPhotoIn(portal, '50'),
    doneFollowUp: await task('follow_up_6m'),
    doneTask: await task('manual'),
    gersAgent: await agent('matrice-gers', ['32']),
    twoTerritoryAgent: await agent('matrice-deux', ['32', '50']),
    mancheAgent: Number((await one("SELECT id FROM users WHERE email = 'agent.manche@demo.test'")).id),
    ownerOffer: await ownerOffer(portal),
    work: await workIds(portal),
  };
}

/** The demo owner's first proposal awaiting moderation (the seed makes some in the Gers). */
async function ownerOffer(portal: Portal): Promise<number> {
  const rs = await portal.sql.execute(
    "SELECT o.id FROM offers o JOIN users u ON u.id = o.owner_id WHERE u.email = 'proprietaire@demo.test' AND o.moderation = 'pending' ORDER BY o.id LIMIT 1",
  );
  return Number(rs.rows[0]!.id);
}

/** The posts in three parts (each within a test's budget on a busy machine). */
const postParts: Array<[string, (s: PostSample) => boolean]> = [
  ['a candidate file', (s) => s.path(dummyIds).startsWith('/agent/')],
  ["the family's pages and staff administration", (s) => /^\/(compte|admin)/.test(s.path(dummyIds))],
  ['the account and public forms', (s) => !/^\/(agent|compte|admin)/.test(s.path(dummyIds))],
];
const dummyIds: PostIds = {
  file: 'x',
  offer: 0,
  gersOffer: 0,
  fullyCoveredOffer: 0,
  gersDraft: 0,
  gersDraftPhoto: 0,
  deletablePhoto: 0,
  manchePhoto: 0,
  doneFollowUp: 0,
  doneTask: 0,
  gersAgent: 0,
  twoTerritoryAgent: 0,
  mancheAgent: 0,
  ownerOffer: 0,
  gersAmbassador: 0,
  mancheAmbassador: 0,
  mancheStory: 0,
  work: {
    gersJob: 0,
    gersJobRef: '',
    mancheJob: 0,
    gersBusinessRef: '',
    mancheBusiness: 0,
    draftJob: 0,
    ownerBusiness: 0,
    gersBusiness: 0,
  },
};

for (const [part, inPart] of postParts) {
  test(`each role gets exactly the expected answer to every post on ${part}`, async ({ portal }) => {
    test.slow();
    const contexts = await contextsFor(portal);
    const ids = await postIds(portal, contexts.get('anonymous')!);
    const failures = await postMatrix(portal, posts.filter(inPart), ids, contexts);
    // Signing out last (it ends the sessions): anyone may, and it always goes home.
    const signOuts = part === postParts[2]![0] ? (['fr', 'en'] as const) : [];
    for (const locale of signOuts)
      for (const [who, ctx] of contexts) {
        const res = await ctx.post(inLocale('/deconnexion', locale), { headers: { Origin: portal.url } });
        if (res.status() !== 303 || res.headers()['location'] !== inLocale('/', locale))
          failures.push(
            `${who} POST ${inLocale('/deconnexion', locale)}: ${res.status()} to ${res.headers()['location']}`,
          );
      }
    expect(failures).toEqual([]);
    for (const ctx of contexts.values()) await ctx.dispose();
  });
}

test('a Gers admin may not change or deactivate an agent who also serves the Manche; the platform admin may', async ({
  portal,
}) => {
  test.slow();
  const contexts = await contextsFor(portal);
  const { twoTerritoryAgent: id } = await postIds(portal, contexts.get('anonymous')!);
  const rows = async () => ({
    user: (await portal.sql.execute({ sql: 'SELECT role, deactivated_at FROM users WHERE id = ?', args: [id] }))
      .rows[0],
    territories: (
      await portal.sql.execute({
        sql: 'SELECT territory_code FROM user_territories WHERE user_id = ? ORDER BY territory_code',
        args: [id],
      })
    ).rows.map((r) => r.territory_code),
  });
  const before = await rows();
  expect(before.territories).toEqual(['32', '50']);
  const post = (who: Who, form: Array<[string, string]>) =>
    contexts.get(who)!.post(`/admin/agents/${id}`, {
      data: new URLSearchParams(form).toString(),
      headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  for (const form of [
    [
      ['role', 'territory_admin'],
      ['territories', '32'],
    ],
    [
      ['role', 'agent'],
      ['territories', '32'],
    ],
    [['intent', 'deactivate']],
  ] as Array<Array<[string, string]>>) {
    expect((await post('adminGers', form)).status(), JSON.stringify(form)).toBe(403);
    expect(await rows()).toEqual(before);
  }
  // The platform admin changes the role, then puts everything back.
  expect(
    (
      await post('platform', [
        ['role', 'territory_admin'],
        ['territories', '32'],
        ['territories', '50'],
      ])
    ).status(),
  ).toBe(303);
  expect((await rows()).user!.role).toBe('territory_admin');
  expect((await post('platform', [['intent', 'deactivate']])).status()).toBe(303);
  expect((await rows()).user!.deactivated_at).not.toBeNull();
  expect((await post('platform', [['intent', 'reactivate']])).status()).toBe(303);
  expect(
    (
      await post('platform', [
        ['role', 'agent'],
        ['territories', '32'],
        ['territories', '50'],
      ])
    ).status(),
  ).toBe(303);
  expect(await rows()).toEqual(before);
  for (const ctx of contexts.values()) await ctx.dispose();
});
