/** Reads certificates from PEM (one or many), DER, or PKCS#7 (.p7b, PEM or DER) files. */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../main/api/errors.js';

function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

function fromPkcs7(der: Buffer): Buffer[] {
  const asn = asn1js.fromBER(der);
  const ci = new pkijs.ContentInfo({ schema: asn.result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => Buffer.from(c.toSchema().toBER(false)));
}

/** All certificates (DER) in a file's bytes; throws provisionCertUnreadable when there are none. */
export function readCertificates(bytes: Uint8Array): Buffer[] {
  const buf = Buffer.from(bytes);
  const text = buf.toString('latin1');
  let out: Buffer[];
  try {
    if (text.includes('-----BEGIN')) {
      out = [...pemBlocks(text, 'CERTIFICATE'), ...pemBlocks(text, 'PKCS7').flatMap(fromPkcs7)];
    } else {
      try {
        new X509Certificate(buf);
        out = [buf];
      } catch {
        out = fromPkcs7(buf);
      }
    }
  } catch {
    out = [];
  }
  const valid = out.filter((d) => {
    try {
      new X509Certificate(d);
      return true;
    } catch {
      return false;
    }
  });
  if (!valid.length) throw new KysoError('provisionCertUnreadable');
  return valid;
}

/** DER SubjectPublicKeyInfo of a certificate (normalised through node:crypto). */
export function certSpki(der: Uint8Array): Buffer {
  return new X509Certificate(Buffer.from(der)).publicKey.export({ type: 'spki', format: 'der' });
}

/** The DER subject, issuer and serial INTEGER of a certificate (PKCS#11 certificate attributes). */
export function certIdentity(der: Uint8Array): { subject: Buffer; issuer: Buffer; serial: Buffer } {
  const cert = pkijs.Certificate.fromBER(Buffer.from(der));
  return {
    subject: Buffer.from(cert.subject.toSchema().toBER(false)),
    issuer: Buffer.from(cert.issuer.toSchema().toBER(false)),
    serial: Buffer.from(cert.serialNumber.toBER(false)),
  };
}
