// Secrets the server must read back (TOTP keys) are sealed with AES-256-GCM under a key
// from the environment (TOTP_KEY, 32 bytes in base64), bound to their row by the
// associated data: a sealed key copied into another account's row does not open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key of development and demo databases when TOTP_KEY is not set: derived from a public
 * string, so it protects nothing — never for production, where TOTP_KEY is required.
 */
export const DEVELOPMENT_TOTP_KEY: Uint8Array = new Uint8Array(
  createHash('sha256').update('campagne-connectee: development TOTP key, not a secret').digest(),
);

/** TOTP_KEY read from base64: exactly 32 bytes, or null. */
export function parseTotpKey(base64: string): Uint8Array | null {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? new Uint8Array(bytes) : null;
}

/** TOTP_KEY when set; the development key outside production; otherwise an error. */
export function resolveTotpKey(configured: string | undefined, production: boolean): Uint8Array {
  if (configured) {
    const key = parseTotpKey(configured);
    if (!key) throw new Error('TOTP_KEY must be 32 bytes in base64 (openssl rand -base64 32).');
    return key;
  }
  if (production) throw new Error('TOTP_KEY is missing: set it to 32 bytes in base64 (openssl rand -base64 32).');
  return DEVELOPMENT_TOTP_KEY;
}

/** `plain` sealed under `key`, bound to `context` (e.g. "totp:42"): "v1.<iv|tag|ciphertext in base64url>". */
export function seal(key: Uint8Array, context: string, plain: Uint8Array): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** What `seal` sealed, or an error when the key, the context or the bytes differ. */
export function open(key: Uint8Array, context: string, sealed: string): Uint8Array {
  const [version, data] = sealed.split('.');
  if (version !== VERSION || !data) throw new Error('unknown sealed format');
  const bytes = Buffer.from(data, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]));
}
