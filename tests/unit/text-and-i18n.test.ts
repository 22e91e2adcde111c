import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.ts';
import { fr } from '../../src/i18n/fr.ts';
import { formatPrice, localizedPath, t } from '../../src/i18n/index.ts';
import { foldText, slugify } from '../../src/lib/text.ts';

describe('text', () => {
  it('folds accents, case and punctuation', () => {
    expect(foldText('Léguevin')).toBe('leguevin');
    expect(foldText("L'Isle-Jourdain")).toBe('l isle jourdain');
    expect(foldText('  Cœur  de   Bœuf ')).toBe('coeur de boeuf');
  });
  it('makes URL slugs', () => {
    expect(slugify('Longère à Mauvezin !')).toBe('longere-a-mauvezin');
    expect(slugify('???')).toBe('offre');
  });
});

describe('i18n', () => {
  it('has the same non-empty keys in both locales', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const value of [...Object.values(fr), ...Object.values(en)]) expect(value.trim()).not.toBe('');
  });
  it('formats plurals and numbers per locale', () => {
    expect(t('fr', 'search.results', { count: 0 })).toBe('Aucune offre');
    expect(t('fr', 'search.results', { count: 1 })).toBe('1 offre');
    expect(t('fr', 'search.results', { count: 1234 })).toBe('1\u202f234 offres');
    expect(t('en', 'search.results', { count: 1234 })).toBe('1,234 offers');
    expect(t('en', 'errors.unknown_territory', { value: '99' })).toBe(
      'The territory “99” is not part of the programme.',
    );
  });
  it('formats prices in euros', () => {
    expect(formatPrice('fr', 250000)).toBe('250\u202f000\u00a0€');
    expect(formatPrice('en', 950)).toBe('€950');
  });
  it('maps a path to the other locale and keeps the query string', () => {
    expect(localizedPath('/offres?fibre=1', 'en')).toBe('/en/offres?fibre=1');
    expect(localizedPath('/en/offres?fibre=1', 'fr')).toBe('/offres?fibre=1');
    expect(localizedPath('/', 'en')).toBe('/en/');
    expect(localizedPath('/en/', 'fr')).toBe('/');
    expect(localizedPath('/en', 'fr')).toBe('/');
  });
});
