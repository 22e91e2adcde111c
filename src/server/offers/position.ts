// An offer's public point. The exact point (lat/lng) is private; public pages, the map,
// JSON-LD and /api/v1 show a point moved by a random offset of a few hundred metres,
// drawn once and stored (so it does not move between pages), or the commune's centre when
// the owner prefers. Migration 0020 gave every existing offer one the same way.
import type { Point } from '../places/geo.ts';

/** Degrees of latitude and longitude: about 200–460 m in metropolitan France. */
export const OFFSET = { lat: [0.0013, 0.003], lng: [0.0018, 0.0041] } as const;

/** The exact point moved by `random` (uniform in [0, 1)): each axis off by OFFSET, either way. */
export function offsetPoint(exact: Point, random: () => number = Math.random): Point {
  const axis = ([min, max]: readonly [number, number]) => (random() < 0.5 ? -1 : 1) * (min + (max - min) * random());
  return { lat: exact.lat + axis(OFFSET.lat), lng: exact.lng + axis(OFFSET.lng) };
}

/** The columns to write with an offer's exact point. */
export function publicPoint(
  exact: Point,
  precision: 'approximate' | 'commune',
  communeCentre: Point,
  random: () => number = Math.random,
): { publicLat: number; publicLng: number } {
  const p = precision === 'commune' ? communeCentre : offsetPoint(exact, random);
  return { publicLat: p.lat, publicLng: p.lng };
}

/** An offer's public point (every published offer has one; none: nothing is measured). */
export const publicPointOf = (offer: { publicLat: number | null; publicLng: number | null }) =>
  offer.publicLat === null || offer.publicLng === null ? null : { lat: offer.publicLat, lng: offer.publicLng };
