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

/**
 * Each cell of each row of a table body's HTML named by its column (`data-label`), its
 * content in one box, so that a `stacked` table can show a phone each row as a block, every
 * value beside its column's name (rows and cells never nest: no table inside a cell).
 */
export function labelCells(html: string, labels: readonly string[]): string {
  return html.replace(/<tr\b[^>]*>[\s\S]*?<\/tr>/g, (row) => {
    let column = 0;
    return row.replace(/<(t[dh])\b([^>]*)>([\s\S]*?)<\/\1>/g, (_, tag: string, attrs: string, inner: string) => {
      const named = `<${tag} data-label="${attr(labels[column++] ?? '')}"${attrs}>`;
      return tag === 'td' ? `${named}<div class="cell">${inner}</div></td>` : `${named}${inner}</th>`;
    });
  });
}
