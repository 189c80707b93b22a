/**
 * PKCS#10 certificate requests signed by a token key: subject with Vietnamese text (UTF8String),
 * C as PrintableString, email as IA5String, UID for a citizen ID or tax code.
 */
import * as asn1js from 'asn1js';
import { KysoError } from '../main/api/errors.js';
import type { HashAlgorithm, Signer } from '../main/pki/signer.js';

/** One subject attribute, in order: e.g. ['CN', 'Nguyễn Văn An']. */
export type Rdn = [attr: string, value: string];

const oids: Record<string, string> = {
  CN: '2.5.4.3',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  E: '1.2.840.113549.1.9.1',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
};

/** Parses "CN=...,O=...,C=VN" (commas inside values escaped as `\,`); throws on unknown attributes. */
export function parseSubject(text: string): Rdn[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) cur += text[++i];
    else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const rdns = parts
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p): Rdn => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new KysoError('provisionSubjectInvalid', { part: p });
      const attr = p.slice(0, eq).trim().toUpperCase();
      const value = p.slice(eq + 1).trim();
      if (!oids[attr] || !value) throw new KysoError('provisionSubjectInvalid', { part: p });
      if (attr === 'C' && !/^[A-Z]{2}$/.test(value)) throw new KysoError('provisionSubjectInvalid', { part: p });
      // E is an IA5String (ASCII only): "ubnd-hạ.vn" would be cut to single bytes, not refused.
      if (oids[attr] === oids.E && !/^[\x20-\x7e]+$/.test(value)) throw new KysoError('provisionSubjectInvalid', { part: p });
      return [attr, value.normalize('NFC')];
    });
  if (!rdns.length) throw new KysoError('provisionSubjectInvalid', { part: text });
  return rdns;
}

function nameOf(rdns: Rdn[]): asn1js.Sequence {
  return new asn1js.Sequence({
    value: rdns.map(([attr, value]) => {
      const oid = oids[attr]!;
      const v =
        attr === 'C' ? new asn1js.PrintableString({ value }) : oid === oids.E ? new asn1js.IA5String({ value }) : new asn1js.Utf8String({ value });
      return new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), v] })] });
    }),
  });
}

const sigAlgs: Record<'RSA' | 'EC', Record<HashAlgorithm, string>> = {
  RSA: { 'SHA-256': '1.2.840.113549.1.1.11', 'SHA-384': '1.2.840.113549.1.1.12', 'SHA-512': '1.2.840.113549.1.1.13' },
  EC: { 'SHA-256': '1.2.840.10045.4.3.2', 'SHA-384': '1.2.840.10045.4.3.3', 'SHA-512': '1.2.840.10045.4.3.4' },
};

/** A built request. */
export interface CsrResult {
  der: Buffer;
  pem: string;
  subject: Rdn[];
}

/** Builds and signs a PKCS#10 request over `spki` (DER) with the token key behind `signer`. */
export async function buildCsr(opts: { subject: Rdn[]; spki: Uint8Array; signer: Pick<Signer, 'sign' | 'keyType'>; hash?: HashAlgorithm }): Promise<CsrResult> {
  const hash = opts.hash ?? 'SHA-256';
  const spki = asn1js.fromBER(Buffer.from(opts.spki));
  if (spki.offset === -1) throw new KysoError('tokenError', { detail: 'bad public key' });
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      nameOf(opts.subject),
      spki.result,
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [] }),
    ],
  });
  const tbs = Buffer.from(info.toBER(false));
  const scheme = opts.signer.keyType === 'EC' ? 'ECDSA' : 'RSA-PKCS1';
  const sig = await opts.signer.sign(tbs, hash, scheme);
  const algParams = opts.signer.keyType === 'EC' ? [] : [new asn1js.Null()];
  const csr = new asn1js.Sequence({
    value: [
      info,
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: sigAlgs[opts.signer.keyType][hash] }), ...algParams] }),
      new asn1js.BitString({ valueHex: sig }),
    ],
  });
  const der = Buffer.from(csr.toBER(false));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { der, pem: `-----BEGIN CERTIFICATE REQUEST-----\n${b64}-----END CERTIFICATE REQUEST-----\n`, subject: opts.subject };
}
