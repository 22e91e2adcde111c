// Daily life (issue 16) on a commune page and an offer page, in both languages, at 360 and
// 1280 px: the real nearest école, collège and station with their distances, BPE counts where
// no point exists (the Manche's écoles), the sources with SNCF's ODbL named — screenshot,
// no sideways scrolling or cut text, and axe.
import { expect, test } from './fixtures.ts';
import { expectNoOverflowOrClipping, shoot } from './layout-check.ts';

const widths = [360, 1280] as const;

test('the commune page of Lectoure says its nearest école, collège and station', async ({ page, axe }) => {
  test.slow();
  for (const [path, lang, title, km, countHere] of [
    ['/communes/32208-lectoure', 'fr', 'Vie quotidienne', (n: string) => `${n}\u00a0km`, 'sur la commune\u00a0: 2'],
    ['/en/communes/32208-lectoure', 'en', 'Daily life', (n: string) => `${n} km`, 'in the commune: 2'],
  ] as const) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      const section = page.locator('[data-daily-life]');
      await expect(section.getByRole('heading', { level: 2 })).toHaveText(title);
      // Checked by brute force against the extracts in tests/unit/daily-life.test.ts.
      const school = section.locator('[data-kind="school_primary"]');
      await expect(school).toHaveAttribute('data-via', 'point');
      await expect(school).toContainText('Ecole élémentaire publique Robert Castaing');
      await expect(school.locator('.km')).toHaveText(km(lang === 'fr' ? '1,2' : '1.2'));
      await expect(section.locator('[data-kind="college"]')).toContainText('Collège Maréchal Lannes');
      const station = section.locator('[data-kind="station"]');
      await expect(station.locator('.what')).toHaveText('Auch');
      await expect(station.locator('.km')).toHaveText(km(lang === 'fr' ? '33,4' : '33.4'));
      await expect(section.locator('[data-kind="pharmacy"]')).toContainText(countHere);
      await expect(section.locator('[data-sources]')).toContainText('SNCF Gares & Connexions');
      await expect(section.locator('[data-sources] a', { hasText: 'ODbL' })).toHaveAttribute(
        'href',
        /opendatacommons\.org\/licenses\/odbl/,
      );
      await shoot(page, `daily-life-commune-${lang}`);
      await expectNoOverflowOrClipping(page);
      await axe(page);
    }
  }
});

test('an offer page in Saint-Lô shows its commune’s daily life, counts where no school point', async ({
  page,
  axe,
  portal,
}) => {
  test.slow();
  const { rows } = await portal.sql.execute(
    "SELECT id, slug FROM offers WHERE status = 'published' AND commune_code = '50502' ORDER BY id LIMIT 1",
  );
  const offer = `/offres/${rows[0]!.id}-${rows[0]!.slug}`;
  for (const [path, lang, station] of [
    [offer, 'fr', '1,4\u00a0km'],
    [`/en${offer}`, 'en', '1.4 km'],
  ] as const) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      const section = page.locator('[data-daily-life]');
      await expect(section).toBeVisible();
      await expect(section.locator('[data-kind="station"] .what')).toHaveText('Saint-Lô');
      await expect(section.locator('[data-kind="station"] .km')).toHaveText(station);
      await expect(section.locator('[data-kind="college"]')).toContainText('Collège Louis Pasteur');
      // No école points for the Manche: INSEE's count for the commune (BPE 2020: 8).
      await expect(section.locator('[data-kind="school_primary"]')).toHaveAttribute('data-via', 'count');
      await expect(section.locator('[data-kind="school_primary"]')).toContainText('8');
      await expect(section.locator('[data-kind="lycee"]')).toHaveAttribute('data-via', 'none');
      await shoot(page, `daily-life-offer-${lang}`);
      await expectNoOverflowOrClipping(page);
      await axe(page);
    }
  }
});
