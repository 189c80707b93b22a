/**
 * `createTestBed()`: everything real that integration tests, demo mode and benchmarks need:
 * SoftHSM2 tokens with keys generated on them, an OpenSSL test PKI, OCSP/TSA/CRL on loopback
 * and an NSS db trusting the test root. See test/bed/README.md.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNssDb } from './nss.js';
import type { PkiUrls } from './openssl-config.js';
import { ISSUING_DN, ROOT_DN, TestPki, subjectString, type DistinguishedName, type IssuedCert } from './pki.js';
import { Responders } from './responders.js';
import { BedServer, closedPortUrl } from './server.js';
import { SoftHsm, type TokenKeyType } from './softhsm.js';

/** A token of the bed (PINs are test values, never real ones). */
export interface BedTokenSpec {
  label: string;
  pin: string;
  soPin: string;
}

/** A certificate of the bed with its bytes; token-held keys say where they live. */
export interface BedCert extends IssuedCert {
  der: Buffer;
  pem: string;
  /** Set when the private key is on a SoftHSM2 token (select by label, key by CKA_ID hex). */
  token?: { label: string; pin: string; id: string; keyLabel: string };
}

/** Options of createTestBed. */
export interface TestBedOptions {
  /** Keep everything in this directory and reuse it on the next call (demo mode); default: a fresh temp dir removed by close(). */
  dir?: string;
  /** HTTP port of OCSP/TSA/CRL (0 = random). A persisted bed keeps the port its certificates name. */
  port?: number;
  /** Token for the official's key (default "Kyso Official"). */
  officialToken?: BedTokenSpec;
  /** Token for the seal key (default "Kyso Org Seal"); the same label puts both keys on one token. */
  sealToken?: BedTokenSpec;
  /** Token for the revoked token-held key (default: the official token). */
  revokedToken?: BedTokenSpec;
  /** Further empty tokens to initialise (e.g. for provisioning tests). */
  extraTokens?: BedTokenSpec[];
  /** Key type generated on tokens (default rsa:2048). */
  keyType?: TokenKeyType;
}

/** Names of the bed's certificates. */
export type BedCertName = 'root' | 'issuing' | 'official' | 'seal' | 'revokedToken' | 'expired' | 'revoked' | 'ocsp' | 'tsa' | 'tls';

/** A running test bed. */
export interface TestBed {
  dir: string;
  softhsm: SoftHsm;
  /** PKCS#11 module path (SoftHSM2). */
  module: string;
  /** Environment for child processes and the token bridge: SOFTHSM2_CONF. */
  env: { SOFTHSM2_CONF: string };
  pki: TestPki;
  server: BedServer;
  responders: Responders;
  certs: Record<BedCertName, BedCert>;
  tokens: { official: BedTokenSpec; seal: BedTokenSpec; revoked: BedTokenSpec; extra: BedTokenSpec[] };
  urls: PkiUrls & { base: string; tsa: string; deadOcsp: string; deadTsa: string };
  /** PEM bundle issuing CA + root (for -untrusted / -CAfile / chain building). */
  chainPath: string;
  /** TLS server certificate followed by the issuing CA (PEM), for servers whose clients trust only the root. */
  tlsChainPath: string;
  /** NSS db directory trusting the root: `pdfsig -nssdir sql:${nssDir}`. */
  nssDir: string;
  /** Reloads a certificate's files (e.g. after pki.issue of more certs use loadCert). */
  loadCert(cert: IssuedCert): BedCert;
  close(): Promise<void>;
}

/** Default test tokens (the demo uses "Kyso Demo" instead). */
export const OFFICIAL_TOKEN: BedTokenSpec = { label: 'Kyso Official', pin: '123456', soPin: '12345678' };
/** Default seal token. */
export const SEAL_TOKEN: BedTokenSpec = { label: 'Kyso Org Seal', pin: '123456', soPin: '12345678' };

/** Key ids (CKA_ID hex) of the bed's token keys, fixed so one token can hold them all. */
export const KEY_IDS = { official: '01', seal: '02', revokedToken: '03' } as const;

const ORG = 'Ủy ban nhân dân tỉnh Thử Nghiệm';
/** Subjects of the bed's end-entity certificates (Vietnamese, as real ones are). */
export const SUBJECTS: Record<'official' | 'seal' | 'revokedToken' | 'expired' | 'revoked' | 'ocsp' | 'tsa' | 'tls', DistinguishedName> = {
  official: [['C', 'VN'], ['ST', 'Thử Nghiệm'], ['O', ORG], ['OU', 'Văn phòng'], ['title', 'Phó Chủ tịch'], ['CN', 'Nguyễn Văn An'], ['UID', 'CCCD:001080000001']],
  seal: [['C', 'VN'], ['ST', 'Thử Nghiệm'], ['O', ORG], ['CN', ORG], ['UID', 'MST:0100000001']],
  revokedToken: [['C', 'VN'], ['O', ORG], ['CN', 'Phạm Thị Dung'], ['UID', 'CCCD:001080000004']],
  expired: [['C', 'VN'], ['O', ORG], ['CN', 'Trần Thị Bình'], ['UID', 'CCCD:001080000002']],
  revoked: [['C', 'VN'], ['O', ORG], ['CN', 'Lê Văn Cường'], ['UID', 'CCCD:001080000003']],
  ocsp: [['C', 'VN'], ['O', 'Kyso Thử Nghiệm'], ['CN', 'Kyso Test OCSP Responder']],
  tsa: [['C', 'VN'], ['O', 'Kyso Thử Nghiệm'], ['CN', 'Kyso Test TSA']],
  tls: [['C', 'VN'], ['O', 'Kyso Thử Nghiệm'], ['CN', 'localhost']],
};

interface Manifest {
  version: 1;
  port: number;
  certs: Record<BedCertName, IssuedCert & { token?: BedCert['token'] }>;
  tokens: TestBed['tokens'];
}

function urlsFor(base: string): PkiUrls {
  return {
    ocsp: `${base}/ocsp`, ocspRoot: `${base}/ocsp/root`,
    issuingCer: `${base}/ca/issuing.cer`, rootCer: `${base}/ca/root.cer`,
    issuingCrl: `${base}/crl/issuing.crl`, rootCrl: `${base}/crl/root.crl`,
  };
}

function loadCert(cert: IssuedCert & { token?: BedCert['token'] }): BedCert {
  return { ...cert, der: readFileSync(cert.derPath), pem: readFileSync(cert.certPath, 'utf8') };
}

/** Creates the bed (or reopens a persisted one in `opts.dir`) and starts its HTTP server. */
export async function createTestBed(opts: TestBedOptions = {}): Promise<TestBed> {
  const persistent = opts.dir !== undefined;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'kyso-bed-'));
  const manifestPath = path.join(dir, 'bed.json');
  const existing = persistent && existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest) : undefined;
  const server = await BedServer.start(existing?.port ?? opts.port ?? 0);
  try {
    const urls = urlsFor(server.url);
    const softhsm = new SoftHsm(path.join(dir, 'softhsm'));
    let manifest: Manifest;
    let pki: TestPki;
    if (existing) {
      manifest = existing;
      pki = TestPki.open(path.join(dir, 'pki'), urls);
      await pki.refreshCrls();
    } else {
      pki = await TestPki.create(path.join(dir, 'pki'), urls);
      manifest = await populate(pki, softhsm, opts, Number(new URL(server.url).port));
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    }
    const certs = Object.fromEntries(Object.entries(manifest.certs).map(([k, c]) => [k, loadCert(c)])) as Record<BedCertName, BedCert>;
    const responders = new Responders(pki, certs.ocsp, certs.tsa);
    server.attach(pki, responders);
    const chainPath = path.join(dir, 'chain.pem');
    writeFileSync(chainPath, pki.chainPem());
    const tlsChainPath = path.join(dir, 'tls-chain.pem');
    writeFileSync(tlsChainPath, certs.tls.pem + certs.issuing.pem);
    const nssDir = await createNssDb(path.join(dir, 'nss'), certs.root.certPath, [certs.issuing.certPath]);
    const dead = await closedPortUrl();
    return {
      dir, softhsm, module: softhsm.module, env: { SOFTHSM2_CONF: softhsm.conf }, pki, server, responders, certs,
      tokens: manifest.tokens,
      urls: { ...urls, base: server.url, tsa: `${server.url}/tsa`, deadOcsp: `${dead}/ocsp`, deadTsa: `${dead}/tsa` },
      chainPath, tlsChainPath, nssDir, loadCert,
      async close() {
        await server.close();
        if (!persistent) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server.close();
    if (!persistent) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Makes tokens, token keys and every certificate of a new bed. */
async function populate(pki: TestPki, softhsm: SoftHsm, opts: TestBedOptions, port: number): Promise<Manifest> {
  const official = opts.officialToken ?? OFFICIAL_TOKEN;
  const seal = opts.sealToken ?? SEAL_TOKEN;
  const revokedTok = opts.revokedToken ?? official;
  const extra = opts.extraTokens ?? [];
  const type = opts.keyType ?? 'rsa:2048';
  // Software certificates are issued while the tokens generate their keys (both are slow).
  const software = Promise.all([
    pki.issue({ name: 'ocsp', profile: 'ocsp', subject: SUBJECTS.ocsp }),
    pki.issue({ name: 'tsa', profile: 'tsa', subject: SUBJECTS.tsa }),
    pki.issue({ name: 'tls', profile: 'tls', subject: SUBJECTS.tls }),
    pki.issue({ name: 'expired', profile: 'official', subject: SUBJECTS.expired, notBefore: new Date('2021-01-01T00:00:00Z'), notAfter: new Date('2022-01-01T00:00:00Z') }),
    pki.issue({ name: 'revoked', profile: 'official', subject: SUBJECTS.revoked }),
  ]);
  // Awaited below; mark it handled now so a failure during token setup is not "unhandled".
  software.catch(() => undefined);
  // Tokens one after the other: `softhsm2-util --free` picks a slot and is not concurrency-safe.
  await softhsm.initToken(official.label, official.soPin, official.pin);
  const labels = new Set([official.label]);
  for (const t of [seal, revokedTok, ...extra]) {
    if (labels.has(t.label)) continue;
    labels.add(t.label);
    await softhsm.initToken(t.label, t.soPin, t.pin);
  }
  const onToken = async (token: BedTokenSpec, key: 'official' | 'seal' | 'revokedToken', profile: 'official' | 'seal'): Promise<IssuedCert & { token: BedCert['token'] }> => {
    const id = KEY_IDS[key];
    const spki = await softhsm.generateKey(token.label, token.pin, { type, id, keyLabel: key });
    const cert = await pki.issue({ name: key, profile, subject: SUBJECTS[key], publicKey: spki });
    await softhsm.importCertificate(token.label, token.pin, { id, certLabel: key, certPath: cert.derPath });
    return { ...cert, token: { label: token.label, pin: token.pin, id, keyLabel: key } };
  };
  const officialCert = await onToken(official, 'official', 'official');
  const sealCert = await onToken(seal, 'seal', 'seal');
  const revokedTokenCert = await onToken(revokedTok, 'revokedToken', 'official');
  const [ocsp, tsa, tls, expired, revoked] = await software;
  await pki.revoke(revoked);
  await pki.revoke(revokedTokenCert);
  await pki.refreshCrls();
  const ca = (name: 'root' | 'issuing'): IssuedCert => {
    const authority = pki.ca(name);
    const derPath = path.join(authority.dir, 'ca.der');
    const x = new X509Certificate(readFileSync(authority.certPath));
    writeFileSync(derPath, x.raw);
    return { name, profile: name, issuer: 'root', subject: subjectString(name === 'root' ? ROOT_DN : ISSUING_DN), serial: x.serialNumber, notBefore: new Date(x.validFrom).toISOString(), notAfter: new Date(x.validTo).toISOString(), certPath: authority.certPath, derPath, keyPath: authority.keyPath };
  };
  return {
    version: 1, port,
    certs: { root: ca('root'), issuing: ca('issuing'), official: officialCert, seal: sealCert, revokedToken: revokedTokenCert, expired, revoked, ocsp, tsa, tls },
    tokens: { official, seal, revoked: revokedTok, extra },
  };
}

