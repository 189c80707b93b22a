/**
 * The admin-managed trust store under KYSO_HOME/trust: one PEM file per anchor, named by its
 * SHA-256 fingerprint. Nothing is trusted by default; admins import the national root and
 * the specialized government roots from the sources listed in resources/trust/README.md.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../api/errors.js';
import { certView, type CertView } from './cert.js';
import { parseCertificates, readCertFile } from './cert-file.js';

/** One trusted anchor as listed to the admin. */
export interface TrustEntry {
  fingerprint: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  isCa: boolean;
}

/** Directory of the store inside a Kyso home. */
export function trustDir(home: string): string {
  return path.join(home, 'trust');
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function entryOf(c: CertView): TrustEntry {
  return { fingerprint: c.fingerprint, subject: c.subject, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), isCa: c.isCa };
}

/** Imports every certificate of a PEM/DER/P7B file; returns what was added or already present. */
export function trustAdd(home: string, data: Buffer): TrustEntry[] {
  let ders: Buffer[];
  try {
    ders = parseCertificates(data);
  } catch (e) {
    throw new KysoError('trustBadFile', {}, { cause: e });
  }
  const dir = trustDir(home);
  mkdirSync(dir, { recursive: true });
  return ders.map((der) => {
    const c = certView(der);
    writeFileSync(path.join(dir, `${c.fingerprint}.pem`), toPem(der));
    return entryOf(c);
  });
}

/** Lists the anchors of the store (unreadable files are skipped). */
export function trustList(home: string): TrustEntry[] {
  return loadAnchors(home).map((der) => entryOf(certView(der)));
}

/** Removes anchors whose fingerprint starts with `prefix` (at least 8 hex digits). */
export function trustRemove(home: string, prefix: string): TrustEntry[] {
  const p = prefix.toLowerCase().replace(/:/g, '');
  if (!/^[0-9a-f]{8,64}$/.test(p)) throw new KysoError('trustBadFingerprint', { fingerprint: prefix });
  const hits = trustList(home).filter((e) => e.fingerprint.startsWith(p));
  if (hits.length === 0) throw new KysoError('trustNotFound', { fingerprint: prefix });
  if (hits.length > 1) throw new KysoError('trustAmbiguous', { fingerprint: prefix });
  for (const h of hits) rmSync(path.join(trustDir(home), `${h.fingerprint}.pem`), { force: true });
  return hits;
}

/** DER of every anchor in the store. */
export function loadAnchors(home: string): Buffer[] {
  const dir = trustDir(home);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.pem')).sort();
  } catch {
    return [];
  }
  const out: Buffer[] = [];
  for (const n of names) {
    try {
      out.push(...readCertFile(path.join(dir, n)));
    } catch {
      // A damaged file must not make every other anchor unusable.
    }
  }
  return out;
}
