// Large uploads (imports) are streamed to temporary files: fields and files come out, memory
// stays flat, an oversized or broken body changes nothing and leaves no file.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PayloadTooLarge } from '../../src/server/errors.ts';
import { UPLOAD_LIMIT_BYTES } from '../../src/server/http/form.ts';
import { spoolUpload, tooLargeRefusal, UploadTooLarge } from '../../src/server/http/upload.ts';

const multipart = (form: FormData) => new Request('http://x/admin/imports', { method: 'POST', body: form });

/**
 * A form posted as browsers do, its length declared, in chunks of 256 bytes; `pulled()`: how
 * much was read. (Not undici's own stream of a FormData: cancelled mid-way, it throws unhandled.)
 */
async function declared(form: FormData, { length = true, chunk = 256 } = {}) {
  const encoded = new Response(form);
  const type = encoded.headers.get('Content-Type')!;
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  let pulled = 0;
  const request = new Request('http://x/', {
    method: 'POST',
    headers: { 'Content-Type': type, ...(length && { 'Content-Length': String(bytes.length) }) },
    body: new ReadableStream<Uint8Array>({
      pull(c) {
        const part = bytes.subarray(pulled, pulled + chunk);
        pulled += part.length;
        if (part.length) c.enqueue(part);
        else c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe('spoolUpload', () => {
  it('gives the text fields and each chosen file on disk, then disposes of them', async () => {
    const form = new FormData();
    form.append('kind', 'arcep-deploiement');
    form.append('deployment', new File(['Code commune,Champ\n'], 'déploiement.csv'));
    form.append('information', new File(['é;à\n'], 'info.csv'));
    form.append('none', new File([], ''));
    form.append('__proto__', 'x');
    const upload = await spoolUpload(multipart(form));
    expect(upload.fields.kind).toBe('arcep-deploiement');
    expect(Object.getPrototypeOf(upload.fields)).toBeNull();
    expect(upload.files.map((f) => [f.field, f.name, f.size])).toEqual([
      ['deployment', 'déploiement.csv', 19],
      ['information', 'info.csv', 6],
    ]);
    expect(await readFile(upload.files[1]!.path, 'utf8')).toBe('é;à\n');
    await upload.dispose();
    for (const f of upload.files) expect(existsSync(f.path)).toBe(false);
  });

  it('reads a media type in any case (its boundary as sent)', async () => {
    const form = new FormData();
    form.append('kind', 'offres');
    form.append('file', new File(['a;b\n'], 'offres.csv'));
    const encoded = new Response(form);
    const type = encoded.headers.get('Content-Type')!.replace('multipart/form-data', 'Multipart/Form-Data');
    const request = new Request('http://x/', {
      method: 'POST',
      headers: { 'Content-Type': type },
      body: await encoded.arrayBuffer(),
    });
    const upload = await spoolUpload(request);
    expect(upload.fields.kind).toBe('offres');
    expect(upload.files.map((f) => [f.field, f.name, f.size])).toEqual([['file', 'offres.csv', 4]]);
    await upload.dispose();
  });

  it('keeps a chosen file of 0 bytes (its command says it is empty), not a field left without a file', async () => {
    const form = new FormData();
    form.append('kind', 'offres');
    form.append('file', new File([], 'offres.csv'));
    form.append('information', new File([], ''));
    const upload = await spoolUpload(multipart(form));
    expect(upload.files.map((f) => [f.field, f.name, f.size])).toEqual([['file', 'offres.csv', 0]]);
    expect(await readFile(upload.files[0]!.path, 'utf8')).toBe('');
    await upload.dispose();
  });

  it('reads a url-encoded post as a form without files', async () => {
    const upload = await spoolUpload(
      new Request('http://x/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'kind=arcep-taux&dataDate=2026-01-01',
      }),
    );
    expect(upload).toMatchObject({ fields: { kind: 'arcep-taux', dataDate: '2026-01-01' }, files: [] });
  });

  it('refuses a body over the limit, declared or not, and leaves no file', async () => {
    const form = new FormData();
    form.append('file', new File([new Uint8Array(4096)], 'big.csv'));
    await expect(spoolUpload(multipart(form), { limit: 1024 })).rejects.toBeInstanceOf(PayloadTooLarge);
    const body = await new Response(form).arrayBuffer();
    const type = new Response(form).headers.get('Content-Type')!;
    const undeclared = new Request('http://x/', {
      method: 'POST',
      headers: { 'Content-Type': type },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array(body));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await expect(spoolUpload(undeclared, { limit: 1024 })).rejects.toBeInstanceOf(PayloadTooLarge);
  });

  it('refuses a file over the limit with the choices made before it, reading no further than its start', async () => {
    const form = new FormData();
    form.append('kind', 'offres');
    form.append('territory', '32');
    form.append('mode', 'rows');
    form.append('file', new File([new Uint8Array(4096)], 'offres.csv'));
    // Declared too large: the fields before the form's last (here only) file are read, then
    // the body is left unread.
    const body = await declared(form);
    const error = await spoolUpload(body.request, { limit: 1024, lastFile: () => 'file' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadTooLarge);
    expect(error).toMatchObject({ field: 'file', limit: 1024 });
    expect({ ...(error as UploadTooLarge).fields }).toEqual({ kind: 'offres', territory: '32', mode: 'rows' });
    expect(body.pulled()).toBeLessThan(1024);
    // Not declared (chunked): read up to the limit, the same answer.
    const chunked = await spoolUpload((await declared(form, { length: false })).request, { limit: 1024 }).catch(
      (e: unknown) => e,
    );
    expect(chunked).toBeInstanceOf(UploadTooLarge);
    expect({ ...(chunked as UploadTooLarge).fields }).toEqual({ kind: 'offres', territory: '32', mode: 'rows' });
    // Its form again: 413, the file in error with the real limit, the choices kept, the connection closed.
    const locals = { locale: 'fr' } as Parameters<typeof tooLargeRefusal>[0]['locals'];
    const refused = tooLargeRefusal(
      { locals },
      new UploadTooLarge((error as UploadTooLarge).fields, 'file', UPLOAD_LIMIT_BYTES),
      'file',
      'errors.import_too_large',
    );
    expect(refused).toMatchObject({
      ok: false,
      status: 413,
      headers: { Connection: 'close' },
      state: {
        errors: {
          file: 'Cet envoi dépasse 64 Mo\u00a0: découpez le fichier et importez les parties l’une après l’autre. Rien n’a été importé.',
        },
        values: { kind: 'offres', territory: '32', mode: 'rows' },
      },
    });
  });

  it('puts the error on the file in which the limit falls, the second of two too', async () => {
    const twoFiles = (deployment: number, information: number) => {
      const form = new FormData();
      form.append('kind', 'arcep-deploiement');
      form.append('deployment', new File([new Uint8Array(deployment)], 'deploiement.csv'));
      form.append('information', new File([new Uint8Array(information)], 'informations.csv'));
      return form;
    };
    const lastFile = (fields: Record<string, unknown>) =>
      fields.kind === 'arcep-deploiement' ? 'information' : 'file';
    const fieldOf = (request: Request, options: Parameters<typeof spoolUpload>[1]) =>
      spoolUpload(request, options).then(
        () => null,
        (e: unknown) => (e instanceof UploadTooLarge ? e.field : e),
      );
    for (const [deployment, information, field] of [
      [100, 4096, 'information'],
      [4096, 100, 'deployment'],
      // Neither alone over the limit: the one in which it falls.
      [300, 900, 'information'],
    ] as const) {
      const form = twoFiles(deployment, information);
      const body = await declared(form);
      expect(await fieldOf(body.request, { limit: 1024, lastFile }), `${deployment}+${information}`).toBe(field);
      // Read no further than the limit (the stream pulls a chunk or two ahead), nor than the
      // second file's start when it begins before.
      expect(body.pulled()).toBeLessThanOrEqual(deployment < 1024 ? 1024 : 1024 + 512);
      // Without the form's last file: read up to the limit, the same file named.
      expect(await fieldOf((await declared(form)).request, { limit: 1024 })).toBe(field);
      // Not declared (one chunk holding both files): the same.
      expect(await fieldOf((await declared(form, { length: false, chunk: 1e6 })).request, { limit: 1024 })).toBe(field);
    }
  });

  it('refuses more fields or files than any form has, rather than dropping the rest', async () => {
    const fields = new FormData();
    for (let i = 0; i < 1001; i++) fields.append('a', 'x');
    await expect(spoolUpload(multipart(fields))).rejects.toBeInstanceOf(PayloadTooLarge);
    const files = new FormData();
    for (let i = 0; i < 6; i++) files.append('file', new File(['x'], `${i}.csv`));
    await expect(spoolUpload(multipart(files))).rejects.toBeInstanceOf(PayloadTooLarge);
  });

  it('reads a broken multipart body as an empty form', async () => {
    const upload = await spoolUpload(
      new Request('http://x/', {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=zzz' },
        body: '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nunfinished',
      }),
    );
    expect(upload.files).toEqual([]);
    expect(upload.broken).toBe(true);
    expect(Object.keys(upload.fields)).toEqual([]);
  });

  it('keeps memory flat while a 48 MB file streams to disk', async () => {
    const boundary = 'cc-boundary';
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="france.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    );
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const chunk = new TextEncoder().encode('32013,Auch,32,88.5\n'.repeat(3450)); // ~64 KB
    const chunks = 768; // 48 MB
    // A real collection before each sample, so that only what is held counts.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let sent = 0;
    let peak = 0;
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(head);
      },
      pull(c) {
        if (sent % 64 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        }
        if (sent++ < chunks) c.enqueue(chunk.slice());
        else {
          c.enqueue(tail);
          c.close();
        }
      },
    });
    const request = new Request('http://x/', {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    const upload = await spoolUpload(request, { limit: 64 * 1024 * 1024 });
    expect(upload.files[0]!.size).toBe(chunk.length * chunks);
    // The whole file never sits in memory: a few chunks in flight at most.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
    await upload.dispose();
  });
});
