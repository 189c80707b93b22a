/**
 * How the simulated platform checks a caller's signed headers, written apart from the
 * gateway's vxp-headers.ts (so a mistake there is caught here, not repeated): the names it
 * requires per call, in its order, the compact JSON rebuilt by hand from the headers it
 * received, the HMAC-SHA256 under the system's secret, the timestamp's form and age, and
 * hash-file against the body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What the platform requires each call to sign, in order (names without the XroadVnpt- prefix). */
export const REQUIRED_SIGNED: Record<string, string[]> = {
  getAgenciesList: ['systemid', 'timestamp', 'Content-Type'],
  getReceivedEdocList: ['systemid', 'servicetype', 'messagetype', 'timestamp', 'Content-Type'],
  getEdoc: ['systemid', 'docId', 'filePath', 'timestamp', 'Content-Type'],
  updateStatus: ['systemid', 'docId', 'timestamp', 'Content-Type', 'status'],
  sendEdoc: ['systemid', 'servicetype', 'messagetype', 'hash-file', 'from', 'to', 'timestamp', 'Content-Type'],
  sendStatus: ['systemid', 'messagetype', 'hash-file', 'from', 'timestamp', 'Content-Type'],
};

const h = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[`xroadvnpt-${name}`.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** JSON string literal, by hand: quotes and backslashes escaped, control characters as \u00XX. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The timestamp as the SDK writes it, read back (Vietnam time); undefined when malformed. */
export function parseVxpTimestamp(t: string): Date | undefined {
  const m = /^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})$/.exec(t);
  if (!m) return undefined;
  const [, dd, mm, yyyy, HH, MM, SS, ms] = m;
  return new Date(Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd), Number(HH) - 7, Number(MM), Number(SS), Number(ms)));
}

/** SHA-256 written byte by byte in hex without leading zeros (by hand, as the SDK does). */
export function sdkHashFile(body: Buffer): string {
  const d = createHash('sha256').update(body).digest();
  let out = '';
  for (const b of d) out += b.toString(16);
  return out;
}

/** Checks a call's signature; returns the reason of a refusal, or null when it holds. */
export function checkSignedCall(call: string, headers: IncomingHttpHeaders, secret: string, opts: { maxSkewMs: number; body?: Buffer }): string | null {
  const required = REQUIRED_SIGNED[call];
  if (!required) return `unknown call ${call}`;
  const keyList = h(headers, 'sign-header-key');
  const signHeader = h(headers, 'sign-header');
  const hash = h(headers, 'hash-header');
  if (!keyList || !signHeader || !hash) return 'missing signature headers';
  if (keyList !== required.join(';')) return `signed names ${keyList} are not ${required.join(';')}`;
  let rebuilt = '{';
  for (const [i, name] of required.entries()) {
    const v = name === 'Content-Type' ? h(headers, 'Content-Type') : h(headers, name);
    if (v === undefined) return `header ${name} missing`;
    rebuilt += `${i ? ',' : ''}${quote(`XroadVnpt-${name}`)}:${quote(v)}`;
  }
  rebuilt += '}';
  if (rebuilt !== signHeader) return 'sign-header does not match the headers sent';
  const expected = Buffer.from(createHmac('sha256', secret).update(rebuilt, 'utf8').digest('hex'));
  const got = Buffer.from(hash);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) return 'hash-header is not the HMAC of sign-header';
  const ts = parseVxpTimestamp(h(headers, 'timestamp') ?? '');
  if (!ts) return 'malformed timestamp';
  if (Math.abs(ts.getTime() - Date.now()) > opts.maxSkewMs) return 'timestamp too far from now';
  if (h(headers, 'Content-Type') !== String(headers['content-type'] ?? '').split(';')[0]) return 'XroadVnpt-Content-Type differs from Content-Type';
  if (opts.body && required.includes('hash-file') && h(headers, 'hash-file') !== sdkHashFile(opts.body)) return 'hash-file does not match the file';
  return null;
}

/** Signature headers the platform puts on its own answers (systemid, timestamp, Content-Type, hash-file of the body). */
export function signAnswer(systemId: string, secret: string, body: Buffer, now = new Date()): Record<string, string> {
  const v = new Date(now.getTime() + 7 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const values: [string, string][] = [
    ['systemid', systemId],
    ['timestamp', `${p(v.getUTCDate())}${p(v.getUTCMonth() + 1)}${v.getUTCFullYear()}T${p(v.getUTCHours())}${p(v.getUTCMinutes())}${p(v.getUTCSeconds())}+${p(v.getUTCMilliseconds(), 4)}`],
    ['Content-Type', 'application/json'],
    ['hash-file', sdkHashFile(body)],
  ];
  const signHeader = `{${values.map(([k, val]) => `${quote(`XroadVnpt-${k}`)}:${quote(val)}`).join(',')}}`;
  const out: Record<string, string> = {};
  for (const [k, val] of values) out[`XroadVnpt-${k}`] = val;
  out['XroadVnpt-sign-header-key'] = values.map(([k]) => k).join(';');
  out['XroadVnpt-sign-header'] = signHeader;
  out['XroadVnpt-hash-header'] = createHmac('sha256', secret).update(signHeader, 'utf8').digest('hex');
  return out;
}
