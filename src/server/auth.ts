// The app's account services, configured from astro:env: sessions (lucia) and the context
// the account commands need. The only module of the app that wires them.
import type { OffersContext } from './offers/owners.ts';
import { APP_ENV, PUBLIC_SITE_URL, TOTP_KEY } from 'astro:env/server';
import { createSessions } from './accounts/session.ts';
import type { AccountsContext } from './accounts/commands.ts';
import { resolveTotpKey } from './accounts/secret-box.ts';
import type { TwoFactorContext } from './accounts/two-factor.ts';
import { systemClock } from './clock.ts';
import { db } from './db.ts';

/** Secure cookies whenever the site is served over HTTPS. */
export const sessions = createSessions(db, { secure: PUBLIC_SITE_URL.startsWith('https:') });

export const accounts: AccountsContext = { db, clock: systemClock, siteUrl: PUBLIC_SITE_URL };

/**
 * Two-factor sign-in: TOTP keys sealed under TOTP_KEY (scripts/start.ts refuses to start
 * production without it; `astro dev` and the demo use the public development key).
 */
export const twoFactorContext: TwoFactorContext = {
  db,
  clock: systemClock,
  key: resolveTotpKey(TOTP_KEY, APP_ENV === 'production' && !import.meta.env.DEV),
};

/** The context of the offer commands that email (owners' proposals and their moderation). */
export const offersContext: OffersContext = { db, clock: systemClock, siteUrl: PUBLIC_SITE_URL };

/** Development tools (the mailbox) exist only outside production. */
export const devToolsEnabled = APP_ENV !== 'production';
