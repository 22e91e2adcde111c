// Structured JSON logs (pino), one line per event on stdout: level, time, message and
// fields — for a request: its id (X-Request-Id), method, route, status and milliseconds.
// No personal data: a route is logged without its query (tokens, searches), errors without
// the values a failed query carried, and any field named like an address, a name or a
// password is redacted. tests/e2e/global-teardown.ts checks the logs of the whole e2e run.
import pino from 'pino';

export const log = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  redact: {
    paths: [
      'email',
      'to',
      'name',
      'phone',
      'password',
      'token',
      '*.email',
      '*.to',
      '*.name',
      '*.phone',
      '*.password',
      '*.token',
    ],
    censor: '[redacted]',
  },
});

/** What may be logged of an error: its kind and message, without a failed query's parameters. */
export function errorFields(error: unknown): { err: { type: string; message: string } } {
  const e = error instanceof Error ? error : new Error(String(error));
  const message = e.message.split(/\n\s*params:/)[0]!.slice(0, 500);
  return { err: { type: e.name, message } };
}
