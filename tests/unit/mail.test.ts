import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { outbox } from '../../db/schema/index.ts';
import type { Clock } from '../../src/server/clock.ts';
import { createDispatcher, MAX_BACKOFF_MS, RETRY_FOR_MS } from '../../src/server/mail/dispatcher.ts';
import { enqueueMail } from '../../src/server/mail/outbox.ts';
import { renderMail } from '../../src/server/mail/templates.ts';
import { testDb } from '../helpers/db.ts';
import { startRecorder, type ScriptedResponse } from '../helpers/resend-recorder.ts';
import { runJobsTogether } from '../helpers/children.ts';

const clockAt = (ms: number) => {
  let now = ms;
  return { clock: { now: () => new Date(now) } satisfies Clock, advance: (d: number) => (now += d) };
};

async function setup(script: (n: number) => ScriptedResponse) {
  const { db } = await testDb('empty');
  const { applyMigrations } = await import('../../db/migrate.ts');
  await applyMigrations(db);
  const recorder = await startRecorder(script);
  onTestFinished(() => recorder.close());
  const time = clockAt(Date.UTC(2026, 10, 23, 10));
  const dispatcher = createDispatcher(db, {
    apiKey: 're_test_key',
    from: 'Campagne Connectée <bonjour@cc.test>',
    baseUrl: recorder.url,
    clock: time.clock,
    backoffMs: 1000,
  });
  await enqueueMail(db, time.clock, {
    to: 'famille@exemple.fr',
    template: 'verify_email',
    locale: 'fr',
    params: { name: 'Ana', url: 'https://cc.test/inscription/confirmer?token=abc' },
  });
  return { db, recorder, time, dispatcher };
}

describe('templates', () => {
  it('render French and English, HTML and text, with every value escaped in HTML', () => {
    const fr = renderMail('verify_email', 'fr', {
      name: '<script>alert(1)</script>',
      url: 'https://cc.test/x?token="a"',
    });
    expect(fr.subject).toBe('Confirmez votre adresse email');
    expect(fr.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(fr.html).not.toContain('<script>');
    expect(fr.html).toContain('href="https://cc.test/x?token=&quot;a&quot;"');
    expect(fr.text).toContain('Bonjour <script>alert(1)</script>,');
    expect(fr.text).toContain('https://cc.test/x?token="a"');
    const en = renderMail('reset_password', 'en', { name: 'Ana', url: 'https://cc.test/r' });
    expect(en.subject).toBe('Choose a new password');
    expect(en.html).toContain('lang="en"');
  });
});

describe('dispatcher', () => {
  it('sends through the real Resend SDK the exact request, once', async () => {
    const { db, recorder, dispatcher } = await setup(() => ({ status: 200 }));
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(recorder.requests).toHaveLength(1);
    const [req] = recorder.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/emails' });
    expect(req!.headers.authorization).toBe('Bearer re_test_key');
    expect(req!.headers['idempotency-key']).toMatch(/^cc-[0-9a-f-]{36}$/);
    expect(req!.body).toMatchObject({
      from: 'Campagne Connectée <bonjour@cc.test>',
      to: ['famille@exemple.fr'],
      subject: 'Confirmez votre adresse email',
    });
    expect((req!.body as { text: string }).text).toContain('https://cc.test/inscription/confirmer?token=abc');
    const [row] = await db.select().from(outbox);
    expect(row).toMatchObject({ status: 'sent', providerId: 'email-1', attempts: 1 });
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(recorder.requests).toHaveLength(1);
  });

  it('retries a 429 after its Retry-After, with the same idempotency key', async () => {
    const { db, recorder, time, dispatcher } = await setup((n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '30' } } : { status: 200 },
    );
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    const [waiting] = await db.select().from(outbox);
    expect(waiting!.status).toBe('pending');
    expect(waiting!.nextAttemptAt - time.clock.now().getTime()).toBe(30_000);
    time.advance(29_000);
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    time.advance(1_000);
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(recorder.requests).toHaveLength(2);
    expect(recorder.requests[1]!.headers['idempotency-key']).toBe(recorder.requests[0]!.headers['idempotency-key']);
  });

  it('retries a storm of 500s with capped growing backoff for 72 hours, then gives up', async () => {
    const { db, recorder, time, dispatcher } = await setup(() => ({ status: 500 }));
    const written = time.clock.now().getTime();
    const waits: number[] = [];
    for (;;) {
      await dispatcher.dispatchOnce();
      const [row] = await db.select().from(outbox);
      if (row!.status === 'failed') break;
      waits.push(row!.nextAttemptAt - time.clock.now().getTime());
      time.advance(row!.nextAttemptAt - time.clock.now().getTime());
    }
    const [row] = await db.select().from(outbox);
    expect(row!.lastError).toContain('500');
    // Doubling from 1 s, then an attempt an hour until 72 hours have passed.
    expect(waits.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(Math.max(...waits)).toBe(MAX_BACKOFF_MS);
    expect(time.clock.now().getTime() - written).toBeGreaterThanOrEqual(RETRY_FOR_MS);
    expect(time.clock.now().getTime() - written).toBeLessThan(RETRY_FOR_MS + MAX_BACKOFF_MS + 1);
    expect(recorder.requests).toHaveLength(row!.attempts);
    expect(new Set(recorder.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    time.advance(24 * 3600_000);
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  it('loses nothing in a 5-minute outage of 429s, 500s and timeouts: every email delivered exactly once', async () => {
    const { db } = await testDb('empty');
    const { applyMigrations } = await import('../../db/migrate.ts');
    await applyMigrations(db);
    const time = clockAt(Date.UTC(2026, 10, 23, 10));
    const outageEnds = time.clock.now().getTime() + 5 * 60_000;
    const delivered = new Map<string, number>();
    // Down for five minutes (of the injected clock): 429 with Retry-After, 500, or no answer; then up.
    const recorder = await startRecorder((n, req) => {
      if (time.clock.now().getTime() < outageEnds) {
        if (n % 3 === 0) return { status: 429, headers: { 'Retry-After': '20' } };
        if (n % 3 === 1) return { status: 500 };
        return { status: 200, hang: true };
      }
      // As Resend does, a key already delivered answers again without a second email: a send
      // that timed out on our side (50 ms on a busy machine) but arrived is not sent twice.
      const key = String(req.headers['idempotency-key']);
      delivered.set(key, 1);
      return { status: 200 };
    });
    onTestFinished(() => recorder.close());
    const dispatcher = createDispatcher(db, {
      apiKey: 're_test_key',
      from: 'Campagne Connectée <bonjour@cc.test>',
      baseUrl: recorder.url,
      clock: time.clock,
      backoffMs: 2000,
      timeoutMs: 50,
    });
    for (let i = 0; i < 53; i++)
      await enqueueMail(db, time.clock, {
        to: `famille${i}@exemple.fr`,
        template: 'verify_email',
        locale: 'fr',
        params: { name: `Famille ${i}`, url: 'https://cc.test/x' },
      });
    // Passes as the in-process loop runs them, the clock jumping to the next message due.
    for (let pass = 0; pass < 500; pass++) {
      await dispatcher.dispatchOnce();
      const [next] = await db.all<{ due: number | null; left: number }>(
        sql`SELECT min(next_attempt_at) AS due, count(*) AS left FROM outbox WHERE status <> 'sent'`,
      );
      if (!next!.left) break;
      time.advance(Math.max(1000, next!.due! - time.clock.now().getTime()));
    }
    const rows = await db.select().from(outbox);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    // Every email delivered, and every attempt of it — before, during and after the outage —
    // under the one key it was written with: the provider sends it once.
    expect(delivered.size).toBe(53);
    for (const r of rows) expect(delivered.get(r.idempotencyKey)).toBe(1);
    expect(new Set(recorder.requests.map((r) => String(r.headers['idempotency-key'])))).toEqual(
      new Set(rows.map((r) => r.idempotencyKey)),
    );
    // The outage was real: each message was attempted more than once, with the same key.
    const keysOf = new Map<string, number>();
    for (const req of recorder.requests) {
      const k = String(req.headers['idempotency-key']);
      keysOf.set(k, (keysOf.get(k) ?? 0) + 1);
    }
    expect([...keysOf.values()].every((n) => n >= 2)).toBe(true);
    expect(recorder.requests.some((r) => r.headers['idempotency-key'] === undefined)).toBe(false);
  });

  it('does not retry a refused message (4xx other than 429)', async () => {
    const { db, dispatcher } = await setup(() => ({
      status: 422,
      body: { statusCode: 422, name: 'validation_error', message: 'bad to' },
    }));
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect((await db.select().from(outbox))[0]!.status).toBe('failed');
  });

  it('retries after a network failure', async () => {
    const { db, recorder, time, dispatcher } = await setup(() => ({ status: 200 }));
    await recorder.close();
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect((await db.select().from(outbox))[0]!.lastError).toContain('network');
    time.advance(5_000);
  });

  it('never sends twice: a second dispatcher cannot claim a message being sent, and a crashed send is resumed with the same key', async () => {
    const { db, recorder, time, dispatcher } = await setup(() => ({ status: 200 }));
    // A dispatcher crashed after claiming the message: it stays "sending" with a lock.
    await db.update(outbox).set({ status: 'sending', lockedUntil: time.clock.now().getTime() + 60_000, attempts: 1 });
    const other = createDispatcher(db, { apiKey: 'k', from: 'x@cc.test', baseUrl: recorder.url, clock: time.clock });
    expect(await other.dispatchOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    time.advance(61_000);
    const [first, second] = await Promise.all([dispatcher.dispatchOnce(), other.dispatchOnce()]);
    expect(first.sent + second.sent).toBe(1);
    expect(recorder.requests).toHaveLength(1);
    const [row] = await db.select().from(outbox).where(eq(outbox.status, 'sent'));
    expect(row!.attempts).toBe(2);
  });

  it('two dispatcher processes on one database file deliver every email exactly once', async () => {
    const { db, path } = await testDb('empty');
    const { applyMigrations } = await import('../../db/migrate.ts');
    await applyMigrations(db);
    const delivered = new Map<string, number>();
    const recorder = await startRecorder((_, req) => {
      const key = String(req.headers['idempotency-key']);
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      return { status: 200 };
    });
    onTestFinished(() => recorder.close());
    const clock = { now: () => new Date() } satisfies Clock;
    const N = 120;
    for (let i = 0; i < N; i++)
      await enqueueMail(db, clock, {
        to: `famille${i}@exemple.fr`,
        template: 'verify_email',
        locale: 'fr',
        params: { name: `Famille ${i}`, url: 'https://cc.test/x' },
      });
    // Two servers' dispatchers, each its own process and connection, claiming from one outbox.
    const reports = await runJobsTogether<{ sent: number; passes: number }>([
      ['dispatch', `file:${path}`, recorder.url],
      ['dispatch', `file:${path}`, recorder.url],
    ]);
    expect(reports[0]!.sent + reports[1]!.sent).toBe(N);
    const rows = await db.select().from(outbox);
    expect(rows.filter((r) => r.status !== 'sent' || r.attempts !== 1)).toEqual([]);
    expect(recorder.requests).toHaveLength(N);
    expect(delivered.size).toBe(N);
    for (const r of rows) expect(delivered.get(r.idempotencyKey)).toBe(1);
  }, 60_000);
});
