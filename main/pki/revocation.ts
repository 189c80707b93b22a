/**
 * Revocation status of one certificate: DSS-embedded OCSP responses and CRLs first, then
 * online OCSP, then online CRL unless offline. Unknown status is reported, never guessed.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { verifyRaw, digestName } from './algorithms.js';
import { parseCertificate } from './cert.js';
import { certView, isIssuedBy, type CertView } from './cert-view.js';
import { DerCache } from './der-cache.js';
import { fetchBytes } from '../net/fetch.js';

/** Outcome of a revocation check. */
export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  source: 'dss-ocsp' | 'dss-crl' | 'ocsp' | 'crl' | 'none';
  /** thisUpdate of the evidence used. */
  issuedAt?: Date;
  revocationTime?: Date;
  /** The raw evidence fetched online (for a later DSS). */
  evidence?: Buffer;
}

/** Embedded revocation data available to the check. */
export interface RevocationInput {
  cert: CertView;
  issuer: CertView;
  ocsps: Buffer[];
  crls: Buffer[];
  offline: boolean;
}

/** The parsed (content-cached, shared: read only) pkijs certificate behind a view. */
const pk = (c: CertView): pkijs.Certificate => parseCertificate(c.der);

/** A successful OCSP response, parsed once per distinct response (a DSS serves many checks). */
interface ParsedOcsp {
  basic: pkijs.BasicOCSPResponse;
  /** DER of the certificates it carries (candidate delegated responders). */
  certs: Buffer[];
}
// Garbage is not cached (DerCache never keeps a failure): the callers' catch turns it into 'no answer'.
const ocspCache = new DerCache<ParsedOcsp | null>(256);
const crlCache = new DerCache<pkijs.CertificateRevocationList>(64);

/** Parses an OCSPResponse; null when it is not a successful one (throws on garbage). */
function parseOcsp(der: Buffer): ParsedOcsp | null {
  const resp = pkijs.OCSPResponse.fromBER(new Uint8Array(der));
  if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) return null;
  const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
  return { basic, certs: (basic.certs ?? []).map((c) => Buffer.from(c.toSchema().toBER())) };
}

/** Status from one DER OCSPResponse, or undefined when it does not speak validly about the cert. */
export function ocspStatus(der: Buffer, cert: CertView, issuer: CertView): RevocationStatus | undefined {
  try {
    const parsed = ocspCache.get(der, () => parseOcsp(der));
    if (!parsed) return undefined;
    const { basic } = parsed;
    const tbs = basic.tbsResponseData.tbsView;
    const sig = basic.signature.valueBlock.valueHexView;
    // The responder is the issuer itself or a delegate it issued (with id-kp-OCSPSigning).
    const responders: CertView[] = [issuer];
    for (const c of parsed.certs) {
      try {
        const v = certView(c);
        if (isIssuedBy(v, issuer) && (v.x.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.9')) responders.push(v);
      } catch {
        // skip unparsable responder certificates
      }
    }
    if (!responders.some((r) => verifyRaw(basic.signatureAlgorithm, undefined, tbs, sig, r.x.publicKey))) return undefined;
    const ic = pk(issuer);
    const lc = pk(cert);
    for (const s of basic.tbsResponseData.responses) {
      const hash = digestName(s.certID.hashAlgorithm.algorithmId);
      if (!hash) continue;
      const nameHash = createHash(hash).update(Buffer.from(ic.subject.toSchema().toBER())).digest();
      const keyHash = createHash(hash).update(ic.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
      if (!nameHash.equals(Buffer.from(s.certID.issuerNameHash.valueBlock.valueHexView))) continue;
      if (!keyHash.equals(Buffer.from(s.certID.issuerKeyHash.valueBlock.valueHexView))) continue;
      if (!Buffer.from(s.certID.serialNumber.valueBlock.valueHexView).equals(Buffer.from(lc.serialNumber.valueBlock.valueHexView))) continue;
      const st = s.certStatus as asn1js.BaseBlock;
      const tag = st.idBlock.tagNumber;
      const issuedAt = s.thisUpdate;
      if (tag === 0) return { status: 'good', source: 'ocsp', issuedAt };
      if (tag === 1) {
        const inner = (st as asn1js.Constructed).valueBlock.value[0];
        const revocationTime = inner instanceof asn1js.GeneralizedTime ? inner.toDate() : issuedAt;
        return { status: 'revoked', source: 'ocsp', issuedAt, revocationTime };
      }
      return { status: 'unknown', source: 'ocsp', issuedAt };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** Status from one DER CRL issued by `issuer`, or undefined when it is not that CA's valid CRL. */
export function crlStatus(der: Buffer, cert: CertView, issuer: CertView): RevocationStatus | undefined {
  try {
    const crl = crlCache.get(der, () => pkijs.CertificateRevocationList.fromBER(new Uint8Array(der)));
    const lc = pk(cert);
    if (!Buffer.from(crl.issuer.toSchema().toBER()).equals(Buffer.from(lc.issuer.toSchema().toBER()))) return undefined;
    if (!verifyRaw(crl.signatureAlgorithm, undefined, crl.tbsView, crl.signatureValue.valueBlock.valueHexView, issuer.x.publicKey)) return undefined;
    const serial = Buffer.from(lc.serialNumber.valueBlock.valueHexView);
    const issuedAt = crl.thisUpdate.value;
    for (const r of crl.revokedCertificates ?? []) {
      if (Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(serial)) {
        return { status: 'revoked', source: 'crl', issuedAt, revocationTime: r.revocationDate.value };
      }
    }
    return { status: 'good', source: 'crl', issuedAt };
  } catch {
    return undefined;
  }
}

async function ocspRequest(cert: CertView, issuer: CertView): Promise<Buffer> {
  const req = new pkijs.OCSPRequest();
  const id = new pkijs.CertID();
  await id.createForCertificate(pk(cert), { hashAlgorithm: 'SHA-1', issuerCertificate: pk(issuer) });
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: id })];
  return Buffer.from(req.toSchema(true).toBER());
}

/** One online fetch while validating: the body, or undefined on any failure (the status stays unknown). */
async function online(url: string, options: { body?: Buffer; contentType?: string } = {}): Promise<Buffer | undefined> {
  try {
    return (await fetchBytes(url, { ...options, timeoutMs: 8000 })).body;
  } catch {
    return undefined;
  }
}

/** Finds the revocation status, embedded evidence first; `unknown`/`none` when nothing answers. */
export async function checkRevocation(input: RevocationInput): Promise<RevocationStatus> {
  const { cert, issuer } = input;
  const pick = (list: RevocationStatus[]): RevocationStatus | undefined =>
    list.find((s) => s.status === 'revoked') ?? list.sort((a, b) => (b.issuedAt?.getTime() ?? 0) - (a.issuedAt?.getTime() ?? 0)).find((s) => s.status === 'good');
  const embeddedOcsp = input.ocsps.map((d) => ocspStatus(d, cert, issuer)).filter((s): s is RevocationStatus => !!s);
  const o = pick(embeddedOcsp);
  if (o) return { ...o, source: 'dss-ocsp' };
  const embeddedCrl = input.crls.map((d) => crlStatus(d, cert, issuer)).filter((s): s is RevocationStatus => !!s);
  const c = pick(embeddedCrl);
  if (c) return { ...c, source: 'dss-crl' };
  if (!input.offline) {
    for (const url of cert.ocspUrls) {
      let req: Buffer;
      try {
        req = await ocspRequest(cert, issuer);
      } catch {
        break;
      }
      const body = await online(url, { body: req, contentType: 'application/ocsp-request' });
      const s = body && ocspStatus(body, cert, issuer);
      if (s && s.status !== 'unknown') return { ...s, evidence: body };
    }
    for (const url of cert.crlUrls) {
      const body = await online(url);
      const s = body && crlStatus(body, cert, issuer);
      if (s) return { ...s, evidence: body };
    }
  }
  return { status: 'unknown', source: 'none' };
}
