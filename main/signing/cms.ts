/**
 * CAdES-style detached CMS SignedData for PAdES (ETSI EN 319 122 / 319 142): signed attributes
 * content-type, message-digest and signing-certificate-v2, no signing-time (PAdES puts the
 * claimed time in /M), the signer's chain in `certificates`, signed through a `Signer`.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { parseCertificate, toArrayBuffer } from '../pki/cert.js';
import type { HashAlgorithm, SignatureScheme, Signer } from '../pki/signer.js';
import { digestAlgorithm, hashOid, nodeHashName, signatureAlgorithm } from './algorithms.js';
import { derTlv } from './der.js';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERT_V2 = '1.2.840.113549.1.9.16.2.47';
/** id-aa-signatureTimeStampToken (RFC 3161 appendix A). */
export const OID_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/** Options of one CMS signature. */
export interface CmsOptions {
  hash?: HashAlgorithm;
  /** Defaults to the signer's preferred scheme. */
  scheme?: SignatureScheme;
}

/** Builds the ESS signing-certificate-v2 attribute value (RFC 5035) binding the signer cert. */
export function signingCertificateV2(certDer: Uint8Array, hash: HashAlgorithm): asn1js.Sequence {
  const cert = parseCertificate(certDer);
  const certHash = createHash(nodeHashName[hash]).update(certDer).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      // GeneralNames with one directoryName [4] (explicit, since Name is a CHOICE).
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2: asn1js.AsnType[] = [];
  // sha256 is the DEFAULT hashAlgorithm: DER omits it.
  if (hash !== 'SHA-256') essCertIdV2.push(digestAlgorithm(hash).toSchema());
  essCertIdV2.push(new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }), issuerSerial);
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: essCertIdV2 })] })] });
}

/** Sorts attributes by DER encoding: SET OF must be sorted, and OpenSSL re-encodes before verifying. */
function sortAttributes(attrs: pkijs.Attribute[]): pkijs.Attribute[] {
  const enc = attrs.map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }));
  enc.sort((x, y) => Buffer.compare(x.der, y.der));
  return enc.map((e) => e.a);
}

/** The signed attributes for a document digest (content-type, message-digest, signing-certificate-v2). */
export function signedAttributes(digest: Uint8Array, certDer: Uint8Array, hash: HashAlgorithm): pkijs.Attribute[] {
  return sortAttributes([
    new pkijs.Attribute({ type: OID_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
    new pkijs.Attribute({ type: OID_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
    new pkijs.Attribute({ type: OID_SIGNING_CERT_V2, values: [signingCertificateV2(certDer, hash)] }),
  ]);
}

/** Picks the scheme: the requested one if the signer supports it, else the signer's first. */
export function chooseScheme(signer: Signer, wanted?: SignatureScheme): SignatureScheme {
  if (wanted) {
    if (!signer.schemes.includes(wanted)) throw new KysoError('signSchemeUnsupported', { scheme: wanted });
    return wanted;
  }
  const first = signer.schemes[0];
  if (!first) throw new KysoError('signSchemeUnsupported', { scheme: signer.keyType });
  return first;
}

/**
 * Creates a detached CMS SignedData (DER ContentInfo) over a precomputed document digest.
 * The token sees only the DER of the signed attributes, never the document.
 */
export async function createDetachedCms(signer: Signer, digest: Uint8Array, options: CmsOptions = {}): Promise<Uint8Array> {
  const hash = options.hash ?? 'SHA-256';
  const scheme = chooseScheme(signer, options.scheme);
  if (digest.length !== createHash(nodeHashName[hash]).digest().length) throw new KysoError('internal', { detail: 'digest length does not match hash' });
  const attrs = signedAttributes(digest, signer.certificate, hash);
  const toBeSigned = new asn1js.Set({ value: attrs.map((a) => a.toSchema()) }).toBER();
  const signature = await signer.sign(new Uint8Array(toBeSigned), hash, scheme);
  const cert = parseCertificate(signer.certificate);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: digestAlgorithm(hash),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs }),
    signatureAlgorithm: signatureAlgorithm(scheme, hash),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  // SignedData assembled from DER parts: the certificates go in as their original bytes
  // (pkijs would re-parse and re-encode each one for every signature of a batch).
  const ber = (a: asn1js.AsnType | { toSchema(): asn1js.AsnType }) => new Uint8Array(('toSchema' in a ? a.toSchema() : a).toBER());
  const signedData = derTlv(0x30, [
    ber(new asn1js.Integer({ value: 1 })),
    ber(new asn1js.Set({ value: [digestAlgorithm(hash).toSchema()] })),
    ber(new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA })),
    derTlv(0xa0, [signer.certificate, ...signer.chain]),
    ber(new asn1js.Set({ value: [signerInfo.toSchema()] })),
  ]);
  return new Uint8Array(derTlv(0x30, [ber(new asn1js.ObjectIdentifier({ value: OID_SIGNED_DATA })), derTlv(0xa0, [signedData])]));
}

/** Parses DER ContentInfo into its SignedData; a clear error when it is not one. */
export function parseSignedData(cms: Uint8Array): pkijs.SignedData {
  const asn = asn1js.fromBER(toArrayBuffer(cms));
  if (asn.offset === -1) throw new KysoError('cmsInvalid', { detail: asn.result.error });
  try {
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID_SIGNED_DATA) throw new Error(`content type ${ci.contentType}`);
    return new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    throw new KysoError('cmsInvalid', { detail: e instanceof Error ? e.message : String(e) });
  }
}

/** The raw signature value of the first SignerInfo: what a signature-time-stamp covers. */
export function signatureValue(cms: Uint8Array): Uint8Array {
  const sd = parseSignedData(cms);
  const si = sd.signerInfos[0];
  if (!si) throw new KysoError('cmsInvalid', { detail: 'no SignerInfo' });
  return new Uint8Array(si.signature.valueBlock.valueHexView);
}

/** The digest algorithm of the first SignerInfo (to timestamp with the same one). */
export function signerDigestAlgorithm(cms: Uint8Array): HashAlgorithm {
  const si = parseSignedData(cms).signerInfos[0];
  const oid = si?.digestAlgorithm.algorithmId;
  const h = (Object.keys(hashOid) as HashAlgorithm[]).find((k) => hashOid[k] === oid);
  return h ?? 'SHA-256';
}

/** Returns a copy of the CMS with a signature-time-stamp unsigned attribute (B-T). */
export function addSignatureTimestamp(cms: Uint8Array, timestampToken: Uint8Array): Uint8Array {
  const sd = parseSignedData(cms);
  const si = sd.signerInfos[0];
  if (!si) throw new KysoError('cmsInvalid', { detail: 'no SignerInfo' });
  const tokenAsn = asn1js.fromBER(toArrayBuffer(timestampToken));
  if (tokenAsn.offset === -1) throw new KysoError('tsaBadResponse', { detail: 'token is not DER' });
  const attr = new pkijs.Attribute({ type: OID_SIGNATURE_TIMESTAMP, values: [tokenAsn.result] });
  const existing = si.unsignedAttrs?.attributes.filter((a) => a.type !== OID_SIGNATURE_TIMESTAMP) ?? [];
  si.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [...existing, attr] });
  const ci = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: sd.toSchema(true) });
  return new Uint8Array(ci.toSchema().toBER());
}

/** DER certificates carried in the CMS (signer first when present). */
export function cmsCertificates(cms: Uint8Array): Uint8Array[] {
  const sd = parseSignedData(cms);
  return (sd.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => new Uint8Array(c.toSchema().toBER()));
}

/** DER timestamp tokens found as signature-time-stamp attributes of the first SignerInfo. */
export function unsignedTimestampTokens(cms: Uint8Array): Uint8Array[] {
  const si = parseSignedData(cms).signerInfos[0];
  return (si?.unsignedAttrs?.attributes ?? [])
    .filter((a) => a.type === OID_SIGNATURE_TIMESTAMP)
    .flatMap((a) => a.values.map((v) => new Uint8Array((v as asn1js.AsnType).toBER())));
}
