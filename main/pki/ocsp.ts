/**
 * The one OCSP client (RFC 6960): builds a request (with a nonce), asks the responder over the
 * bounded fetcher (main/net/fetch.ts) and reads an answer for one certificate, checking that
 * the issuer or a delegate it certified for OCSP signing signed it, that it speaks of this
 * certificate (CertID with the hash the responder chose) and, when echoed, the nonce. Signing
 * (B-LT DSS), validation and the inbox server all use it.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { fetchBytes, isNetError, type FetchOptions } from '../net/fetch.js';
import { digestName, verifyRaw } from './algorithms.js';
import { certView, isIssuedBy, parseCertificate, toArrayBuffer, type CertView } from './cert.js';
import { DerCache } from './der-cache.js';

const OID_SHA1 = '1.3.14.3.2.26';
const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_NONCE = '1.3.6.1.5.5.7.48.1.2';
const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** Certificate status as the responder states it. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

/** A checked OCSP answer about one certificate. */
export interface OcspAnswer {
  /** DER OCSPResponse, as stored in a DSS /OCSPs stream. */
  response: Buffer;
  status: OcspCertStatus;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
  /** Certificates the responder included (a delegated responder's own certificate). */
  certificates: Buffer[];
}

/** A successful basic OCSP response, parsed once per distinct response (a DSS serves many checks). */
interface ParsedOcsp {
  basic: pkijs.BasicOCSPResponse;
  /** DER of the certificates it carries (candidate delegated responders). */
  certs: Buffer[];
}
// Garbage is not cached (DerCache never keeps a failure).
const responseCache = new DerCache<ParsedOcsp>(256);

const bad = (detail: string) => new KysoError('ocspBadResponse', { detail });

/** SHA-1 CertID of `cert` issued by `issuer` (what every responder understands). */
function certId(cert: CertView, issuer: CertView): pkijs.CertID {
  const sha1 = (b: ArrayBuffer | Uint8Array) => toArrayBuffer(createHash('sha1').update(new Uint8Array(b)).digest());
  const ic = parseCertificate(issuer.der);
  return new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: sha1(ic.subject.toSchema().toBER()) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: sha1(ic.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView) }),
    serialNumber: parseCertificate(cert.der).serialNumber,
  });
}

/** A DER OCSPRequest for `cert` issued by `issuer`, with a nonce extension when one is given. */
export function buildOcspRequest(cert: CertView, issuer: CertView, nonce?: Uint8Array): Buffer {
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId(cert, issuer) })];
  if (nonce) {
    req.tbsRequest.requestExtensions = [
      new pkijs.Extension({ extnID: OID_NONCE, extnValue: new asn1js.OctetString({ valueHex: toArrayBuffer(nonce) }).toBER() }),
    ];
  }
  return Buffer.from(req.toSchema(true).toBER());
}

function parseResponse(der: Buffer): ParsedOcsp {
  let resp: pkijs.OCSPResponse;
  try {
    resp = pkijs.OCSPResponse.fromBER(new Uint8Array(der));
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  const code = resp.responseStatus.valueBlock.valueDec;
  if (code !== 0) throw bad(`responder status ${code}`);
  if (!resp.responseBytes || resp.responseBytes.responseType !== OID_BASIC) throw bad('not a basic OCSP response');
  try {
    const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
    return { basic, certs: (basic.certs ?? []).map((c) => Buffer.from(c.toSchema().toBER())) };
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
}

/** True when the issuer, or a delegate it issued with id-kp-OCSPSigning, signed the response. */
function signedByResponder(parsed: ParsedOcsp, issuer: CertView): boolean {
  const responders: CertView[] = [issuer];
  for (const c of parsed.certs) {
    try {
      const v = certView(c);
      if (isIssuedBy(v, issuer) && v.extKeyUsage.includes(OID_OCSP_SIGNING)) responders.push(v);
    } catch {
      // skip unparsable responder certificates
    }
  }
  const { basic } = parsed;
  return responders.some((r) => verifyRaw(basic.signatureAlgorithm, undefined, basic.tbsResponseData.tbsView, basic.signature.valueBlock.valueHexView, r.x.publicKey));
}

/** The SingleResponse about `cert`, matched with the hash algorithm of each CertID. */
function singleFor(basic: pkijs.BasicOCSPResponse, cert: CertView, issuer: CertView): pkijs.SingleResponse | undefined {
  const ic = parseCertificate(issuer.der);
  const serial = Buffer.from(parseCertificate(cert.der).serialNumber.valueBlock.valueHexView);
  return basic.tbsResponseData.responses.find((s) => {
    const hash = digestName(s.certID.hashAlgorithm.algorithmId);
    if (!hash) return false;
    const nameHash = createHash(hash).update(Buffer.from(ic.subject.toSchema().toBER())).digest();
    const keyHash = createHash(hash).update(ic.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
    return nameHash.equals(Buffer.from(s.certID.issuerNameHash.valueBlock.valueHexView))
      && keyHash.equals(Buffer.from(s.certID.issuerKeyHash.valueBlock.valueHexView))
      && serial.equals(Buffer.from(s.certID.serialNumber.valueBlock.valueHexView));
  });
}

/**
 * Reads a DER OCSPResponse about `cert` issued by `issuer`: a KysoError ocspBadResponse when it
 * is not a successful response, not signed by the issuer or its delegate, says nothing about
 * this certificate, or echoes another nonce than `nonce`.
 */
export function readOcspResponse(der: Uint8Array, cert: CertView, issuer: CertView, nonce?: Uint8Array): OcspAnswer {
  const response = Buffer.isBuffer(der) ? der : Buffer.from(der);
  const parsed = responseCache.get(response, () => parseResponse(response));
  const { basic } = parsed;
  if (!signedByResponder(parsed, issuer)) throw bad('not signed by the issuer or its OCSP responder');
  const single = singleFor(basic, cert, issuer);
  if (!single) throw bad('no answer for this certificate');
  const echoed = basic.tbsResponseData.responseExtensions?.find((x) => x.extnID === OID_NONCE);
  if (nonce && echoed) {
    const inner = asn1js.fromBER(echoed.extnValue.valueBlock.valueHexView).result;
    if (!(inner instanceof asn1js.OctetString) || !Buffer.from(inner.valueBlock.valueHexView).equals(Buffer.from(nonce))) throw bad('nonce mismatch');
  }
  const st = single.certStatus as asn1js.BaseBlock;
  const tag = st.idBlock.tagNumber;
  const status: OcspCertStatus = tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown';
  let revokedAt: Date | undefined;
  if (status === 'revoked') {
    const t = (st as asn1js.Constructed).valueBlock.value[0];
    revokedAt = t instanceof asn1js.GeneralizedTime ? t.toDate() : single.thisUpdate;
  }
  return {
    response,
    status,
    producedAt: basic.tbsResponseData.producedAt,
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    ...(revokedAt ? { revokedAt } : {}),
    certificates: parsed.certs,
  };
}

/** Options of an online OCSP request. */
export type OcspFetchOptions = Pick<FetchOptions, 'timeoutMs' | 'signal'> & {
  /** Ask this responder instead of the certificate's AIA one. */
  url?: string;
};

/**
 * Asks the certificate's responder (its first AIA OCSP URL, or `url`) for its status: a
 * checked answer, or KysoError ocspNoUrl / ocspUnreachable / ocspBadResponse.
 */
export async function fetchOcsp(cert: CertView, issuer: CertView, options: OcspFetchOptions = {}): Promise<OcspAnswer> {
  const url = options.url ?? cert.ocspUrls[0];
  if (!url) throw new KysoError('ocspNoUrl', { subject: cert.subject });
  const nonce = randomBytes(16);
  let answer: Buffer;
  try {
    const { url: _url, ...http } = options;
    answer = (await fetchBytes(url, { ...http, body: buildOcspRequest(cert, issuer, nonce), contentType: 'application/ocsp-request', headers: { accept: 'application/ocsp-response' } })).body;
  } catch (e) {
    if (isNetError(e)) throw new KysoError('ocspUnreachable', { url, detail: String(e.params.detail) }, { cause: e });
    throw e;
  }
  return readOcspResponse(answer, cert, issuer, nonce);
}
