// Astro's own messages (the router's warnings, a render's error) through the portal's JSON
// logger (src/lib/log.ts), so that every line on stdout is JSON. Configured as `logger` in
// astro.config.mjs (Astro's Logger API); the build's messages go through it too.
import type { AstroLoggerDestination, AstroLoggerLevel } from 'astro';
import { matchesLevel } from 'astro/logger';
import { log } from './log.ts';

// Astro colours some messages for terminals.
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export default function portalLogger(config: { level?: AstroLoggerLevel } = {}): AstroLoggerDestination {
  const level = config.level ?? 'info';
  return {
    write(event) {
      if (!matchesLevel(event.level, level)) return;
      const fields = { label: event.label ?? undefined };
      const message = event.message.replace(COLOURS, '');
      if (event.level === 'error') log.error(fields, message);
      else if (event.level === 'warn') log.warn(fields, message);
      else if (event.level === 'debug') log.debug(fields, message);
      else log.info(fields, message);
    },
  };
}
