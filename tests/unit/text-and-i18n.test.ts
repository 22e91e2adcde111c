import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.ts';
import { fr } from '../../src/i18n/fr.ts';
import { formatDate, formatMessage, formatPrice, localizedPath, t } from '../../src/i18n/index.ts';
import { foldText, scriptJson, slugify } from '../../src/lib/text.ts';
import { renderMail, templateNames } from '../../src/server/mail/templates.ts';
import { renderSearchDigest } from '../../src/server/mail/digest-template.ts';

describe('text', () => {
  it('folds accents, case and punctuation', () => {
    expect(foldText('Léguevin')).toBe('leguevin');
    expect(foldText("L'Isle-Jourdain")).toBe('l isle jourdain');
    expect(foldText('  Cœur  de   Bœuf ')).toBe('coeur de boeuf');
  });
  it('writes JSON that no text can end the <script> it stands in', () => {
    const value = { title: '</script><script>alert(1)</script>', note: '<!-- a < b' };
    const text = scriptJson(value);
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual(value);
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
  it('formats a template the same every time: text around, missing values, written-out numbers', () => {
    const template = 'De {from} : {n, plural, =0 {rien} one {# lieu} other {# lieux}} près de {where}.';
    for (let i = 0; i < 3; i++) {
      expect(formatMessage('fr', template, { from: 'Auch', n: 0, where: 'Gers' })).toBe('De Auch : rien près de Gers.');
      expect(formatMessage('fr', template, { from: 'Auch', n: 1200, where: '#1' })).toBe(
        'De Auch : 1\u202f200 lieux près de #1.',
      );
      // A number already written out is chosen by its value and shown as given.
      expect(formatMessage('fr', template, { from: 'Auch', n: '1 200', where: 'x' })).toBe(
        'De Auch : 1 200 lieux près de x.',
      );
      expect(formatMessage('en', template, { n: 1 })).toBe('De {from} : 1 lieu près de {where}.');
    }
  });
  it('writes the counts per kind with each language’s typography and digit grouping', () => {
    expect(t('fr', 'search.kindCounts', { homes: 1234, tiersLieux: 5 })).toBe(
      'Logements\u00a0: 1\u202f234 · Tiers-lieux\u00a0: 5',
    );
    expect(t('en', 'search.kindCounts', { homes: 1234, tiersLieux: 5 })).toBe('Homes: 1,234 · Tiers-lieux: 5');
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

describe('typography of every message', () => {
  // Each placeholder given 1, as a count would be: "1 pièce", never "1 pièces".
  const withOne = (template: string) => formatMessage('fr', template.replace(/\{(\w+)\}/g, '1'), {});
  const ones = (locale: 'fr' | 'en', template: string) => {
    const names = new Set([...template.matchAll(/\{(\w+)(?:, plural,|\})/g)].map((m) => m[1]!));
    return formatMessage(locale, template, Object.fromEntries([...names].map((n) => [n, 1])));
  };

  it('French: a non-breaking space before : ; ! ? » and after «', () => {
    const bad = Object.entries(fr).filter(([, v]) => / [:;!?»]|« /.test(v));
    expect(bad.map(([k]) => k)).toEqual([]);
  });

  it('English: English punctuation and quotes, no French spacing', () => {
    const bad = Object.entries(en).filter(([, v]) => /[«»]|[\u00a0\u202f][:;!?]| [:;!?](?=\s|$)/.test(v));
    expect(bad.map(([k]) => k)).toEqual([]);
  });

  it('every email, in both languages, follows its language’s typography', () => {
    const section = (n: number) => ({
      name: `Recherche ${n}`,
      total: n + 1,
      offers: [{ title: 'Maison', url: 'https://cc.test/o/1', line: 'Maison · Vente' }],
      searchUrl: 'https://cc.test/offres',
      unsubscribeUrl: 'https://cc.test/u',
    });
    const mails = (locale: 'fr' | 'en') => [
      ...templateNames.map(
        (name) =>
          [name, renderMail(name, locale, { url: 'https://cc.test/x', unsubscribeUrl: 'https://cc.test/u' })] as const,
      ),
      ...[1, 2].map(
        (n) =>
          [
            `digest ${n}`,
            renderSearchDigest(locale, {
              name: 'Ana',
              sections: [section(1), section(2)].slice(0, n),
              manageUrl: 'https://cc.test/m',
            }),
          ] as const,
      ),
    ];
    const frBad = mails('fr').filter(([, m]) => / [:;!?»]|« /.test(m.subject + m.text));
    expect(frBad.map(([k, m]) => `${k}: ${/.{0,20} [:;!?»]|« .{0,20}/.exec(m.subject + m.text)![0]}`)).toEqual([]);
    const enBad = mails('en').filter(([, m]) => /[«»]|[\u00a0\u202f][:;!?]| [:;!?](?=\s|$)/.test(m.subject + m.text));
    expect(enBad.map(([k]) => k)).toEqual([]);
    expect(mails('fr')).toHaveLength(templateNames.length + 2);
  });

  it('a count of one is singular in both languages', () => {
    // Words that end in s in the singular too, or verbs after a name ("{auditor} finds").
    const invariant = new Set('mois fois des les sous plus hors tiers is finds was has this its as'.split(' '));
    for (const [locale, catalogue] of [
      ['fr', fr],
      ['en', en],
    ] as const) {
      const bad = Object.entries(catalogue).flatMap(([key, template]) =>
        [...ones(locale, template).matchAll(/(?<![\d,.])1 (\p{L}+s)\b/gu)]
          .filter((m) => !invariant.has(m[1]!.toLowerCase()))
          .map((m) => `${locale} ${key}: ${m[0]}`),
      );
      expect(bad).toEqual([]);
    }
    expect(withOne('{n} pièce')).toBe('1 pièce');
  });

  it('French dates say "1er" for the first of the month', () => {
    expect(formatDate('fr', '2026-10-01')).toBe('1er octobre 2026');
    expect(formatDate('fr', '2026-10-02')).toBe('2 octobre 2026');
    expect(formatDate('en', '2026-10-01')).toBe('1 October 2026');
  });
});
