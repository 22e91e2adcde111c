// The email outbox: messages are written in the same transaction as the change that
// causes them; the dispatcher (src/server/mail/dispatcher.ts) sends them through Resend.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { autoId, createdAt } from './columns.ts';
import { candidates } from './candidates.ts';

export const outboxStatuses = ['pending', 'sending', 'sent', 'failed'] as const;

export const outbox = sqliteTable(
  'outbox',
  {
    id: autoId(),
    /** Sent to Resend as Idempotency-Key: a retry after a crash is never a second email. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    status: text('status', { enum: outboxStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch ms before which the dispatcher leaves the message alone (backoff, Retry-After). */
    nextAttemptAt: integer('next_attempt_at').notNull().default(0),
    /** Epoch ms until which a dispatcher holds the message it is sending. */
    lockedUntil: integer('locked_until'),
    lastError: text('last_error'),
    providerId: text('provider_id'),
    /** The file an email is about (its timeline shows when it could not be delivered). */
    candidateId: integer('candidate_id').references(() => candidates.id, { onDelete: 'set null' }),
    sentAt: text('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_candidate_idx').on(t.candidateId),
    // An erasure forgets the emails sent to an address (forgetMail): found, not scanned.
    index('outbox_to_idx').on(t.to),
    // The daily retention (pruneOutbox): sent emails whose text is still kept, old rows.
    index('outbox_texts_idx')
      .on(t.sentAt)
      .where(sql`${t.status} = 'sent' AND ${t.text} <> ''`),
    index('outbox_created_idx').on(t.createdAt),
  ],
);
