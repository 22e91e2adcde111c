// JSON responses of the open-data API: one shape for errors, localized messages.
import { t, toLocale, type Locale } from '../../i18n/index.ts';
import type { FieldError } from '../errors.ts';

export function json(body: unknown, init: ResponseInit & { headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*', ...init.headers },
  });
}

/** The API's language: `?lang=en`, else French. */
export const apiLocale = (url: URL): Locale => toLocale(url.searchParams.get('lang') ?? undefined);

export function invalidResponse(locale: Locale, errors: FieldError[]): Response {
  return json(
    {
      errors: errors.map((e) => ({
        parameter: e.field,
        code: e.key.replace(/^errors\./, ''),
        message: t(locale, e.key, { value: e.value ?? '', ...e.params }),
        value: e.value ?? null,
      })),
    },
    { status: 400 },
  );
}
