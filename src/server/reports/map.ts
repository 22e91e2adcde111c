// The report's map of settled families: every commune of the scope's territories is a faint
// dot (which draws the territories' shape) on a PNG drawn once per set of territories and
// kept in memory; the page's SVG places it as an <image> and draws only the settled communes
// over it. The same projection for both, so the dots and the circles line up.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../../db/client.ts';
import type { ReportScope } from './scope.ts';

export interface Bounds {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

export interface MapFrame {
  width: number;
  height: number;
  x: (lng: number) => number;
  y: (lat: number) => number;
}

/** Room around the edges (SVG units) for the largest circles. */
const PAD = 20;
const WIDTH = 600;
/** A commune's dot, in SVG units. */
export const DOT_RADIUS = 1.6;
/** The background's pixels per SVG unit (sharp on screens and in print). */
const SCALE = 2;
const DOT_RGB = [0x9a, 0xa5, 0x9f] as const;

export function boundsOf(points: ReadonlyArray<{ lat: number; lng: number }>): Bounds | null {
  if (points.length === 0) return null;
  const b = { minLat: Infinity, maxLat: -Infinity, minLng: Infinity, maxLng: -Infinity };
  for (const p of points) {
    b.minLat = Math.min(b.minLat, p.lat);
    b.maxLat = Math.max(b.maxLat, p.lat);
    b.minLng = Math.min(b.minLng, p.lng);
    b.maxLng = Math.max(b.maxLng, p.lng);
  }
  return b;
}

export function unionOf(a: Bounds | null, b: Bounds | null): Bounds | null {
  if (!a || !b) return a ?? b;
  return {
    minLat: Math.min(a.minLat, b.minLat),
    maxLat: Math.max(a.maxLat, b.maxLat),
    minLng: Math.min(a.minLng, b.minLng),
    maxLng: Math.max(a.maxLng, b.maxLng),
  };
}

/** Equirectangular projection, corrected for latitude so that shapes are not stretched. */
export function mapFrame(b: Bounds): MapFrame {
  const k = Math.cos((((b.minLat + b.maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max(0.01, (b.maxLng - b.minLng) * k);
  const spanY = Math.max(0.01, b.maxLat - b.minLat);
  const width = WIDTH;
  const height = Math.round(Math.min(700, ((width - 2 * PAD) * spanY) / spanX)) + 2 * PAD;
  return {
    width,
    height,
    x: (lng) => PAD + ((lng - b.minLng) * k * (width - 2 * PAD)) / spanX,
    y: (lat) => PAD + ((b.maxLat - lat) * (height - 2 * PAD)) / spanY,
  };
}

/**
 * Where the background drawn for `background` goes in the frame of `shown` (wider when a
 * family settled outside the territories): both projections are linear in longitude and in
 * latitude, so the image's corners placed by `shown`'s frame put every dot in its place.
 */
export function placeBackground(background: Bounds, shown: Bounds) {
  const own = mapFrame(background);
  const frame = mapFrame(shown);
  // The longitude and latitude at the image's edges, by inverting its own frame (per degree).
  const perLng = own.x(background.minLng + 1) - own.x(background.minLng);
  const perLat = own.y(background.maxLat - 1) - own.y(background.maxLat);
  const lngAt = (x: number) => background.minLng + (x - own.x(background.minLng)) / perLng;
  const latAt = (y: number) => background.maxLat - (y - own.y(background.maxLat)) / perLat;
  const x0 = frame.x(lngAt(0));
  const x1 = frame.x(lngAt(own.width));
  const y0 = frame.y(latAt(0));
  const y1 = frame.y(latAt(own.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export interface MapBackground {
  bounds: Bounds;
  png: Buffer;
  /** A digest of the image, for its URL (cached by the browser for good). */
  version: string;
}

/** Draws each commune as an anti-aliased dot on a transparent PNG of the frame of their bounds. */
export async function drawBackground(
  communes: ReadonlyArray<{ lat: number; lng: number }>,
): Promise<MapBackground | null> {
  const bounds = boundsOf(communes);
  if (!bounds) return null;
  const frame = mapFrame(bounds);
  const w = frame.width * SCALE;
  const h = frame.height * SCALE;
  const alpha = new Float32Array(w * h);
  const r = DOT_RADIUS * SCALE;
  for (const p of communes) {
    const cx = frame.x(p.lng) * SCALE;
    const cy = frame.y(p.lat) * SCALE;
    for (let py = Math.max(0, Math.floor(cy - r - 1)); py <= Math.min(h - 1, Math.ceil(cy + r + 1)); py++) {
      for (let px = Math.max(0, Math.floor(cx - r - 1)); px <= Math.min(w - 1, Math.ceil(cx + r + 1)); px++) {
        const d = Math.hypot(px + 0.5 - cx, py + 0.5 - cy);
        const a = Math.min(1, Math.max(0, r + 0.5 - d));
        const i = py * w + px;
        if (a > alpha[i]!) alpha[i] = a;
      }
    }
  }
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    rgba[i * 4] = DOT_RGB[0];
    rgba[i * 4 + 1] = DOT_RGB[1];
    rgba[i * 4 + 2] = DOT_RGB[2];
    rgba[i * 4 + 3] = Math.round(alpha[i]! * 255);
  }
  const png = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
    .png({ compressionLevel: 9, palette: true })
    .toBuffer();
  return { bounds, png, version: createHash('sha256').update(png).digest('base64url').slice(0, 16) };
}

/** The département codes of a scope (every territory's for the platform's total). */
async function departmentsOf(db: Db, scope: ReportScope): Promise<string[]> {
  const codes =
    scope.territories ?? (await db.all<{ code: string }>(sql`SELECT code FROM territories`)).map((r) => r.code);
  return [...codes].sort();
}

/** Kept per set of départements; communes' coordinates change only with the referential. */
const backgrounds = new LRUCache<string, Promise<MapBackground | null>>({ max: 32 });

/** The background of a scope's map, drawn on first use and kept (the least recently used dropped past 32). */
export async function mapBackground(db: Db, scope: ReportScope): Promise<MapBackground | null> {
  const departments = await departmentsOf(db, scope);
  const key = departments.join(',');
  let found = backgrounds.get(key);
  if (!found) {
    found = (async () => {
      if (departments.length === 0) return null;
      const communes = await db.all<{ lat: number; lng: number }>(
        sql`SELECT lat, lng FROM communes WHERE lat IS NOT NULL AND lng IS NOT NULL AND department_code IN (${sql.join(
          departments.map((c) => sql`${c}`),
          sql`, `,
        )})`,
      );
      return drawBackground(communes);
    })();
    backgrounds.set(key, found);
    found.catch(() => backgrounds.delete(key));
  }
  return found;
}
