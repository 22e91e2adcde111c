// Astro inlines its islands' runtime (~4.4 KB, the <astro-island> element), the script of
// each hydration directive a page uses (`client:idle`…, ~0.3 KB) and the islands' one CSS
// rule into every page that holds an island (getPrescripts in
// astro/dist/runtime/server/scripts.js), the same text each time. The build writes the
// built-in directives and the runtime once as a file with its hash in the name, and a Vite
// plugin of the server build makes pages link it, deferred: cached for a year like the other
// assets, compressed with them, and 4.8 KB off each page's HTML (decision 020). Deferred is
// enough: the directives come first in the file, and the element upgrades the islands already
// parsed when it is defined. The CSS rule is in global.css. A directive an integration adds
// (none here) would stay inline, before the link.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AstroIntegration } from 'astro';
import type { Plugin } from 'vite';

const MODULE = /[\\/]astro[\\/]dist[\\/]runtime[\\/]server[\\/]scripts\.js$/;
/** Astro's built-in directives (core/client-directive/default.js). */
export const DIRECTIVES = ['idle', 'load', 'media', 'only', 'visible'] as const;
const INLINE_DIRECTIVE = '<script>${getDirectiveScriptText(result, directive)}</script>';
/** What getPrescripts returns for a page's first island, and for a further directive. */
export const ANCHORS = {
  both: `return \`<style>\${ISLAND_STYLES}</style>${INLINE_DIRECTIVE}<script>\${process.env.NODE_ENV === "development" ? islandScriptDev : islandScript}</script>\`;`,
  directive: `return \`${INLINE_DIRECTIVE}\`;`,
};

const astroFile = async (path: string): Promise<unknown> => {
  const astroDir = dirname(createRequire(import.meta.url).resolve('astro/package.json'));
  return ((await import(pathToFileURL(join(astroDir, 'dist', path)).href)) as { default: unknown }).default;
};

/** The built-in directives then the runtime, as Astro ships them, and the file name they are served under. */
export async function islandRuntime(): Promise<{ text: string; file: string }> {
  const parts: unknown[] = await Promise.all(DIRECTIVES.map((d) => astroFile(`runtime/client/${d}.prebuilt.js`)));
  const runtime = await astroFile('runtime/server/astro-island.prebuilt.js');
  if (
    typeof runtime !== 'string' ||
    !runtime.includes('customElements.define("astro-island"') ||
    parts.some((p, i) => typeof p !== 'string' || !p.includes(`.${DIRECTIVES[i]}=`))
  )
    throw new Error('island-runtime-file: astro changed its prebuilt island scripts; update the plugin');
  const text = [...(parts as string[]), runtime].join('\n');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  return { text, file: `astro-island.${hash}.js` };
}

/** Astro's getPrescripts with the inline scripts and style replaced by a deferred link to the file. */
export function linkIslandRuntime(code: string, file: string): string {
  if (!code.includes(ANCHORS.both) || !code.includes(ANCHORS.directive))
    throw new Error('island-runtime-file: astro changed getPrescripts (runtime/server/scripts.js); update the plugin');
  const builtIn = `${JSON.stringify(DIRECTIVES)}.includes(directive)`;
  const link = `<script src="/_astro/${file}" defer></script>`;
  return code
    .replace(ANCHORS.both, `return (${builtIn} ? "" : \`${INLINE_DIRECTIVE}\`) + ${JSON.stringify(link)};`)
    .replace(ANCHORS.directive, `return ${builtIn} ? "" : \`${INLINE_DIRECTIVE}\`;`);
}

/** The Vite plugin (build only: `astro dev` keeps the inline runtime, no file is written there). */
export function islandRuntimeLink(): Plugin {
  let file = '';
  return {
    name: 'campagne-connectee:island-runtime-link',
    apply: 'build',
    async buildStart() {
      file = (await islandRuntime()).file;
    },
    transform(code, id) {
      return MODULE.test(id.split('?')[0]!) ? { code: linkIslandRuntime(code, file), map: null } : undefined;
    },
  };
}

/** Writes the file among the built assets; listed before the compressor, which then compresses it. */
export function islandRuntimeFile(): AstroIntegration {
  return {
    name: 'campagne-connectee:island-runtime-file',
    hooks: {
      'astro:build:done': async ({ dir }) => {
        const { text, file } = await islandRuntime();
        const assets = new URL('_astro/', dir);
        await mkdir(assets, { recursive: true });
        await writeFile(new URL(file, assets), text);
      },
    },
  };
}
