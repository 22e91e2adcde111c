// Typed domain errors. Each carries its HTTP meaning (`status`); `src/server/http/respond.ts`
// turns them into responses in one place, and the form wrapper (`src/server/http/form.ts`)
// into a form shown again. Their messages are i18n keys or plain words, never stack traces.
import { isMessageKey, type MessageKey } from '../i18n/index.ts';

export class DomainError extends Error {
  readonly status: number;
  /** What a form shows about the whole post (its alert), when the error says more than its status. */
  readonly key?: MessageKey;
  constructor(message: string, status: number, key?: MessageKey) {
    super(message);
    this.status = status;
    this.key = key ?? (isMessageKey(message) ? message : undefined);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  /** What was not found: the page's subject (a 404 page) or an item of it (an alert on the page). */
  readonly what: string;
  constructor(what = 'resource') {
    super(`${what} not found`, 404);
    this.what = what;
  }
}

export class Forbidden extends DomainError {
  constructor() {
    super('forbidden', 403);
  }
}

export class Conflict extends DomainError {
  /** The form field the conflict is about (an email already taken), if any. */
  readonly field?: string;
  constructor(message: MessageKey | string = 'conflict', field?: string) {
    super(message, 409);
    this.field = field;
  }
}

/** Too many attempts: try again in `retryAfter` seconds. */
export class RateLimited extends DomainError {
  readonly retryAfter: number;
  constructor(retryAfter: number) {
    super('rate limited', 429, 'errors.rate_limited');
    this.retryAfter = retryAfter;
  }
}

/** A request body over the limit of its kind. */
export class PayloadTooLarge extends DomainError {
  constructor() {
    super('payload too large', 413, 'errors.too_large');
  }
}

/** The page needs a signed-in user: the visitor is sent to sign in, then back. */
export class SignInRequired extends DomainError {
  constructor() {
    super('sign-in required', 401);
  }
}

/** One invalid input field: the parameter, an i18n key and the offending value. */
export interface FieldError {
  field: string;
  key: MessageKey;
  value?: string;
  /** More values for the message, e.g. an example; numbers are formatted for the locale. */
  params?: Record<string, string | number>;
}

export class Invalid extends DomainError {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(`invalid input: ${errors.map((e) => e.field).join(', ')}`, 400, 'form.errors');
    this.errors = errors;
  }
}

/**
 * A zod failure as field errors: one per field, messages that are not i18n keys made generic;
 * a refinement's `params` (a range's bounds) go with its message.
 */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; params?: unknown }>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const field = String(issue.path[0] ?? 'form');
    if (errors.some((e) => e.field === field)) continue;
    if (!isMessageKey(issue.message)) errors.push({ field, key: 'errors.invalid_value' });
    else errors.push({ field, key: issue.message, ...paramsOf(issue.params) });
  }
  return errors;
}

/** An issue's params that a message can show (texts and numbers), if any. */
function paramsOf(params: unknown): Pick<FieldError, 'params'> {
  if (typeof params !== 'object' || params === null) return {};
  const shown = Object.entries(params).filter(
    (e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number',
  );
  return shown.length ? { params: Object.fromEntries(shown) } : {};
}

/**
 * The session passed the password but not its second step: the visitor is sent to it
 * (`verify`: a code; `enrol`: an account that must set up an app first), then back.
 */
export class SecondStepRequired extends DomainError {
  readonly need: 'verify' | 'enrol';
  constructor(need: 'verify' | 'enrol') {
    super('second step required', 401);
    this.need = need;
  }
}
