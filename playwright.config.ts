import { defineConfig, devices } from '@playwright/test';
import { existsSync } from 'node:fs';

// Debian's Chromium where it is installed (machines without Playwright's own browsers),
// Playwright's bundled Chromium elsewhere.
const systemChromium = '/usr/bin/chromium';

// Budgets for a shared 2-core machine under other load: a page that renders in 300 ms when
// idle can take seconds, and axe or a full-page screenshot many more. Tests wait for states
// (locators, responses, expect.poll), never for time, so long budgets only cost time when
// something is really wrong. Long journeys call test.slow() (three times the budget).
export default defineConfig({
  testDir: 'tests/e2e',
  // The portals' logs of the whole run hold no personal data (and are all JSON lines).
  globalTeardown: './tests/e2e/global-teardown.ts',
  outputDir: 'test-results/e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list']] : [['list']],
  timeout: 90_000,
  expect: { timeout: 20_000 },
  use: {
    ...devices['Desktop Chrome'],
    navigationTimeout: 60_000,
    actionTimeout: 30_000,
    // A failed test keeps its trace: actions, console and network. DOM snapshots and
    // screencast frames cost a fifth of the suite's time on 2 cores; `--trace on` adds them
    // when debugging one test (error-context.md keeps the page's ARIA snapshot anyway).
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: false, sources: false },
    launchOptions: {
      executablePath: existsSync(systemChromium) ? systemChromium : undefined,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
    },
  },
});
