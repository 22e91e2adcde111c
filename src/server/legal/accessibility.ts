// The conformity status an accessibility statement must declare (RGAA 4.1, and the mention
// the décret n° 2019-768 asks for on every page): without a valid audit, "non conforme".
import type { AccessibilityAudit } from './identity.ts';

export type ConformityStatus = 'full' | 'partial' | 'none';

/** All criteria met: full; at least half: partial; fewer, or no audit: none. */
export function conformityStatus(audit: AccessibilityAudit | null): ConformityStatus {
  if (!audit) return 'none';
  if (audit.rate >= 100) return 'full';
  return audit.rate >= 50 ? 'partial' : 'none';
}
