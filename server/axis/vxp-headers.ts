/**
 * The signed headers of the VXP platform (the national document axis), as the public SDK
 * sends them (shared/docs/national-axis.md): every call carries `XroadVnpt-*` headers, a list
 * of signed header names (`sign-header-key`), the compact JSON of those headers in that order
 * (`sign-header`) and the lowercase hex HMAC-SHA256 of that JSON under the system's secret
 * (`hash-header`). The names signed per call and their order were observed, not published:
 * `VXP_SIGN_ORDER` is the observed table and every link may override it (config
 * `signOrder`), so a platform that changes the order is a configuration change.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Prefix of every VXP header. */
export const VXP_PREFIX = 'XroadVnpt-';
/** Protocol version the SDK announces. */
export const VXP_VERSION = '3.0.201608';
/** The SDK's User-Agent (some deployments filter on it). */
export const VXP_USER_AGENT = 'JAVASDKAgent/1.0.0 XRoad/VPCP';

/** The calls Kyso makes; `sendStatus` is sendEdoc carrying a status message. */
export type VxpCall = 'getAgenciesList' | 'getReceivedEdocList' | 'getEdoc' | 'updateStatus' | 'sendEdoc' | 'sendStatus';

/** URL path of each call under the endpoint. */
export const VXP_PATHS: Record<VxpCall, string> = {
  getAgenciesList: 'getAgenciesList',
  getReceivedEdocList: 'getReceivedEdocList',
  getEdoc: 'getEdoc',
  updateStatus: 'updateStatus',
  sendEdoc: 'sendEdoc',
  sendStatus: 'sendEdoc',
};

/** Signed header names per call, in order (without the prefix), as observed on the SDK. */
export const VXP_SIGN_ORDER: Readonly<Record<VxpCall, readonly string[]>> = {
  getAgenciesList: ['systemid', 'timestamp', 'Content-Type'],
  getReceivedEdocList: ['systemid', 'servicetype', 'messagetype', 'timestamp', 'Content-Type'],
  getEdoc: ['systemid', 'docId', 'filePath', 'timestamp', 'Content-Type'],
  updateStatus: ['systemid', 'docId', 'timestamp', 'Content-Type', 'status'],
  sendEdoc: ['systemid', 'servicetype', 'messagetype', 'hash-file', 'from', 'to', 'timestamp', 'Content-Type'],
  // "The same names present, same order": sendEdoc's list without `to` (and without
  // servicetype, which a status send does not carry).
  sendStatus: ['systemid', 'messagetype', 'hash-file', 'from', 'timestamp', 'Content-Type'],
};

const VN_OFFSET_MS = 7 * 3600_000;
const p2 = (n: number) => String(n).padStart(2, '0');

/**
 * `XroadVnpt-timestamp`: day, month, year, `T`, hours, minutes, seconds, `+`, then the
 * milliseconds as 4 digits, in Vietnam time (`04122026T231915+0610`). The `+` is not a zone.
 */
export function vxpTimestamp(at: Date = new Date()): string {
  const d = new Date(at.getTime() + VN_OFFSET_MS);
  return `${p2(d.getUTCDate())}${p2(d.getUTCMonth() + 1)}${d.getUTCFullYear()}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}+${String(d.getUTCMilliseconds()).padStart(4, '0')}`;
}

/**
 * `XroadVnpt-hash-file`: the SHA-256 of the file, each byte in lowercase hex WITHOUT its
 * leading zero (0x05 is `5`), as the SDK writes it; so it is often shorter than 64 characters.
 */
export function vxpHashFile(data: Uint8Array | { digest: Uint8Array }): string {
  const digest = 'digest' in data ? data.digest : createHash('sha256').update(data).digest();
  return Array.from(digest, (b) => b.toString(16)).join('');
}

/** The three signature headers of one call. */
export interface VxpSignature {
  /** Names joined by `;`. */
  signHeaderKey: string;
  /** `{"XroadVnpt-<name>":"<value>",...}` in order, no spaces (UTF-8 when hashed). */
  signHeader: string;
  /** Lowercase hex HMAC-SHA256(key = secret as UTF-8, message = signHeader as UTF-8). */
  hashHeader: string;
}

/**
 * THE canonicalization of VXP signed headers: the one function both the gateway and (for its
 * checks) the simulator's tests rely on. `values` maps each name (without prefix) to the exact
 * header value sent; a name in `names` without a value is a programming error. String escaping
 * is JSON's (quotes and backslashes escaped, non-ASCII left as UTF-8).
 */
export function vxpSign(names: readonly string[], values: Readonly<Record<string, string>>, secret: string): VxpSignature {
  const parts = names.map((n) => {
    const v = values[n];
    if (v === undefined) throw new Error(`VXP signed header ${n} has no value`);
    return `${JSON.stringify(VXP_PREFIX + n)}:${JSON.stringify(v)}`;
  });
  const signHeader = `{${parts.join(',')}}`;
  return { signHeaderKey: names.join(';'), signHeader, hashHeader: hmacHex(secret, signHeader) };
}

/** Lowercase hex HMAC-SHA256 of `message` under `secret` (both UTF-8). */
export function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(message, 'utf8')).digest('hex');
}

/** Constant-time comparison of two hex HMACs (false when lengths differ). */
export function sameHmac(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every header of one call: the common ones, the call's own (`extra`, names without prefix),
 * and the signature over the names of `order` (default VXP_SIGN_ORDER[call]) that are present.
 */
export function vxpHeaders(
  call: VxpCall,
  o: { systemId: string; secret: string; contentType: string; extra?: Record<string, string>; at?: Date; order?: readonly string[] },
): Record<string, string> {
  const values: Record<string, string> = { systemid: o.systemId, timestamp: vxpTimestamp(o.at), 'Content-Type': o.contentType, version: VXP_VERSION, ...o.extra };
  const names = (o.order ?? VXP_SIGN_ORDER[call]).filter((n) => values[n] !== undefined);
  const sig = vxpSign(names, values, o.secret);
  const headers: Record<string, string> = { 'Content-Type': o.contentType, 'User-Agent': VXP_USER_AGENT };
  for (const [k, v] of Object.entries(values)) headers[VXP_PREFIX + k] = v;
  headers[`${VXP_PREFIX}sign-header-key`] = sig.signHeaderKey;
  headers[`${VXP_PREFIX}sign-header`] = sig.signHeader;
  headers[`${VXP_PREFIX}hash-header`] = sig.hashHeader;
  return headers;
}
