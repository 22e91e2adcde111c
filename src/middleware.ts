// Request pipeline: locale and request id into locals, then security headers on every response.
import { defineMiddleware, sequence } from 'astro:middleware';
import { toLocale } from './i18n/index.ts';

/** Sets headers, copying the response first when its headers are immutable (Response.redirect). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [k, v] of Object.entries(headers)) copy.headers.set(k, v);
    return copy;
  }
}

const context = defineMiddleware(async (ctx, next) => {
  ctx.locals.locale = toLocale(ctx.currentLocale);
  ctx.locals.requestId = crypto.randomUUID();
  return withHeaders(await next(), { 'X-Request-Id': ctx.locals.requestId });
});

const securityHeaders = defineMiddleware(async (_ctx, next) =>
  withHeaders(await next(), {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
  }),
);

export const onRequest = sequence(context, securityHeaders);
