// Astro inlines its islands' runtime (~4.4 KB, the <astro-island> element) into every page
// that holds an island (getPrescripts in astro/dist/runtime/server/scripts.js), the same text
// each time. The build writes it once as a file with its hash in the name, and a Vite plugin
// of the server build makes pages link it, deferred: cached for a year like the other assets,
// compressed with them, and 4.4 KB off each page's HTML (decision 020). Deferred is enough:
// the element upgrades the islands already parsed when it is defined, and the directive
// scripts it waits for stay inline before it.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AstroIntegration } from 'astro';
import type { Plugin } from 'vite';

const MODULE = /[\\/]astro[\\/]dist[\\/]runtime[\\/]server[\\/]scripts\.js$/;
export const ANCHOR = '<script>${process.env.NODE_ENV === "development" ? islandScriptDev : islandScript}</script>';

/** The runtime's text as Astro ships it, and the file name it is served under. */
export async function islandRuntime(): Promise<{ text: string; file: string }> {
  const astroDir = dirname(createRequire(import.meta.url).resolve('astro/package.json'));
  const module = pathToFileURL(join(astroDir, 'dist/runtime/server/astro-island.prebuilt.js')).href;
  const text: unknown = ((await import(module)) as { default: unknown }).default;
  if (typeof text !== 'string' || !text.includes('customElements.define("astro-island"'))
    throw new Error('island-runtime-file: astro changed astro-island.prebuilt.js; update the plugin');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  return { text, file: `astro-island.${hash}.js` };
}

/** Astro's getPrescripts with the inline runtime replaced by a deferred link to the file. */
export function linkIslandRuntime(code: string, file: string): string {
  if (!code.includes(ANCHOR))
    throw new Error('island-runtime-file: astro changed getPrescripts (runtime/server/scripts.js); update the plugin');
  return code.replace(ANCHOR, `<script src="/_astro/${file}" defer></script>`);
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
