// The connectivity label, A to G, like an energy label: the one place where its
// thresholds live (documented in docs/connectivity-label.md — keep both in step).

export const connectivityLabels = ['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;
export type ConnectivityLabel = (typeof connectivityLabels)[number];

/** Minimum download and upload (Mbps) for each label; G is everything below F. */
export const labelThresholds: ReadonlyArray<{ label: ConnectivityLabel; downloadMin: number; uploadMin: number }> = [
  { label: 'A', downloadMin: 1000, uploadMin: 300 },
  { label: 'B', downloadMin: 300, uploadMin: 100 },
  { label: 'C', downloadMin: 100, uploadMin: 20 },
  { label: 'D', downloadMin: 30, uploadMin: 5 },
  { label: 'E', downloadMin: 15, uploadMin: 1 },
  { label: 'F', downloadMin: 8, uploadMin: 0 },
  { label: 'G', downloadMin: 0, uploadMin: 0 },
];

/**
 * The best label whose download and upload minimums are both met. Upload counts
 * because video calls and file transfers are what remote work needs most.
 * Unknown download → null ("not provided"), never a guessed label.
 */
export function connectivityLabel(downloadMbps: number | null, uploadMbps: number | null): ConnectivityLabel | null {
  if (downloadMbps === null || !Number.isFinite(downloadMbps) || downloadMbps < 0) return null;
  const upload = uploadMbps ?? 0;
  for (const t of labelThresholds) {
    if (downloadMbps >= t.downloadMin && upload >= t.uploadMin) return t.label;
  }
  return 'G';
}

/**
 * Whether an offer's own fibre status and its commune's open-data coverage tell different
 * stories: fibre said available where almost no premises are connectable (under 20 %), or
 * said absent where most are (80 % or more). Null when they agree or one is unknown.
 */
export function coverageDisagreement(
  fibreStatus: 'available' | 'planned' | 'none',
  ftthShare: number | null | undefined,
): 'offer_fibre_commune_low' | 'offer_none_commune_high' | null {
  if (ftthShare == null) return null;
  if (fibreStatus === 'available' && ftthShare < 0.2) return 'offer_fibre_commune_low';
  if (fibreStatus === 'none' && ftthShare >= 0.8) return 'offer_none_commune_high';
  return null;
}
