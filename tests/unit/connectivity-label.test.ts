import { describe, expect, it } from 'vitest';
import {
  coverageDisagreement,
  connectivityLabel,
  labelThresholds,
} from '../../src/server/offers/connectivity-label.ts';

describe('connectivityLabel', () => {
  it.each([
    [8000, 1000, 'A'],
    [1000, 300, 'A'],
    [1000, 299, 'B'],
    [999, 500, 'B'],
    [300, 100, 'B'],
    [299, 100, 'C'],
    [100, 20, 'C'],
    [100, 19, 'D'],
    [30, 5, 'D'],
    [29, 5, 'E'],
    [15, 1, 'E'],
    [15, 0, 'F'],
    [8, 0, 'F'],
    [7, 7, 'G'],
    [0, 0, 'G'],
  ] as const)('%i down / %i up is %s', (down, up, label) => {
    expect(connectivityLabel(down, up)).toBe(label);
  });

  it('has no label when the download speed is unknown or nonsense', () => {
    expect(connectivityLabel(null, 100)).toBeNull();
    expect(connectivityLabel(Number.NaN, 100)).toBeNull();
    expect(connectivityLabel(-1, 100)).toBeNull();
  });

  it('treats an unknown upload as zero', () => {
    expect(connectivityLabel(1000, null)).toBe('F');
  });

  it('lists thresholds from A to G, each stricter than the next', () => {
    expect(labelThresholds.map((t) => t.label).join('')).toBe('ABCDEFG');
    for (let i = 1; i < labelThresholds.length; i++) {
      expect(labelThresholds[i - 1]!.downloadMin).toBeGreaterThan(labelThresholds[i]!.downloadMin);
    }
  });
});

describe('coverageDisagreement', () => {
  it('names an offer that contradicts its commune’s open data, and only then', () => {
    expect(coverageDisagreement('available', 0)).toBe('offer_fibre_commune_low');
    expect(coverageDisagreement('available', 0.19)).toBe('offer_fibre_commune_low');
    expect(coverageDisagreement('available', 0.2)).toBeNull();
    expect(coverageDisagreement('none', 0.8)).toBe('offer_none_commune_high');
    expect(coverageDisagreement('none', 0.79)).toBeNull();
    expect(coverageDisagreement('planned', 1)).toBeNull();
    expect(coverageDisagreement('none', null)).toBeNull();
    expect(coverageDisagreement('available', undefined)).toBeNull();
  });
});
