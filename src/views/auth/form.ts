// Shared handling of account form posts: read the form, call one domain function, and turn
// its typed errors into what the view shows (field errors, a notice, a 429 with Retry-After).
import type { AstroGlobal } from 'astro';
import { RateLimited, SignInRefused } from '../../server/accounts/commands.ts';
import { sessions } from '../../server/auth.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../server/errors.ts';
import { localizedPath, t, visitorPath, type Locale, type MessageKey } from '../../i18n/index.ts';

export interface FormState {
  /** Field → localized message. */
  errors: Record<string, string>;
  /** A message about the whole form (alert). */
  alert?: string;
  /** What was typed (never passwords), to refill the form. */
  values: Record<string, string>;
}

export type FormOutcome = { redirect: string } | { status: number; retryAfter?: number; state: FormState };

export const emptyState = (): FormState => ({ errors: {}, values: {} });

/** Field → localized message, from a domain `Invalid`. */
export const localizedErrors = (locale: Locale, error: Invalid): Record<string, string> =>
  Object.fromEntries(error.errors.map((e) => [e.field, t(locale, e.key, { value: e.value ?? '', ...e.params })]));

/** The posted form as an object; repeated names (checkbox lists) become arrays. */
export async function readForm(request: Request): Promise<Record<string, string | string[]>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return {};
  }
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form) {
    if (typeof value !== 'string') continue;
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

const keepable = (form: Record<string, string | string[]>) =>
  Object.fromEntries(
    Object.entries(form).filter(([k, v]) => typeof v === 'string' && !/password|token/i.test(k)),
  ) as Record<string, string>;

/** Runs `action`; maps domain errors to a re-rendered form. */
export async function handleForm(
  locale: Locale,
  form: Record<string, string | string[]>,
  action: () => Promise<string>,
): Promise<FormOutcome> {
  const values = keepable(form);
  try {
    return { redirect: await action() };
  } catch (error) {
    if (error instanceof Invalid) {
      const errors = localizedErrors(locale, error);
      return { status: 400, state: { errors, values, alert: t(locale, 'form.errors') } };
    }
    if (error instanceof RateLimited) {
      return {
        status: 429,
        retryAfter: error.retryAfter,
        state: {
          errors: {},
          values,
          alert: t(locale, 'errors.rate_limited', { minutes: Math.ceil(error.retryAfter / 60) }),
        },
      };
    }
    if (error instanceof SignInRefused)
      return { status: 400, state: { errors: {}, values, alert: t(locale, error.key) } };
    if (error instanceof Conflict)
      return {
        status: 409,
        state: { errors: { email: t(locale, error.message as MessageKey) }, values, alert: t(locale, 'form.errors') },
      };
    if (error instanceof NotFound || error instanceof Forbidden) throw error;
    throw error;
  }
}

/** Starts a fresh session for `userId` (a new id on every sign-in) and sets its cookie. */
export async function startSession(astro: AstroGlobal, userId: number): Promise<void> {
  if (astro.locals.sessionId) await sessions.invalidateSession(astro.locals.sessionId);
  const { cookie } = await sessions.createSession(userId);
  astro.cookies.set(cookie.name, cookie.value, cookie.attributes);
}

/** Where a visitor who must sign in is sent, coming back here afterwards. */
export const signInUrl = (astro: AstroGlobal) =>
  `${localizedPath('/connexion', astro.locals.locale)}?retour=${encodeURIComponent(visitorPath(astro.url, astro.locals.locale))}`;

/** A local path to return to after signing in (never another site). */
export function returnPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?!\/)[\w\-/.?=&%]*$/.test(value) ? value : fallback;
}
