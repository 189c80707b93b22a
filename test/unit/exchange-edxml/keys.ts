/** Self-signed software keys for codec tests (RSA and EC), made in-process with @peculiar/x509. */
import { webcrypto, KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Signer } from '../../../main/pki/signer.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Creates a self-signed certificate and a software Signer for it. */
export async function testSigner(kind: 'RSA' | 'EC', cn = 'Văn thư UBND tỉnh'): Promise<Signer> {
  const alg =
    kind === 'RSA'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
      : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${cn}, C=VN`,
    notBefore: new Date(Date.now() - 86400_000),
    notAfter: new Date(Date.now() + 365 * 86400_000),
    keys,
    signingAlgorithm: alg,
  });
  return softwareSigner(KeyObject.from(keys.privateKey), new Uint8Array(cert.rawData));
}
