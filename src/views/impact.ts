// Loads /impact (both locales). The figures cover every file of every territory; they are
// computed at most every five minutes (public, and a few minutes old is still true).
import { db } from '../server/db.ts';
import { impactFigures } from '../server/reports/impact.ts';

const TTL_MS = 5 * 60_000;
let cached: { at: number; figures: ReturnType<typeof impactFigures> } | undefined;

export function loadImpact() {
  if (!cached || Date.now() - cached.at > TTL_MS) {
    const figures = impactFigures(db);
    cached = { at: Date.now(), figures };
    // A failed computation is not kept.
    figures.catch(() => (cached = undefined));
  }
  return cached.figures;
}
