// Sends the outbox through Resend. Safe with several server processes: a message is claimed
// by one atomic UPDATE (status 'sending' with a lock deadline) before it is sent; a crash
// leaves it to be claimed again when the lock expires, and Resend's idempotency key makes
// that second send a no-op. Retries 429, 5xx, network errors and timeouts with capped
// exponential backoff, honouring Retry-After, for RETRY_FOR_MS after the message was written:
// a provider outage of hours loses nothing. Only then, or on a refusal (4xx), is it `failed`,
// shown on the file's timeline and in /admin/emails, where staff can send it again.
import { eq, sql } from 'drizzle-orm';
import { Resend } from 'resend';
import type { Db } from '../../../db/client.ts';
import { outbox } from '../../../db/schema/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import { startPeriodic } from '../periodic.ts';
import { HOUR_MS } from '../../lib/time.ts';

/** How long a message is retried before it is given up as failed. */
export const RETRY_FOR_MS = 72 * HOUR_MS;
/** The longest wait between two attempts (backoff), and the longest Retry-After honoured. */
export const MAX_BACKOFF_MS = HOUR_MS;
const MAX_RETRY_AFTER_MS = 6 * HOUR_MS;
/** A send that has not answered by then is a failed attempt (the provider hangs). */
const SEND_TIMEOUT_MS = 30_000;
const LOCK_MS = 60_000;
const BATCH = 10;

export interface DispatcherOptions {
  apiKey: string;
  from: string;
  baseUrl?: string;
  clock?: Clock;
  /** Backoff base in ms: attempt n waits base × 2^(n-1), at most MAX_BACKOFF_MS. */
  backoffMs?: number;
  /** How long one send may take before it counts as failed. */
  timeoutMs?: number;
}

type Claimed = typeof outbox.$inferSelect;

export function createDispatcher(db: Db, options: DispatcherOptions) {
  const clock = options.clock ?? systemClock;
  const backoffMs = options.backoffMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);

  async function claim(): Promise<Claimed[]> {
    const now = clock.now().getTime();
    return db.all<Claimed>(sql`
      UPDATE outbox SET status = 'sending', locked_until = ${now + LOCK_MS}, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM outbox
        WHERE (status = 'pending' AND next_attempt_at <= ${now}) OR (status = 'sending' AND locked_until < ${now})
        ORDER BY id LIMIT ${BATCH}
      )
      RETURNING id, idempotency_key AS idempotencyKey, "to", subject, html, text, attempts, created_at AS createdAt`);
  }

  async function sendOne(message: Claimed): Promise<'sent' | 'retry' | 'failed'> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const sent = await Promise.race([
      resend.emails.send(
        { from: options.from, to: [message.to], subject: message.subject, html: message.html, text: message.text },
        { idempotencyKey: message.idempotencyKey },
      ),
      timedOut,
    ]).finally(() => clearTimeout(timer));
    // A hung send counts as a network failure; if it lands later, the same key makes the retry a no-op.
    const { data, error, headers } = sent ?? {
      data: null,
      error: { statusCode: null, name: 'timeout', message: `no answer within ${timeoutMs} ms` },
      headers: null,
    };
    const now = clock.now();
    if (!error) {
      await db
        .update(outbox)
        .set({
          status: 'sent',
          sentAt: now.toISOString(),
          providerId: data?.id ?? null,
          lockedUntil: null,
          lastError: null,
        })
        .where(eq(outbox.id, message.id));
      return 'sent';
    }
    const status = error.statusCode;
    const retryable = status === null || status === 429 || status >= 500;
    const expired = now.getTime() - Date.parse(message.createdAt) >= RETRY_FOR_MS;
    if (!retryable || expired) {
      await db
        .update(outbox)
        .set({
          status: 'failed',
          lockedUntil: null,
          lastError: `${status ?? 'network'} ${error.name}: ${error.message}`.slice(0, 500),
        })
        .where(eq(outbox.id, message.id));
      return 'failed';
    }
    const retryAfterS = Number(headers?.['retry-after']);
    const wait = Math.max(
      Math.min(backoffMs * 2 ** Math.min(message.attempts - 1, 30), MAX_BACKOFF_MS),
      Number.isFinite(retryAfterS) ? Math.min(retryAfterS * 1000, MAX_RETRY_AFTER_MS) : 0,
    );
    await db
      .update(outbox)
      .set({
        status: 'pending',
        nextAttemptAt: now.getTime() + wait,
        lockedUntil: null,
        lastError: `${status ?? 'network'} ${error.name}: ${error.message}`.slice(0, 500),
      })
      .where(eq(outbox.id, message.id));
    return 'retry';
  }

  /** One pass: claims the due messages and sends them. Returns what happened. */
  async function dispatchOnce(): Promise<{ sent: number; retried: number; failed: number }> {
    const result = { sent: 0, retried: 0, failed: 0 };
    for (const message of await claim()) {
      const outcome = await sendOne(message);
      if (outcome === 'sent') result.sent++;
      else if (outcome === 'retry') result.retried++;
      else result.failed++;
    }
    return result;
  }

  /** Runs passes every `intervalMs` until stopped. */
  function start(intervalMs = 2000): { stop: () => void } {
    return startPeriodic('mail', intervalMs, async () => {
      const r = await dispatchOnce();
      return r.sent + r.retried + r.failed > 0 ? `${r.sent} sent, ${r.retried} to retry, ${r.failed} failed` : null;
    });
  }

  return { dispatchOnce, start };
}
