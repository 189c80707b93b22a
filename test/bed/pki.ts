/**
 * The OpenSSL-made test PKI: root CA -> issuing CA -> end-entity certificates, with real
 * OpenSSL CA databases (index.txt) so that revocation, CRLs and `openssl ocsp -index` work.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { caConfig, type CertProfile, type PkiUrls } from './openssl-config.js';
import { run } from './run.js';

/** Which CA signs a certificate. */
export type CaName = 'root' | 'issuing';

/** A distinguished name, in order; values are UTF-8 (Vietnamese diacritics welcome). */
export type DistinguishedName = [attr: string, value: string][];

/** A certificate the bed issued (all paths absolute, inside the bed directory). */
export interface IssuedCert {
  name: string;
  profile: CertProfile;
  issuer: CaName;
  /** Subject in OpenSSL's `/C=VN/O=.../CN=...` form (UTF-8). */
  subject: string;
  /** Serial number, upper-case hex as in index.txt and `openssl ocsp`. */
  serial: string;
  notBefore: string;
  notAfter: string;
  certPath: string;
  derPath: string;
  /** Software private key (PKCS#8 PEM), absent when the key lives on a token. */
  keyPath?: string;
}

/** What to issue: a software key is generated unless `publicKey` or `csrPath` is given. */
export interface IssueOptions {
  /** File base name under certs/ (unique per PKI). */
  name: string;
  profile: CertProfile;
  subject: DistinguishedName;
  issuer?: CaName;
  /** Certify this public key (DER SubjectPublicKeyInfo or PEM), e.g. one generated on a token. */
  publicKey?: Buffer | string;
  /** Sign this PKCS#10 request (PEM or DER file) like `openssl ca` would. */
  csrPath?: string;
  /** Validity; dates need the `openssl ca` path (software key or CSR), not `publicKey`. */
  notBefore?: Date;
  notAfter?: Date;
  days?: number;
}

const KEYGEN = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];

/** OpenSSL's `/A=v/B=w` subject syntax, escaping the separators. */
export function subjectString(dn: DistinguishedName): string {
  return dn.map(([k, v]) => `/${k}=${v.replace(/[\\/=+]/g, (c) => `\\${c}`)}`).join('');
}

/** `YYYYMMDDHHMMSSZ` for `openssl ca -startdate/-enddate`. */
function opensslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** index.txt wants UTCTime (YYMMDDHHMMSSZ) before 2050. */
function indexDate(d: Date): string {
  return opensslDate(d).slice(2);
}

/** Generates an RSA 2048 software key (PKCS#8 PEM) at `file`. */
export async function generateSoftwareKey(file: string): Promise<void> {
  await run('openssl', ['genpkey', ...KEYGEN, '-out', file]);
}

/** One CA of the test PKI: its key, certificate, database and config. */
export class CertificateAuthority {
  readonly config: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly index: string;
  readonly crlPath: string;

  constructor(readonly name: CaName, readonly dir: string) {
    this.config = path.join(dir, 'openssl.cnf');
    this.keyPath = path.join(dir, 'ca.key');
    this.certPath = path.join(dir, 'ca.pem');
    this.index = path.join(dir, 'index.txt');
    this.crlPath = path.join(dir, 'crl.der');
  }

  /** Creates the directory layout and config (idempotent for the files that hold state). */
  init(urls: PkiUrls): void {
    mkdirSync(path.join(this.dir, 'newcerts'), { recursive: true });
    writeFileSync(this.config, caConfig(this.dir, this.name, urls));
    if (!existsSync(this.index)) writeFileSync(this.index, '');
    writeFileSync(`${this.index}.attr`, 'unique_subject = no\n');
    if (!existsSync(path.join(this.dir, 'crlnumber'))) writeFileSync(path.join(this.dir, 'crlnumber'), '1000\n');
    if (!existsSync(path.join(this.dir, 'serial'))) writeFileSync(path.join(this.dir, 'serial'), '1000\n');
  }

  /** Regenerates this CA's CRL (DER at crlPath) from its database. */
  async generateCrl(): Promise<Buffer> {
    const pem = path.join(this.dir, 'crl.pem');
    await run('openssl', ['ca', '-batch', '-config', this.config, '-gencrl', '-crlexts', 'crl_ext', '-out', pem]);
    await run('openssl', ['crl', '-in', pem, '-outform', 'DER', '-out', this.crlPath]);
    return readFileSync(this.crlPath);
  }
}

/** The whole test PKI rooted at one directory. */
export class TestPki {
  readonly root: CertificateAuthority;
  readonly issuing: CertificateAuthority;
  readonly certsDir: string;
  /** Throwaway key that self-signs the requests carrying subjects for token-held keys. */
  private readonly requestKey: string;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string, readonly urls: PkiUrls) {
    this.root = new CertificateAuthority('root', path.join(dir, 'root'));
    this.issuing = new CertificateAuthority('issuing', path.join(dir, 'issuing'));
    this.certsDir = path.join(dir, 'certs');
    this.requestKey = path.join(dir, 'request.key');
  }

  /** Creates a fresh PKI (root and issuing CA) in `dir`. */
  static async create(dir: string, urls: PkiUrls): Promise<TestPki> {
    const pki = TestPki.open(dir, urls);
    const root = pki.root;
    await Promise.all([generateSoftwareKey(root.keyPath), generateSoftwareKey(pki.issuing.keyPath), generateSoftwareKey(pki.requestKey)]);
    // CAs valid from 2020 so the expired test certificate still sits inside its issuer's validity.
    const rootCsr = path.join(root.dir, 'ca.csr');
    await run('openssl', ['req', '-new', '-config', root.config, '-utf8', '-key', root.keyPath, '-subj', subjectString(ROOT_DN), '-out', rootCsr]);
    await run('openssl', ['ca', '-batch', '-config', root.config, '-utf8', '-preserveDN', '-selfsign', '-keyfile', root.keyPath, '-in', rootCsr,
      '-startdate', '20200101000000Z', '-enddate', '20451231235959Z', '-extensions', 'ext_root', '-rand_serial', '-notext', '-out', root.certPath]);
    const issCsr = path.join(pki.issuing.dir, 'ca.csr');
    await run('openssl', ['req', '-new', '-config', root.config, '-utf8', '-key', pki.issuing.keyPath, '-subj', subjectString(ISSUING_DN), '-out', issCsr]);
    await run('openssl', ['ca', '-batch', '-config', root.config, '-utf8', '-preserveDN', '-in', issCsr,
      '-startdate', '20200101000000Z', '-enddate', '20401231235959Z', '-extensions', 'ext_issuing', '-rand_serial', '-notext', '-out', pki.issuing.certPath]);
    return pki;
  }

  /** Opens an existing PKI directory (or lays out an empty one), rewriting configs for `urls`. */
  static open(dir: string, urls: PkiUrls): TestPki {
    const pki = new TestPki(dir, urls);
    mkdirSync(pki.certsDir, { recursive: true });
    pki.root.init(urls);
    pki.issuing.init(urls);
    return pki;
  }

  /** The CA object by name. */
  ca(name: CaName): CertificateAuthority {
    return name === 'root' ? this.root : this.issuing;
  }

  /** Runs PKI mutations one at a time (OpenSSL's database files are not concurrency-safe). */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Issues a certificate (see IssueOptions) and records it in the CA database. */
  async issue(opts: IssueOptions): Promise<IssuedCert> {
    if (opts.publicKey === undefined && opts.csrPath === undefined) {
      // Key generation is the slow part and touches no shared state: do it outside the queue.
      const base = path.join(this.certsDir, opts.name);
      await generateSoftwareKey(`${base}.key`);
      await run('openssl', ['req', '-new', '-config', this.issuing.config, '-utf8', '-key', `${base}.key`, '-subj', subjectString(opts.subject), '-out', `${base}.csr`]);
      const cert = await this.serialize(() => this.issueNow({ ...opts, csrPath: `${base}.csr` }));
      return { ...cert, keyPath: `${base}.key` };
    }
    return this.serialize(() => this.issueNow(opts));
  }

  private async issueNow(opts: IssueOptions): Promise<IssuedCert> {
    const ca = this.ca(opts.issuer ?? 'issuing');
    const base = path.join(this.certsDir, opts.name);
    const certPath = `${base}.pem`;
    const subj = subjectString(opts.subject);
    if (opts.publicKey !== undefined) {
      // `openssl ca` only certifies the key that signed the request, so for a token-held key
      // (whose private half OpenSSL cannot reach) the subject travels in a request signed by a
      // throwaway key and `x509 -force_pubkey` puts the token's public key in the certificate.
      const pubPath = `${base}.pub.pem`;
      const spki = typeof opts.publicKey === 'string' ? createPublicKey(opts.publicKey) : createPublicKey({ key: opts.publicKey, format: 'der', type: 'spki' });
      writeFileSync(pubPath, spki.export({ format: 'pem', type: 'spki' }));
      const csr = `${base}.csr`;
      await run('openssl', ['req', '-new', '-config', ca.config, '-utf8', '-key', this.requestKey, '-subj', subj, '-out', csr]);
      const serial = randomSerial();
      await run('openssl', ['x509', '-req', '-in', csr, '-force_pubkey', pubPath, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-set_serial', `0x${serial}`,
        '-days', String(opts.days ?? 730), '-sha256', '-extfile', ca.config, '-extensions', `ext_${opts.profile}`, '-out', certPath]);
      const x = new X509Certificate(readFileSync(certPath));
      // `openssl ca -revoke` matches the subject in X509_NAME_oneline form (what -nameopt compat prints).
      const { stdout } = await run('openssl', ['x509', '-in', certPath, '-noout', '-subject', '-nameopt', 'compat']);
      const oneline = stdout.toString().trim().replace(/^subject=/, '');
      appendFileSync(ca.index, `V\t${indexDate(new Date(x.validTo))}\t\t${x.serialNumber}\tunknown\t${oneline}\n`);
    } else {
      const csr = opts.csrPath;
      if (!csr) throw new Error('issueNow needs a public key or a CSR');
      const dates = [
        ...(opts.notBefore ? ['-startdate', opensslDate(opts.notBefore)] : []),
        ...(opts.notAfter ? ['-enddate', opensslDate(opts.notAfter)] : ['-days', String(opts.days ?? 730)]),
      ];
      const inform = readFileSync(csr).subarray(0, 5).toString() === '-----' ? 'PEM' : 'DER';
      await run('openssl', ['ca', '-batch', '-config', ca.config, '-utf8', '-preserveDN', '-in', csr, '-inform', inform, ...dates,
        '-extensions', `ext_${opts.profile}`, '-rand_serial', '-notext', '-out', certPath]);
    }
    const der = new X509Certificate(readFileSync(certPath));
    writeFileSync(`${base}.der`, der.raw);
    return {
      name: opts.name, profile: opts.profile, issuer: ca.name, subject: subj, serial: der.serialNumber,
      notBefore: new Date(der.validFrom).toISOString(), notAfter: new Date(der.validTo).toISOString(),
      certPath, derPath: `${base}.der`,
    };
  }

  /** Revokes a certificate in its CA database and regenerates that CA's CRL. */
  revoke(cert: Pick<IssuedCert, 'certPath' | 'issuer'>, reason = 'keyCompromise'): Promise<void> {
    return this.serialize(async () => {
      const ca = this.ca(cert.issuer);
      await run('openssl', ['ca', '-batch', '-config', ca.config, '-revoke', cert.certPath, '-crl_reason', reason]);
      await ca.generateCrl();
    });
  }

  /** Regenerates both CRLs (e.g. when a persisted demo PKI starts again). */
  refreshCrls(): Promise<void> {
    return this.serialize(async () => {
      await this.root.generateCrl();
      await this.issuing.generateCrl();
    });
  }

  /** The CA chain (issuing then root) as one PEM bundle file, for -untrusted / -CAfile. */
  chainPem(): string {
    return readFileSync(this.issuing.certPath, 'utf8') + readFileSync(this.root.certPath, 'utf8');
  }
}

/** Positive random 128-bit serial (hex), as `openssl ca -rand_serial` makes them. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x10;
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** Subject of the test root CA. */
export const ROOT_DN: DistinguishedName = [['C', 'VN'], ['O', 'Kyso Thử Nghiệm'], ['CN', 'Kyso Test Root CA']];
/** Subject of the test issuing CA. */
export const ISSUING_DN: DistinguishedName = [['C', 'VN'], ['O', 'Kyso Thử Nghiệm'], ['CN', 'Kyso Test Issuing CA']];
