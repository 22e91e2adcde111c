// A family files its relocation project: the file lands in the wished territory, or in the
// dispatch queue when several are wished; a second enquiry with the same email or phone is
// linked to the first as a possible duplicate (never dropped). The family gets a
// confirmation and the territory's staff a notice, in the same transaction.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import {
  candidates,
  communes,
  offers,
  opportunities,
  stageHistory,
  territories,
  users,
  userTerritories,
} from '../../../db/schema/index.ts';
import { hit, LIMITS } from '../accounts/rate-limit.ts';
import { RateLimited } from '../accounts/commands.ts';
import { fieldErrors, Invalid, type FieldError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { mailFamily } from './notify.ts';
import { addEvent, type CandidatesContext } from './commands.ts';
import { refreshMaturity } from './maturity.ts';
import { CONSENT_TEXT_VERSION, EnquirySchema, projectColumns } from './schemas.ts';

/** 16 random characters: a URL that says nothing about how many files exist. */
export const newPublicId = () => randomBytes(12).toString('base64url');

/** The field errors of an enquiry, without touching the database. */
export function enquiryErrors(input: unknown): FieldError[] {
  const parsed = EnquirySchema.safeParse(input);
  return parsed.success ? [] : fieldErrors(parsed.error.issues);
}

export async function createEnquiry(
  ctx: CandidatesContext & { siteUrl: string },
  input: unknown,
  ip: string,
): Promise<{ publicId: string; duplicateOf: string | null; territoryCode: string | null }> {
  const errors = enquiryErrors(input);
  if (errors.length) throw new Invalid(errors);
  const data = EnquirySchema.parse(input);
  const limit = await hit(ctx.db, `enquiry:ip:${ip}`, LIMITS.enquiryPerIp, ctx.clock);
  if (!limit.allowed) throw new RateLimited(limit.retryAfter);

  const now = ctx.clock.now().toISOString();
  const site = ctx.siteUrl.replace(/\/$/, '');
  return ctx.db.transaction(async (tx) => {
    const served = await tx
      .select({ code: territories.code, name: territories.name })
      .from(territories)
      .where(inArray(territories.code, data.wishedTerritories));
    const unknown = data.wishedTerritories.filter((c) => !served.some((s) => s.code === c));
    if (unknown.length)
      throw new Invalid([{ field: 'wishedTerritories', key: 'errors.unknown_territory', value: unknown[0] }]);
    if (data.wishedCommunes.length) {
      const found = await tx
        .select({ code: communes.code })
        .from(communes)
        .where(inArray(communes.code, data.wishedCommunes));
      const missing = data.wishedCommunes.find((c) => !found.some((f) => f.code === c));
      if (missing) throw new Invalid([{ field: 'wishedCommunes', key: 'errors.unknown_commune', value: missing }]);
    }

    const [earlier] = await tx
      .select({ id: candidates.id, publicId: candidates.publicId })
      .from(candidates)
      .where(
        and(
          isNull(candidates.anonymisedAt),
          isNull(candidates.mergedIntoId),
          data.phone
            ? or(eq(candidates.email, data.email), eq(candidates.phone, data.phone))
            : eq(candidates.email, data.email),
        ),
      )
      .orderBy(asc(candidates.id))
      .limit(1);
    const territoryCode = served.length === 1 ? served[0]!.code : null;
    const publicId = newPublicId();
    const [file] = await tx
      .insert(candidates)
      .values({
        publicId,
        territoryCode,
        stage: 'enquiry',
        stageEnteredAt: now,
        ...projectColumns(data),
        email: data.email,
        wishedTerritories: served.map((s) => s.code),
        heardFrom: data.heardFrom ?? null,
        locale: data.locale,
        consentTextVersion: CONSENT_TEXT_VERSION,
        consentAt: now,
        duplicateOfId: earlier?.id ?? null,
        lastContactAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: candidates.id });
    await tx.insert(stageHistory).values({ candidateId: file!.id, stage: 'enquiry', enteredAt: now, territoryCode });
    await refreshMaturity(tx, [file!.id]);
    // The offer that started the enquiry, when it is one of the catalogue's (a stale id is dropped).
    const [origin] = data.offer
      ? await tx
          .select({ id: offers.id })
          .from(offers)
          .where(and(eq(offers.id, data.offer), eq(offers.status, 'published')))
      : [];
    // The job or business whose page started it ("contact through the agent"), published only.
    const [work] = data.opportunity
      ? await tx
          .select({ id: opportunities.id, title: opportunities.title })
          .from(opportunities)
          .where(and(eq(opportunities.id, data.opportunity), eq(opportunities.status, 'published')))
      : [];
    await addEvent(
      tx,
      file!.id,
      'created',
      {
        territories: served.map((s) => s.code),
        ...(origin ? { offer: origin.id } : {}),
        ...(work ? { opportunity: work.id, opportunityTitle: work.title } : {}),
      },
      null,
      now,
    );
    if (earlier) await addEvent(tx, file!.id, 'duplicate', { of: earlier.publicId }, null, now);

    // Through mailFamily: the confirmation is on the file's timeline like every email about it.
    await mailFamily(
      tx,
      ctx,
      { id: file!.id, email: data.email, name: data.name, locale: data.locale },
      'enquiry_received',
      { url: `${site}${data.locale === 'en' ? '/en' : ''}/inscription` },
      null,
    );
    const staff = await tx
      .selectDistinct({ email: users.email, name: users.name, locale: users.locale })
      .from(users)
      .innerJoin(userTerritories, eq(userTerritories.userId, users.id))
      .where(
        and(
          inArray(
            userTerritories.territoryCode,
            served.map((s) => s.code),
          ),
          inArray(users.role, ['agent', 'territory_admin']),
          isNull(users.deactivatedAt),
        ),
      );
    for (const member of staff) {
      await enqueueMail(tx, ctx.clock, {
        to: member.email,
        template: 'new_enquiry',
        locale: member.locale,
        params: {
          name: member.name,
          family: data.name,
          territories: served.map((s) => s.name).join(', '),
          url: `${site}/agent/candidats/${publicId}`,
        },
        candidateId: file!.id,
      });
    }
    return { publicId, duplicateOf: earlier?.publicId ?? null, territoryCode };
  });
}
