// The one error mapping: what a page handler returns or throws becomes a response here —
// a redirect (303 after a post), a view with its status and headers, or an error page
// (sign in, 403, 404, 409, 413, 429 with Retry-After).
import type { AstroGlobal, APIContext } from 'astro';
import { localizedPath, t, waitText, type MessageKey } from '../../i18n/index.ts';
import { DomainError, NotFound, RateLimited, SecondStepRequired, SignInRequired } from '../errors.ts';
import { typedIn } from '../input.ts';
import { isPost, visitorPath, type RequestContext } from './context.ts';
import { returnable } from './return-path.ts';

export interface Redirect {
  redirect: string;
  /** 308: the same post again at the canonical address (a 301 would make it a GET). */
  status?: 301 | 302 | 303 | 308;
}
export interface Rendered<V> {
  view: V;
  status?: number;
  headers?: Record<string, string>;
}
/** What a handler answers: a redirect, a view with its data, or a response of its own (JSON, CSV). */
export type Outcome<V> = Redirect | Rendered<V> | Response;

/** The data a handler gives its view (for the view's Props). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ViewOf<H extends (...args: any[]) => Promise<unknown>> = Extract<
  Awaited<ReturnType<H>>,
  Rendered<unknown>
>['view'];

export const redirect = (to: string, status?: Redirect['status']): Redirect => ({ redirect: to, status });
export const render = <V>(view: V, status = 200, headers?: Record<string, string>): Rendered<V> => ({
  view,
  status,
  headers,
});

/** An error page: its status and what it says. */
export interface ErrorPage {
  status: number;
  title: MessageKey;
  body: MessageKey;
  params?: Record<string, string | number>;
  /** A way on besides the home page (a missing offer: the search). */
  link?: { label: MessageKey; path: string };
}

/**
 * What a public page's 404 says of a missing offer, job or business (`PUBLIC_OFFER`,
 * `PUBLIC_WORK`, thrown by those pages alone: the back office's missing item is a plain 404):
 * it may have gone (let, sold), and the search is the way on.
 */
export const PUBLIC_OFFER = 'published offer';
export const PUBLIC_WORK = 'published job or business';
const missing: Record<string, Pick<ErrorPage, 'body' | 'link'>> = {
  [PUBLIC_OFFER]: { body: 'notFound.offer', link: { label: 'notFound.searchOffers', path: '/offres' } },
  [PUBLIC_WORK]: { body: 'notFound.opportunity', link: { label: 'notFound.searchWork', path: '/emplois' } },
};

const pages: Record<number, Omit<ErrorPage, 'status'>> = {
  400: { title: 'errors.invalidTitle', body: 'errors.invalid_request' },
  403: { title: 'errors.forbiddenTitle', body: 'errors.forbidden' },
  404: { title: 'notFound.title', body: 'notFound.body' },
  409: { title: 'errors.conflictTitle', body: 'errors.stale_file' },
  413: { title: 'errors.tooLargeTitle', body: 'errors.too_large' },
  429: { title: 'errors.rateLimitedTitle', body: 'errors.rate_limited' },
};

/** Where a visitor who must sign in is sent, coming back to this very page afterwards. */
export const signInUrl = (ctx: Pick<RequestContext, 'locals' | 'url' | 'originPathname'>) =>
  `${localizedPath('/connexion', ctx.locals.locale)}?retour=${encodeURIComponent(returnable(visitorPath(ctx)))}`;

/**
 * Where a session that passed the password only is sent: the code's page, or the app's
 * set-up; `back` (a visitor's path) afterwards.
 */
export const secondStepUrl = (locale: RequestContext['locals']['locale'], need: 'verify' | 'enrol', back: string) =>
  `${localizedPath(need === 'verify' ? '/connexion/verification' : '/compte/securite', locale)}?retour=${encodeURIComponent(returnable(back))}`;

/** A thrown error as an outcome: sign in, the second step, an error page, or rethrown (a 500). */
export function errorOutcome(
  ctx: RequestContext,
  error: unknown,
): Redirect | { error: ErrorPage; headers: Record<string, string> } {
  if (error instanceof SignInRequired) return redirect(signInUrl(ctx), isPost(ctx) ? 303 : 302);
  if (error instanceof SecondStepRequired)
    return redirect(secondStepUrl(ctx.locals.locale, error.need, visitorPath(ctx)), isPost(ctx) ? 303 : 302);
  if (!(error instanceof DomainError) || !(error.status in pages)) throw error;
  const headers: Record<string, string> = {};
  const page: ErrorPage = { status: error.status, ...pages[error.status]! };
  if (error instanceof NotFound && Object.hasOwn(missing, error.what)) Object.assign(page, missing[error.what]);
  if (error instanceof RateLimited) {
    headers['Retry-After'] = String(error.retryAfter);
    page.params = { wait: waitText(ctx.locals.locale, error.retryAfter) };
  }
  return { error: page, headers };
}

export type PageResult<V> = { view: V } | { error: ErrorPage };

/**
 * Runs a page's handler (numbers typed as the page's language writes them: `typedIn`) and
 * applies its outcome to the page: a redirect is returned as a Response for the page to
 * return; otherwise the status and headers are set and the page renders `view` or the error page.
 */
export async function page<V>(
  astro: AstroGlobal,
  handler: (ctx: RequestContext) => Promise<Outcome<V>>,
): Promise<Response | PageResult<V>> {
  let outcome: Outcome<V> | { error: ErrorPage; headers: Record<string, string> };
  try {
    outcome = await typedIn(astro.locals.locale, () => handler(astro));
  } catch (error) {
    outcome = errorOutcome(astro, error);
  }
  if (outcome instanceof Response) return outcome;
  if ('redirect' in outcome) return astro.redirect(outcome.redirect, outcome.status ?? (isPost(astro) ? 303 : 302));
  for (const [name, value] of Object.entries(outcome.headers ?? {})) astro.response.headers.set(name, value);
  if ('error' in outcome) {
    astro.response.status = outcome.error.status;
    return { error: outcome.error };
  }
  astro.response.status = outcome.status ?? 200;
  return { view: outcome.view };
}

/** The same mapping for endpoints (CSV, JSON downloads): errors as short text responses. */
export async function endpoint(
  ctx: APIContext,
  handler: (ctx: RequestContext) => Promise<Response>,
): Promise<Response> {
  try {
    return await typedIn(ctx.locals.locale, () => handler(ctx));
  } catch (error) {
    const outcome = errorOutcome(ctx, error);
    if ('redirect' in outcome)
      return new Response(null, { status: outcome.status ?? 302, headers: { Location: outcome.redirect } });
    const { error: page, headers } = outcome;
    return new Response(t(ctx.locals.locale, page.body, page.params), {
      status: page.status,
      headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
}
