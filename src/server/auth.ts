// The app's account services, configured from astro:env: sessions (lucia) and the context
// the account commands need. The only module of the app that wires them.
import { APP_ENV, PUBLIC_SITE_URL } from 'astro:env/server';
import { createSessions } from './accounts/session.ts';
import type { AccountsContext } from './accounts/commands.ts';
import { systemClock } from './clock.ts';
import { db } from './db.ts';

/** Secure cookies whenever the site is served over HTTPS. */
export const sessions = createSessions(db, { secure: PUBLIC_SITE_URL.startsWith('https:') });

export const accounts: AccountsContext = { db, clock: systemClock, siteUrl: PUBLIC_SITE_URL };

/** Development tools (the mailbox) exist only outside production. */
export const devToolsEnabled = APP_ENV !== 'production';
