/** How many bytes to reserve in /Contents: the CMS grows with the chain and the timestamp. */
import type { Signer } from '../pki/signer.js';

/** Room for an RFC 3161 token (TSA certificates included) in a B-T signature or DocTimeStamp. */
export const TIMESTAMP_ROOM = 12_288;

/** Bytes to reserve for the signer's CMS, with or without a signature timestamp. */
export function cmsRoom(signer: Signer, withTimestamp: boolean): number {
  const certs = [signer.certificate, ...signer.chain].reduce((n, c) => n + c.length, 0);
  // Signature (up to RSA 4096), signed attributes, SignerInfo framing, then a safety margin.
  return certs + 512 + 1024 + 2048 + (withTimestamp ? TIMESTAMP_ROOM : 0);
}
