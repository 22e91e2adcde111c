// The name of the session cookie: requests that carry it are a signed-in person's and are
// never served from the shared page cache.
export const SESSION_COOKIE_NAME = 'cc_session';

/** How long a browser keeps the cookie (lucia's session expiry); roles end sessions sooner. */
export const SESSION_COOKIE_MAX_AGE_DAYS = 30;
