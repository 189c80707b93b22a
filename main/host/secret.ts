/** The per-run session secret of the browser host: creation and timing-safe comparison. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Creates a fresh random secret (256 bits, URL-safe). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed
 * first so that their lengths are equal and the length of the secret does not leak either.
 */
export function secretMatches(expected: string, presented: string | null | undefined): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
