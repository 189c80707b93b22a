/**
 * Reads a CMS ContentInfo(SignedData) (RFC 5652, DER or BER) into the parts the validator
 * checks: digest and signature algorithms, the encapsulated content, the certificates as DER,
 * and each SignerInfo with its attributes as raw values. Read at the byte level (ber.ts):
 * pkijs builds and compares a schema tree for every SignedData and every certificate in it,
 * which cost about 1.8 ms per signature, most of the validation of a signature. The structure
 * is checked as strictly as the schema did: a wrong tag or a missing part throws.
 */
import { bytesOf, childrenOf, contentOf, isUniversal, oidOf, readTlv, smallIntOf, stringOf, UNIVERSAL, type Tlv } from './ber.js';

/** An AlgorithmIdentifier: the OID and the DER of its parameters (absent when omitted). */
export interface AlgorithmId {
  algorithmId: string;
  paramsDer?: Buffer;
}

/** One attribute: its type and the DER of each value. */
export interface CmsAttribute {
  type: string;
  values: Buffer[];
}

/** How a SignerInfo names its certificate. */
export type SignerId = { issuer: Buffer; serial: Buffer } | { ski: Buffer };

/** One SignerInfo. */
export interface SignerInfoData {
  version: number;
  sid: SignerId;
  digestAlgorithm: AlgorithmId;
  /** Signed attributes: the bytes the signature covers (tagged as a SET) and the attributes. */
  signedAttrs?: { encoded: Buffer; attributes: CmsAttribute[] };
  signatureAlgorithm: AlgorithmId;
  signature: Buffer;
  unsignedAttrs?: CmsAttribute[];
}

/** A SignedData as the validator reads it. */
export interface SignedDataInfo {
  version: number;
  digestAlgorithms: AlgorithmId[];
  eContentType: string;
  /** The encapsulated content (constructed BER chunks joined), when present. */
  eContent?: Buffer;
  /** The certificates (plain X.509 choices only), as DER. */
  certs: Buffer[];
  signerInfos: SignerInfoData[];
}

/** The OID of SignedData. */
const SIGNED_DATA = '1.2.840.113549.1.7.2';

function expect(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`CMS: ${what}`);
}

const isSeq = (t: Tlv | undefined): t is Tlv => isUniversal(t, UNIVERSAL.sequence) && t.constructed;
const isSet = (t: Tlv | undefined): t is Tlv => isUniversal(t, UNIVERSAL.set) && t.constructed;
const isContext = (t: Tlv | undefined, num: number): t is Tlv => !!t && t.cls === 2 && t.num === num;

function algorithm(b: Uint8Array, t: Tlv | undefined): AlgorithmId {
  expect(isSeq(t), 'AlgorithmIdentifier expected');
  const [oid, params, extra] = childrenOf(b, t);
  expect(!!oid && !extra, 'bad AlgorithmIdentifier');
  return params ? { algorithmId: oidOf(b, oid), paramsDer: bytesOf(b, params) } : { algorithmId: oidOf(b, oid) };
}

function attributes(b: Uint8Array, t: Tlv): CmsAttribute[] {
  return childrenOf(b, t).map((a) => {
    expect(isSeq(a), 'Attribute expected');
    const [type, values, extra] = childrenOf(b, a);
    expect(!!type && isSet(values) && !extra, 'bad Attribute');
    return { type: oidOf(b, type), values: childrenOf(b, values).map((v) => bytesOf(b, v)) };
  });
}

function signerId(b: Uint8Array, t: Tlv | undefined): SignerId {
  if (isSeq(t)) {
    const [issuer, serial, extra] = childrenOf(b, t);
    expect(isSeq(issuer) && isUniversal(serial, UNIVERSAL.integer) && !serial.constructed && !extra, 'bad IssuerAndSerialNumber');
    return { issuer: bytesOf(b, issuer), serial: contentOf(b, serial) };
  }
  expect(isContext(t, 0), 'SignerIdentifier expected');
  return { ski: stringOf(b, t) };
}

function signerInfo(b: Uint8Array, t: Tlv): SignerInfoData {
  expect(isSeq(t), 'SignerInfo expected');
  const parts = childrenOf(b, t);
  let i = 0;
  const version = smallIntOf(b, parts[i++]!);
  const sid = signerId(b, parts[i++]);
  const digestAlgorithm = algorithm(b, parts[i++]);
  let signedAttrs: SignerInfoData['signedAttrs'];
  const sa = parts[i];
  if (isContext(sa, 0) && sa.constructed) {
    // The signature covers the attributes DER-tagged as a SET, not as the [0] they are sent in.
    const encoded = Buffer.from(bytesOf(b, sa));
    encoded[0] = 0x31;
    signedAttrs = { encoded, attributes: attributes(b, sa) };
    i++;
  }
  const signatureAlgorithm = algorithm(b, parts[i++]);
  const sig = parts[i++];
  expect(isUniversal(sig, UNIVERSAL.octetString), 'signature value expected');
  let unsignedAttrs: CmsAttribute[] | undefined;
  const ua = parts[i];
  if (isContext(ua, 1) && ua.constructed) {
    unsignedAttrs = attributes(b, ua);
    i++;
  }
  expect(i === parts.length, 'unexpected data in SignerInfo');
  return { version, sid, digestAlgorithm, ...(signedAttrs ? { signedAttrs } : {}), signatureAlgorithm, signature: stringOf(b, sig), ...(unsignedAttrs ? { unsignedAttrs } : {}) };
}

/**
 * Parses ContentInfo(SignedData) from `der` (DER or BER; bytes after the ContentInfo, such as
 * the zero padding of a PDF /Contents, are ignored). Throws when it is not that structure.
 */
export function parseCms(der: Uint8Array): SignedDataInfo {
  const b = der;
  const ci = readTlv(b, 0);
  expect(isSeq(ci), 'ContentInfo expected');
  const [type, explicit] = childrenOf(b, ci);
  expect(!!type && oidOf(b, type) === SIGNED_DATA, 'not SignedData');
  expect(isContext(explicit, 0) && explicit.constructed, 'content expected');
  const [sd, extraContent] = childrenOf(b, explicit);
  expect(isSeq(sd) && !extraContent, 'SignedData expected');
  const parts = childrenOf(b, sd);
  let i = 0;
  const version = smallIntOf(b, parts[i++]!);
  const algs = parts[i++];
  expect(isSet(algs), 'digestAlgorithms expected');
  const digestAlgorithms = childrenOf(b, algs).map((a) => algorithm(b, a));
  const eci = parts[i++];
  expect(isSeq(eci), 'EncapsulatedContentInfo expected');
  const [eType, eWrap, eExtra] = childrenOf(b, eci);
  expect(!!eType && !eExtra, 'bad EncapsulatedContentInfo');
  let eContent: Buffer | undefined;
  if (eWrap) {
    expect(isContext(eWrap, 0) && eWrap.constructed, 'eContent expected');
    const [os, extra] = childrenOf(b, eWrap);
    expect(isUniversal(os, UNIVERSAL.octetString) && !extra, 'eContent OCTET STRING expected');
    eContent = stringOf(b, os);
  }
  const certs: Buffer[] = [];
  if (isContext(parts[i], 0)) {
    // Only plain certificates (SEQUENCE); other choices (attribute certificates...) are not ours.
    for (const c of childrenOf(b, parts[i++]!)) if (isSeq(c)) certs.push(bytesOf(b, c));
  }
  // CMS CRLs are not used for validation (revocation comes from the DSS or online).
  if (isContext(parts[i], 1)) i++;
  const sis = parts[i++];
  expect(isSet(sis), 'signerInfos expected');
  expect(i === parts.length, 'unexpected data in SignedData');
  return { version, digestAlgorithms, eContentType: oidOf(b, eType), ...(eContent ? { eContent } : {}), certs, signerInfos: childrenOf(b, sis).map((s) => signerInfo(b, s)) };
}

/** The first value of attribute `oid`, as DER. */
export function attributeValue(list: CmsAttribute[] | undefined, oid: string): Buffer | undefined {
  return list?.find((a) => a.type === oid)?.values[0];
}
