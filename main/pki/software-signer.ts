/** A Signer over a node:crypto private key: for tests and for the test-bed TSA-free paths. */
import { createPrivateKey, sign as cryptoSign, constants, KeyObject } from 'node:crypto';
import type { HashAlgorithm, SignatureScheme, Signer } from './signer.js';

const nodeHash: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Creates a Signer from a PEM/DER private key and the certificate(s) in DER. */
export function softwareSigner(privateKey: string | Buffer | KeyObject, certificate: Uint8Array, chain: Uint8Array[] = []): Signer {
  const key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey);
  const keyType = key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA';
  return {
    certificate,
    chain,
    keyType,
    schemes: keyType === 'EC' ? ['ECDSA'] : ['RSA-PKCS1', 'RSA-PSS'],
    async sign(data: Uint8Array, hash: HashAlgorithm, scheme: SignatureScheme): Promise<Uint8Array> {
      if (scheme === 'RSA-PSS') {
        const saltLength = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash];
        return cryptoSign(nodeHash[hash], data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
      }
      return cryptoSign(nodeHash[hash], data, { key, dsaEncoding: 'der' });
    },
  };
}
