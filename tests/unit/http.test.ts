// The request plumbing: guards, the form wrapper, the one error mapping, the return-path
// sanitizer and the policy module — called directly with a narrow request context.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'astro/zod';
import type { SessionUser } from '../../src/server/accounts/session.ts';
import { Conflict, Forbidden, Invalid, NotFound, RateLimited, SignInRequired } from '../../src/server/errors.ts';
import { okAfterRedirect, type RequestContext } from '../../src/server/http/context.ts';
import {
  fieldsOf,
  FORM_LIMIT_BYTES,
  MAX_FORM_ENTRIES,
  readForm,
  readUpload,
  submitForm,
} from '../../src/server/http/form.ts';
import { requireFamily, requireRole, requireStaff, requireUser } from '../../src/server/http/guards.ts';
import type { APIContext, AstroGlobal } from 'astro';
import { endpoint, errorOutcome, page, PUBLIC_OFFER, PUBLIC_WORK, render } from '../../src/server/http/respond.ts';
import { typedWhole } from '../../src/server/input.ts';
import { t } from '../../src/i18n/index.ts';
import { returnable, safeReturnPath, searchReferrer } from '../../src/server/http/return-path.ts';
import { actsIn, mayManageStaff, territoryScope } from '../../src/server/policy.ts';

const person = (role: SessionUser['role'], territories: string[] = []): SessionUser => ({
  id: 1,
  email: `${role}@exemple.fr`,
  name: role,
  role,
  locale: 'fr',
  territories,
});

function context(user: SessionUser | null, path = '/agent', init: RequestInit = {}, locale: 'fr' | 'en' = 'fr') {
  const url = new URL(`http://portal.test${path}`);
  return {
    request: new Request(url, init),
    url,
    locals: { user, locale, sessionId: null, requestId: 'test' } as unknown as App.Locals,
    cookies: {} as RequestContext['cookies'],
    originPathname: locale === 'en' ? `/en${url.pathname}` : url.pathname,
  } satisfies RequestContext;
}

const post = (fields: Record<string, string>) =>
  ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  }) satisfies RequestInit;

describe('the notice after a redirect', () => {
  it('is read from ?ok= on the page the post redirected to, never on a refused post at that address', () => {
    const at = (method: string) => ({
      request: new Request('https://cc.test/agent/offres/3?ok=created', { method }),
      url: new URL('https://cc.test/agent/offres/3?ok=created'),
    });
    expect(okAfterRedirect(at('GET'))).toBe('created');
    expect(okAfterRedirect(at('POST'))).toBeNull();
  });
});

describe('back to the results', () => {
  const here = new URL('http://127.0.0.1:4321/offres/12-maison');
  const from = (referer?: string) =>
    searchReferrer(new Request(here, { headers: referer === undefined ? {} : { Referer: referer } }), here);

  it('is the search of this site the page was opened from, with its page', () => {
    expect(from('http://127.0.0.1:4321/offres?territoire=32&page=2')).toBe('/offres?territoire=32&page=2');
    expect(from('https://127.0.0.1:4321/en/offres?fibre=1')).toBe('/en/offres?fibre=1');
    expect(from('http://127.0.0.1:4321/offres')).toBe('/offres');
  });

  it('is nothing from another site, another page, or a malformed header', () => {
    for (const referer of [
      undefined,
      '',
      'not a url',
      'http://evil.test/offres?territoire=32',
      'http://127.0.0.1:4321/offres/13-grange',
      'http://127.0.0.1:4321/compte/favoris',
      'http://127.0.0.1:4321//evil.test/offres',
      'javascript:alert(1)//127.0.0.1:4321/offres',
      `http://127.0.0.1:4321/offres?q=${'x'.repeat(5000)}`,
    ])
      expect(from(referer), String(referer)).toBeNull();
  });
});

describe('guards', () => {
  it('requireUser sends a visitor to sign in, back to the page in its own language', () => {
    const rc = context(null, '/compte/favoris?x=1', {}, 'en');
    expect(() => requireUser(rc)).toThrow(SignInRequired);
    const outcome = errorOutcome(rc, new SignInRequired());
    expect(outcome).toEqual({ redirect: '/en/connexion?retour=%2Fen%2Fcompte%2Ffavoris%3Fx%3D1', status: 302 });
    expect(requireUser(context(person('family')))).toMatchObject({ role: 'family' });
  });

  it('requireFamily and requireRole refuse other roles with 403', () => {
    expect(() => requireFamily(context(person('agent', ['32'])))).toThrow(Forbidden);
    expect(requireFamily(context(person('family'))).role).toBe('family');
    expect(() => requireRole(context(person('agent', ['32'])), 'territory_admin', 'platform_admin')).toThrow(Forbidden);
    expect(requireRole(context(person('platform_admin')), 'platform_admin').role).toBe('platform_admin');
    expect(() => requireRole(context(null), 'family')).toThrow(SignInRequired);
  });

  it('requireStaff: 403 for families, "not found" for another territory, every territory for the platform admin', () => {
    expect(() => requireStaff(context(person('family')))).toThrow(Forbidden);
    expect(() => requireStaff(context(person('agent', ['50'])), '32')).toThrow(NotFound);
    expect(requireStaff(context(person('agent', ['32', '50'])), '32').territories).toEqual(['32', '50']);
    expect(requireStaff(context(person('platform_admin')), '32').role).toBe('platform_admin');
  });
});

describe('the one error mapping', () => {
  it('turns domain errors into error pages with their status, and leaves the rest to a 500', () => {
    const rc = context(person('agent', ['32']));
    expect(errorOutcome(rc, new NotFound('candidate'))).toMatchObject({
      error: { status: 404, title: 'notFound.title' },
    });
    expect(errorOutcome(rc, new Forbidden())).toMatchObject({ error: { status: 403 } });
    expect(errorOutcome(rc, new Conflict('errors.stale_file'))).toMatchObject({ error: { status: 409 } });
    expect(errorOutcome(rc, new RateLimited(120))).toMatchObject({
      error: { status: 429, params: { wait: '2 minutes' } },
      headers: { 'Retry-After': '120' },
    });
    expect(() => errorOutcome(rc, new TypeError('bug'))).toThrow(TypeError);
  });

  it('a public offer page’s 404 leads to the search; the back office’s missing offer is a plain 404', () => {
    const rc = context(person('agent', ['32']));
    expect(errorOutcome(rc, new NotFound(PUBLIC_OFFER))).toMatchObject({
      error: { status: 404, body: 'notFound.offer', link: { label: 'notFound.searchOffers', path: '/offres' } },
    });
    expect(errorOutcome(rc, new NotFound(PUBLIC_WORK))).toMatchObject({ error: { link: { path: '/emplois' } } });
    const plain = errorOutcome(rc, new NotFound('offer'));
    expect(plain).toMatchObject({ error: { status: 404, body: 'notFound.body' } });
    expect(plain).not.toHaveProperty('error.link');
  });

  it('a refused post goes to sign in with 303', () => {
    expect(errorOutcome(context(null, '/compte', post({})), new SignInRequired())).toMatchObject({ status: 303 });
  });

  it('runs a handler reading numbers as its page’s language writes them', async () => {
    const astro = (locale: 'fr' | 'en') =>
      ({
        ...context(null, '/offres', {}, locale),
        response: { status: 200, headers: new Headers() },
      }) as unknown as AstroGlobal;
    const typed = async () => render(typedWhole('1,500'));
    expect(await page(astro('en'), typed)).toEqual({ view: '1500' });
    expect(await page(astro('fr'), typed)).toEqual({ view: '1,500' });
    const text = async () => new Response(typedWhole('1,500'));
    const ctx = context(null, '/compte/donnees.json', {}, 'en') as unknown as APIContext;
    expect(await (await endpoint(ctx, text)).text()).toBe('1500');
  });
});

describe('the form wrapper', () => {
  const Schema = z.object({ name: z.string().trim().min(1, { error: 'errors.name_required' }) });

  it('refused input comes back with localized field errors and what was typed, never secrets', async () => {
    const rc = context(person('family'), '/compte', {}, 'en');
    const form = { name: '  ', password: 'hunter2', note: 'kept' };
    const r = await submitForm(rc, form, async () => 'never', { schema: Schema });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(400);
    expect(r.state.errors.name).toMatch(/name/i);
    expect(r.state.alert).toBeTruthy();
    expect(r.state.values).toEqual({ name: '  ', note: 'kept' });
  });

  it('errors are in the visitor language', async () => {
    const invalid = async () => {
      throw new Invalid([{ field: 'email', key: 'errors.email_invalid' }]);
    };
    const fr = await submitForm(context(null, '/x', {}, 'fr'), {}, invalid);
    const en = await submitForm(context(null, '/x', {}, 'en'), {}, invalid);
    expect(!fr.ok && !en.ok && fr.state.errors.email !== en.state.errors.email).toBe(true);
  });

  it('a refusal of the action itself is the alert in its own words, with no field to correct', async () => {
    const rc = context(person('agent', ['32']), '/agent/offres/3', {}, 'fr');
    const alone = await submitForm(rc, { intent: 'confirm' }, async () => {
      throw new Invalid([{ field: 'intent', key: 'errors.offer_not_online' }]);
    });
    expect(alone).toMatchObject({
      ok: false,
      status: 400,
      state: { errors: {}, alert: 'Seule une offre en ligne (ou masquée faute de confirmation) se confirme.' },
    });
    expect(!alone.ok && alone.state.errors).toEqual({});
    // With field errors too: the action's refusal titles them.
    const both = await submitForm(rc, { intent: 'save', title: '' }, async () => {
      throw new Invalid([
        { field: 'intent', key: 'errors.offer_transition' },
        { field: 'title', key: 'errors.name_required' },
      ]);
    });
    expect(!both.ok && Object.keys(both.state.errors)).toEqual(['title']);
    expect(!both.ok && both.state.alert).toBe(t('fr', 'errors.offer_transition'));
  });

  it('runs the command with the parsed input and answers its value', async () => {
    const r = await submitForm(context(person('family')), { name: ' Ana ' }, async (input) => input.name, {
      schema: Schema,
    });
    expect(r).toEqual({ ok: true, value: 'Ana' });
  });

  it('a conflict is a 409 with its message; a rate limit a 429 with Retry-After', async () => {
    const conflict = await submitForm(context(person('agent', ['32'])), { email: 'a@b.fr' }, async () => {
      throw new Conflict('errors.email_taken', 'email');
    });
    expect(conflict).toMatchObject({ ok: false, status: 409 });
    expect(!conflict.ok && conflict.state.errors.email).toBeTruthy();
    const limited = await submitForm(context(null), {}, async () => {
      throw new RateLimited(60);
    });
    expect(limited).toMatchObject({ ok: false, status: 429, headers: { 'Retry-After': '60' } });
  });

  it("the page's own NotFound becomes the 404 page; an item that is gone an alert", async () => {
    const rc = context(person('agent', ['32']));
    const gone = async () => {
      throw new NotFound('task');
    };
    await expect(submitForm(rc, {}, gone)).rejects.toBeInstanceOf(NotFound);
    expect(errorOutcome(rc, new NotFound('candidate'))).toMatchObject({ error: { status: 404 } });
    expect(await submitForm(rc, {}, gone, { gone: 'errors.item_gone' })).toMatchObject({ ok: false, status: 404 });
    await expect(
      submitForm(rc, {}, async () => {
        throw new Forbidden();
      }),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it('reads forms without a prototype and refuses bodies over the limit', async () => {
    const form = await readForm(new Request('http://p.test/', post({ __proto__: 'x', constructor: 'y' } as never)));
    expect(Object.getPrototypeOf(form)).toBeNull();
    const big = new Request('http://p.test/', post({ email: 'a'.repeat(FORM_LIMIT_BYTES + 10) }));
    await expect(readForm(big)).rejects.toMatchObject({ status: 413 });
    // A body without a declared length is counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(FORM_LIMIT_BYTES / 2).fill(97));
        c.close();
      },
    });
    const streamed = new Request('http://p.test/', { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
    await expect(readForm(streamed)).rejects.toMatchObject({ status: 413 });
  });

  it('reads many repeated fields in linear time, refuses more than any form has, and only form bodies', async () => {
    const urlencoded = (body: string, type = 'application/x-www-form-urlencoded') =>
      new Request('http://p.test/', { method: 'POST', headers: { 'Content-Type': type }, body });
    // 1 000 repeats of one name (the most a form may send) and 40 000 entries refused at once;
    // 200 000 repeats gathered (copying the array at each one, as before, would take hours).
    const form = await readForm(urlencoded('a=x&'.repeat(MAX_FORM_ENTRIES)));
    expect(form.a).toHaveLength(MAX_FORM_ENTRIES);
    await expect(readForm(urlencoded('a=&'.repeat(40_000)))).rejects.toMatchObject({ status: 413 });
    expect(fieldsOf(Array.from({ length: 200_000 }, () => ['a', 'x'] as [string, string])).a).toHaveLength(200_000);
    // A browser's multipart boundary has capitals (----WebKitFormBoundaryAbC…): kept as sent.
    const boundary = '----WebKitFormBoundaryAbCdEf';
    const multipart = urlencoded(
      `--${boundary}\r\nContent-Disposition: form-data; name="offre"\r\n\r\n12\r\n--${boundary}--\r\n`,
      `multipart/form-data; boundary=${boundary}`,
    );
    expect(await readForm(multipart)).toMatchObject({ offre: '12' });
    // A body that is not a form (JSON, text) reads as an empty form: refused by the page's schema.
    expect(Object.keys(await readForm(urlencoded('threshold=any', 'application/json')))).toEqual([]);
    expect(Object.keys(await readForm(urlencoded('threshold=any', 'foo')))).toEqual([]);
  });

  it('reads an upload: its fields as readForm does, its files apart, within its own limit', async () => {
    const body = new FormData();
    body.append('intent', 'photos-add');
    body.append('photos', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 1])], { type: 'image/jpeg' }), 'a.jpg');
    body.append('photos', new Blob([new Uint8Array([2])]), 'b.png');
    body.append('__proto__', 'x');
    const upload = await readUpload(new Request('http://p.test/', { method: 'POST', body }));
    expect(Object.entries(upload.fields)).toEqual([
      ['intent', 'photos-add'],
      ['__proto__', 'x'],
    ]);
    expect(Object.getPrototypeOf(upload.fields)).toBeNull();
    expect(upload.files.map((f) => [f.field, f.name, [...f.bytes]])).toEqual([
      ['photos', 'a.jpg', [0xff, 0xd8, 0xff, 1]],
      ['photos', 'b.png', [2]],
    ]);
    // readForm leaves the files out.
    expect(await readForm(new Request('http://p.test/', { method: 'POST', body }))).toEqual(upload.fields);
    // "No file chosen" (an empty part without a name) is no file.
    const none = new FormData();
    none.append('photos', new Blob([]), '');
    expect((await readUpload(new Request('http://p.test/', { method: 'POST', body: none }))).files).toEqual([]);
    const big = new FormData();
    big.append('photos', new Blob([new Uint8Array(2048)]), 'big.jpg');
    const encoded = new Request('http://p.test/', { method: 'POST', body: big });
    const oversized = new Request('http://p.test/', {
      method: 'POST',
      body: await encoded.arrayBuffer(),
      headers: { 'Content-Type': encoded.headers.get('Content-Type')! },
    });
    await expect(readUpload(oversized, 1024)).rejects.toMatchObject({ status: 413 });
  });
});

describe('return paths', () => {
  // Known open-redirect payloads: none may leave the site.
  const hostile = [
    '//evil.example',
    '/.//evil.example',
    '/..//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '/%2F%2Fevil.example',
    '/%2f/evil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    'https://evil.example',
    'http:evil.example',
    '//evil.example/%2F..',
    '/\t/evil.example',
    '/\n/evil.example',
    '/%09/evil.example',
    '///evil.example',
    '////evil.example',
    'javascript:alert(1)',
    '/javascript:alert(1)',
    'data:text/html,<script>',
    '',
    'evil.example',
    '/%00//evil.example',
    `/${'a'.repeat(3000)}`,
  ];

  it.each(hostile)('%j stays on the site', (payload) => {
    const path = safeReturnPath(payload, '/compte');
    expect(path.startsWith('/')).toBe(true);
    expect(path.startsWith('//')).toBe(false);
    expect(path.startsWith('/\\')).toBe(false);
    expect(new URL(path, 'http://portal.test').origin).toBe('http://portal.test');
    expect(decodeURIComponent(path).startsWith('//')).toBe(false);
  });

  it('keeps real paths with their query, drops the fragment', () => {
    expect(safeReturnPath('/offres?territoire=32&page=2#x', '/')).toBe('/offres?territoire=32&page=2');
    expect(safeReturnPath('/en/compte/favoris', '/')).toBe('/en/compte/favoris');
    expect(safeReturnPath('/../compte', '/')).toBe('/compte');
  });

  it('keeps a return path short enough for a redirect header: a huge query is dropped, its page kept', () => {
    const huge = `/compte/recherches?requete=${'x'.repeat(100_000)}`;
    expect(returnable(huge)).toBe('/compte/recherches');
    expect(safeReturnPath(returnable(huge), '/')).toBe('/compte/recherches');
    expect(returnable('/offres?territoire=32')).toBe('/offres?territoire=32');
    expect(returnable(`/${'a'.repeat(3000)}`)).toBe('/');
  });
});

describe('the policy module', () => {
  it('scopes territories: the platform admin everywhere, staff theirs, families none', () => {
    expect(territoryScope(person('platform_admin'))).toBeNull();
    expect(territoryScope(person('agent', ['32']))).toEqual(['32']);
    expect(territoryScope(person('family', ['32']))).toEqual([]);
    expect(actsIn(person('territory_admin', ['32']), '50')).toBe(false);
  });

  it('a territory admin may not change the powers of staff who also serve another territory', () => {
    const admin = person('territory_admin', ['32']);
    expect(mayManageStaff(admin, { territories: ['32'] })).toBe(true);
    expect(mayManageStaff(admin, { territories: ['32', '50'] })).toBe(false);
    expect(mayManageStaff(person('platform_admin'), { territories: ['32', '50'] })).toBe(true);
    expect(mayManageStaff(person('agent', ['32']), { territories: ['32'] })).toBe(false);
  });

  it('no role is compared outside src/server/policy.ts', () => {
    const root = join(import.meta.dirname, '../..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|tsx|astro)$/.test(name)) files.push(path);
      }
    };
    walk(join(root, 'src'));
    const offenders = files
      .filter((f) => !f.endsWith(join('src', 'server', 'policy.ts')))
      .filter((f) => /\brole\s*[!=]==/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
