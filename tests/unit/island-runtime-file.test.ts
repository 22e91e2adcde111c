// The build's plugin that serves the islands' runtime and directives as a file instead of
// inlining them in every page (scripts/build/island-runtime-file.ts), on Astro's own modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANCHORS, DIRECTIVES, islandRuntime, linkIslandRuntime } from '../../scripts/build/island-runtime-file.ts';

const astroDir = dirname(createRequire(import.meta.url).resolve('astro/package.json'));
const scripts = () => readFileSync(join(astroDir, 'dist/runtime/server/scripts.js'), 'utf8');

describe('the islands’ runtime as a file', () => {
  it('holds every built-in directive, then the runtime Astro ships, named by its content', async () => {
    const { text, file } = await islandRuntime();
    const runtimeAt = text.indexOf('customElements.define("astro-island"');
    expect(runtimeAt).toBeGreaterThan(0);
    for (const d of DIRECTIVES) {
      const at = text.indexOf(`(self.Astro||(self.Astro={})).${d}=`);
      expect(at, d).toBeGreaterThanOrEqual(0);
      expect(at, d).toBeLessThan(runtimeAt);
    }
    expect(file).toMatch(/^astro-island\.[0-9a-f]{10}\.js$/);
    expect((await islandRuntime()).file).toBe(file);
  });

  it('finds the inline scripts in the installed Astro and links the file, deferred, in their place', async () => {
    const code = scripts();
    const linked = linkIslandRuntime(code, 'astro-island.0123456789.js');
    expect(linked).not.toContain(ANCHORS.both);
    expect(linked).not.toContain(ANCHORS.directive);
    expect(linked).not.toContain('<style>${ISLAND_STYLES}</style>');
    // The linked getPrescripts, run: nothing inline for a built-in directive, the link once.
    const body = linked.slice(linked.indexOf('function getPrescripts'), linked.indexOf('export {'));
    const getPrescripts = new Function('getDirectiveScriptText', `${body}; return getPrescripts;`)(
      (_result: unknown, d: string) => `/* ${d} */`,
    ) as (r: unknown, type: string, d: string) => string;
    const link = '<script src="/_astro/astro-island.0123456789.js" defer></script>';
    for (const d of DIRECTIVES) {
      expect(getPrescripts({}, 'both', d)).toBe(link);
      expect(getPrescripts({}, 'directive', d)).toBe('');
    }
    // A directive an integration adds stays inline, before the file.
    expect(getPrescripts({}, 'both', 'custom')).toBe(`<script>/* custom */</script>${link}`);
    expect(getPrescripts({}, 'directive', 'custom')).toBe('<script>/* custom */</script>');
  });

  it('refuses an Astro whose getPrescripts it does not recognise', () => {
    expect(() => linkIslandRuntime('function getPrescripts() {}', 'x.js')).toThrow(/astro changed/);
    expect(() => linkIslandRuntime(scripts().replace(ANCHORS.directive, ''), 'x.js')).toThrow(/astro changed/);
  });
});
