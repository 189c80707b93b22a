/**
 * Builds a DER SubjectPublicKeyInfo from PKCS#11 public-key attributes (RSA modulus and
 * exponent, EC params and point), so certificates and CSRs can be matched to token keys.
 */
import { createPublicKey } from 'node:crypto';

const b64url = (b: Buffer) => b.toString('base64url');

/** Curve names by DER-encoded OID (CKA_EC_PARAMS). */
export const curveByParams: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  '06082a8648ce3d030107': 'P-256',
  '06052b81040022': 'P-384',
  '06052b81040023': 'P-521',
};

/** DER OID (CKA_EC_PARAMS value) of a curve. */
export const paramsByCurve = { 'P-256': '06082a8648ce3d030107', 'P-384': '06052b81040022' } as const;

/** SPKI of an RSA public key. */
export function rsaSpki(modulus: Buffer, exponent: Buffer): Buffer {
  return createPublicKey({ key: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) }, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/** Unwraps CKA_EC_POINT: a DER OCTET STRING around the point (most modules) or the raw point. */
export function ecPointRaw(point: Buffer): Buffer {
  if (point[0] === 0x04 && point.length > 2) {
    const len = point[1]!;
    if (len < 0x80 && len === point.length - 2) return point.subarray(2);
    if (len === 0x81 && point[2] === point.length - 3) return point.subarray(3);
  }
  return point;
}

/** SPKI of an EC public key (uncompressed point). */
export function ecSpki(params: Buffer, point: Buffer): Buffer {
  const crv = curveByParams[params.toString('hex')];
  if (!crv) throw new Error('unsupported curve');
  const raw = ecPointRaw(point);
  const size = (raw.length - 1) / 2;
  return createPublicKey({ key: { kty: 'EC', crv, x: b64url(raw.subarray(1, 1 + size)), y: b64url(raw.subarray(1 + size)) }, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}
