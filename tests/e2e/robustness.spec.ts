// No route answers 5xx to anything a browser or a script can send: every route on disk,
// with junk parameters, hostile query strings, odd bodies and unexpected methods.
import { expect, routesOnDisk, test } from './fixtures.ts';

const junkParams = ['1', '0', 'abc', '%00', '99999999999999999999', '-1', '1-%C0%AF', 'x'.repeat(300)];
const queries = ['', '?q=%00', `?q=${'x'.repeat(3000)}`, '?page=1e9', '?commune=%E9', '?territoire[]=32', '?type=logement&type=tiers-lieu', '?token=%FF', `?token=${'a'.repeat(300)}`, '?retour=//evil.example', '?prix_min=5&prix_max=1', '?lang=zz'];
const bodies: Array<[string, string]> = [
  ['application/x-www-form-urlencoded', ''],
  ['application/x-www-form-urlencoded', 'email=&password=&token=x&territories=32&territories=99&role=platform_admin'],
  ['application/x-www-form-urlencoded', `email=${'a'.repeat(5000)}@x.fr&name=%00`],
  ['application/x-www-form-urlencoded', '%%%'],
  ['multipart/form-data; boundary=zz', '--zz\r\nbroken'],
  ['application/json', '{"email": 1}'],
  ['text/plain', 'hello'],
];

test('no route answers 5xx to malformed requests', async ({ request, portal }) => {
  test.setTimeout(120_000);
  const failures: string[] = [];
  const check = (what: string, status: number) => {
    if (status >= 500) failures.push(`${what} → ${status}`);
  };
  for (const route of routesOnDisk()) {
    const urls = junkParams.map((j) => route.replace(/\[[^\]]+\]/g, j)).filter((u, i, a) => a.indexOf(u) === i);
    for (const url of urls) {
      for (const q of queries) check(`GET ${url}${q.slice(0, 30)}`, (await request.get(url + q, { maxRedirects: 0 })).status());
      for (const [type, body] of bodies) {
        const res = await request.post(url, { data: body, headers: { 'Content-Type': type, Origin: portal.url }, maxRedirects: 0 });
        check(`POST ${url} [${type}] ${body.slice(0, 20)}`, res.status());
      }
      for (const method of ['PUT', 'DELETE', 'PATCH']) check(`${method} ${url}`, (await request.fetch(url, { method, headers: { Origin: portal.url }, maxRedirects: 0 })).status());
    }
  }
  expect(failures).toEqual([]);
});
