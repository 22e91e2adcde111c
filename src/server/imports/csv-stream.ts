// Reading an uploaded or local CSV as a stream, whatever its making: UTF-8 (with or without
// BOM) or Windows-1252 (Excel's "CSV" in France), `,` or `;` between cells. Records come out
// one by one with their line number, so that memory stays flat whatever the file's size.
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';

/** The bytes decide: valid UTF-8 is read as such, anything else as Windows-1252. */
async function* decoded(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let head = new Uint8Array(0);
  for await (const chunk of bytes) {
    if (decoder) {
      yield decoder.decode(chunk, { stream: true });
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 64 * 1024) continue;
    decoder = pick(head);
    yield decoder.decode(head, { stream: true });
  }
  if (!decoder) {
    decoder = pick(head);
    yield decoder.decode(head, { stream: true });
  }
  yield decoder.decode();
}

function pick(head: Uint8Array): TextDecoder {
  // A multi-byte character may be cut at the end of the sample: leave its bytes out.
  let end = head.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = head[end - i]!;
    if ((b & 0xc0) === 0xc0) {
      end -= i;
      break;
    }
    if ((b & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return new TextDecoder('utf-8');
  } catch {
    return new TextDecoder('windows-1252');
  }
}

/** Text with its first line known, so that the delimiter is the one the header uses. */
async function* withDelimiter(text: AsyncIterable<string>, found: (d: ',' | ';') => void): AsyncGenerator<string> {
  let start = '';
  let told = false;
  for await (const part of text) {
    if (told) {
      yield part;
      continue;
    }
    start += part;
    const nl = start.indexOf('\n');
    if (nl < 0 && start.length < 64 * 1024) continue;
    const first = nl < 0 ? start : start.slice(0, nl);
    found((first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',');
    told = true;
    yield start;
  }
  if (!told) {
    found((start.match(/;/g)?.length ?? 0) > (start.match(/,/g)?.length ?? 0) ? ';' : ',');
    yield start;
  }
}

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** The records of a CSV byte stream; a malformed file throws the parser's error (with its line). */
export async function* csvRecords(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<CsvRecord> {
  let delimiter: ',' | ';' = ',';
  const text = withDelimiter(decoded(bytes), (d) => (delimiter = d));
  // The delimiter is known once the first line is read: read it before making the parser.
  const first = await text.next();
  if (first.done) return;
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  });
  const source = Readable.from(
    (async function* () {
      yield first.value;
      yield* text;
    })(),
  );
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: info.lines, cells: record };
  }
}

/** A header cell as a key: lower case, no accents, spaces and dashes as `_`. */
export const headerKey = (cell: string) =>
  cell
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s-]+/g, '_');
