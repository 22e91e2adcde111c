// Durations in milliseconds: the one set of time constants (no 86_400_000 elsewhere); and the
// portal's clock (its zone, its days).
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The instant `months` calendar months before `now`. */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

/**
 * The portal's clock: the zone of every date and time shown, of "today" for staff, and of the
 * days a staff filter names. One zone, as the territories are metropolitan départements; a
 * territory overseas (971–976 may be created) would still read Paris time.
 */
export const PORTAL_TIME_ZONE = 'Europe/Paris';

const portalParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: PORTAL_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The calendar day (YYYY-MM-DD) and hour of an instant on the portal's clock. */
export function portalTime(at: Date): { day: string; hour: number } {
  const p = Object.fromEntries(portalParts.formatToParts(at).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
}

/** The portal's day of an instant, YYYY-MM-DD ("today" for staff). */
export const portalDay = (at: Date): string => portalTime(at).day;

/** How far the portal's clock is ahead of UTC at an instant, in ms (1 or 2 hours in Paris). */
function portalOffset(at: number): number {
  const p = Object.fromEntries(portalParts.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

/** The calendar day `n` days after `day` (YYYY-MM-DD; `n` may be negative). */
export const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/**
 * The instant a day of the portal's clock begins (midnight in Paris: 23:00 or 22:00 UTC the day
 * before, as daylight saving time says), as ISO 8601 — the bound of a staff filter's day.
 */
export function portalDayStart(day: string): string {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  // The offset at the guess, then at the instant found: they differ only across a change of
  // offset, and Paris changes at 2:00 or 3:00, never at midnight.
  const guess = midnightUtc - portalOffset(midnightUtc);
  return new Date(midnightUtc - portalOffset(guess)).toISOString();
}
