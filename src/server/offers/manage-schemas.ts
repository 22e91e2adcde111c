// The forms of /agent/offres: one schema per kind of offer, the same fields the catalogue
// shows. A draft needs a title and a place; publishing needs the rest (`publishable`).
import { z } from 'astro/zod';
import { offerEnums as e } from '../../../db/schema/offers.ts';
import type { FieldError } from '../errors.ts';
import {
  blankToUndefined,
  checkbox,
  isoDate,
  optionalEnum,
  optionalLine,
  optionalText,
  optionalWhole,
  requiredLine,
} from '../input.ts';

const blank = blankToUndefined;
const optionalDate = (error: string) => z.preprocess(blank, isoDate(error).optional());
/** A decimal degree typed with a dot or a comma (as map tools copy it), kept to 6 decimals (~10 cm). */
const optionalDegree = (limit: 90 | 180) =>
  z.preprocess(
    (v) => {
      const s = blank(v);
      if (typeof s !== 'string' || !/^-?\d{1,3}([.,]\d{1,15})?$/.test(s.trim())) return s;
      return Math.round(Number(s.trim().replace(',', '.')) * 1e6) / 1e6;
    },
    z
      .number({ error: 'errors.offer_point' })
      .min(-limit, { error: 'errors.offer_point' })
      .max(limit, { error: 'errors.offer_point' })
      .optional(),
  );

const common = {
  title: requiredLine(120, 'errors.offer_title_required'),
  titleEn: optionalLine(120),
  description: optionalText(5000),
  commune: requiredLine(120, 'errors.commune_required'),
  address: optionalLine(200),
  lat: optionalDegree(90),
  lng: optionalDegree(180),
  locationPrecision: z.preprocess(
    blank,
    z.enum(e.locationPrecisions, { error: 'errors.invalid_choice' }).default('approximate'),
  ),
  price: optionalWhole(0, 100_000_000),
  bestTechnology: optionalEnum(e.technologies, 'errors.invalid_choice'),
  downloadMbps: optionalWhole(0, 100_000),
  uploadMbps: optionalWhole(0, 100_000),
  fibreStatus: z.preprocess(blank, z.enum(e.fibreStatuses, { error: 'errors.invalid_choice' }).default('none')),
  fibrePlannedAt: optionalDate('errors.invalid_date'),
  mobileCoverage: z.preprocess(blank, z.enum(e.mobileCoverages, { error: 'errors.invalid_choice' }).default('none')),
  connectivitySource: z.preprocess(
    blank,
    z.enum(e.connectivitySources, { error: 'errors.invalid_choice' }).default('agent'),
  ),
  connectivityCheckedAt: optionalDate('errors.invalid_date'),
};

export const HomeSchema = z.object({
  ...common,
  transaction: optionalEnum(e.transactions, 'errors.invalid_choice'),
  homeType: optionalEnum(e.homeTypes, 'errors.invalid_choice'),
  surface: optionalWhole(1, 100_000),
  landArea: optionalWhole(0, 100_000_000),
  rooms: optionalWhole(1, 100),
  bedrooms: optionalWhole(0, 100),
  energyClass: optionalEnum(e.energyClasses, 'errors.invalid_choice'),
  availableFrom: optionalDate('errors.invalid_date'),
});

export const TiersLieuSchema = z.object({
  ...common,
  typology: optionalEnum(e.tiersLieuTypologies, 'errors.invalid_choice'),
  desks: optionalWhole(1, 10_000),
  meetingRooms: optionalWhole(0, 1_000),
  priceDay: optionalWhole(0, 100_000),
  openingHours: optionalLine(200),
  website: z.preprocess(
    blank,
    z
      .url({ protocol: /^https?$/, error: 'errors.invalid_url' })
      .max(300)
      .optional(),
  ),
  wheelchairAccessible: checkbox(),
});

export type HomeInput = z.output<typeof HomeSchema>;
export type TiersLieuInput = z.output<typeof TiersLieuSchema>;
export type OfferInput = (HomeInput & { kind: 'home' }) | (TiersLieuInput & { kind: 'tiers_lieu' });

/** What a published offer must say, beyond a draft's title and place: one error per missing field. */
export function publishable(offer: object & { kind: 'home' | 'tiers_lieu' }): FieldError[] {
  const o = offer as Record<string, unknown>;
  const required = [
    'description',
    'bestTechnology',
    'downloadMbps',
    'uploadMbps',
    ...(offer.kind === 'home' ? ['price', 'transaction', 'homeType'] : ['typology']),
  ];
  if (offer.kind === 'tiers_lieu' && o.price == null && o.priceDay == null) required.push('price');
  if (o.fibreStatus === 'planned') required.push('fibrePlannedAt');
  return required
    .filter((field) => o[field] === undefined || o[field] === null || o[field] === '')
    .map((field) => ({ field, key: 'errors.required_to_publish' }));
}

/** An agent's word to the owner with a decision (required to ask for changes or to reject). */
export const ModerationSchema = z.object({
  note: optionalText(2000),
  /** The offer's `updatedAt` when the agent read it: a decision applies to what was reviewed. */
  version: optionalLine(40),
});
