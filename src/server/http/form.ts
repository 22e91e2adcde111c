// The one form wrapper: read a posted form (bounded), run one command with it, and answer a
// redirect or the form again with its field errors, an alert and what was typed.
import type { ZodType } from 'astro/zod';
import { t, waitText, type Locale, type MessageKey } from '../../i18n/index.ts';
import { DomainError, fieldErrors, Invalid, NotFound, PayloadTooLarge, RateLimited } from '../errors.ts';
import type { RequestContext } from './context.ts';

/** A posted form: repeated names (checkbox lists) become arrays. No prototype: `__proto__` is a plain name. */
export type FormFields = Record<string, string | string[]>;

/** The largest form body accepted (413 above): far more than any form's longest text. */
export const FORM_LIMIT_BYTES = 1024 * 1024;

export interface FormState {
  /** Field → localized message. */
  errors: Record<string, string>;
  /** What was typed (never passwords or tokens), to fill the form again. */
  values: Record<string, string>;
  /** A message about the whole post. */
  alert?: string;
}

export const emptyState = (): FormState => ({ errors: {}, values: {} });

/** A saved row as a form's values (what an edit form shows before any post): ticked boxes 'yes', nothing for null. */
export const stateOf = (row: object): FormState => ({
  errors: {},
  values: Object.fromEntries(
    Object.entries(row)
      .filter(([, v]) => v === null || typeof v !== 'object')
      .map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 'yes' : '') : String(v ?? '')]),
  ),
});

/** The body, read up to `limit` bytes; a longer one is refused without reading the rest. */
async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('Content-Length') ?? '0');
  if (declared > limit) throw new PayloadTooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new PayloadTooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    // The adapter's own limit, or a client that went away: both are "too large" or nothing.
    if (error instanceof PayloadTooLarge || /limit/i.test(String(error))) throw new PayloadTooLarge();
    return new Uint8Array();
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** More entries than any form of the portal has: refused (413) before they are gathered. */
export const MAX_FORM_ENTRIES = 1000;

/**
 * A posted body as its entries (url-encoded or multipart); a malformed body, or one that is
 * not a form at all (JSON, text: types a browser's form never sends), has none.
 */
async function readEntries(request: Request, limit: number): Promise<Array<[string, FormDataEntryValue]>> {
  const body = await readBody(request, limit);
  const type = request.headers.get('Content-Type') ?? '';
  const kind = type.toLowerCase(); // the boundary keeps its case
  let entries: Array<[string, FormDataEntryValue]>;
  try {
    if (kind.startsWith('multipart/form-data'))
      entries = [...(await new Response(body, { headers: { 'Content-Type': type } }).formData())];
    else if (kind.startsWith('application/x-www-form-urlencoded'))
      entries = [...new URLSearchParams(new TextDecoder().decode(body))];
    else return [];
  } catch {
    return [];
  }
  if (entries.length > MAX_FORM_ENTRIES) throw new PayloadTooLarge();
  return entries;
}

/** The text entries of a form: repeated names become arrays; no prototype. Linear in the entries. */
export function fieldsOf(entries: Array<[string, FormDataEntryValue]>): FormFields {
  const out: FormFields = Object.create(null);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue;
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** The posted form (url-encoded or multipart, files left out); a malformed body reads as an empty form. */
export async function readForm(request: Request, limit = FORM_LIMIT_BYTES): Promise<FormFields> {
  return fieldsOf(await readEntries(request, limit));
}

/**
 * The largest upload body (413 above): the adapter's own `bodySizeLimit` (astro.config.mjs),
 * so that a single oversized file within it is refused by its command with a clear message.
 */
export const UPLOAD_LIMIT_BYTES = 64 * 1024 * 1024;

/** A file of a multipart post: the name the browser gave it (never trusted) and its bytes. */
export interface UploadedFile {
  field: string;
  name: string;
  bytes: Uint8Array;
}

/** A multipart post: its text fields as `readForm` gives them, and its files ("no file chosen" left out). */
export async function readUpload(
  request: Request,
  limit = UPLOAD_LIMIT_BYTES,
): Promise<{ fields: FormFields; files: UploadedFile[] }> {
  const entries = await readEntries(request, limit);
  const files: UploadedFile[] = [];
  for (const [field, value] of entries) {
    if (typeof value === 'string' || (value.size === 0 && value.name === '')) continue;
    files.push({ field, name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return { fields: fieldsOf(entries), files };
}

/** A single posted value: the first of repeated ones, '' when absent. */
export const field = (form: FormFields, name: string): string => {
  const v = form[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** A posted list (checkboxes): always an array. */
export const fieldList = (form: FormFields, name: string): string[] => {
  const v = form[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

const secret = /password|token|proof|otp/i;

/** What a refused form shows again: every single value but secrets. */
export const typedValues = (form: FormFields): Record<string, string> =>
  Object.fromEntries(
    Object.entries(form).flatMap(([k, v]) => (typeof v === 'string' && !secret.test(k) ? [[k, v]] : [])),
  );

/** Field → localized message, from a domain `Invalid`. */
export const localizedErrors = (locale: Locale, error: Invalid): Record<string, string> =>
  Object.fromEntries(error.errors.map((e) => [e.field, t(locale, e.key, { value: e.value ?? '', ...e.params })]));

/** Every message of an `Invalid`, as one sentence (forms with one field). */
export const errorSentence = (locale: Locale, error: Invalid): string =>
  error.errors.map((e) => t(locale, e.key, { value: e.value ?? '', ...e.params })).join(' ');

/**
 * A refusal's errors and alert. A refusal of the action itself (its `intent`: a transition the
 * item's state no longer allows) has no field to correct: it is the alert, said in its own
 * words, not listed under "correct the fields shown".
 */
const refusalOf = (locale: Locale, errors: Record<string, string>, otherwise: string): Partial<FormState> => {
  const { intent: action, ...fields } = errors;
  return { errors: fields, alert: action ?? (Object.keys(fields).length ? t(locale, 'form.errors') : otherwise) };
};

/** A refused one-field form as one sentence: its field errors, else its alert. */
export const refusal = (r: Refused): string => Object.values(r.state.errors).join(' ') || r.state.alert || '';

export interface Refused {
  ok: false;
  status: number;
  state: FormState;
  headers: Record<string, string>;
}

export interface FormOptions<T> {
  /** Parses the form before the command runs; a failure refuses the form (400). */
  schema?: ZodType<T>;
  /**
   * A `NotFound` of an item of the page (a task since deleted) is this alert, not a 404 page;
   * or the alert chosen by what was not found.
   */
  gone?: MessageKey | ((error: NotFound) => MessageKey);
}

/**
 * Runs `command` with the form (parsed by `schema` when given). Domain errors that concern the
 * form come back as `Refused`; the others (sign-in, 403, the page's own 404) propagate to the
 * one error mapping.
 */
export async function submitForm<T = FormFields, R = void>(
  ctx: Pick<RequestContext, 'locals'>,
  form: FormFields,
  command: (input: T) => Promise<R>,
  options: FormOptions<T> = {},
): Promise<{ ok: true; value: R } | Refused> {
  const locale = ctx.locals.locale;
  const refused = (status: number, state: Partial<FormState>, headers: Record<string, string> = {}): Refused => ({
    ok: false,
    status,
    state: { errors: {}, values: typedValues(form), ...state },
    headers,
  });
  try {
    let input = form as T;
    if (options.schema) {
      const parsed = options.schema.safeParse(form);
      if (!parsed.success) throw new Invalid(fieldErrors(parsed.error.issues));
      input = parsed.data;
    }
    return { ok: true, value: await command(input) };
  } catch (error) {
    if (error instanceof Invalid)
      return refused(400, refusalOf(locale, localizedErrors(locale, error), t(locale, 'form.errors')));
    if (error instanceof RateLimited)
      return refused(
        429,
        { alert: t(locale, 'errors.rate_limited', { wait: waitText(locale, error.retryAfter) }) },
        { 'Retry-After': String(error.retryAfter) },
      );
    if (error instanceof NotFound && options.gone) {
      const key = typeof options.gone === 'function' ? options.gone(error) : options.gone;
      return refused(404, { alert: t(locale, key) });
    }
    if (error instanceof DomainError && [400, 409, 413].includes(error.status)) {
      const message = t(locale, error.key ?? 'errors.invalid_value');
      const about = 'field' in error && typeof error.field === 'string' ? { [error.field]: message } : {};
      return refused(error.status, refusalOf(locale, about, message));
    }
    throw error;
  }
}
