// Owners' proposals, their moderation by the territory's agents, and offers' freshness.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { offerEvents, offers, outbox, territories, users } from '../../db/schema/index.ts';
import { createEnquiry } from '../../src/server/candidates/enquiry.ts';
import { exportFamilyData } from '../../src/server/candidates/family.ts';
import { Conflict, Forbidden, Invalid, NotFound, RateLimited } from '../../src/server/errors.ts';
import { runDigest } from '../../src/server/family/digest.ts';
import { saveSearch } from '../../src/server/family/saved-searches.ts';
import {
  confirmOffer,
  expireUnconfirmed,
  HIDE_DAYS,
  remindOwners,
  STALE_DAYS,
} from '../../src/server/offers/freshness.ts';
import {
  changeOfferStatus,
  getManagedOffer,
  historyOf,
  listManagedOffers,
  managedQueueCounts,
  updateOffer,
} from '../../src/server/offers/manage.ts';
import {
  editOwnOffer,
  getOwnOffer,
  listOwnOffers,
  moderateOffer,
  moderationOf,
  proposeOffer,
  withdrawOwnOffer,
} from '../../src/server/offers/owners.ts';
import { searchOffers } from '../../src/server/offers/queries.ts';
import { DAY_MS } from '../../src/lib/time.ts';
import { actor, seededWith } from '../helpers/db.ts';

let nowMs = Date.parse('2026-12-05T10:00:00Z');
const clock = { now: () => new Date(nowMs) };
const tiersLieu = (over: Record<string, unknown> = {}) => ({
  title: 'La Grange numérique',
  description: 'Douze postes, une salle de réunion, la fibre et un café.',
  commune: '32013',
  address: '3 place du Foirail',
  typology: 'coworking',
  desks: '12',
  priceDay: '15',
  bestTechnology: 'ftth',
  downloadMbps: '1000',
  uploadMbps: '500',
  fibreStatus: 'available',
  mobileCoverage: '4g',
  // An owner cannot say the figures come from an agent: the source is the owner's word.
  connectivitySource: 'agent',
  ...over,
});

async function world() {
  const { db, people } = await seededWith(
    'agent.gers@demo.test',
    'agent.manche@demo.test',
    'famille@demo.test',
    'proprietaire@demo.test',
  );
  const [gers, manche, family, owner] = people;
  await db.insert(users).values({
    email: 'autre.proprio@exemple.fr',
    name: 'Autre propriétaire',
    role: 'owner',
    emailVerifiedAt: '2026-01-01T00:00:00Z',
    createdAt: '2026-01-01T00:00:00Z',
  });
  const other = await actor(db, 'autre.proprio@exemple.fr');
  const ctx = { db, clock, siteUrl: 'https://portail.example' };
  return { db, ctx, gers, manche, family, owner, other };
}

const mailsTo = async (db: Db, to: string, template?: string) =>
  (await db.select().from(outbox).where(eq(outbox.to, to))).filter((m) => !template || m.template === template);
const titlesFound = async (db: Db, q: string) =>
  (await searchOffers(db, { territoire: '32', q })).items.map((o) => o.title);
/** The title the catalogue shows for offer `id` (undefined: not in the catalogue). */
const publicTitle = async (db: Db, id: number) =>
  (await searchOffers(db, { territoire: '32', type: 'tiers-lieu', q: 'Grange' })).items.find((o) => o.id === id)?.title;

describe('owners propose offers, agents moderate them', () => {
  it('an owner proposes in a territory that accepts proposals; it waits in that territory’s queue only', async () => {
    const { db, ctx, gers, manche, family, owner } = await world();
    nowMs = Date.parse('2026-12-05T10:00:00Z');
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    const offer = await getManagedOffer(db, gers, id);
    expect(offer).toMatchObject({
      status: 'pending',
      moderation: 'pending',
      ownerId: owner.id,
      connectivitySource: 'owner',
      territoryCode: '32',
    });
    expect((await historyOf(db, 'offer', id)).rows.map((e) => e.kind)).toEqual(['proposed']);
    expect(await titlesFound(db, 'Grange numérique')).toEqual([]);
    expect((await mailsTo(db, gers.email, 'offer_submitted')).length).toBe(1);
    expect((await managedQueueCounts(db, clock, gers)).moderation).toBeGreaterThanOrEqual(1);
    const queue = await listManagedOffers(db, clock, gers, { queue: 'moderation', q: 'Grange numérique' });
    expect(queue.rows.map((r) => r.id)).toEqual([id]);
    expect((await listManagedOffers(db, clock, manche, { queue: 'moderation', q: 'Grange' })).total).toBe(0);
    await expect(moderateOffer(ctx, manche, id, 'approve', {})).rejects.toBeInstanceOf(NotFound);
    // Only owners propose.
    await expect(proposeOffer(ctx, family, 'tiers_lieu', tiersLieu())).rejects.toBeInstanceOf(Forbidden);
    await expect(proposeOffer(ctx, gers, 'tiers_lieu', tiersLieu())).rejects.toBeInstanceOf(Forbidden);
  });

  it('refuses a territory closed to proposals and an incomplete proposal, storing nothing', async () => {
    const { db, ctx, owner } = await world();
    const before = (await db.select({ id: offers.id }).from(offers)).length;
    const closed = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ commune: '50129' })).catch((e) => e);
    expect(closed).toBeInstanceOf(Invalid);
    expect((closed as Invalid).errors[0]).toMatchObject({ field: 'commune', key: 'errors.offer_territory_closed' });
    const noCommune = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ commune: '' })).catch((e) => e);
    expect((noCommune as Invalid).errors).toContainEqual({ field: 'commune', key: 'errors.commune_required' });
    const incomplete = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ downloadMbps: '' })).catch((e) => e);
    expect((incomplete as Invalid).errors.map((e) => e.field)).toEqual(['downloadMbps']);
    expect((await db.select({ id: offers.id }).from(offers)).length).toBe(before);
    // The Gers closes its door: the next proposal there is refused too.
    await db.update(territories).set({ acceptsOwnerOffers: false }).where(eq(territories.code, '32'));
    await expect(proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu())).rejects.toBeInstanceOf(Invalid);
  });

  it('asking for changes needs a message that the owner gets; the owner edits; approving publishes it', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    const silent = await moderateOffer(ctx, gers, id, 'changes', { note: '  ' }).catch((e) => e);
    expect((silent as Invalid).errors[0]).toMatchObject({ field: 'note', key: 'errors.moderation_note_required' });
    await moderateOffer(ctx, gers, id, 'changes', { note: 'Ajoutez les horaires, s’il vous plaît.' });
    const [asked] = await mailsTo(db, owner.email, 'offer_changes_requested');
    expect(asked?.text).toContain('Ajoutez les horaires');
    expect(asked?.text).toContain(`/compte/offres/${id}`);
    expect((await listOwnOffers(db, clock, owner)).find((o) => o.id === id)).toMatchObject({
      moderation: 'changes_requested',
      note: 'Ajoutez les horaires, s’il vous plaît.',
    });
    // Nothing to decide while the owner has the pen.
    await expect(moderateOffer(ctx, gers, id, 'approve', {})).rejects.toBeInstanceOf(Invalid);
    await editOwnOffer(ctx, owner, id, tiersLieu({ openingHours: 'Lun–ven 9 h–18 h' }));
    expect(await getManagedOffer(db, gers, id)).toMatchObject({ moderation: 'pending', status: 'pending' });
    await moderateOffer(ctx, gers, id, 'approve', {});
    const published = await getManagedOffer(db, gers, id);
    expect(published).toMatchObject({ status: 'published', moderation: null, openingHours: 'Lun–ven 9 h–18 h' });
    expect(published.publishedAt).toBe(clock.now().toISOString());
    expect((await historyOf(db, 'offer', id)).rows.map((e) => e.kind)).toEqual([
      'approved',
      'proposed',
      'changes_requested',
      'proposed',
    ]);
    expect(await titlesFound(db, 'Grange numérique')).toEqual(['La Grange numérique']);
    expect((await mailsTo(db, owner.email, 'offer_approved')).length).toBe(1);
  });

  it('an edit of a published offer waits for moderation while the published version stays online', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    await moderateOffer(ctx, gers, id, 'approve', {});
    await editOwnOffer(ctx, owner, id, tiersLieu({ title: 'La Grange connectée', desks: '20' }));
    expect(await publicTitle(db, id)).toBe('La Grange numérique');
    const offer = await getManagedOffer(db, gers, id);
    expect(offer).toMatchObject({ status: 'published', moderation: 'pending', title: 'La Grange numérique' });
    const moderation = await moderationOf(db, offer);
    expect(moderation?.owner?.email).toBe(owner.email);
    expect(moderation?.changes).toEqual([
      { field: 'desks', before: 12, after: 20 },
      { field: 'title', before: 'La Grange numérique', after: 'La Grange connectée' },
    ]);
    // The owner's form shows their pending version.
    expect((await getOwnOffer(db, owner, id)).current.title).toBe('La Grange connectée');
    // The owner's data download holds their offers, private parts included.
    const data = await exportFamilyData(db, owner, clock.now());
    expect(data.offers.find((o) => o.id === id)).toMatchObject({ address: '3 place du Foirail', status: 'published' });
    await moderateOffer(ctx, gers, id, 'reject', { note: 'Le nom doit rester celui du lieu.' });
    expect(await getManagedOffer(db, gers, id)).toMatchObject({
      status: 'published',
      moderation: 'rejected',
      proposedChanges: null,
      title: 'La Grange numérique',
    });
    expect((await mailsTo(db, owner.email, 'offer_rejected'))[0]?.text).toContain('Le nom doit rester');
    await editOwnOffer(ctx, owner, id, tiersLieu({ desks: '20' }));
    await moderateOffer(ctx, gers, id, 'approve', {});
    expect(await getManagedOffer(db, gers, id)).toMatchObject({ desks: 20, moderation: null, proposedChanges: null });
    expect(await publicTitle(db, id)).toBe('La Grange numérique');
  });

  it('an owner touches only their own offers; withdrawing takes one out of the catalogue', async () => {
    const { db, ctx, gers, owner, other, family } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    await moderateOffer(ctx, gers, id, 'approve', {});
    await expect(getOwnOffer(db, other, id)).rejects.toBeInstanceOf(NotFound);
    await expect(editOwnOffer(ctx, other, id, tiersLieu({ title: 'Piraté' }))).rejects.toBeInstanceOf(NotFound);
    await expect(withdrawOwnOffer(ctx, other, id)).rejects.toBeInstanceOf(NotFound);
    await expect(confirmOffer(db, clock, other, id)).rejects.toBeInstanceOf(NotFound);
    await expect(confirmOffer(db, clock, family, id)).rejects.toBeInstanceOf(Forbidden);
    await expect(getOwnOffer(db, family, id)).rejects.toBeInstanceOf(Forbidden);
    expect((await getManagedOffer(db, gers, id)).title).toBe('La Grange numérique');
    await withdrawOwnOffer(ctx, owner, id);
    expect(await getManagedOffer(db, gers, id)).toMatchObject({ status: 'archived', moderation: null });
    expect(await titlesFound(db, 'Grange numérique')).toEqual([]);
  });

  it('a withdrawn, rejected or set-aside offer is closed to its owner’s edits; the team hears nothing', async () => {
    const { db, ctx, gers, owner } = await world();
    const withdrawn = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    await withdrawOwnOffer(ctx, owner, withdrawn);
    const rejected = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ title: 'Grange refusée' }));
    await moderateOffer(ctx, gers, rejected, 'reject', { note: 'Ce n’est pas un tiers-lieu.' });
    const aside = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ title: 'Grange mise de côté' }));
    await moderateOffer(ctx, gers, aside, 'approve', {});
    await changeOfferStatus(db, clock, gers, aside, 'archive');
    const mails = (await mailsTo(db, gers.email, 'offer_submitted')).length;
    for (const id of [withdrawn, rejected, aside]) {
      const before = await getManagedOffer(db, gers, id);
      expect(before.status).toBe('archived');
      await expect(editOwnOffer(ctx, owner, id, tiersLieu({ priceDay: '19' }))).rejects.toMatchObject({
        errors: [{ field: 'intent', key: 'errors.offer_owner_locked' }],
      });
      expect(await getManagedOffer(db, gers, id)).toEqual(before);
    }
    expect(await mailsTo(db, gers.email, 'offer_submitted')).toHaveLength(mails);
  });

  it('a refused edit, or one that changes nothing, does not count against the owner’s daily limit', async () => {
    const { ctx, gers, owner } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    // Far more typos than the limit allows posts: each refused for what it is, never a 429.
    for (let i = 0; i < 25; i++)
      await expect(editOwnOffer(ctx, owner, id, tiersLieu({ priceDay: 'abc' }))).rejects.toBeInstanceOf(Invalid);
    await expect(editOwnOffer(ctx, owner, id, {})).rejects.toBeInstanceOf(Invalid);
    await editOwnOffer(ctx, owner, id, tiersLieu({ priceDay: '19' }));
    // Published: the same form saved again and again emails nobody, and counts nothing.
    await moderateOffer(ctx, gers, id, 'approve', {});
    for (let i = 0; i < 25; i++) await editOwnOffer(ctx, owner, id, tiersLieu({ priceDay: '19' }));
    await editOwnOffer(ctx, owner, id, tiersLieu({ priceDay: '20' }));
  });

  it('a decision applies to the version the agent read; an agent’s edits meanwhile survive the owner’s', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    const read = (await getManagedOffer(db, gers, id)).updatedAt;
    nowMs += 1000;
    await editOwnOffer(ctx, owner, id, tiersLieu({ description: 'Arnaque : virez 500 EUR.' }));
    const stale = await moderateOffer(ctx, gers, id, 'approve', { version: read }).catch((e) => e);
    expect(stale).toBeInstanceOf(Conflict);
    expect((await getManagedOffer(db, gers, id)).status).toBe('pending');
    await moderateOffer(ctx, gers, id, 'approve', { version: (await getManagedOffer(db, gers, id)).updatedAt });
    // Published: the owner proposes a new price; the agent corrects the speeds meanwhile.
    nowMs += 1000;
    await editOwnOffer(ctx, owner, id, tiersLieu({ description: 'Arnaque : virez 500 EUR.', priceDay: '18' }));
    const agentEdit = {
      ...tiersLieu({ description: 'Arnaque : virez 500 EUR.' }),
      downloadMbps: '300',
      connectivitySource: 'agent',
    };
    await updateOffer(db, clock, gers, id, agentEdit);
    nowMs += 1000;
    await moderateOffer(ctx, gers, id, 'approve', {});
    expect(await getManagedOffer(db, gers, id)).toMatchObject({
      priceDay: 18,
      downloadMbps: 300,
      connectivitySource: 'agent',
      moderation: null,
    });
    // Saving the same form again asks nothing of the agents: the source stays the agent's.
    await editOwnOffer(
      ctx,
      owner,
      id,
      tiersLieu({ description: 'Arnaque : virez 500 EUR.', priceDay: '18', downloadMbps: '300' }),
    );
    expect(await getManagedOffer(db, gers, id)).toMatchObject({ moderation: null, connectivitySource: 'agent' });
  });

  it('keeps status and moderation in step, offers in their territory, and owners within a daily limit', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ title: 'La Grange\r\nSubject: x' }));
    expect((await getManagedOffer(db, gers, id)).title).toBe('La Grange Subject: x');
    expect((await mailsTo(db, gers.email, 'offer_submitted'))[0]?.subject).not.toMatch(/[\r\n]/);
    await moderateOffer(ctx, gers, id, 'approve', {});
    await editOwnOffer(ctx, owner, id, tiersLieu({ desks: '30' }));
    // Pending: no other move of its status until it is decided.
    await expect(changeOfferStatus(db, clock, gers, id, 'archive')).rejects.toBeInstanceOf(Invalid);
    await moderateOffer(ctx, gers, id, 'reject', { note: 'Trente postes ? Vérifions ensemble.' });
    await changeOfferStatus(db, clock, gers, id, 'archive');
    await changeOfferStatus(db, clock, gers, id, 'publish');
    expect(await getManagedOffer(db, gers, id)).toMatchObject({ status: 'published', moderation: null });
    // Another territory is another offer.
    await db.update(territories).set({ acceptsOwnerOffers: true }).where(eq(territories.code, '50'));
    const moved = await editOwnOffer(ctx, owner, id, tiersLieu({ commune: '50129' })).catch((e) => e);
    expect((moved as Invalid).errors[0]).toMatchObject({ field: 'commune', key: 'errors.offer_territory_change' });
    // Twenty proposals or edits a day at most.
    let refused: unknown;
    for (let i = 0; i < 25 && !refused; i++)
      refused = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu({ title: `Tiers-lieu ${i}` })).then(
        () => undefined,
        (e) => e,
      );
    expect(refused).toBeInstanceOf(RateLimited);
  });

  it('a family’s enquiry about an owner’s offer reaches the territory’s agents, never the owner', async () => {
    const { db, ctx, gers, owner } = await world();
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    await moderateOffer(ctx, gers, id, 'approve', {});
    const offer = await getManagedOffer(db, gers, id);
    await db.delete(outbox);
    await createEnquiry(
      ctx,
      {
        name: 'Famille Durand',
        email: 'durand@exemple.fr',
        adults: '2',
        children: '',
        profession: 'Développeuse',
        remoteStatus: 'employee',
        wishedTerritories: offer.territoryCode,
        wishedCommunes: [offer.communeCode],
        consent: 'yes',
        locale: 'fr',
      },
      'ip-enquiry',
    );
    const recipients = (await db.select().from(outbox)).map((m) => m.to);
    expect(recipients).toContain(gers.email);
    expect(recipients).not.toContain(owner.email);
  });

  it('a saved search’s digest lists an owner’s offer once it is approved', async () => {
    const { db, ctx, gers, owner } = await world();
    const family = await actor(db, 'famille@demo.test');
    nowMs = Date.parse('2026-12-05T10:00:00Z');
    await saveSearch(
      { db, clock },
      family,
      { requete: 'type=tiers-lieu&territoire=32', nom: 'Coworkings du Gers' },
      'fr',
    );
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    nowMs += DAY_MS;
    await moderateOffer(ctx, gers, id, 'approve', {});
    nowMs += DAY_MS;
    await runDigest(ctx);
    const [digest] = await mailsTo(db, 'famille@demo.test', 'search_digest');
    expect(digest?.text).toContain('La Grange numérique');
  });
});

describe('freshness', () => {
  const ageBy = (db: Db, id: number, days: number) =>
    db
      .update(offers)
      .set({ confirmedAt: new Date(nowMs - days * DAY_MS).toISOString() })
      .where(eq(offers.id, id));

  it('flags at 60 days and emails the owner once; hides at 90 until someone confirms', async () => {
    const { db, ctx, gers, manche, owner } = await world();
    nowMs = Date.parse('2026-12-05T10:00:00Z');
    const id = await proposeOffer(ctx, owner, 'tiers_lieu', tiersLieu());
    await moderateOffer(ctx, gers, id, 'approve', {});
    await ageBy(db, id, STALE_DAYS - 1);
    expect(await remindOwners(db, clock, ctx.siteUrl)).toBe(0);
    await ageBy(db, id, STALE_DAYS + 1);
    const stale = await listManagedOffers(db, clock, gers, { queue: 'stale', q: 'Grange numérique' });
    expect(stale.rows.map((r) => [r.id, r.staleDays])).toEqual([[id, STALE_DAYS + 1]]);
    expect((await listOwnOffers(db, clock, owner)).find((o) => o.id === id)?.stale).toBe(true);
    expect(await remindOwners(db, clock, ctx.siteUrl)).toBe(1);
    expect(await remindOwners(db, clock, ctx.siteUrl)).toBe(0);
    const [reminder] = await mailsTo(db, owner.email, 'offer_confirm_reminder');
    expect(reminder?.text).toContain(`/compte/offres/${id}`);
    // Past 90 days it leaves the catalogue; the owner's click brings it back.
    await ageBy(db, id, HIDE_DAYS + 1);
    expect(await expireUnconfirmed(db, clock)).toBeGreaterThanOrEqual(1);
    expect((await getManagedOffer(db, gers, id)).status).toBe('expired');
    expect(await titlesFound(db, 'Grange numérique')).toEqual([]);
    await expect(confirmOffer(db, clock, manche, id)).rejects.toBeInstanceOf(NotFound);
    await confirmOffer(db, clock, owner, id);
    const back = await getManagedOffer(db, gers, id);
    expect(back).toMatchObject({ status: 'published', confirmedAt: clock.now().toISOString(), ownerRemindedAt: null });
    expect((await historyOf(db, 'offer', id)).rows[0]?.kind).toBe('confirmed');
    expect(await titlesFound(db, 'Grange numérique')).toEqual(['La Grange numérique']);
    // An agent's edit confirms too: hidden again, then edited, it is back.
    await ageBy(db, id, HIDE_DAYS + 1);
    await expireUnconfirmed(db, clock);
    await updateOffer(db, clock, gers, id, tiersLieu({ desks: '14' }));
    expect((await getManagedOffer(db, gers, id)).status).toBe('published');
    // A new unconfirmed period: a new reminder.
    nowMs += (STALE_DAYS + 1) * DAY_MS;
    expect(await remindOwners(db, clock, ctx.siteUrl)).toBe(1);
    // An agent's click confirms too.
    await confirmOffer(db, clock, gers, id);
    const events = await db
      .select()
      .from(offerEvents)
      .where(and(eq(offerEvents.offerId, id), eq(offerEvents.kind, 'confirmed')));
    expect(events.length).toBe(2);
    expect((await listManagedOffers(db, clock, gers, { queue: 'stale', q: 'Grange numérique' })).total).toBe(0);
  });
});
