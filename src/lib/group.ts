// Rows of a one-to-many join, folded back into one item per parent.

/**
 * One item per `key`, in the order the keys first appear: `start` makes the item from its
 * first row, then `add` puts every row of that key (the first included) into it.
 */
export function groupRows<R, K, G>(
  rows: Iterable<R>,
  key: (row: R) => K,
  start: (row: R) => G,
  add: (item: G, row: R) => void,
): G[] {
  const items = new Map<K, G>();
  for (const row of rows) {
    const k = key(row);
    let item = items.get(k);
    if (item === undefined) items.set(k, (item = start(row)));
    add(item, row);
  }
  return [...items.values()];
}
