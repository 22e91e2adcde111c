import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { outbox } from '../../db/schema/index.ts';
import type { Clock } from '../../src/server/clock.ts';
import { createDispatcher, MAX_ATTEMPTS } from '../../src/server/mail/dispatcher.ts';
import { enqueueMail } from '../../src/server/mail/outbox.ts';
import { renderMail } from '../../src/server/mail/templates.ts';
import { testDb } from '../helpers/db.ts';
import { startRecorder, type ScriptedResponse } from '../helpers/resend-recorder.ts';

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

  it('gives up after a storm of 500s, with growing backoff', async () => {
    const { db, recorder, time, dispatcher } = await setup(() => ({ status: 500 }));
    const waits: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await dispatcher.dispatchOnce();
      const [row] = await db.select().from(outbox);
      if (row!.status === 'failed') break;
      waits.push(row!.nextAttemptAt - time.clock.now().getTime());
      time.advance(row!.nextAttemptAt - time.clock.now().getTime());
    }
    const [row] = await db.select().from(outbox);
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(row!.lastError).toContain('500');
    expect(recorder.requests).toHaveLength(MAX_ATTEMPTS);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000]);
    time.advance(24 * 3600_000);
    expect(await dispatcher.dispatchOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
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
});
