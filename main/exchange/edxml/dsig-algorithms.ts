/**
 * XML-DSig algorithm identifiers the reader verifies, with what node:crypto needs for each and
 * whether it is a weak legacy algorithm (SHA-1: the national SDK samples sign RSA-SHA1; such a
 * signature is checked and reported as valid-weak-algorithm, never as plainly valid).
 */
import { constants, type KeyObject, type VerifyKeyObjectInput, type VerifyPublicKeyInput } from 'node:crypto';

/** The XML-DSig namespace. */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** Canonicalization algorithms. */
export const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const C14N_COMMENTS = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const EXC_C14N_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';
/** Transforms. */
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const XPATH = 'http://www.w3.org/TR/1999/REC-xpath-19991116';

/** A digest algorithm: node:crypto name, display name, weak or not. */
export interface DigestAlg {
  hash: string;
  name: string;
  weak: boolean;
}

/** DigestMethod URIs. */
export const DIGESTS: Record<string, DigestAlg> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': { hash: 'sha1', name: 'SHA-1', weak: true },
  'http://www.w3.org/2001/04/xmlenc#sha256': { hash: 'sha256', name: 'SHA-256', weak: false },
  'http://www.w3.org/2001/04/xmldsig-more#sha384': { hash: 'sha384', name: 'SHA-384', weak: false },
  'http://www.w3.org/2001/04/xmlenc#sha512': { hash: 'sha512', name: 'SHA-512', weak: false },
};

/** A signature algorithm: hash, key family, display name, weak or not. */
export interface SignatureAlg {
  hash: string;
  key: 'RSA' | 'RSA-PSS' | 'EC';
  name: string;
  weak: boolean;
}

/** SignatureMethod URIs. */
export const SIGNATURES: Record<string, SignatureAlg> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { hash: 'sha1', key: 'RSA', name: 'RSA-SHA1', weak: true },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'sha256', key: 'RSA', name: 'RSA-SHA256', weak: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { hash: 'sha384', key: 'RSA', name: 'RSA-SHA384', weak: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'sha512', key: 'RSA', name: 'RSA-SHA512', weak: false },
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1': { hash: 'sha256', key: 'RSA-PSS', name: 'RSA-PSS-SHA256', weak: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1': { hash: 'sha1', key: 'EC', name: 'ECDSA-SHA1', weak: true },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { hash: 'sha256', key: 'EC', name: 'ECDSA-SHA256', weak: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { hash: 'sha384', key: 'EC', name: 'ECDSA-SHA384', weak: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { hash: 'sha512', key: 'EC', name: 'ECDSA-SHA512', weak: false },
};

/** The key argument of crypto.verify for a signature algorithm (XML-DSig ECDSA is r||s). */
export function verifyKey(alg: SignatureAlg, key: KeyObject): KeyObject | VerifyKeyObjectInput | VerifyPublicKeyInput {
  if (alg.key === 'RSA-PSS') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  if (alg.key === 'EC') return { key, dsaEncoding: 'ieee-p1363' };
  return key;
}
