/**
 * The seam between signature formats (PAdES CMS, XML-DSig, server login challenges, CSRs)
 * and whatever holds the private key: a token through the bridge, or a software key in tests.
 */

/** Digest algorithms Kyso signs with (SHA-1 is never used for new signatures). */
export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Signature schemes by key type. */
export type SignatureScheme = 'RSA-PKCS1' | 'RSA-PSS' | 'ECDSA';

/** A private key that can sign, with its certificate and the chain known for it. */
export interface Signer {
  /** DER of the signer's certificate. */
  readonly certificate: Uint8Array;
  /** DER of further certificates of the chain (issuers), possibly empty. */
  readonly chain: Uint8Array[];
  /** Key type: decides the schemes available. */
  readonly keyType: 'RSA' | 'EC';
  /** Schemes this key and its token support, in order of preference. */
  readonly schemes: SignatureScheme[];
  /**
   * Signs `data` (the signer hashes it with `hash`, or hands it to a hash-and-sign mechanism).
   * Returns a raw RSA signature for RSA schemes and a DER `ECDSA-Sig-Value` for ECDSA.
   */
  sign(data: Uint8Array, hash: HashAlgorithm, scheme: SignatureScheme): Promise<Uint8Array>;
}
