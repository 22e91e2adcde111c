// The column heads of a DataTable named by their messages under one prefix:
// `columnsOf(locale, 'emails.col', ['written', { key: 'attempts', num: true }])`.
import { t, type Locale, type MessageKey } from '../../i18n/index.ts';

export type Column = string | { label: string; num?: boolean };
type Under<P extends string> = MessageKey extends infer K ? (K extends `${P}.${infer S}` ? S : never) : never;

export function columnsOf<P extends string>(
  locale: Locale,
  prefix: P,
  keys: ReadonlyArray<Under<P> | { key: Under<P>; num: true }>,
): Column[] {
  const label = (key: string) => t(locale, `${prefix}.${key}` as MessageKey);
  return keys.map((k) => (typeof k === 'string' ? label(k) : { label: label(k.key), num: true }));
}

const attr = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

// The rendered HTML as tokens: a tag (its double-quoted attribute values may hold `<`, `>`
// or `</td>`: Astro escapes only `&` and `"` in them), text (where `<` is always escaped), or
// a lone `<`.
const TOKENS = /<(\/?)([a-zA-Z][\w-]*)((?:[^>"]|"[^"]*")*)>|[^<]+|</g;

/**
 * Each cell of each row of a table body's HTML named by its column (`data-label`), its
 * content in one box, so that a `stacked` table can show a phone each row as a block, every
 * value beside its column's name. Cells are counted per row; a table inside a cell is not
 * supported (the lists have none).
 */
export function labelCells(html: string, labels: readonly string[]): string {
  let column = 0;
  let out = '';
  for (const [token, closing, name = '', rest] of html.matchAll(TOKENS)) {
    const tag = name.toLowerCase();
    if (tag === 'tr' && !closing) column = 0;
    if ((tag === 'td' || tag === 'th') && !closing) {
      out += `<${name} data-label="${attr(labels[column++] ?? '')}"${rest}>${tag === 'td' ? '<div class="cell">' : ''}`;
    } else {
      out += tag === 'td' && closing ? `</div>${token}` : token;
    }
  }
  return out;
}
