// Every email about a file is on its timeline (the enquiry confirmation too), and an email
// the provider never took is listed there and in /admin/emails, for the staff who see the
// file, with "send again".
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { candidateEvents, candidates, outbox } from '../../db/schema/index.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { getCandidateFile } from '../../src/server/candidates/queries.ts';
import { listUndelivered, resendEmail } from '../../src/server/mail/undelivered.ts';
import { NotFound } from '../../src/server/errors.ts';
import { seededWith } from '../helpers/db.ts';

const clock = { now: () => new Date('2026-12-05T10:00:00Z') };

describe('emails about a file', () => {
  it('the enquiry confirmation is on the timeline; an undelivered email shows there and is sent again', async () => {
    const {
      db,
      people: [agentGers, agentManche, adminGers, platform],
    } = await seededWith(
      'agent.gers@demo.test',
      'agent.manche@demo.test',
      'direction.gers@demo.test',
      'admin@demo.test',
    );
    const email = `durand.${Date.now()}@exemple.fr`;
    const { publicId } = await createEnquiry(
      { db, clock, siteUrl: 'https://cc.test' },
      { name: 'Famille Durand', email, adults: '2', wishedTerritories: '32', consent: 'yes', locale: 'fr' },
      '9.9.9.9',
    );
    const [file] = await db.select().from(candidates).where(eq(candidates.publicId, publicId));
    const events = await db.select().from(candidateEvents).where(eq(candidateEvents.candidateId, file!.id));
    const sent = events.find((e) => e.kind === 'email');
    expect(sent?.data).toMatchObject({ template: 'enquiry_received', to: 'family', outboxId: expect.any(Number) });
    const mails = await db.select().from(outbox).where(eq(outbox.candidateId, file!.id));
    // The family's confirmation and the territory's staff: every one names the file.
    expect(mails.map((m) => m.template).sort()).toContain('enquiry_received');
    expect(mails.some((m) => m.template === 'new_enquiry')).toBe(true);

    // The provider refused the confirmation: it shows on the file, for its territory's staff.
    const confirmation = mails.find((m) => m.template === 'enquiry_received')!;
    await db
      .update(outbox)
      .set({ status: 'failed', attempts: 9, lastError: '500 internal_server_error: down' })
      .where(eq(outbox.id, confirmation.id));
    const seen = await getCandidateFile(db, agentGers!, publicId);
    expect(seen.undelivered).toMatchObject([
      { id: confirmation.id, to: email, lastError: expect.stringContaining('500') },
    ]);
    expect((await listUndelivered(db, adminGers!)).map((m) => m.id)).toContain(confirmation.id);
    expect((await listUndelivered(db, platform!)).map((m) => m.id)).toContain(confirmation.id);
    // Another territory neither sees nor sends it.
    expect((await listUndelivered(db, agentManche!)).map((m) => m.id)).not.toContain(confirmation.id);
    await expect(resendEmail(db, clock, agentManche!, confirmation.id)).rejects.toBeInstanceOf(NotFound);
    // An email about no file (an account's) is the platform admin's alone.
    const [account] = await db
      .insert(outbox)
      .values({
        idempotencyKey: 'cc-account-1',
        to: 'x@exemple.fr',
        subject: 'Compte',
        html: '',
        text: '',
        template: 'verify_email',
        locale: 'fr',
        status: 'failed',
        createdAt: clock.now().toISOString(),
      })
      .returning();
    expect((await listUndelivered(db, adminGers!)).map((m) => m.id)).not.toContain(account!.id);
    expect((await listUndelivered(db, platform!)).map((m) => m.id)).toContain(account!.id);

    // Sent again: pending from now, the same key, off the list.
    await resendEmail(db, clock, agentGers!, confirmation.id, file!.id);
    const [again] = await db.select().from(outbox).where(eq(outbox.id, confirmation.id));
    expect(again).toMatchObject({
      status: 'pending',
      attempts: 0,
      idempotencyKey: confirmation.idempotencyKey,
      createdAt: clock.now().toISOString(),
    });
    expect((await getCandidateFile(db, agentGers!, publicId)).undelivered).toEqual([]);
    // Not failed any more: a second "send again" finds nothing.
    await expect(resendEmail(db, clock, agentGers!, confirmation.id, file!.id)).rejects.toBeInstanceOf(NotFound);
  });
});
