// The authorization matrix: every route of src/pages (found on disk, so that a new route
// cannot escape this test) is requested by each role and by an agent of the other
// territory, and must answer the expected status. A cross-territory read must look
// exactly like "not found".
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { expect, routesOnDisk, test } from './fixtures.ts';

type Who = 'anonymous' | 'family' | 'agentGers' | 'agentManche' | 'adminGers' | 'platform';
const people: Record<Exclude<Who, 'anonymous'>, string> = {
  family: 'famille@demo.test',
  agentGers: 'agent.gers@demo.test',
  agentManche: 'agent.manche@demo.test',
  adminGers: 'direction.gers@demo.test',
  platform: 'admin@demo.test',
};
const everyone = (status: number): Record<Who, number> => ({
  anonymous: status,
  family: status,
  agentGers: status,
  agentManche: status,
  adminGers: status,
  platform: status,
});

interface Sample {
  url: (ids: Ids) => string;
  expect: Record<Who, number>;
}
interface Ids {
  offer: string;
  photo: number;
  gersAgent: number;
  mancheAgent: number;
  mail: number;
  gersFile: string;
}

const signedIn = { anonymous: 302, family: 200, agentGers: 200, agentManche: 200, adminGers: 200, platform: 200 };
const staffOnly = { anonymous: 302, family: 403, agentGers: 200, agentManche: 200, adminGers: 200, platform: 200 };
const adminsOnly = { anonymous: 302, family: 403, agentGers: 403, agentManche: 403, adminGers: 200, platform: 200 };
const familyOnly = { anonymous: 302, family: 200, agentGers: 403, agentManche: 403, adminGers: 403, platform: 403 };
const platformDevOnly = {
  anonymous: 302,
  family: 404,
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
  '/compte/favoris': [{ url: () => '/compte/favoris', expect: familyOnly }],
  '/compte/recherches': [{ url: () => '/compte/recherches', expect: familyOnly }],
  // Works without an account; an unknown token is a clear 400, never a 5xx.
  '/alertes/desabonnement': [{ url: () => '/alertes/desabonnement?token=nope-nope-nope-nope', expect: everyone(400) }],
  '/projet': [{ url: () => '/projet', expect: everyone(200) }],
  '/admin': [{ url: () => '/admin', expect: adminsOnly }],
  '/agent': [{ url: () => '/agent', expect: staffOnly }],
  '/agent/candidats': [{ url: () => '/agent/candidats', expect: staffOnly }],
  '/agent/candidats/[id]': [
    // A file of the Gers: the Manche agent gets "not found", like for an unknown id.
    { url: (i) => `/agent/candidats/${i.gersFile}`, expect: { ...staffOnly, agentManche: 404 } },
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
  '/agent/rapports': [
    { url: () => '/agent/rapports', expect: adminsOnly },
    // Another territory's report is "not found" for its admin; the platform admin sees it.
    { url: () => '/agent/rapports?territoire=50', expect: { ...adminsOnly, adminGers: 404 } },
  ],
  '/agent/rapports/annuel': [{ url: () => '/agent/rapports/annuel?annee=2026', expect: adminsOnly }],
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
  '/photos/[file]': [{ url: (i) => `/photos/${i.photo}-320.webp`, expect: everyone(200) }],
  '/api/v1/communes': [{ url: () => '/api/v1/communes?q=auch', expect: everyone(200) }],
  '/api/v1/offres': [{ url: () => '/api/v1/offres?territoire=32', expect: everyone(200) }],
  '/api/v1/offres.geojson': [{ url: () => '/api/v1/offres.geojson?territoire=50', expect: everyone(200) }],
  '/404': [{ url: () => '/404', expect: everyone(404) }],
  '/500': [{ url: () => '/500', expect: everyone(404) }],
};

test('every route on disk is in the authorization matrix, French and English', () => {
  const routes = routesOnDisk();
  const missing = routes.map((r) => r.replace(/^\/en(?=\/|$)/, '') || '/').filter((r) => !(r in matrix));
  expect(missing, 'routes without an entry in the authorization matrix').toEqual([]);
});

test('each role gets exactly the expected answer on every route', async ({ portal }) => {
  test.setTimeout(120_000);
  const contexts = new Map<Who, APIRequestContext>();
  contexts.set('anonymous', await playwrightRequest.newContext({ baseURL: portal.url, maxRedirects: 0 }));
  for (const [who, email] of Object.entries(people) as Array<[Exclude<Who, 'anonymous'>, string]>) {
    const ctx = await playwrightRequest.newContext({ baseURL: portal.url, maxRedirects: 0 });
    const res = await ctx.post('/connexion', {
      form: { email, password: 'demo-password-2026' },
      headers: { Origin: portal.url },
    });
    expect(res.status(), `sign-in of ${who}`).toBe(303);
    contexts.set(who, ctx);
  }
  // Real ids to request, and at least one email in the mailbox.
  await contexts
    .get('anonymous')!
    .post('/mot-de-passe-oublie', { form: { email: 'direction.gers@demo.test' }, headers: { Origin: portal.url } });
  const fileEmail = `matrice.${Date.now()}@exemple.fr`;
  const filed = await contexts.get('anonymous')!.post('/projet', {
    form: { name: 'Famille Matrice', email: fileEmail, adults: '2', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  expect(filed.status()).toBe(200);
  const one = async (sql: string) => (await portal.sql.execute(sql)).rows[0]!;
  const offer = await one("SELECT id, slug FROM offers WHERE status = 'published' ORDER BY id LIMIT 1");
  const ids: Ids = {
    offer: `${offer.id}-${offer.slug}`,
    photo: Number(
      (
        await one(
          "SELECT p.id FROM offer_photos p JOIN offers o ON o.id = p.offer_id WHERE o.status = 'published' LIMIT 1",
        )
      ).id,
    ),
    gersAgent: Number((await one("SELECT id FROM users WHERE email = 'agent.gers@demo.test'")).id),
    mancheAgent: Number((await one("SELECT id FROM users WHERE email = 'agent.manche@demo.test'")).id),
    mail: Number((await one('SELECT max(id) AS id FROM outbox')).id),
    gersFile: String(
      (await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [fileEmail] }))
        .rows[0]!.public_id,
    ),
  };

  const failures: string[] = [];
  for (const [route, samples] of Object.entries(matrix)) {
    for (const sample of samples) {
      for (const locale of ['', '/en']) {
        const url = sample.url(ids);
        const localized =
          locale && routesOnDisk().includes(`/en${route === '/' ? '' : route}`) ? `/en${url === '/' ? '/' : url}` : url;
        if (locale && localized === url) continue;
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
