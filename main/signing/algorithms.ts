/** OIDs and AlgorithmIdentifiers for the digests and signature schemes Kyso signs with. */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { HashAlgorithm, SignatureScheme } from '../pki/signer.js';

/** OID of each digest algorithm. */
export const hashOid: Record<HashAlgorithm, string> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};

/** node:crypto name of each digest algorithm. */
export const nodeHashName: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Digest length in bytes (also the RSA-PSS salt length we use, as RFC 8017 recommends). */
export const hashLength: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

const rsaWithHash: Record<HashAlgorithm, string> = {
  'SHA-256': '1.2.840.113549.1.1.11',
  'SHA-384': '1.2.840.113549.1.1.12',
  'SHA-512': '1.2.840.113549.1.1.13',
};
const ecdsaWithHash: Record<HashAlgorithm, string> = {
  'SHA-256': '1.2.840.10045.4.3.2',
  'SHA-384': '1.2.840.10045.4.3.3',
  'SHA-512': '1.2.840.10045.4.3.4',
};
const RSA_PSS = '1.2.840.113549.1.1.10';
const MGF1 = '1.2.840.113549.1.1.8';

/** The digest AlgorithmIdentifier (parameters absent, as RFC 5754 prefers). */
export function digestAlgorithm(hash: HashAlgorithm): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: hashOid[hash] });
}

/** The SignerInfo signatureAlgorithm for a scheme and digest. */
export function signatureAlgorithm(scheme: SignatureScheme, hash: HashAlgorithm): pkijs.AlgorithmIdentifier {
  switch (scheme) {
    case 'RSA-PKCS1':
      return new pkijs.AlgorithmIdentifier({ algorithmId: rsaWithHash[hash], algorithmParams: new asn1js.Null() });
    case 'ECDSA':
      return new pkijs.AlgorithmIdentifier({ algorithmId: ecdsaWithHash[hash] });
    case 'RSA-PSS': {
      const h = new pkijs.AlgorithmIdentifier({ algorithmId: hashOid[hash], algorithmParams: new asn1js.Null() });
      const params = new pkijs.RSASSAPSSParams({
        hashAlgorithm: h,
        maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: MGF1, algorithmParams: h.toSchema() }),
        saltLength: hashLength[hash],
      });
      return new pkijs.AlgorithmIdentifier({ algorithmId: RSA_PSS, algorithmParams: params.toSchema() });
    }
  }
}

/** Reverse lookup: digest OID to HashAlgorithm, undefined when unsupported. */
export function hashFromOid(oid: string): HashAlgorithm | undefined {
  return (Object.keys(hashOid) as HashAlgorithm[]).find((h) => hashOid[h] === oid);
}
