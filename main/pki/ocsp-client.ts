/** OCSP client (RFC 6960) over HTTP POST: one request per certificate, nonce checked when echoed. */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { certInfo, parseCertificate, toArrayBuffer } from './cert.js';
import { fetchBytes, isNetError, type FetchOptions } from '../net/fetch.js';

const OID_SHA1 = '1.3.14.3.2.26';
const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_NONCE = '1.3.6.1.5.5.7.48.1.2';

/** Certificate status as the responder states it. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

/** A checked OCSP answer. */
export interface OcspResult {
  /** DER OCSPResponse, as stored in a DSS /OCSPs stream. */
  response: Uint8Array;
  status: OcspCertStatus;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
  /** Certificates the responder included (a delegated responder's own certificate). */
  certificates: Uint8Array[];
}

function certId(cert: pkijs.Certificate, issuer: pkijs.Certificate): pkijs.CertID {
  const sha1 = (b: ArrayBuffer | Uint8Array) => toArrayBuffer(createHash('sha1').update(new Uint8Array(b)).digest());
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: sha1(issuer.subject.toSchema().toBER()) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: sha1(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView) }),
    serialNumber: cert.serialNumber,
  });
}

/** Builds a DER OCSPRequest for `cert` issued by `issuer`, with the given nonce. */
export function buildOcspRequest(certDer: Uint8Array, issuerDer: Uint8Array, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId(parseCertificate(certDer), parseCertificate(issuerDer)) })];
  req.tbsRequest.requestExtensions = [
    new pkijs.Extension({ extnID: OID_NONCE, extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(nonce) }).toBER() }),
  ];
  return new Uint8Array(req.toSchema(true).toBER());
}

/** Asks the certificate's responder (AIA, or `url` when given) for its status. */
export async function fetchOcsp(certDer: Uint8Array, issuerDer: Uint8Array, options: Pick<FetchOptions, 'timeoutMs' | 'signal'> & { url?: string } = {}): Promise<OcspResult> {
  const info = certInfo(certDer);
  const url = options.url ?? info.ocspUrls[0];
  if (!url) throw new KysoError('ocspNoUrl', { subject: info.subject });
  const nonce = randomBytes(16);
  let answer: Uint8Array;
  try {
    const { url: _url, ...http } = options;
    answer = (await fetchBytes(url, { ...http, body: buildOcspRequest(certDer, issuerDer, nonce), contentType: 'application/ocsp-request', headers: { accept: 'application/ocsp-response' } })).body;
  } catch (e) {
    if (isNetError(e)) throw new KysoError('ocspUnreachable', { url, detail: String(e.params.detail) }, { cause: e });
    throw e;
  }
  return parseOcspResponse(answer, certDer, issuerDer, nonce);
}

/** Parses and checks an OCSPResponse for one certificate (status, matching CertID, nonce if echoed). */
export function parseOcspResponse(der: Uint8Array, certDer: Uint8Array, issuerDer: Uint8Array, nonce?: Uint8Array): OcspResult {
  let basic: pkijs.BasicOCSPResponse;
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset === -1) throw new Error(asn.result.error);
    const resp = new pkijs.OCSPResponse({ schema: asn.result });
    const code = resp.responseStatus.valueBlock.valueDec;
    if (code !== 0) throw new Error(`responder status ${code}`);
    if (!resp.responseBytes || resp.responseBytes.responseType !== OID_BASIC) throw new Error('not a basic OCSP response');
    basic = new pkijs.BasicOCSPResponse({ schema: asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView).result });
  } catch (e) {
    throw new KysoError('ocspBadResponse', { detail: e instanceof Error ? e.message : String(e) });
  }
  const want = certId(parseCertificate(certDer), parseCertificate(issuerDer));
  const single = basic.tbsResponseData.responses.find((r) =>
    Buffer.from(r.certID.serialNumber.valueBlock.valueHexView).equals(Buffer.from(want.serialNumber.valueBlock.valueHexView)) &&
    Buffer.from(r.certID.issuerKeyHash.valueBlock.valueHexView).equals(Buffer.from(want.issuerKeyHash.valueBlock.valueHexView)));
  if (!single) throw new KysoError('ocspBadResponse', { detail: 'no answer for this certificate' });
  const echoed = basic.tbsResponseData.responseExtensions?.find((x) => x.extnID === OID_NONCE);
  if (nonce && echoed) {
    const inner = asn1js.fromBER(echoed.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
    if (!Buffer.from(inner.valueBlock.valueHexView).equals(Buffer.from(nonce))) throw new KysoError('ocspBadResponse', { detail: 'nonce mismatch' });
  }
  const tag = single.certStatus.idBlock.tagNumber;
  const status: OcspCertStatus = tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown';
  let revokedAt: Date | undefined;
  if (status === 'revoked') {
    const t = (single.certStatus as asn1js.Constructed).valueBlock.value[0];
    if (t instanceof asn1js.GeneralizedTime) revokedAt = t.toDate();
  }
  return {
    response: der,
    status,
    producedAt: basic.tbsResponseData.producedAt,
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    ...(revokedAt ? { revokedAt } : {}),
    certificates: (basic.certs ?? []).map((c) => new Uint8Array(c.toSchema().toBER())),
  };
}
