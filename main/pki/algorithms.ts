/** Maps ASN.1 algorithm identifiers to node:crypto and verifies raw signatures with them. */
import { constants, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const SIG_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** node:crypto hash name of a digest OID, or undefined when unsupported. */
export function digestName(oid: string): string | undefined {
  return DIGESTS[oid];
}

/** How node:crypto verifies a signature algorithm: hash name plus RSA padding options. */
export interface VerifyParams {
  hash: string;
  padding?: number;
  saltLength?: number;
}

/**
 * An AlgorithmIdentifier: pkijs's, or its OID with the DER of its parameters (the validator
 * reads CMS envelopes without pkijs).
 */
export type AlgorithmRef = pkijs.AlgorithmIdentifier | { algorithmId: string; paramsDer?: Uint8Array };

function paramsOf(alg: AlgorithmRef): unknown {
  if (alg instanceof pkijs.AlgorithmIdentifier) return alg.algorithmParams;
  return alg.paramsDer ? asn1js.fromBER(new Uint8Array(alg.paramsDer)).result : undefined;
}

/**
 * node:crypto parameters of a signature AlgorithmIdentifier; `digestOid` is the separate
 * digest algorithm when `alg` names only the key type (CMS rsaEncryption, ecPublicKey).
 */
export function verifyParams(alg: AlgorithmRef, digestOid: string | undefined): VerifyParams | undefined {
  const oid = alg.algorithmId;
  if (oid === '1.2.840.113549.1.1.10') {
    const params = new pkijs.RSASSAPSSParams({ schema: paramsOf(alg) as asn1js.Sequence });
    return { hash: digestName(params.hashAlgorithm.algorithmId) ?? 'sha1', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength };
  }
  const hash = SIG_HASH[oid] ?? (digestOid ? digestName(digestOid) : undefined);
  if (!hash) return undefined;
  if (oid === '1.2.840.113549.1.1.1' || (SIG_HASH[oid] && oid.startsWith('1.2.840.113549'))) return { hash, padding: constants.RSA_PKCS1_PADDING };
  return { hash };
}

/** Verifies `sig` over `data` (see verifyParams for `alg` and `digestOid`). */
export function verifyRaw(alg: AlgorithmRef, digestOid: string | undefined, data: Uint8Array, sig: Uint8Array, key: KeyObject): boolean {
  try {
    const p = verifyParams(alg, digestOid);
    if (!p) return false;
    return verify(p.hash, data, p.padding === undefined ? key : { key, padding: p.padding, ...(p.saltLength !== undefined ? { saltLength: p.saltLength } : {}) }, sig);
  } catch {
    return false;
  }
}
