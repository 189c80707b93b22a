/** RFC 3161 timestamp client over HTTP: builds the request, checks status, nonce and imprint. */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import type { HashAlgorithm } from './signer.js';
import { toArrayBuffer } from './cert.js';
import { fetchBytes, isNetError, type FetchOptions } from '../net/fetch.js';

const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const hashOid: Record<HashAlgorithm, string> = { 'SHA-256': '2.16.840.1.101.3.4.2.1', 'SHA-384': '2.16.840.1.101.3.4.2.2', 'SHA-512': '2.16.840.1.101.3.4.2.3' };
const nodeName: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Where and how to ask for timestamps. */
export interface TsaConfig extends Pick<FetchOptions, 'timeoutMs' | 'auth' | 'signal'> {
  url: string;
  hash?: HashAlgorithm;
  /** Optional TSA policy OID to request. */
  policy?: string;
}

/** A checked timestamp token. */
export interface Timestamp {
  /** DER ContentInfo (SignedData over TSTInfo), as embedded in CMS or a DocTimeStamp. */
  token: Uint8Array;
  genTime: Date;
  /** Certificates the TSA put in the token (the TSA's own first when present). */
  certificates: Uint8Array[];
}

/** Builds the DER TimeStampReq for a digest, with a random positive nonce. */
export function buildTimestampRequest(digest: Uint8Array, hash: HashAlgorithm, nonce: Uint8Array, policy?: string): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: hashOid[hash] }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
    ...(policy ? { reqPolicy: policy } : {}),
  });
  return new Uint8Array(req.toSchema().toBER());
}

/** Timestamps `data` (hashed here); throws a KysoError on any network, status or match failure. */
export async function timestampData(data: Uint8Array, config: TsaConfig): Promise<Timestamp> {
  const hash = config.hash ?? 'SHA-256';
  return timestampDigest(createHash(nodeName[hash]).update(data).digest(), config);
}

/** Timestamps a precomputed digest. */
export async function timestampDigest(digest: Uint8Array, config: TsaConfig): Promise<Timestamp> {
  const hash = config.hash ?? 'SHA-256';
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x7f) | 0x01; // positive, no leading zero byte: DER stays canonical
  const body = buildTimestampRequest(digest, hash, nonce, config.policy);
  let answer: Uint8Array;
  try {
    const { url: _url, hash: _hash, policy: _policy, ...http } = config;
    answer = (await fetchBytes(config.url, { ...http, body, contentType: 'application/timestamp-query', headers: { accept: 'application/timestamp-reply' } })).body;
  } catch (e) {
    if (isNetError(e)) throw new KysoError('tsaUnreachable', { url: config.url, detail: String(e.params.detail) }, { cause: e });
    throw e;
  }
  return parseTimestampResponse(answer, digest, hash, nonce);
}

/** Parses and checks a TimeStampResp against the request it answers. */
export function parseTimestampResponse(der: Uint8Array, digest: Uint8Array, hash: HashAlgorithm, nonce: Uint8Array): Timestamp {
  let resp: pkijs.TimeStampResp;
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset === -1) throw new Error(asn.result.error);
    resp = new pkijs.TimeStampResp({ schema: asn.result });
  } catch (e) {
    throw new KysoError('tsaBadResponse', { detail: e instanceof Error ? e.message : String(e) });
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? '';
    throw new KysoError('tsaRejected', { status, detail: text });
  }
  if (!resp.timeStampToken) throw new KysoError('tsaBadResponse', { detail: 'no token' });
  const tstInfo = readTstInfo(resp.timeStampToken);
  const imprint = tstInfo.messageImprint;
  const sameImprint = imprint.hashAlgorithm.algorithmId === hashOid[hash] && Buffer.from(imprint.hashedMessage.valueBlock.valueHexView).equals(Buffer.from(digest));
  const sameNonce = tstInfo.nonce !== undefined && Buffer.from(tstInfo.nonce.valueBlock.valueHexView).equals(Buffer.from(nonce));
  if (!sameImprint || !sameNonce) throw new KysoError('tsaNonceMismatch');
  const token = new Uint8Array(resp.timeStampToken.toSchema().toBER());
  const sd = new pkijs.SignedData({ schema: resp.timeStampToken.content });
  const certificates = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => new Uint8Array(c.toSchema().toBER()));
  return { token, genTime: tstInfo.genTime, certificates };
}

/** Reads the TSTInfo out of a timestamp token (ContentInfo). */
export function readTstInfo(token: pkijs.ContentInfo | Uint8Array): pkijs.TSTInfo {
  try {
    let ci = token;
    if (ci instanceof Uint8Array) {
      const asn = asn1js.fromBER(toArrayBuffer(ci));
      if (asn.offset === -1) throw new Error(asn.result.error);
      ci = new pkijs.ContentInfo({ schema: asn.result });
    }
    const sd = new pkijs.SignedData({ schema: ci.content });
    if (sd.encapContentInfo.eContentType !== OID_TST_INFO || !sd.encapContentInfo.eContent) throw new Error('not a TSTInfo');
    const octets = sd.encapContentInfo.eContent;
    // eContent may be a constructed OCTET STRING (BER): gather its pieces.
    const bytes = octets.idBlock.isConstructed
      ? Buffer.concat(octets.valueBlock.value.map((p) => Buffer.from((p as asn1js.OctetString).valueBlock.valueHexView)))
      : Buffer.from(octets.valueBlock.valueHexView);
    const asn = asn1js.fromBER(toArrayBuffer(bytes));
    return new pkijs.TSTInfo({ schema: asn.result });
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError('tsaBadResponse', { detail: e instanceof Error ? e.message : String(e) });
  }
}
