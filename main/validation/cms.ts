/**
 * CMS SignedData checks shared by PDF signatures and RFC 3161 tokens: parse, find the
 * signer certificate, message digest, signature over the signed attributes, and the ESS
 * signing-certificate(-v2) binding.
 */
import { DerCache } from '../pki/der-cache.js';
import { stripCertificates } from './cms-strip.js';
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestName, verifyRaw } from '../pki/algorithms.js';
import { certView, type CertView } from '../pki/cert.js';

/** OIDs used here. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertV1: '1.2.840.113549.1.9.16.2.12',
  signingCertV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

/** Result of checking one CMS SignedData. */
export interface CmsCheck {
  signed: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  signer?: CertView;
  /** Every certificate carried in the CMS. */
  certs: Buffer[];
  hashName?: string;
  digestOk: boolean;
  signatureOk: boolean;
  /** 'match', 'mismatch' or 'absent'. */
  essCert: 'match' | 'mismatch' | 'absent';
  contentTypeOk: boolean;
  signingTimeAttr?: Date;
  signatureValue: Buffer;
  /** No signed attributes: the signature is over the content itself (the caller verifies it). */
  noSignedAttrs: boolean;
}

/**
 * Parses ContentInfo(SignedData) in DER or BER (indefinite lengths, constructed strings, as
 * BouncyCastle writes it); trailing zero padding (PDF /Contents) is allowed.
 */
export function parseSignedData(der: Uint8Array): pkijs.SignedData {
  const stripped = stripCertificates(der);
  if (stripped) {
    const asn = asn1js.fromBER(new Uint8Array(stripped.cms));
    if (asn.offset !== -1) {
      const ci = new pkijs.ContentInfo({ schema: asn.result });
      if (ci.contentType !== OID.signedData) throw new Error('not SignedData');
      const sd = new pkijs.SignedData({ schema: ci.content });
      certificatesOf.set(sd, stripped.certs);
      return sd;
    }
  }
  const asn = asn1js.fromBER(new Uint8Array(der));
  if (asn.offset === -1) throw new Error('not BER');
  const ci = new pkijs.ContentInfo({ schema: asn.result });
  if (ci.contentType !== OID.signedData) throw new Error('not SignedData');
  // The certificates are taken out as DER before pkijs checks the SignedData schema: checking
  // every certificate's schema was most of a signature's validation time, and they are parsed
  // again (once per distinct certificate, cached) where they are used. CMS CRLs are not used.
  const certs: Buffer[] = [];
  const body = ci.content as asn1js.Sequence;
  if (body instanceof asn1js.Sequence) {
    body.valueBlock.value = body.valueBlock.value.filter((item) => {
      if (item.idBlock.tagClass !== 3 || item.idBlock.tagNumber > 1) return true;
      if (item.idBlock.tagNumber === 0 && item instanceof asn1js.Constructed) {
        for (const c of item.valueBlock.value) {
          // Only plain certificates (SEQUENCE); other choices (attribute certificates...) are not ours.
          if (c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16) certs.push(c.valueBeforeDecodeView.byteLength ? Buffer.from(c.valueBeforeDecodeView) : Buffer.from(c.toBER()));
        }
      }
      return false;
    });
  }
  const sd = new pkijs.SignedData({ schema: body });
  certificatesOf.set(sd, certs);
  return sd;
}

/** The certificates of each parsed SignedData, as DER. */
const certificatesOf = new WeakMap<pkijs.SignedData, Buffer[]>();

/** pkijs parses of certificates by content (the same signer certificate in every CMS of a file). */
const parsedCerts = new DerCache<pkijs.Certificate>(256);

/** The bytes of an OCTET STRING, primitive or constructed (BER chunks). */
export function octets(os: asn1js.OctetString): Buffer {
  if (!os.valueBlock.isConstructed) return Buffer.from(os.valueBlock.valueHexView);
  return Buffer.concat(os.valueBlock.value.map((c) => octets(c as asn1js.OctetString)));
}

function attr(si: pkijs.SignerInfo, oid: string, unsigned = false): asn1js.AsnType[] | undefined {
  const set = unsigned ? si.unsignedAttrs : si.signedAttrs;
  return set?.attributes.find((a) => a.type === oid)?.values;
}

/** First value of an unsigned attribute (e.g. the signature timestamp). */
export function unsignedAttr(si: pkijs.SignerInfo, oid: string): asn1js.AsnType | undefined {
  return attr(si, oid, true)?.[0];
}

function findSigner(sd: pkijs.SignedData, si: pkijs.SignerInfo, certs: Buffer[]): CertView | undefined {
  for (const der of certs) {
    let c: pkijs.Certificate;
    try {
      c = parsedCerts.get(der, () => pkijs.Certificate.fromBER(new Uint8Array(der)));
    } catch {
      continue;
    }
    if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
      if (c.serialNumber.isEqual(si.sid.serialNumber) && Buffer.from(c.issuer.toSchema().toBER()).equals(Buffer.from(si.sid.issuer.toSchema().toBER()))) return certView(der);
    } else {
      const ski = c.extensions?.find((e) => e.extnID === '2.5.29.14');
      const skiVal = ski ? asn1js.fromBER(ski.extnValue.valueBlock.valueHexView).result : undefined;
      const want = Buffer.from((si.sid as asn1js.OctetString).valueBlock.valueHexView);
      if (skiVal instanceof asn1js.OctetString && Buffer.from(skiVal.valueBlock.valueHexView).equals(want)) return certView(der);
    }
  }
  void sd;
  return undefined;
}

function essCheck(si: pkijs.SignerInfo, signer: CertView | undefined): CmsCheck['essCert'] {
  const v2 = attr(si, OID.signingCertV2)?.[0];
  const v1 = attr(si, OID.signingCertV1)?.[0];
  const val = v2 ?? v1;
  if (!val) return 'absent';
  if (!signer) return 'mismatch';
  try {
    const certsSeq = (val as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certsSeq.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hash = v2 ? 'sha256' : 'sha1';
    let hashVal: asn1js.AsnType | undefined = parts[0];
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const alg = new pkijs.AlgorithmIdentifier({ schema: parts[0] });
      hash = digestName(alg.algorithmId) ?? '';
      hashVal = parts[1];
    }
    if (!hash || !(hashVal instanceof asn1js.OctetString)) return 'mismatch';
    const got = createHash(hash).update(signer.der).digest();
    return got.equals(Buffer.from(hashVal.valueBlock.valueHexView)) ? 'match' : 'mismatch';
  } catch {
    return 'mismatch';
  }
}

/**
 * Checks signer `index` of a SignedData. `contentDigest(hash)` returns the digest of the signed
 * content (the PDF byte ranges, or the encapsulated content such as a TSTInfo).
 */
export function checkCms(sd: pkijs.SignedData, contentDigest: (hash: string) => Buffer, index = 0): CmsCheck {
  const si = sd.signerInfos[index];
  if (!si) throw new Error(`no signer ${index}`);
  const certs = certificatesOf.get(sd) ?? (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => Buffer.from(c.toSchema().toBER()));
  const signer = findSigner(sd, si, certs);
  const hashName = digestName(si.digestAlgorithm.algorithmId);
  const signatureValue = Buffer.from(si.signature.valueBlock.valueHexView);
  const base: CmsCheck = { signed: sd, signerInfo: si, signer, certs, hashName, digestOk: false, signatureOk: false, essCert: 'absent', contentTypeOk: false, signatureValue, noSignedAttrs: !si.signedAttrs };
  if (!hashName) return base;
  if (!si.signedAttrs) {
    // Without signed attributes the signature covers the content directly: the digest is
    // inside the signature value, which the caller verifies over the content.
    base.contentTypeOk = true;
    return base;
  }
  const digest = contentDigest(hashName);
  const md = attr(si, OID.messageDigest)?.[0];
  base.digestOk = md instanceof asn1js.OctetString && Buffer.from(md.valueBlock.valueHexView).equals(digest);
  const ct = attr(si, OID.contentType)?.[0];
  base.contentTypeOk = ct instanceof asn1js.ObjectIdentifier && ct.valueBlock.toString() === sd.encapContentInfo.eContentType;
  const st = attr(si, OID.signingTime)?.[0];
  if (st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime) base.signingTimeAttr = st.toDate();
  if (signer) {
    const signedBytes = new Uint8Array(si.signedAttrs.encodedValue);
    base.signatureOk = verifyRaw(si.signatureAlgorithm, si.digestAlgorithm.algorithmId, signedBytes, signatureValue, signer.x.publicKey);
  }
  base.essCert = essCheck(si, signer);
  return base;
}
