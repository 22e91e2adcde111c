// Lighthouse (mobile, its default settings) on `/`, `/offres`, an offer page and `/impact` of
// a started server, with the system Chromium; the goal is 100 in all four categories.
// Scores vary from run to run on a shared machine (a long task of the browser itself is
// counted as blocking time): each page is audited LIGHTHOUSE_RUNS times (3) and each
// category's median is kept, after one discarded run that warms the browser up.
// Called by scripts/bench.ts; alone: `node_modules/.bin/node scripts/bench-lighthouse.ts <base URL>`.
import { existsSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

type Result = NonNullable<Awaited<ReturnType<typeof lighthouse>>>['lhr'];

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
type Category = (typeof CATEGORIES)[number];

export interface LighthouseResult {
  path: string;
  scores: Record<Category, number>;
  /** The audits that lost points, for the ones not at 100. */
  failing: string[];
}

/** The first offer linked from `/offres`: an offer page of this server's catalogue. */
async function anOfferPath(base: string): Promise<string> {
  const html = await (await fetch(`${base}/offres`)).text();
  const path = /href="(\/offres\/\d+[^"?#]*)"/.exec(html)?.[1];
  if (!path) throw new Error('no offer linked from /offres');
  return path;
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchLighthouse(
  base: string,
  paths?: string[],
  runs = Number(process.env.LIGHTHOUSE_RUNS ?? 3),
): Promise<LighthouseResult[]> {
  const pages = paths ?? ['/', '/offres', await anOfferPath(base), '/impact'];
  const chromePath = process.env.CHROME_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const results: LighthouseResult[] = [];
  try {
    const audit = async (path: string) => {
      const runner = await lighthouse(`${base}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: [...CATEGORIES],
      });
      if (!runner?.lhr) throw new Error(`Lighthouse gave no result for ${path}`);
      return runner.lhr;
    };
    console.log(`\nLighthouse (mobile), median of ${runs} runs, goal 100 in every category:`);
    await audit(pages[0]!);
    for (const path of pages) {
      const lhrs: Result[] = [];
      for (let i = 0; i < runs; i++) lhrs.push(await audit(path));
      const scoreOf = (lhr: Result, c: Category) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, median(lhrs.map((l) => scoreOf(l, c)))])) as Record<
        Category,
        number
      >;
      // What lost points, in any run.
      const failing = [
        ...new Set(
          lhrs.flatMap((lhr) =>
            CATEGORIES.flatMap((c) =>
              (lhr.categories[c]?.auditRefs ?? [])
                .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
                .map((ref) => `${c}/${ref.id}`),
            ),
          ),
        ),
      ];
      const met = CATEGORIES.every((c) => scores[c] === 100);
      console.log(
        `  ${path.padEnd(30).slice(0, 60)} performance ${scores.performance}, accessibility ${scores.accessibility}, best practices ${scores['best-practices']}, SEO ${scores.seo}   (goal 100: ${met ? 'met' : 'NOT met'})`,
      );
      if (failing.length > 0) console.log(`    points lost in some run: ${failing.join(', ')}`);
      results.push({ path, scores, failing });
    }
  } finally {
    chrome.kill();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2] ?? 'http://127.0.0.1:4321';
  await benchLighthouse(base, process.argv.length > 3 ? process.argv.slice(3) : undefined);
}
