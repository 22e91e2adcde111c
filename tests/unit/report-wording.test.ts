// Periods in words and the CSV files' names: "janvier 2026", "1er trimestre 2026" /
// "January 2026", "Q1 2026"; "rapport-gers-2026-t1-months.csv", ASCII only.
import { describe, expect, it } from 'vitest';
import { parsePeriod, previousPeriod } from '../../src/server/reports/period.ts';
import { reportTable } from '../../src/server/reports/tables.ts';
import { csvFileName, monthName, periodName, periodSlug, quarterName } from '../../src/server/reports/wording.ts';

const today = new Date('2026-05-20T10:00:00Z');
const quarter1 = parsePeriod({ periode: 'quarter', annee: '2026', trimestre: '1' }, today);

describe('periods in words', () => {
  it('writes months with their year', () => {
    expect(monthName('fr', '2026-01')).toBe('janvier 2026');
    expect(monthName('fr', '2025-12')).toBe('décembre 2025');
    expect(monthName('en', '2026-01')).toBe('January 2026');
  });

  it('writes quarters as each language does', () => {
    expect([1, 2, 3, 4].map((q) => quarterName('fr', q))).toEqual([
      '1er trimestre',
      '2ᵉ trimestre',
      '3ᵉ trimestre',
      '4ᵉ trimestre',
    ]);
    expect([1, 2, 3, 4].map((q) => quarterName('en', q))).toEqual([
      '1st quarter',
      '2nd quarter',
      '3rd quarter',
      '4th quarter',
    ]);
    expect(quarterName('fr', 1, 2026)).toBe('1er trimestre 2026');
    expect(quarterName('en', 1, 2026)).toBe('Q1 2026');
  });

  it('names each kind of period, and the one before', () => {
    expect(periodName('fr', quarter1)).toBe('1er trimestre 2026');
    expect(periodName('en', previousPeriod(quarter1))).toBe('Q4 2025');
    expect(periodName('fr', parsePeriod({ periode: 'month', annee: '2026', mois: '3' }, today))).toBe('mars 2026');
    expect(periodName('en', parsePeriod({ periode: 'month', annee: '2026', mois: '1' }, today))).toBe('January 2026');
    expect(periodName('fr', parsePeriod({ periode: 'year', annee: '2025' }, today))).toBe('2025');
    expect(periodName('fr', parsePeriod({ periode: 'custom', du: '2026-02-01', au: '2026-02-10' }, today))).toBe(
      'Du 1er février 2026 au 10 février 2026',
    );
  });

  it('writes the months of the table of settled families in words', () => {
    const period = parsePeriod({ periode: 'quarter', annee: '2026', trimestre: '1' }, today);
    const byMonth = ['2026-01', '2026-02', '2026-03'].map((month) => ({ month, families: 1, persons: 2 }));
    const report = { period, previous: previousPeriod(period), byMonth };
    expect(reportTable(report, 'months', 'fr').rows.map((r) => r[0])).toEqual([
      'janvier 2026',
      'février 2026',
      'mars 2026',
    ]);
    expect(reportTable(report, 'months', 'en').rows.map((r) => r[0])).toEqual([
      'January 2026',
      'February 2026',
      'March 2026',
    ]);
  });
});

describe('CSV file names', () => {
  it('say the territory and the period', () => {
    expect(csvFileName('fr', 'Gers', quarter1, 'months')).toBe('rapport-gers-2026-t1-months.csv');
    expect(csvFileName('en', 'Gers', quarter1, 'months')).toBe('report-gers-2026-q1-months.csv');
    expect(csvFileName('fr', null, parsePeriod({ periode: 'year', annee: '2025' }, today), 'summary')).toBe(
      'rapport-tous-les-territoires-2025-summary.csv',
    );
    expect(
      csvFileName('fr', 'Gers, Manche', parsePeriod({ periode: 'month', annee: '2026', mois: '2' }, today), 'labels'),
    ).toBe('rapport-gers-manche-2026-02-labels.csv');
    expect(periodSlug('fr', parsePeriod({ periode: 'custom', du: '2026-01-10', au: '2026-02-05' }, today))).toBe(
      '2026-01-10-2026-02-05',
    );
  });

  it('are ASCII-safe whatever the territory is called', () => {
    for (const name of ['Côtes-d’Armor', 'Haute-Saône', 'Pyrénées-Atlantiques', 'Val-d\'Oise"; x=1', 'Œ\r\n/..\\']) {
      const file = csvFileName('fr', name, quarter1, 'months');
      expect(file).toMatch(/^rapport-[a-z0-9-]+-2026-t1-months\.csv$/);
    }
    expect(csvFileName('fr', 'Côtes-d’Armor', quarter1, 'months')).toBe('rapport-cotes-d-armor-2026-t1-months.csv');
  });
});
