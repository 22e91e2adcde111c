// Layout checks any spec can run on the page it has open, at the viewport it has set:
// `expectNoOverflowOrClipping(page)` — nothing wider than the window (no sideways scrolling
// of the page) and no text cut or spilling out of its box, except inside a container meant
// to scroll (a table's `.table-wrap` region, an `overflow: auto` box); `shoot(page, name)` —
// a full-page screenshot under test-results/screenshots (never in the repository), named
// with the viewport's width: `shoot(page, 'impact-fr')` → impact-fr-360.png.
import { expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const screenshotsDir = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));

/**
 * Fails with the list of offenders when the page scrolls sideways
 * (`scrollWidth > clientWidth` of the document) or when an element holding text of its own
 * is overflowed by it (`scrollWidth > clientWidth + 1` or `scrollHeight > clientHeight + 1`)
 * outside any scrolling container. Hidden elements (display none, `hidden`, the visually
 * hidden class) and SVG text (drawn, not laid out in boxes) are not checked.
 */
export async function expectNoOverflowOrClipping(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      out.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    const scrolls = (v: string) => v === 'auto' || v === 'scroll';
    /** Inside (or itself) a box meant to scroll: cut text there is reached by scrolling. */
    const inScroller = (el: Element) => {
      for (let e: Element | null = el; e && e !== document.body && e !== root; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (scrolls(s.overflowX) || scrolls(s.overflowY)) return true;
      }
      return false;
    };
    const name = (el: Element) => {
      const id = el.id ? `#${el.id}` : '';
      const cls =
        typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
      return `${el.tagName.toLowerCase()}${id}${cls} “${text}”`;
    };
    for (const el of document.body.querySelectorAll('*')) {
      if (!(el instanceof HTMLElement)) continue;
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!ownText || el.getClientRects().length === 0) continue;
      if (el.closest('[hidden], .visually-hidden, script, style, noscript, template')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'contents') continue;
      // Hidden for the eye but read aloud, however written (a 1 × 1 positioned box).
      if (style.position === 'absolute' && el.clientWidth <= 1 && el.clientHeight <= 1) continue;
      const wide = el.scrollWidth > el.clientWidth + 1;
      const tall = el.scrollHeight > el.clientHeight + 1;
      // Inline boxes report 0 × 0 client sizes; their text belongs to their block.
      if (style.display === 'inline' || (!wide && !tall) || inScroller(el)) continue;
      out.push(
        `${name(el)}: ${el.scrollWidth}×${el.scrollHeight} of content in a ${el.clientWidth}×${el.clientHeight} box`,
      );
    }
    return out;
  });
  expect(problems, `overflowing or clipped on ${page.url()}`).toEqual([]);
}

/**
 * Screenshots are for people to look at: taken on a developer's run, skipped on CI (nobody
 * opens them there, and full-page PNGs are a good part of a layout test's time) unless
 * SCREENSHOTS=1 asks for them (`npm run test:screens`).
 */
export const takeScreenshots = process.env.SCREENSHOTS === '1' || !process.env.CI;

/** A full-page screenshot: test-results/screenshots/<name>-<viewport width>.png. */
export async function shoot(page: Page, name: string): Promise<void> {
  if (!takeScreenshots) return;
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: join(screenshotsDir, `${name}-${width}.png`), fullPage: true });
}

/** At 360 then 1280 px: no overflow or clipping, and a screenshot at each width (`name`-360.png…). */
export async function checkBothWidths(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [360, 780],
    [1280, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    await expectNoOverflowOrClipping(page);
    await shoot(page, name);
  }
}
