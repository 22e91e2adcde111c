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
import { fieldsOf, MAX_FORM_ENTRIES, readForm, UPLOAD_LIMIT_BYTES, type FormFields } from './form.ts';

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
 * The post's text fields and its files on disk ("no file chosen" left out). Over `limit`
 * bytes, a PayloadTooLarge; a malformed multipart body reads as an empty form.
 */
export async function spoolUpload(request: Request, limit = UPLOAD_LIMIT_BYTES): Promise<SpooledUpload> {
  const type = request.headers.get('Content-Type') ?? '';
  const none = async () => {};
  if (!type.startsWith('multipart/form-data') || !request.body)
    return { fields: await readForm(request), files: [], broken: false, dispose: none };
  if (Number(request.headers.get('Content-Length') ?? '0') > limit) throw new PayloadTooLarge();

  const dir = await mkdtemp(join(tmpdir(), 'cc-upload-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const entries: Array<[string, string]> = [];
  const writes: Array<Promise<SpooledFile | null>> = [];
  let read = 0;
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
      if (!name) {
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
        if (read > limit) throw new PayloadTooLarge();
        // Backpressure: the next chunk is read once the parser (and the file on disk) took this one.
        if (!parser.write(value)) await Promise.race([once(parser, 'drain'), parsed]);
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    parser.end();
    await parsed;
    if (overLimits) throw new PayloadTooLarge();
    const files = (await Promise.all(writes)).filter((f): f is SpooledFile => f !== null && f.size > 0);
    return { fields: fieldsOf(entries), files, broken: false, dispose };
  } catch (error) {
    await dispose();
    // The adapter's own body limit (a chunked body without Content-Length) reads as too large too.
    if (error instanceof PayloadTooLarge || /limit/i.test(String(error))) throw new PayloadTooLarge();
    // A broken multipart body (a script, a cut connection): an empty form, said to be broken.
    return { fields: Object.create(null) as FormFields, files: [], broken: true, dispose: none };
  }
}
