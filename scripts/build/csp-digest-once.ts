// A Vite plugin for the server build: Astro hashes the inline styles and scripts of a page
// for its Content-Security-Policy on every render (createResult in astro/dist/core/fetch/
// fetch-state.js calls generateCspDigest for each), though they are the same texts for every
// render of a route. This wraps Astro's generateCspDigest so that each distinct text is hashed
// once per process: one hash computation per page shape (decision 020).
import type { Plugin } from 'vite';

const MODULE = /[\\/]astro[\\/]dist[\\/]core[\\/]encryption\.js$/;
export const ANCHOR = 'async function generateCspDigest(data, algorithm) {';

/** Astro's module with generateCspDigest memoized (bounded: a route's texts are few). */
export function memoizeCspDigest(code: string): string {
  if (!code.includes(ANCHOR))
    throw new Error('csp-digest-once: astro changed generateCspDigest (core/encryption.js); update the plugin');
  return code.replace(
    ANCHOR,
    `const cspDigests = new Map();
function generateCspDigest(data, algorithm) {
  const key = algorithm + "\\u0000" + data;
  let digest = cspDigests.get(key);
  if (digest === undefined) {
    if (cspDigests.size >= 1024) cspDigests.clear();
    digest = generateCspDigestOnce(data, algorithm);
    digest.catch(() => cspDigests.delete(key));
    cspDigests.set(key, digest);
  }
  return digest;
}
async function generateCspDigestOnce(data, algorithm) {`,
  );
}

export function cspDigestOnce(): Plugin {
  return {
    name: 'campagne-connectee:csp-digest-once',
    transform(code, id) {
      return MODULE.test(id.split('?')[0]!) ? { code: memoizeCspDigest(code), map: null } : undefined;
    },
  };
}
