// One route file per page: every public page answers in French at its path and in English
// under /en (the middleware's rewrite), with the language switch and absolute hreflang links
// pointing at the twin; the back office stays French; unknown English paths are English 404s.
import type { APIResponse } from '@playwright/test';
import { expect, test } from './fixtures.ts';

interface Route {
  /** The French path; `{offer}` stands for a published offer's reference. */
  path: string;
  status: number;
  /** Where a redirect leads, for a locale prefix ('' or '/en'). */
  location?: (prefix: string) => string;
}

const answer = (status: number, ...paths: string[]): Route[] => paths.map((path) => ({ path, status }));
const routes: Route[] = [
  ...answer(200, '/', '/offres', '/offres/{offer}', '/territoires/50', '/connexion', '/inscription'),
  ...answer(200, '/mot-de-passe-oublie', '/projet', '/impact'),
  ...answer(200, '/mentions-legales', '/confidentialite', '/accessibilite', '/cookies'),
  // Links from emails, opened without their token.
  ...answer(400, '/connexion/lien', '/inscription/confirmer', '/mot-de-passe-oublie/nouveau', '/invitation'),
  ...answer(400, '/alertes/desabonnement'),
  { path: '/deconnexion', status: 303, location: (p) => `${p}/` },
  // Pages behind sign-in send the visitor to it, with the way back in the visitor's locale.
  ...['/compte', '/compte/favoris', '/compte/recherches', '/compte/securite', '/connexion/verification'].map(
    (path) => ({
      path,
      status: 302,
      location: (p: string) => `${p}/connexion?retour=${encodeURIComponent(`${p}${path}`)}`,
    }),
  ),
];

const english = (path: string) => (path === '/' ? '/en/' : `/en${path}`);

/** The attributes of each tag `name` of the page (enough for the head's links and the switch). */
const tags = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`<${name}\\s([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!.replaceAll('&amp;', '&')])),
  );

test('every public page answers in both locales, linked to its twin', async ({ request, portal }) => {
  const row = (await portal.sql.execute("SELECT id, slug FROM offers WHERE status = 'published' ORDER BY id LIMIT 1"))
    .rows[0]!;
  const failures: string[] = [];
  for (const route of routes) {
    const fr = route.path.replace('{offer}', `${row.id}-${row.slug}`);
    const twins = { fr, en: english(fr) };
    for (const [locale, path] of Object.entries(twins) as Array<['fr' | 'en', string]>) {
      const other = locale === 'fr' ? 'en' : 'fr';
      const res = await request.get(path, { maxRedirects: 0 });
      const fail = (what: string) => failures.push(`${path}: ${what}`);
      if (res.status() !== route.status) fail(`status ${res.status()}, expected ${route.status}`);
      if (route.location) {
        const expected = route.location(locale === 'fr' ? '' : '/en');
        if (res.headers()['location'] !== expected) fail(`location ${res.headers()['location']}, expected ${expected}`);
        continue;
      }
      const html = await res.text();
      if (!html.includes(`<html lang="${locale}"`)) fail(`not <html lang="${locale}">`);
      const switchTo = tags(html, 'a').find((a) => a.hreflang === other);
      if (switchTo?.href !== twins[other]) fail(`language switch to ${switchTo?.href}, expected ${twins[other]}`);
      const alternates = Object.fromEntries(
        tags(html, 'link')
          // Language alternates only (a feed is an alternate too, without hreflang).
          .filter((l) => l.rel === 'alternate' && l.hreflang)
          .map((l) => [l.hreflang, l.href]),
      );
      const expected = { fr: portal.url + twins.fr, en: portal.url + twins.en, 'x-default': portal.url + twins.fr };
      if (JSON.stringify(alternates) !== JSON.stringify(expected))
        fail(`hreflang ${JSON.stringify(alternates)}, expected ${JSON.stringify(expected)}`);
    }
  }
  expect(failures).toEqual([]);
});

test('/en without a slash is the English home; queries survive the rewrite', async ({ request }) => {
  const home = await request.get('/en');
  expect(home.status()).toBe(200);
  expect(await home.text()).toContain('<html lang="en"');
  const search = await request.get('/en/offres?territoire=50');
  const html = await search.text();
  expect(html).toContain('<html lang="en"');
  expect(tags(html, 'a').find((a) => a.hreflang === 'fr')?.href).toBe('/offres?territoire=50');
});

test('French and English pages are cached apart', async ({ request }) => {
  const lang = async (res: APIResponse) => /<html lang="(\w+)"/.exec(await res.text())?.[1];
  // Each stored from its second request.
  for (let i = 0; i < 2; i++) {
    await request.get('/offres');
    await request.get('/en/offres');
  }
  const fr = await request.get('/offres');
  const en = await request.get('/en/offres');
  expect([fr.headers()['x-cache'], en.headers()['x-cache']]).toEqual(['hit', 'hit']);
  expect([await lang(fr), await lang(en)]).toEqual(['fr', 'en']);
});

test('the back office is French: English addresses redirect, query kept', async ({ request, portal }) => {
  for (const [path, target] of [
    ['/en/agent', '/agent'],
    ['/en/agent/candidats?etape=nouveau', '/agent/candidats?etape=nouveau'],
    ['/en/admin', '/admin'],
    ['/en/dev/boite-mail', '/dev/boite-mail'],
  ]) {
    const res = await request.get(path!, { maxRedirects: 0 });
    expect(res.status(), path).toBe(302);
    expect(res.headers()['location'], path).toBe(target);
  }
  const post = await request.post('/en/agent/candidats/x?ok=1', {
    form: { intent: 'note' },
    headers: { Origin: portal.url },
    maxRedirects: 0,
  });
  expect(post.status()).toBe(307);
  expect(post.headers()['location']).toBe('/agent/candidats/x?ok=1');
});

test('an English path with no French page, or to an endpoint, is the English 404', async ({ request }) => {
  for (const path of ['/en/nulle-part', '/en/api/v1/offres', '/en/sitemap.xml', '/en/500']) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(404);
    expect(await res.text(), path).toContain('<html lang="en"');
  }
});

test('English forms post to themselves and come back in English', async ({ request, portal }) => {
  const refused = await request.post('/en/connexion', {
    form: { email: 'famille@demo.test', password: 'not-the-password' },
    headers: { Origin: portal.url },
  });
  expect(refused.status()).toBe(400);
  const html = await refused.text();
  expect(html).toContain('<html lang="en"');
  expect(html).toContain('Wrong email address or password.');
  expect(html).toContain('value="famille@demo.test"');
  const signedIn = await request.post(`/en/connexion?retour=${encodeURIComponent('/en/compte')}`, {
    form: { email: 'famille@demo.test', password: 'demo-password-2026' },
    headers: { Origin: portal.url },
    maxRedirects: 0,
  });
  expect(signedIn.status()).toBe(303);
  expect(signedIn.headers()['location']).toBe('/en/compte');
  const account = await request.get('/en/compte');
  expect(account.status()).toBe(200);
  expect(await account.text()).toContain('<html lang="en"');
});
