// The build's plugin that makes Astro hash each page's inline styles and scripts once per
// process (scripts/build/csp-digest-once.ts), on Astro's own module and on a stand-in.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANCHOR, memoizeCspDigest } from '../../scripts/build/csp-digest-once.ts';

describe('CSP hashes computed once per text', () => {
  it('finds its place in the installed Astro (an upgrade that moves it fails here, not in production)', () => {
    const astroDir = dirname(createRequire(import.meta.url).resolve('astro/package.json'));
    const code = readFileSync(join(astroDir, 'dist/core/encryption.js'), 'utf8');
    expect(code).toContain(ANCHOR);
    expect(memoizeCspDigest(code)).toContain('generateCspDigestOnce');
  });

  it('hashes each distinct text once and gives the same digests', async () => {
    const stand = `let calls = 0;\n${ANCHOR}\n  calls++;\n  const bytes = await crypto.subtle.digest(algorithm, new TextEncoder().encode(data));\n  return "sha256-" + Buffer.from(bytes).toString("base64");\n}\nexport { generateCspDigest, calls };\nexport const count = () => calls;\n`;
    const mod = (await import(`data:text/javascript,${encodeURIComponent(memoizeCspDigest(stand))}`)) as {
      generateCspDigest: (data: string, algorithm: string) => Promise<string>;
      count: () => number;
    };
    const a = await Promise.all([1, 2, 3].map(() => mod.generateCspDigest('.a{color:red}', 'SHA-256')));
    const b = await mod.generateCspDigest('.b{color:blue}', 'SHA-256');
    expect(new Set(a).size).toBe(1);
    expect(a[0]).toBe(
      `sha256-${(await import('node:crypto')).createHash('sha256').update('.a{color:red}').digest('base64')}`,
    );
    expect(b).not.toBe(a[0]);
    expect(mod.count()).toBe(2);
  });

  it('refuses an Astro whose function it does not recognise', () => {
    expect(() => memoizeCspDigest('function somethingElse() {}')).toThrow(/astro changed/);
  });
});
