/**
 * The one CRL client: downloads a distribution point over the bounded fetcher
 * (main/net/fetch.ts), reads a CRL (DER or PEM) and states one certificate's status in it,
 * checking that the certificate's issuer signed it. Signing (B-LT DSS), validation and the
 * inbox server (its configured CRL files) all use it.
 */
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { fetchBytes, isNetError, type FetchOptions } from '../net/fetch.js';
import { verifyRaw } from './algorithms.js';
import { parseCertificate, toDer, type CertView } from './cert.js';
import { DerCache } from './der-cache.js';

/** A CRL's word about one certificate. */
export interface CrlAnswer {
  /** DER CertificateList, as stored in a DSS /CRLs stream. */
  crl: Buffer;
  /** Where it came from ('' when it was not downloaded). */
  url: string;
  status: 'good' | 'revoked';
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
}

const crlCache = new DerCache<pkijs.CertificateRevocationList>(64);

const bad = (detail: string) => new KysoError('crlBadResponse', { detail });

/**
 * Reads a DER or PEM CRL about `cert`: a KysoError crlBadResponse when it is garbage, another
 * CA's list, or (when `issuer` is known) not signed by it. Without `issuer` the signature
 * cannot be checked (a signer whose chain is incomplete): only the names are.
 */
export function readCrl(data: Uint8Array, cert: CertView, issuer: CertView | undefined, url = ''): CrlAnswer {
  const der = Buffer.from(toDer(data));
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = crlCache.get(der, () => pkijs.CertificateRevocationList.fromBER(new Uint8Array(der)));
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  const lc = parseCertificate(cert.der);
  if (!Buffer.from(crl.issuer.toSchema().toBER()).equals(Buffer.from(lc.issuer.toSchema().toBER()))) throw bad('issued by another CA');
  if (issuer && !verifyRaw(crl.signatureAlgorithm, undefined, crl.tbsView, crl.signatureValue.valueBlock.valueHexView, issuer.x.publicKey)) throw bad('not signed by the issuer');
  const serial = Buffer.from(lc.serialNumber.valueBlock.valueHexView);
  const entry = (crl.revokedCertificates ?? []).find((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(serial));
  return {
    crl: der,
    url,
    status: entry ? 'revoked' : 'good',
    thisUpdate: crl.thisUpdate.value,
    ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.value } : {}),
    ...(entry ? { revokedAt: entry.revocationDate.value } : {}),
  };
}

/** Options of a CRL download. */
export type CrlFetchOptions = Pick<FetchOptions, 'timeoutMs' | 'signal'> & {
  /** Download this URL instead of the certificate's distribution points. */
  url?: string;
};

/**
 * Downloads the CRL of a certificate (its first http(s) distribution point, or `url`) and
 * reads it (see readCrl); undefined when there is nowhere to ask. KysoError crlUnreachable or
 * crlBadResponse otherwise.
 */
export async function fetchCrl(cert: CertView, issuer: CertView | undefined, options: CrlFetchOptions = {}): Promise<CrlAnswer | undefined> {
  const url = options.url ?? cert.crlUrls.find((u) => /^https?:/i.test(u));
  if (!url) return undefined;
  let body: Buffer;
  try {
    const { url: _url, ...http } = options;
    body = (await fetchBytes(url, { ...http, headers: { accept: 'application/pkix-crl, */*' } })).body;
  } catch (e) {
    if (isNetError(e)) throw new KysoError('crlUnreachable', { url, detail: String(e.params.detail) }, { cause: e });
    throw e;
  }
  return readCrl(body, cert, issuer, url);
}
