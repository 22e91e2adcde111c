// @ts-check
import node from '@astrojs/node';
import preact from '@astrojs/preact';
import compressor from 'astro-compressor';
import { cspDigestOnce } from './scripts/build/csp-digest-once.ts';
import { islandRuntimeFile, islandRuntimeLink } from './scripts/build/island-runtime-file.ts';
import { defineConfig, envField } from 'astro/config';

/**
 * Runtime configuration. Every variable is `access: 'secret'` so that Astro reads it from
 * the process environment when the server starts instead of inlining the build machine's
 * value; `scripts/start.ts` validates the same schema before anything else runs.
 */
export const envSchema = {
  DATABASE_URL: envField.string({
    context: 'server',
    access: 'secret',
    default: 'file:data/portal.db',
    url: true,
  }),
  DATABASE_AUTH_TOKEN: envField.string({ context: 'server', access: 'secret', optional: true }),
  RESEND_API_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
  RESEND_BASE_URL: envField.string({ context: 'server', access: 'secret', optional: true, url: true }),
  /** How often the in-process dispatcher looks at the outbox. */
  MAIL_DISPATCH_INTERVAL_MS: envField.number({ context: 'server', access: 'secret', default: 2000, int: true, gt: 49 }),
  MAIL_FROM: envField.string({
    context: 'server',
    access: 'secret',
    default: 'Campagne Connectée <bonjour@campagne-connectee.test>',
    includes: '@',
  }),
  PUBLIC_SITE_URL: envField.string({
    context: 'server',
    access: 'secret',
    default: 'http://localhost:4321',
    url: true,
  }),
  /** Where offer photos are stored (originals) and their resized copies cached. */
  PHOTOS_DIR: envField.string({ context: 'server', access: 'secret', default: 'data/photos' }),
  /** Map tiles: any XYZ template; OpenStreetMap's by default, with its attribution. */
  MAP_TILE_URL: envField.string({
    context: 'server',
    access: 'secret',
    default: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    includes: '{z}',
  }),
  MAP_ATTRIBUTION: envField.string({
    context: 'server',
    access: 'secret',
    default: '© les contributeurs d’OpenStreetMap',
  }),
  /** Cache of rendered catalogue pages for anonymous visitors (exact: keyed by the data version). */
  PAGE_CACHE: envField.enum({ context: 'server', access: 'secret', values: ['on', 'off'], default: 'on' }),
  /** `production` hides development tools (the mailbox page); `npm start` runs the demo. */
  APP_ENV: envField.enum({
    context: 'server',
    access: 'secret',
    values: ['development', 'demo', 'production'],
    default: 'production',
  }),
  /**
   * The reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDR
   * ranges; `loopback`, `uniquelocal`, `linklocal` also name ranges). Empty: the socket's
   * peer is the client, and the header is ignored. Checked by scripts/lib/config.ts.
   */
  TRUSTED_PROXIES: envField.string({ context: 'server', access: 'secret', optional: true }),
  /**
   * Seals the accounts' TOTP keys at rest (AES-256-GCM): 32 random bytes in base64
   * (`openssl rand -base64 32`). Required in production; elsewhere a fixed development key
   * (public, protects nothing) stands in. Changing it makes every enrolled app unreadable.
   */
  TOTP_KEY: envField.string({ context: 'server', access: 'secret', optional: true }),
  HOST: envField.string({ context: 'server', access: 'secret', default: 'localhost' }),
  PORT: envField.number({ context: 'server', access: 'secret', default: 4321, int: true, gt: 0, lt: 65536 }),
};

export default defineConfig({
  // Every log line is JSON (decision 017): Astro's own messages go through the portal's logger.
  logger: { entrypoint: './src/lib/astro-logger.ts' },
  output: 'server',
  // 'file': the visitor's own path (Astro.originPathname) keeps its form, "/compte" not "/compte/".
  // Stylesheets and scripts as files, never inlined: cached once instead of sent in every
  // page's HTML (the /offres HTML budget, decision 019), and fewer texts for the CSP to hash.
  build: { format: 'file', inlineStylesheets: 'never' },
  // Bodies above this are cut by the adapter itself; forms have their own, smaller limit
  // (FORM_LIMIT_BYTES in src/server/http/form.ts); photo uploads use all of it (UPLOAD_LIMIT_BYTES).
  // Middleware mode: the pages' handler alone, behind our server (scripts/lib/server.ts), which
  // serves the client files itself — the standalone handler looked for a file on disk before
  // every page.
  adapter: node({ mode: 'middleware', bodySizeLimit: 64 * 1024 * 1024 }),
  // Static JS, CSS and SVG also written as .br and .gz at build time; scripts/lib/static-assets.ts
  // serves them to the clients that accept them, the files themselves to the others (decision
  // 020). The islands' runtime is one of those files rather than inline in every page (written
  // before the compressor runs).
  integrations: [preact(), islandRuntimeFile(), compressor({ gzip: true, brotli: true, zstd: false })],
  server: { port: 4321 },
  // No Astro i18n config, not even `routing: 'manual'`: one route file serves both locales and
  // the locale is the /en prefix of the visitor's URL, read into locals.locale by
  // src/middleware.ts, which rewrites /en/… to the French route. Astro's `currentLocale` would
  // be read from the route (always French), and nothing uses the `astro:i18n` helpers.
  security: {
    // Cross-origin form posts are refused (403).
    checkOrigin: true,
    // Scripts only from this origin or hashed by Astro: no 'unsafe-inline' scripts. Style
    // attributes stay allowed (territory colours are data); style elements are hashed.
    csp: {
      algorithm: 'SHA-256',
      directives: [
        "default-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ],
      styleDirective: { resources: ["'self'", { resource: "'unsafe-inline'", kind: 'attribute' }] },
    },
  },
  env: { schema: envSchema },
  // Each page's CSP hashes computed once per process, not on every render; pages link the
  // islands' runtime file instead of inlining it (decision 020).
  vite: { plugins: [cspDigestOnce(), islandRuntimeLink()], build: { assetsInlineLimit: 0 } },
  devToolbar: { enabled: false },
});
