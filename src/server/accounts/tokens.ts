// Single-use tokens sent by email (verification, reset, magic link, invitation): 32 random
// bytes in the link, only their SHA-256 in the database, a lifetime per purpose.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { authTokens, type TokenPurpose } from '../../../db/schema/index.ts';
import type { Clock } from '../clock.ts';
import { DAY_MS, HOUR_MS } from '../../lib/time.ts';

export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  verify_email: 48 * HOUR_MS,
  reset_password: HOUR_MS,
  magic_link: 15 * 60_000,
  invitation: 7 * DAY_MS,
  sign_in: 15 * 60_000,
};

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type Tx = Pick<Db, 'insert' | 'update' | 'select'>;

/** Creates a token; earlier unused tokens of the same purpose for the user stop working. */
export async function issueToken(tx: Tx, userId: number, purpose: TokenPurpose, clock: Clock): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  await tx
    .update(authTokens)
    .set({ usedAt: now.toISOString() })
    .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt)));
  await tx.insert(authTokens).values({
    tokenHash: hashToken(token),
    purpose,
    userId,
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose]).toISOString(),
    createdAt: now.toISOString(),
  });
  return token;
}

/**
 * Uses a token once: marks it used and returns its user, or null when unknown, used,
 * expired or of another purpose. The UPDATE … WHERE used_at IS NULL makes two concurrent
 * uses impossible.
 */
export async function consumeToken(tx: Tx, token: string, purpose: TokenPurpose, clock: Clock): Promise<number | null> {
  if (typeof token !== 'string' || token.length < 10 || token.length > 200) return null;
  const now = clock.now().toISOString();
  const [row] = await tx
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.tokenHash, hashToken(token)), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt)))
    .returning({ userId: authTokens.userId, expiresAt: authTokens.expiresAt });
  if (!row || row.expiresAt <= now) return null;
  return row.userId;
}

/** Whether a token would be accepted, without using it (to show the form it opens). */
export async function peekToken(db: Db, token: string, purpose: TokenPurpose, clock: Clock): Promise<number | null> {
  if (typeof token !== 'string' || token.length < 10 || token.length > 200) return null;
  const [row] = await db
    .select({ userId: authTokens.userId, expiresAt: authTokens.expiresAt })
    .from(authTokens)
    .where(and(eq(authTokens.tokenHash, hashToken(token)), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt)));
  if (!row || row.expiresAt <= clock.now().toISOString()) return null;
  return row.userId;
}
