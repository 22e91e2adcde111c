// Great-circle distances, in TypeScript and as SQL (SQLite math functions), plus the
// bounding box that lets an index narrow a radius search before the exact distance.
import { and, between, sql, type SQL, type SQLWrapper } from 'drizzle-orm';

export const EARTH_RADIUS_KM = 6371;

export interface Point {
  lat: number;
  lng: number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Haversine distance in km. */
export function distanceKm(a: Point, b: Point): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The same haversine distance as an SQL expression between columns and a point. */
export function distanceSql(lat: SQLWrapper, lng: SQLWrapper, from: Point): SQL<number> {
  return sql<number>`(2 * ${EARTH_RADIUS_KM} * asin(min(1, sqrt(
    power(sin(radians(${lat} - ${from.lat}) / 2), 2) +
    ${Math.cos(rad(from.lat))} * cos(radians(${lat})) * power(sin(radians(${lng} - ${from.lng}) / 2), 2)
  ))))`;
}

/** A box that contains every point within `km` of `center` (never smaller than the circle). */
export function boundingBox(center: Point, km: number) {
  const dLat = (km / EARTH_RADIUS_KM) * (180 / Math.PI);
  const cosLat = Math.max(0.01, Math.cos(rad(Math.min(89, Math.abs(center.lat) + dLat))));
  const dLng = dLat / cosLat;
  return { minLat: center.lat - dLat, maxLat: center.lat + dLat, minLng: center.lng - dLng, maxLng: center.lng + dLng };
}
export type Box = ReturnType<typeof boundingBox>;

/** Points (columns) within a box, as SQL: what an index on the latitude narrows. */
export const inBox = (lat: SQLWrapper, lng: SQLWrapper, box: Box): SQL =>
  and(between(lat, box.minLat, box.maxLat), between(lng, box.minLng, box.maxLng))!;
