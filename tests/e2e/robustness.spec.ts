// No route answers 5xx to anything a browser or a script can send: every route on disk,
// with junk parameters, hostile query strings, odd bodies and unexpected methods.
import { apiAs, expect, routesOnDisk, test } from './fixtures.ts';

const junkParams = ['1', '0', 'abc', '%00', '99999999999999999999', '-1', '1-%C0%AF', 'x'.repeat(300)];
const queries = [
  '',
  '?q=%00',
  `?q=${'x'.repeat(3000)}`,
  '?page=1e9',
  '?commune=%E9',
  '?territoire[]=32',
  '?type=logement&type=tiers-lieu',
  '?token=%FF',
  `?token=${'a'.repeat(300)}`,
  '?retour=//evil.example',
  '?prix_min=5&prix_max=1',
  '?lang=zz',
];
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
  test.slow();
  const failures: string[] = [];
  const check = (what: string, status: number) => {
    if (status >= 500) failures.push(`${what} → ${status}`);
  };
  for (const route of routesOnDisk()) {
    const urls = junkParams.map((j) => route.replace(/\[[^\]]+\]/g, j)).filter((u, i, a) => a.indexOf(u) === i);
    for (const url of urls) {
      for (const q of queries)
        check(`GET ${url}${q.slice(0, 30)}`, (await request.get(url + q, { maxRedirects: 0 })).status());
      for (const [type, body] of bodies) {
        const res = await request.post(url, {
          data: body,
          headers: { 'Content-Type': type, Origin: portal.url },
          maxRedirects: 0,
        });
        check(`POST ${url} [${type}] ${body.slice(0, 20)}`, res.status());
      }
      for (const method of ['PUT', 'DELETE', 'PATCH'])
        check(
          `${method} ${url}`,
          (await request.fetch(url, { method, headers: { Origin: portal.url }, maxRedirects: 0 })).status(),
        );
    }
  }
  expect(failures).toEqual([]);
});

test('no form of the pipeline answers 5xx to junk, signed in as the people who use them', async ({
  playwright,
  portal,
}) => {
  test.slow();
  const failures: string[] = [];
  const email = `fuzz.${Date.now()}@exemple.fr`;
  const anonymous = await playwright.request.newContext({ baseURL: portal.url });
  const filed = await anonymous.post('/projet', {
    form: { name: 'Famille Fuzz', email, adults: '2', wishedTerritories: '32', consent: 'yes' },
    headers: { Origin: portal.url },
  });
  expect(filed.status()).toBe(200);
  const publicId = String(
    (await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] })).rows[0]!
      .public_id,
  );
  // Signed in through the real forms (staff pass their second step).
  const as = (who: string) => apiAs(portal, who);
  const junk = ['', '0', '-1', 'abc', '99999999999999999999', '2026-02-30', 'x'.repeat(6000), '%00', '32', '50'];
  const fields = [
    'to',
    'version',
    'task',
    'outcome',
    'title',
    'dueDate',
    'assigneeId',
    'startDate',
    'endDate',
    'places',
    'hosts',
    'body',
    'other',
    'territory',
    'consent',
    'agent',
    'note',
    'offers',
    'proposal',
    'answer',
    'comment',
    'confirm',
    'settledCommune',
    'settledAt',
    'settledHouseholdSize',
    'withdrawalReason',
  ];
  const targets: Array<[string, string, string[]]> = [
    [
      'agent.gers@demo.test',
      `/agent/candidats/${publicId}`,
      [
        '',
        'note',
        'assign',
        'follow-up',
        'task',
        'task-done',
        'stay',
        'message',
        'duplicate',
        'not-duplicate',
        'merge',
        'nope',
      ],
    ],
    ['agent.manche@demo.test', `/agent/candidats/${publicId}`, ['', 'note', 'message', 'territory']],
    ['agent.gers@demo.test', `/agent/candidats/${publicId}/proposer`, ['']],
    ['famille@demo.test', '/compte', ['', 'answer', 'message', 'nope']],
  ];
  for (const [who, url, intents] of targets) {
    const ctx = await as(who);
    for (const intent of intents) {
      for (const value of junk) {
        const form: Record<string, string> = Object.fromEntries(fields.map((f) => [f, value]));
        if (intent) form.intent = intent;
        const res = await ctx.post(url, { form, headers: { Origin: portal.url } });
        if (res.status() >= 500)
          failures.push(`${who} POST ${url} intent=${intent} value=${value.slice(0, 12)} → ${res.status()}`);
      }
    }
    await ctx.dispose();
  }
  // Last, so that the file stays for the others: moving it away, twice.
  const gers = await as('agent.gers@demo.test');
  for (const value of ['50', '50']) {
    const res = await gers.post(`/agent/candidats/${publicId}`, {
      form: { intent: 'territory', territory: value, consent: 'yes' },
      headers: { Origin: portal.url },
    });
    if (res.status() >= 500) failures.push(`territory move → ${res.status()}`);
  }
  await gers.dispose();
  await anonymous.dispose();
  expect(failures).toEqual([]);
});
