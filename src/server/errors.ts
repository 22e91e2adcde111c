// Typed domain errors. Pages and endpoints map them to HTTP statuses in one place
// (src/server/http.ts); their messages are i18n keys, never stack traces.
import { isMessageKey, type MessageKey } from '../i18n/index.ts';

export class DomainError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor(what = 'resource') {
    super(`${what} not found`, 404);
  }
}

export class Forbidden extends DomainError {
  constructor() {
    super('forbidden', 403);
  }
}

export class Conflict extends DomainError {
  constructor(message = 'conflict') {
    super(message, 409);
  }
}

/** One invalid input field: the parameter, an i18n key and the offending value. */
export interface FieldError {
  field: string;
  key: MessageKey;
  value?: string;
  /** More values for the message, e.g. an example. */
  params?: Record<string, string>;
}

export class Invalid extends DomainError {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(`invalid input: ${errors.map((e) => e.field).join(', ')}`, 400);
    this.errors = errors;
  }
}

/** A zod failure as field errors: one per field, messages that are not i18n keys made generic. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const field = String(issue.path[0] ?? 'form');
    if (!errors.some((e) => e.field === field))
      errors.push({ field, key: isMessageKey(issue.message) ? issue.message : 'errors.invalid_value' });
  }
  return errors;
}
