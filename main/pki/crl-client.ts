/** CRL download (HTTP GET of a distribution point), accepting DER or PEM, with basic checks. */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { certInfo, toArrayBuffer, toDer } from './cert.js';
import { fetchBytes, isNetError, type FetchOptions } from '../net/fetch.js';

/** A downloaded CRL. */
export interface CrlResult {
  /** DER CertificateList, as stored in a DSS /CRLs stream. */
  crl: Uint8Array;
  url: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Lower-case hex serials listed as revoked. */
  revokedSerials: string[];
}

/** Parses a DER or PEM CRL. */
export function parseCrl(data: Uint8Array, url = ''): CrlResult {
  const der = toDer(data);
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset === -1) throw new Error(asn.result.error);
    const crl = new pkijs.CertificateRevocationList({ schema: asn.result });
    return {
      crl: der,
      url,
      thisUpdate: crl.thisUpdate.value,
      ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.value } : {}),
      revokedSerials: (crl.revokedCertificates ?? []).map((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex').replace(/^0+(?=.)/, '')),
    };
  } catch (e) {
    throw new KysoError('crlBadResponse', { detail: e instanceof Error ? e.message : String(e) });
  }
}

/** Downloads the CRL of a certificate (first http(s) distribution point, or `url`). */
export async function fetchCrl(certDer: Uint8Array, options: Pick<FetchOptions, 'timeoutMs' | 'signal'> & { url?: string } = {}): Promise<CrlResult | undefined> {
  const url = options.url ?? certInfo(certDer).crlUrls.find((u) => /^https?:/i.test(u));
  if (!url) return undefined;
  let body: Uint8Array;
  try {
    const { url: _url, ...http } = options;
    body = (await fetchBytes(url, { ...http, headers: { accept: 'application/pkix-crl, */*' } })).body;
  } catch (e) {
    if (isNetError(e)) throw new KysoError('crlUnreachable', { url, detail: String(e.params.detail) }, { cause: e });
    throw e;
  }
  return parseCrl(body, url);
}
