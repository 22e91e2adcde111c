// Crashes with proof: the built portal, under concurrent writes from several clients, is
// killed with SIGKILL at random moments and started again; every write it acknowledged
// (2xx or 303) is in the database, nothing is half-written, and SQLite finds the file sound.
// `npm test` kills it 3 times; `npm run test:faults` (FAULTS=long) at least 30 times.
// Durability rests on WAL with `synchronous = FULL` (decision 014, checked in database.test.ts).
import type { Client } from '@libsql/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, prng } from './faults-kit.ts';
import { expect, sqlClient, startPortal, test, withFreshCode } from './fixtures.ts';

const long = process.env.FAULTS === 'long';
const KILLS = long ? 30 : 3;

const acknowledged = (res: Response) => (res.status >= 200 && res.status < 300) || res.status === 303;

interface Writes {
  enquiries: string[];
  notes: string[];
  familyMessages: string[];
  agentMessages: string[];
  /** Stage moves of the moving file that were acknowledged. */
  moves: number;
  /** The draft's title: the last acknowledged and the one in flight when the portal died. */
  title: { acked: string; inFlight: string | null };
}

const one = async (sql: Client, query: string, args: Array<string | number> = []) =>
  (await sql.execute({ sql: query, args })).rows[0]!;

test('killed with SIGKILL under concurrent writes, the portal keeps every acknowledged write', async () => {
  test.setTimeout((long ? 60 : 8) * 60_000);
  const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const dir = await mkdtemp(join(tmpdir(), 'cc-crash-'));
  const dbPath = join(dir, 'portal.db');
  let portal = await startPortal(dbPath);
  const writes: Writes = {
    enquiries: [],
    notes: [],
    familyMessages: [],
    agentMessages: [],
    moves: 0,
    title: { acked: '', inFlight: null },
  };
  try {
    const agent = new Browser(portal.url);
    const family = new Browser(portal.url);
    expect(
      (await agent.post('/connexion', { email: 'agent.gers@demo.test', password: 'demo-password-2026' })).status,
    ).toBe(303);
    // Staff pass a second step: a code of the demo key (decision 015).
    await withFreshCode(
      portal.url,
      'agent.gers@demo.test',
      async (otp) => (await agent.post('/connexion/verification', { otp })).status === 303,
    );
    expect(
      (await family.post('/connexion', { email: 'famille@demo.test', password: 'demo-password-2026' })).status,
    ).toBe(303);
    // The file whose stage moves back and forth, and the draft whose title changes.
    const anonymous = new Browser(portal.url);
    const movingEmail = `crash.moving.${seed}@exemple.fr`;
    expect(
      (
        await anonymous.post('/projet', {
          name: 'Famille Crash',
          email: movingEmail,
          adults: '2',
          wishedTerritories: '32',
          consent: 'yes',
        })
      ).status,
    ).toBe(200);
    let sql = sqlClient(portal.dbUrl);
    const moving = await one(sql, 'SELECT id, public_id FROM candidates WHERE email = ?', [movingEmail]);
    const filePath = `/agent/candidats/${moving.public_id}`;
    const created = await agent.post('/agent/offres/nouvelle?type=logement', {
      title: 'Brouillon crash',
      commune: '32013',
    });
    expect(created.status).toBe(303);
    const draftId = Number(/\/agent\/offres\/(\d+)/.exec(created.headers.get('location') ?? '')![1]);
    writes.title.acked = 'Brouillon crash';
    const history0 = Number(
      (await one(sql, 'SELECT count(*) AS n FROM stage_history WHERE candidate_id = ?', [Number(moving.id)])).n,
    );
    sql.close();

    for (let round = 1; round <= KILLS; round++) {
      const base = portal.url;
      for (const c of [agent, family, anonymous]) c.base = base;
      let stop = false;
      let acks = 0;
      const target = 3 + Math.floor(random() * 25);
      let reached!: () => void;
      const enough = new Promise<void>((r) => (reached = r));
      const ack = () => {
        if (++acks === target) reached();
      };
      /** Runs `step` until the portal dies; a refused connection ends the client. */
      const loop = async (step: (n: number) => Promise<void>) => {
        for (let n = 0; !stop; n++) {
          try {
            await step(n);
          } catch {
            return; // the portal was killed mid-request: nothing acknowledged
          }
        }
      };
      const mark = (what: string, n: number) => `${what} ${seed}-${round}-${n}`;
      const clients = [
        loop(async (n) => {
          const name = mark('Famille', n);
          const res = await anonymous.post('/projet', {
            name,
            email: `crash.${seed}.${round}.${n}@exemple.fr`,
            adults: '1',
            wishedTerritories: '32',
            consent: 'yes',
          });
          if (acknowledged(res)) (writes.enquiries.push(name), ack());
        }),
        loop(async (n) => {
          const note = mark('Note', n);
          if (acknowledged(await agent.post(filePath, { intent: 'note', note }))) (writes.notes.push(note), ack());
        }),
        loop(async (n) => {
          const body = mark('Message de l’agent', n);
          if (acknowledged(await agent.post(filePath, { intent: 'message', body })))
            (writes.agentMessages.push(body), ack());
        }),
        loop(async (n) => {
          const body = mark('Message de la famille', n);
          if (acknowledged(await family.post('/compte', { intent: 'message', body })))
            (writes.familyMessages.push(body), ack());
        }),
        loop(async () => {
          // The version is read as the page drew it; a move over a newer one is a conflict (409).
          const db = sqlClient(`file:${dbPath}`);
          const row = await one(db, 'SELECT stage, version FROM candidates WHERE id = ?', [Number(moving.id)]);
          db.close();
          const to = row.stage === 'enquiry' ? 'qualified' : 'enquiry';
          if (acknowledged(await agent.post(filePath, { to, version: String(row.version) }))) (writes.moves++, ack());
        }),
        loop(async (n) => {
          const title = mark('Titre', n);
          writes.title.inFlight = title;
          const res = await agent.post(`/agent/offres/${draftId}`, { intent: 'save', title, commune: '32013' });
          if (acknowledged(res)) ((writes.title.acked = title), ack());
          writes.title.inFlight = null;
        }),
      ];
      await enough;
      // A random moment among the writes in flight.
      await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
      const died = new Promise((r) => portal.process.once('exit', r));
      portal.process.kill('SIGKILL');
      await died;
      stop = true;
      await Promise.all(clients);

      portal = await startPortal(dbPath);
      sql = sqlClient(portal.dbUrl);
      const context = `seed ${seed}, round ${round}`;
      expect((await one(sql, 'PRAGMA integrity_check')).integrity_check, context).toBe('ok');
      expect((await sql.execute('PRAGMA foreign_key_check')).rows, context).toEqual([]);
      await sql.execute("INSERT INTO offers_fts(offers_fts) VALUES ('integrity-check')");
      const has = async (query: string, value: string) =>
        Number((await one(sql, query, [value])).n) > 0 || `${value} missing`;
      for (const name of writes.enquiries) {
        // An enquiry is whole: the file, its first stage and the family's confirmation email.
        const file = await one(
          sql,
          `SELECT (SELECT count(*) FROM stage_history h WHERE h.candidate_id = c.id) AS stages,
                  (SELECT count(*) FROM outbox o WHERE o.candidate_id = c.id AND o."to" = c.email) AS mails, count(*) AS n
           FROM candidates c WHERE c.name = ?`,
          [name],
        );
        expect([Number(file.n), Number(file.stages), Number(file.mails)], `${context}: ${name}`).toEqual([1, 1, 1]);
      }
      for (const note of writes.notes)
        expect(await has("SELECT count(*) AS n FROM candidate_events WHERE data ->> 'text' = ?", note), context).toBe(
          true,
        );
      for (const body of [...writes.agentMessages, ...writes.familyMessages])
        expect(await has('SELECT count(*) AS n FROM messages WHERE body = ?', body), context).toBe(true);
      // No file is half-written: each has its stages, and its stage is its open stay's.
      expect(
        (
          await sql.execute(`SELECT c.id FROM candidates c WHERE c.merged_into_id IS NULL AND c.stage <> coalesce(
             (SELECT h.stage FROM stage_history h WHERE h.candidate_id = c.id AND h.left_at IS NULL), '')`)
        ).rows,
        context,
      ).toEqual([]);
      const history = Number(
        (await one(sql, 'SELECT count(*) AS n FROM stage_history WHERE candidate_id = ?', [Number(moving.id)])).n,
      );
      expect(history, context).toBeGreaterThanOrEqual(history0 + writes.moves);
      const title = String((await one(sql, 'SELECT title FROM offers WHERE id = ?', [draftId])).title);
      expect([writes.title.acked, writes.title.inFlight], context).toContain(title);
      writes.title.acked = title;
      // Enquiries are limited per address: the test's clients all come from 127.0.0.1.
      await sql.execute('DELETE FROM rate_limits');
      sql.close();
    }
    console.log(
      `crash: ${KILLS} kills (seed ${seed}); acknowledged and found: ${writes.enquiries.length} enquiries, ` +
        `${writes.notes.length} notes, ${writes.agentMessages.length + writes.familyMessages.length} messages, ` +
        `${writes.moves} stage moves, offer edits up to "${writes.title.acked}"`,
    );
  } finally {
    portal.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('two server processes on one database file: concurrent writes through both, none lost', async () => {
  test.setTimeout(8 * 60_000);
  const dir = await mkdtemp(join(tmpdir(), 'cc-two-'));
  const dbPath = join(dir, 'portal.db');
  const first = await startPortal(dbPath);
  const second = await startPortal(dbPath);
  try {
    const agents = await Promise.all(
      [first, second].map(async (p) => {
        // The password, then a fresh code (decision 015): both portals share the account's last step.
        return new Browser(p.url).signIn('agent.gers@demo.test');
      }),
    );
    const sql = sqlClient(first.dbUrl);
    const files = (
      await sql.execute(
        "SELECT public_id FROM candidates WHERE territory_code = '32' AND merged_into_id IS NULL AND anonymised_at IS NULL LIMIT 4",
      )
    ).rows.map((r) => String(r.public_id));
    // Both processes write at once, again and again, into the same files.
    const notes = await Promise.all(
      agents.flatMap((agent, a) =>
        files.map(async (file, f) => {
          const written: string[] = [];
          for (let n = 0; n < 15; n++) {
            const note = `Note ${a}-${f}-${n} ${Date.now()}`;
            const res = await agent.post(`/agent/candidats/${file}`, { intent: 'note', note });
            expect(res.status, note).toBe(303);
            written.push(note);
          }
          return written;
        }),
      ),
    );
    for (const note of notes.flat()) {
      const rs = await sql.execute({
        sql: "SELECT count(*) AS n FROM candidate_events WHERE kind = 'note' AND data ->> 'text' = ?",
        args: [note],
      });
      expect(Number(rs.rows[0]!.n), note).toBe(1);
    }
    expect((await one(sql, 'PRAGMA integrity_check')).integrity_check).toBe('ok');
    sql.close();
  } finally {
    for (const p of [first, second]) p.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
