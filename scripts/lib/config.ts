// Validates the process environment against the astro:env schema of astro.config.mjs,
// with Astro's own validators, before anything starts. One clear line per problem.
import { getEnvFieldType, validateEnvVariable } from 'astro/env/runtime';
import { envSchema } from '../../astro.config.mjs';
import { compileTrust, TrustedProxiesError } from './proxies.ts';
import { DEVELOPMENT_TOTP_KEY, parseTotpKey } from '../../src/server/accounts/secret-box.ts';

type Schema = typeof envSchema;
export type Config = { [K in keyof Schema]: string | number | undefined };

const hints: Partial<Record<keyof Schema, string>> = {
  DATABASE_URL: 'a URL such as file:data/portal.db or libsql://your-db.example.org',
  RESEND_BASE_URL: 'a URL such as https://api.resend.com',
  PUBLIC_SITE_URL: 'the public URL of the site, such as https://campagne-connectee.fr',
  MAIL_FROM: 'a sender such as "Campagne Connectée <bonjour@example.org>"',
  PORT: 'a port number from 1 to 65535',
  TRUSTED_PROXIES: 'IP addresses or CIDR ranges separated by commas, such as 10.0.0.5, 172.18.0.0/16',
  TOTP_KEY: '32 random bytes in base64 (openssl rand -base64 32)',
};

export class ConfigError extends Error {}

/** The database named by DATABASE_URL cannot be opened or migrated. */
export class DatabaseOpenError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, options] of Object.entries(envSchema) as [keyof Schema, Schema[keyof Schema]][]) {
    const raw = env[key] === '' ? undefined : env[key];
    const result = validateEnvVariable(raw, options);
    if (result.ok) {
      config[key] = result.value;
    } else {
      const expected = hints[key] ?? getEnvFieldType(options);
      problems.push(
        raw === undefined
          ? `${key} is missing: set it to ${expected}`
          : `${key} is invalid (${JSON.stringify(raw)}): expected ${expected}`,
      );
    }
  }
  if (typeof config.TRUSTED_PROXIES === 'string') {
    try {
      compileTrust(config.TRUSTED_PROXIES);
    } catch (error) {
      if (!(error instanceof TrustedProxiesError)) throw error;
      problems.push(error.message);
    }
  }
  if (config.TOTP_KEY !== undefined && !parseTotpKey(String(config.TOTP_KEY)))
    problems.push(`TOTP_KEY is invalid (not shown): expected ${hints.TOTP_KEY}`);
  if (problems.length) throw new ConfigError(`Configuration error: ${problems.join('; ')}.`);
  return config as Config;
}

/**
 * The key that seals the accounts' TOTP keys: TOTP_KEY, required by a production server;
 * elsewhere the public development key (secret-box.ts) stands in.
 */
export function totpKeyOf(config: Config): Uint8Array {
  if (config.TOTP_KEY !== undefined) return parseTotpKey(String(config.TOTP_KEY))!;
  if (config.APP_ENV === 'production')
    throw new ConfigError(
      `Configuration error: TOTP_KEY is missing: set it to ${hints.TOTP_KEY} (required in production).`,
    );
  return DEVELOPMENT_TOTP_KEY;
}

/** Runs a script's main function; configuration and connection failures print one line, no stack. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DatabaseOpenError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exit(1);
  }
}
