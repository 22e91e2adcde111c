// The build's plugin that serves the islands' runtime as a file instead of inlining it in
// every page (scripts/build/island-runtime-file.ts), on Astro's own modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANCHOR, islandRuntime, linkIslandRuntime } from '../../scripts/build/island-runtime-file.ts';

describe('the islands’ runtime as a file', () => {
  it('reads the runtime Astro ships, named by its content', async () => {
    const { text, file } = await islandRuntime();
    expect(text).toContain('customElements.define("astro-island"');
    expect(file).toMatch(/^astro-island\.[0-9a-f]{10}\.js$/);
    expect((await islandRuntime()).file).toBe(file);
  });

  it('finds the inline runtime in the installed Astro and links the file, deferred, in its place', async () => {
    const astroDir = dirname(createRequire(import.meta.url).resolve('astro/package.json'));
    const code = readFileSync(join(astroDir, 'dist/runtime/server/scripts.js'), 'utf8');
    expect(code).toContain(ANCHOR);
    const linked = linkIslandRuntime(code, 'astro-island.0123456789.js');
    expect(linked).not.toContain(ANCHOR);
    expect(linked).toContain('<script src="/_astro/astro-island.0123456789.js" defer></script>');
    // The directive scripts the runtime waits for stay inline, before it.
    expect(linked).toContain('<script>${getDirectiveScriptText(result, directive)}</script><script src=');
  });

  it('refuses an Astro whose getPrescripts it does not recognise', () => {
    expect(() => linkIslandRuntime('function getPrescripts() {}', 'x.js')).toThrow(/astro changed/);
  });
});
