// npm run admin:create -- --email ops@example.org [--name "Camille Martin"] [--locale fr|en]
// Creates the first platform administrator of a deployment (embedded file or libsql://
// server, from DATABASE_URL) and prints a one-time link to choose the password. An email
// that already has an account is refused and nothing changes.
import { parseArgs } from 'node:util';
import { ConfigError, readConfig, runMain } from './lib/config.ts';
import { prepareDb } from './lib/prepare-db.ts';
import { createPlatformAdmin } from '../src/server/accounts/commands.ts';
import { systemClock } from '../src/server/clock.ts';
import { Conflict, Invalid } from '../src/server/errors.ts';
import { t } from '../src/i18n/index.ts';

const usage = 'Usage: npm run admin:create -- --email you@example.org [--name "Your Name"] [--locale fr|en]';

await runMain(async () => {
  let args;
  try {
    ({ values: args } = parseArgs({
      options: { email: { type: 'string' }, name: { type: 'string' }, locale: { type: 'string' } },
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. ${usage}`);
  }
  if (!args.email) throw new ConfigError(`The email is missing. ${usage}`);
  const config = readConfig();
  const db = await prepareDb(config, { demo: false });
  try {
    const url = await createPlatformAdmin(
      { db, clock: systemClock, siteUrl: String(config.PUBLIC_SITE_URL) },
      { email: args.email, name: args.name ?? args.email.split('@')[0], locale: args.locale ?? 'fr' },
    );
    console.log(`Platform administrator created: ${args.email.trim().toLowerCase()}.`);
    console.log('Open this link within 7 days to choose the password (it works once):');
    console.log(url);
  } catch (error) {
    if (error instanceof Conflict)
      throw new ConfigError(`An account already exists for ${args.email}: nothing changed.`);
    if (error instanceof Invalid)
      throw new ConfigError(error.errors.map((e) => `--${e.field}: ${t('en', e.key, e.params)}`).join('; '));
    throw error;
  } finally {
    db.$client.close();
  }
});
