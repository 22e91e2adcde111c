// Nearest-rank quantiles: the smallest value v such that at least p·n values are ≤ v.
// Works on a histogram (value → count), so that SQL can group and send few rows.

export function quantileFromHistogram(
  histogram: ReadonlyArray<{ value: number; count: number }>,
  p: number,
): number | null {
  const total = histogram.reduce((n, h) => n + h.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const h of [...histogram].sort((a, b) => a.value - b.value)) {
    seen += h.count;
    if (seen >= rank) return h.value;
  }
  return null;
}
