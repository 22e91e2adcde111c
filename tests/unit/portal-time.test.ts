// The portal's clock: every instant shown in Paris time, winter and summer, whatever the
// server's own zone; a date without a time never moves a day; a Paris day's bounds as instants.
import { describe, expect, it } from 'vitest';
import { formatDate } from '../../src/i18n/index.ts';
import { addDays, portalDay, portalDayStart, portalTime } from '../../src/lib/time.ts';

const withTime = { dateStyle: 'medium', timeStyle: 'short' } as const;

describe('dates and times shown', () => {
  it('show 23:30 UTC in winter as 00:30 the next day in Paris (UTC+1)', () => {
    expect(formatDate('fr', '2026-12-06T23:30:00.000Z', withTime)).toBe('7 déc. 2026, 00:30');
    expect(formatDate('en', '2026-12-06T23:30:00.000Z', withTime)).toBe('7 Dec 2026, 00:30');
    // The access log's short date with seconds.
    expect(formatDate('fr', '2026-12-06T23:30:05.000Z', { dateStyle: 'short', timeStyle: 'medium' })).toBe(
      '07/12/2026 00:30:05',
    );
  });

  it('show 23:30 UTC in summer as 01:30 the next day in Paris (UTC+2)', () => {
    expect(formatDate('fr', '2026-07-06T23:30:00.000Z', withTime)).toBe('7 juil. 2026, 01:30');
    expect(formatDate('en', '2026-07-06T21:59:00.000Z', withTime)).toBe('6 Jul 2026, 23:59');
  });

  it('give an instant shown without its time the day it was in Paris', () => {
    expect(formatDate('fr', '2026-12-31T23:30:00.000Z')).toBe('1er janvier 2027');
    expect(formatDate('fr', '2026-12-31T22:30:00.000Z')).toBe('31 décembre 2026');
    expect(formatDate('en', '2026-06-30T22:30:00.000Z', { dateStyle: 'medium' })).toBe('1 Jul 2026');
  });

  it('never move a date without a time (a birthday, a stay’s day, a due date)', () => {
    expect(formatDate('fr', '2026-12-07')).toBe('7 décembre 2026');
    expect(formatDate('fr', '2026-07-01')).toBe('1er juillet 2026');
    expect(formatDate('en', '2026-03-29', { day: 'numeric', month: 'long' })).toBe('29 March');
    expect(formatDate('fr', '2026-10-01', { month: 'long', year: 'numeric' })).toBe('octobre 2026');
  });
});

describe('the portal’s days', () => {
  it('name the Paris day and hour of an instant', () => {
    expect(portalDay(new Date('2026-12-06T23:30:00Z'))).toBe('2026-12-07');
    expect(portalDay(new Date('2026-12-06T22:59:59Z'))).toBe('2026-12-06');
    expect(portalDay(new Date('2026-07-06T22:00:00Z'))).toBe('2026-07-07');
    expect(portalTime(new Date('2026-07-06T21:59:00Z'))).toEqual({ day: '2026-07-06', hour: 23 });
  });

  it('begin at midnight in Paris, daylight saving time included', () => {
    expect(portalDayStart('2026-12-07')).toBe('2026-12-06T23:00:00.000Z');
    expect(portalDayStart('2026-07-07')).toBe('2026-07-06T22:00:00.000Z');
    // Clocks go forward at 2:00 on 29 March 2026 and back at 3:00 on 25 October.
    expect(portalDayStart('2026-03-29')).toBe('2026-03-28T23:00:00.000Z');
    expect(portalDayStart('2026-03-30')).toBe('2026-03-29T22:00:00.000Z');
    expect(portalDayStart('2026-10-25')).toBe('2026-10-24T22:00:00.000Z');
    expect(portalDayStart('2026-10-26')).toBe('2026-10-25T23:00:00.000Z');
    expect(portalDay(new Date(portalDayStart('2026-03-30')))).toBe('2026-03-30');
  });

  it('count calendar days across months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
  });
});
