/**
 * Checks shared by the platform clients: zod over every answer, the FAIL envelope turned into
 * a KysoError, and the answer signature (XroadVnpt-* headers) verified when the axis signs
 * its answers (or required to be there when the link says so).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { KysoError } from '../../main/api/errors.js';
import { sameHmac, hmacHex, VXP_PREFIX, vxpHashFile } from './vxp-headers.js';

/** Parses JSON text, or throws axisBadAnswer naming the call. */
export function parseJson(link: string, call: string, text: Buffer): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch (e) {
    throw new KysoError('axisBadAnswer', { link, call, detail: `not JSON: ${(e as Error).message.slice(0, 120)}` });
  }
}

/** Validates an answer against a schema, or throws axisBadAnswer with the first issue. */
export function validateAnswer<T extends z.ZodType>(link: string, call: string, schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new KysoError('axisBadAnswer', { link, call, detail: `${i.path.join('.') || 'answer'}: ${i.message}`.slice(0, 200) });
  }
  return r.data;
}

/** A short printable form of a value the axis sent (never more than 200 characters). */
export function shortText(v: unknown): string {
  return (typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(/\p{Cc}/gu, ' ').slice(0, 200);
}

const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Verifies the signature headers of an answer: HMAC-SHA256 of `sign-header` under the secret,
 * every signed name's value equal to the header actually received, and a signed `hash-file`
 * equal to the body's hash (written as the axis writes it). Without signature headers the
 * answer passes unless `required`.
 */
export function checkAnswerSignature(link: string, call: string, headers: IncomingHttpHeaders, rawSha256: Buffer, secret: string, required: boolean): void {
  const hash = header(headers, `${VXP_PREFIX}hash-header`);
  const signed = header(headers, `${VXP_PREFIX}sign-header`);
  const keys = header(headers, `${VXP_PREFIX}sign-header-key`);
  if (!hash && !signed && !keys) {
    if (required) throw new KysoError('axisBadSignature', { link, call, detail: 'the answer is not signed' });
    return;
  }
  if (!hash || !signed || !keys) throw new KysoError('axisBadSignature', { link, call, detail: 'incomplete signature headers' });
  if (!sameHmac(hmacHex(secret, signed), hash)) throw new KysoError('axisBadSignature', { link, call, detail: 'HMAC does not match' });
  let obj: unknown;
  try {
    obj = JSON.parse(signed);
  } catch {
    throw new KysoError('axisBadSignature', { link, call, detail: 'sign-header is not JSON' });
  }
  const values = z.record(z.string(), z.string()).safeParse(obj);
  if (!values.success) throw new KysoError('axisBadSignature', { link, call, detail: 'sign-header is not a JSON object of strings' });
  for (const name of keys.split(';')) {
    const v = values.data[VXP_PREFIX + name];
    if (v === undefined) throw new KysoError('axisBadSignature', { link, call, detail: `${name} is listed but not signed` });
    if (name === 'hash-file') {
      if (v !== vxpHashFile({ digest: rawSha256 })) throw new KysoError('axisBadSignature', { link, call, detail: 'the body does not match its signed hash' });
    } else if (header(headers, VXP_PREFIX + name) !== v) throw new KysoError('axisBadSignature', { link, call, detail: `${name} differs from the signed value` });
  }
}
