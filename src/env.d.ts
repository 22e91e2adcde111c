/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** Locale of the page, from its path (/en/… is English). */
    locale: import('./i18n/index.ts').Locale;
    /** Correlates a request with the log lines it produced; echoed as X-Request-Id. */
    requestId: string;
    /** The signed-in person, or null (also while their session waits for its second step). */
    user: import('./server/accounts/session.ts').SessionUser | null;
    sessionId: string | null;
    /** A session that passed the password but still lacks its second step (decision 015): whose, and what. */
    secondStep?: { user: import('./server/accounts/session.ts').SessionUser; need: 'verify' | 'enrol' } | null;
  }
}
