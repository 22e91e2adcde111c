// A multipart post whose files may be large (imports): streamed to temporary files with
// busboy, so that memory stays flat whatever their size, and read back as streams by the
// command, possibly after the answer. The caller disposes of them once done.
import busboy from 'busboy';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLarge } from '../errors.ts';
import { t, type MessageKey } from '../../i18n/index.ts';
import type { RequestContext } from './context.ts';
import {
  fieldsOf,
  MAX_FORM_ENTRIES,
  readForm,
  typedValues,
  UPLOAD_LIMIT_BYTES,
  type FormFields,
  type Refused,
} from './form.ts';

export interface SpooledFile {
  field: string;
  /** The name the browser gave it (never trusted). */
  name: string;
  path: string;
  size: number;
}

export interface SpooledUpload {
  fields: FormFields;
  files: SpooledFile[];
  /** The body broke off or was not multipart as it said: nothing can be trusted in it. */
  broken: boolean;
  /** Removes the temporary files. */
  dispose(): Promise<void>;
}

const FIELD_LIMIT_BYTES = 64 * 1024;
const MAX_FILES = 5;

/**
 * A post over the upload's limit, with what it said before the file that passed it: its text
 * fields (a form's choices come before its file) and that file's field, so that its page can
 * show the form again with that file in error. The rest of the body is left unread.
 */
export class UploadTooLarge extends PayloadTooLarge {
  readonly fields: FormFields;
  /** The chosen file in which the limit falls; null when none had begun. */
  readonly field: string | null;
  readonly limit: number;
  constructor(fields: FormFields, field: string | null, limit: number) {
    super();
    this.fields = fields;
    this.field = field;
    this.limit = limit;
  }
}

/**
 * An upload over its limit as its form refused (413): the file's field in error with `key`
 * (given `max`, the limit in MB), what was chosen before it kept. The body's rest was not
 * read: the answer closes the connection, so that the browser shows it at once.
 */
export function tooLargeRefusal(
  ctx: Pick<RequestContext, 'locals'>,
  error: UploadTooLarge,
  field: string,
  key: MessageKey,
): Refused {
  const locale = ctx.locals.locale;
  return {
    ok: false,
    status: 413,
    state: {
      errors: { [field]: t(locale, key, { max: String(Math.floor(error.limit / 1024 / 1024)) }) },
      values: typedValues(error.fields),
      alert: t(locale, 'form.errors'),
    },
    headers: { Connection: 'close' },
  };
}

/**
 * The post's text fields and its files on disk ("no file chosen" — a part without a name —
 * left out; a chosen file may be empty: its size says so). Over `limit` bytes, an
 * `UploadTooLarge` naming the file in which the limit falls. A body declared larger is read
 * only to learn which (its files thrown away, never written): up to the limit, or up to the
 * start of the form's last file (`lastFile`, from the fields before it) — the limit falls
 * there. A malformed multipart body reads as an empty form.
 */
export async function spoolUpload(
  request: Request,
  {
    limit = UPLOAD_LIMIT_BYTES,
    lastFile,
  }: { limit?: number; lastFile?: (fields: FormFields) => string | undefined } = {},
): Promise<SpooledUpload> {
  const type = request.headers.get('Content-Type') ?? '';
  const none = async () => {};
  if (!type.toLowerCase().startsWith('multipart/form-data') || !request.body)
    return { fields: await readForm(request), files: [], broken: false, dispose: none };
  // Declared too large: read up to the limit only to learn which file passes it, files discarded.
  const declaredTooLarge = Number(request.headers.get('Content-Length') ?? '0') > limit;

  const dir = await mkdtemp(join(tmpdir(), 'cc-upload-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const entries: Array<[string, string]> = [];
  const writes: Array<Promise<SpooledFile | null>> = [];
  let read = 0;
  // The chosen file being read (the one that passes the limit, if any).
  let fileField: string | null = null;
  let atLastFile = false;
  const tooLarge = () => new UploadTooLarge(fieldsOf(entries), fileField, limit);
  try {
    const parser = busboy({
      headers: { 'content-type': type },
      // Browsers send file names in UTF-8 ("déploiement.csv").
      defParamCharset: 'utf8',
      limits: {
        fieldSize: FIELD_LIMIT_BYTES,
        fields: MAX_FORM_ENTRIES,
        files: MAX_FILES,
        parts: MAX_FORM_ENTRIES + MAX_FILES,
        fileSize: limit,
      },
    });
    // Beyond its limits busboy drops the rest silently: refuse the post instead.
    let overLimits = false;
    for (const event of ['fieldsLimit', 'filesLimit', 'partsLimit'] as const)
      parser.on(event, () => (overLimits = true));
    parser.on('field', (name, value) => entries.push([name, value]));
    parser.on('file', (field, stream, { filename: name }) => {
      if (name) fileField = field;
      if (declaredTooLarge && name && field === lastFile?.(fieldsOf(entries))) atLastFile = true;
      if (!name || declaredTooLarge) {
        stream.resume();
        return;
      }
      const path = join(dir, String(writes.length));
      let size = 0;
      stream.on('data', (chunk: Buffer) => (size += chunk.length));
      writes.push(
        pipeline(stream, createWriteStream(path)).then(
          () => ({ field, name, path, size }),
          () => null, // the body broke off: the parser says so below
        ),
      );
    });
    const parsed = new Promise<void>((resolve, reject) => {
      parser.on('close', resolve);
      parser.on('error', reject);
    });
    parsed.catch(() => {}); // awaited below; a failure while writing is seen there too
    const reader = request.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        read += value.byteLength;
        if (read > limit) {
          // The body parsed up to the limit, not a byte further: the file being read passes it
          // (a chunk may hold the end of one file and the start of the next).
          const upToLimit = value.subarray(0, value.byteLength - (read - limit));
          if (upToLimit.byteLength)
            await Promise.race([new Promise((done) => parser.write(upToLimit, done)), parsed.catch(() => {})]);
          throw tooLarge();
        }
        // Backpressure: the next chunk is read once the parser (and the file on disk) took this one.
        if (!parser.write(value)) await Promise.race([once(parser, 'drain'), parsed]);
        if (atLastFile) throw tooLarge();
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    if (declaredTooLarge) throw tooLarge(); // the body ended before its declared length: not what it said
    parser.end();
    await parsed;
    if (overLimits) throw new PayloadTooLarge();
    // An empty file is still a chosen file: its command says it is empty.
    const files = (await Promise.all(writes)).filter((f): f is SpooledFile => f !== null);
    return { fields: fieldsOf(entries), files, broken: false, dispose };
  } catch (error) {
    await dispose();
    if (error instanceof PayloadTooLarge) throw error;
    // The adapter's own body limit (a chunked body without Content-Length) reads as too large too.
    if (/limit/i.test(String(error))) throw tooLarge();
    // A broken multipart body (a script, a cut connection): an empty form, said to be broken.
    return { fields: Object.create(null) as FormFields, files: [], broken: true, dispose: none };
  }
}
