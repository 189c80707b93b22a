/**
 * Bounded caches of what is parsed from DER (certificates, OCSP responses, CRLs), keyed by the
 * bytes' SHA-256. The same certificate reaches the validator as many different buffers (from
 * the CMS of each signature, the DSS, the trust store), and parsing ASN.1 with pkijs costs far
 * more than hashing: keyed by content, each distinct object is parsed once.
 */
import { createHash } from 'node:crypto';

/** A content-keyed cache holding at most `limit` entries (oldest dropped first). */
export class DerCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly limit = 512) {}

  /** The value for these bytes, made (and kept) on first request. Errors are not cached. */
  get(der: Uint8Array, make: () => T): T {
    const key = createHash('sha256').update(der).digest('base64');
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }
}
