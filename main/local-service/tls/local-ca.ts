/**
 * TLS for the local signing service without browser warnings: a certificate authority made
 * for this installation only, name-constrained to the loopback names (localhost, 127.0.0.1,
 * ::1), that issues the service certificate and is then thrown away. Its private key lives
 * only in memory during `createLocalTls` and is never written anywhere, so even a copy of the
 * trusted CA certificate cannot be used to mint a certificate for another site. Built with
 * node:crypto (keys, ECDSA P-256 signatures) and pkijs (X.509 structure): no openssl binary,
 * which Windows does not have.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../../api/errors.js';
import { ensureDir, writeFileAtomic } from './files.js';

/** The certificate files of the service, as PEM. */
export interface LocalTls {
  /** The local CA (public part only): what `kyso service install-ca` trusts. */
  caPem: string;
  /** The service certificate (leaf). */
  certPem: string;
  /** The service certificate's private key (PKCS#8 PEM, file mode 0600). */
  keyPem: string;
  /** SHA-256 of the CA certificate's DER, uppercase hex with colons (as certutil and browsers show it). */
  caFingerprint: string;
  /** The CA's subject common name (its nickname in trust stores). */
  caName: string;
  /** When the service certificate expires. */
  notAfter: Date;
}

/** Where the files live under the service's folder. */
export function tlsFiles(dir: string): { ca: string; cert: string; key: string } {
  return { ca: path.join(dir, 'local-ca.pem'), cert: path.join(dir, 'service-cert.pem'), key: path.join(dir, 'service-key.pem') };
}

const OID = {
  cn: '2.5.4.3',
  o: '2.5.4.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

/**
 * Validity of the service certificate: macOS and iOS refuse TLS server certificates valid for
 * more than 825 days, even under a root the user installed. Renewal makes a new CA, which
 * must be trusted again (`kyso service install-ca`).
 */
export const SERVICE_CERT_DAYS = 800;
/** Renew this long before the service certificate expires. */
const RENEW_BEFORE_DAYS = 30;
const DAY = 86_400_000;

/** The loopback names the CA may certify and the service certificate names. */
export const LOOPBACK_DNS = ['localhost'];
/** Loopback addresses (IPv4 and IPv6) the CA may certify. */
export const LOOPBACK_IPS = ['127.0.0.1', '::1'];

function ipBytes(ip: string): Uint8Array {
  if (ip.includes(':')) {
    if (ip !== '::1') throw new KysoError('internal', { detail: `unsupported address ${ip}` });
    const b = new Uint8Array(16);
    b[15] = 1;
    return b;
  }
  return Uint8Array.from(ip.split('.').map(Number));
}

/** O=Kyso, CN=cn: one attribute per RDN (pkijs would put a list of them in one SET). */
function name(cn: string): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: string) =>
    new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), new asn1js.Utf8String({ value })] })] });
  // Decoded from DER so pkijs keeps (and re-encodes) exactly these bytes.
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: [rdn(OID.o, 'Kyso'), rdn(OID.cn, cn)] }).toBER(false));
}

/** UTCTime (RFC 5280: until 2049), whole seconds: a fraction is a format error for OpenSSL and NSS. */
function time(d: Date): pkijs.Time {
  return new pkijs.Time({ type: 0, value: new Date(Math.floor(d.getTime() / 1000) * 1000) });
}

function ext(extnID: string, critical: boolean, value: { toSchema(): asn1js.BaseBlock } | asn1js.BaseBlock): pkijs.Extension {
  const schema = 'toSchema' in value ? value.toSchema() : value;
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER(false) });
}

/** KeyUsage bits as a DER BIT STRING (bit 0 = digitalSignature, 5 = keyCertSign, 6 = cRLSign). */
function keyUsage(bits: number[]): asn1js.BitString {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  const unused = Math.min(...bits.map((b) => 7 - b));
  return new asn1js.BitString({ valueHex: Uint8Array.from([v]).buffer, unusedBits: unused });
}

function keyId(spkiDer: Buffer): ArrayBuffer {
  // RFC 5280 4.2.1.2 method 1 uses SHA-1 of the key bits; any unique value is allowed: SHA-256, cut.
  return Uint8Array.from(createHash('sha256').update(spkiDer).digest().subarray(0, 20)).buffer;
}

interface CertSpec {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerKeySpki: Buffer;
  notBefore: Date;
  notAfter: Date;
  extensions: pkijs.Extension[];
}

/**
 * A random serial number, positive and in DER's shortest form: its first byte is 0x01..0x7f. A
 * zero first byte followed by one below 0x80 is not DER, and OpenSSL (Node's X509Certificate)
 * and browsers refuse the certificate: with the top bit merely cleared, 1 in 256 was.
 */
export function certSerial(random: Buffer = randomBytes(16)): Buffer {
  const serial = Buffer.from(random);
  serial[0] = serial[0]! & 0x7f || 0x01;
  return serial;
}

function issueCert(spec: CertSpec): Buffer {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const alg = new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaSha256 });
  const serial = certSerial();
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: Uint8Array.from(serial).buffer }),
    signature: alg,
    issuer: name(spec.issuer),
    subject: name(spec.subject),
    notBefore: time(spec.notBefore),
    notAfter: time(spec.notAfter),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(spki),
    extensions: [
      ...spec.extensions,
      ext(OID.subjectKeyId, false, new asn1js.OctetString({ valueHex: keyId(spki) })),
      ext(OID.authorityKeyId, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId(spec.issuerKeySpki) }) })),
    ],
  });
  const tbs = Buffer.from(cert.encodeTBS().toBER(false));
  cert.signatureAlgorithm = alg;
  cert.signatureValue = new asn1js.BitString({ valueHex: Uint8Array.from(sign('sha256', tbs, spec.signingKey)).buffer });
  return Buffer.from(cert.toSchema(true).toBER(false));
}

/** DER to PEM with 64-column lines. */
export function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
}

/** "AB:CD:..." SHA-256 of a certificate's DER. */
export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** A CA in the making: its certificate and, only until it has issued, its key. */
export interface EphemeralCa {
  der: Buffer;
  name: string;
  key: KeyObject;
  spki: Buffer;
  notAfter: Date;
}

/** A new name-constrained CA; its key exists only in the returned object. */
export function buildCa(now = new Date(), host = os.hostname()): EphemeralCa {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = ca.publicKey.export({ type: 'spki', format: 'der' });
  // The host and date tell installations (and renewals) apart in a trust store list.
  // No commas or quotes: NSS escapes them in nicknames, which breaks finding them again.
  const safeHost = host.replace(/[^A-Za-z0-9.-]/g, '').slice(0, 40) || 'pc';
  const caName = `Kyso Local Signing CA ${safeHost} ${now.toISOString().slice(0, 10)}`;
  // A day longer than the service certificate; it never signs another one anyway.
  const notAfter = new Date(now.getTime() + (SERVICE_CERT_DAYS + 1) * DAY);
  const permitted = [
    ...LOOPBACK_DNS.map((d) => new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 2, value: d }) })),
    // iPAddress constraints are address + mask (RFC 5280 4.2.1.10): exactly these addresses.
    ...LOOPBACK_IPS.map((ip) => {
      const a = ipBytes(ip);
      const value = new Uint8Array(a.length * 2);
      value.set(a);
      value.fill(0xff, a.length);
      return new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: value.buffer }) }) });
    }),
  ];
  const der = issueCert({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    issuerKeySpki: spki,
    notBefore: new Date(now.getTime() - DAY),
    notAfter,
    extensions: [
      ext(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      ext(OID.keyUsage, true, keyUsage([5, 6])),
      ext(OID.nameConstraints, true, new pkijs.NameConstraints({ permittedSubtrees: permitted })),
    ],
  });
  return { der, name: caName, key: ca.privateKey, spki, notAfter };
}

/** A TLS server certificate under `ca` for DNS names and IP addresses, with a new key. */
export function issueServerCert(ca: EphemeralCa, names: { dns: string[]; ips: string[] }, now = new Date()): { der: Buffer; key: KeyObject; notAfter: Date } {
  const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notAfter = new Date(now.getTime() + SERVICE_CERT_DAYS * DAY);
  const der = issueCert({
    subject: names.dns[0] ?? names.ips[0] ?? 'localhost',
    issuer: ca.name,
    publicKey: leaf.publicKey,
    signingKey: ca.key,
    issuerKeySpki: ca.spki,
    notBefore: new Date(now.getTime() - DAY),
    notAfter,
    extensions: [
      ext(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false })),
      ext(OID.keyUsage, true, keyUsage([0])),
      ext(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] })),
      ext(OID.subjectAltName, false, new pkijs.AltName({
        altNames: [
          ...names.dns.map((d) => new pkijs.GeneralName({ type: 2, value: d })),
          ...names.ips.map((ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: Uint8Array.from(ipBytes(ip)).buffer }) })),
        ],
      })),
    ],
  });
  return { der, key: leaf.privateKey, notAfter };
}

/**
 * Makes a new CA and service certificate. The CA's key is generated here, signs the two
 * certificates and goes out of scope when this returns: nothing can issue under it again.
 */
export function createLocalTls(now = new Date(), host = os.hostname()): LocalTls {
  const ca = buildCa(now, host);
  const leaf = issueServerCert(ca, { dns: LOOPBACK_DNS, ips: LOOPBACK_IPS }, now);
  const caPem = pem('CERTIFICATE', ca.der);
  return {
    caPem,
    certPem: pem('CERTIFICATE', leaf.der),
    keyPem: leaf.key.export({ type: 'pkcs8', format: 'pem' }) as string,
    caFingerprint: fingerprintOf(caPem),
    caName: ca.name,
    notAfter: leaf.notAfter,
  };
}

/** Reads the files of `dir`; undefined when any is missing or unreadable. */
export function readLocalTls(dir: string): LocalTls | undefined {
  const f = tlsFiles(dir);
  if (!existsSync(f.ca) || !existsSync(f.cert) || !existsSync(f.key)) return undefined;
  try {
    const caPem = readFileSync(f.ca, 'utf8');
    const certPem = readFileSync(f.cert, 'utf8');
    const keyPem = readFileSync(f.key, 'utf8');
    const ca = new X509Certificate(caPem);
    const leaf = new X509Certificate(certPem);
    if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return undefined;
    return { caPem, certPem, keyPem, caFingerprint: ca.fingerprint256, caName: ca.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '', notAfter: new Date(leaf.validTo) };
  } catch {
    return undefined;
  }
}

/** True when the service certificate must be replaced (missing, broken, expiring). */
export function needsRenewal(tls: LocalTls | undefined, now = new Date()): boolean {
  return !tls || tls.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY;
}

/**
 * The service's TLS files in `dir`, created on first use and renewed before they expire.
 * `renewed` tells the caller the CA changed (and must be trusted again).
 */
export function ensureLocalTls(dir: string, now = new Date()): LocalTls & { renewed: boolean } {
  const existing = readLocalTls(dir);
  if (!needsRenewal(existing, now)) return { ...existing!, renewed: false };
  const tls = createLocalTls(now);
  ensureDir(dir);
  const f = tlsFiles(dir);
  writeFileAtomic(f.key, tls.keyPem, 0o600);
  writeFileAtomic(f.cert, tls.certPem, 0o644);
  writeFileAtomic(f.ca, tls.caPem, 0o644);
  return { ...tls, renewed: true };
}
