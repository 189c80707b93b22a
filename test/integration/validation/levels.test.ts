/**
 * Valid files at every level (B-B online, B-T, B-LT and B-LTA offline from the DSS), single and
 * multiple signatures, each cross-checked by pdfsig; and the certificate-state indications.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdfBuffer } from '../../../main/validation/index.js';
import { createNssDb } from '../../bed/nss.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { docTimestampFixture, dssFixture, signFixture } from './helpers/sign.js';

let bed: ValidationBed;
let base: Buffer;
let tmp: string;
let nss: string;

function pdfsig(buf: Buffer): Promise<string> {
  const file = path.join(tmp, `f${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, buf);
  return new Promise((resolve) => {
    execFile('pdfsig', ['-nssdir', `sql:${nss}`, file], (_e, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

beforeAll(async () => {
  bed = await createValidationBed();
  base = await basePdf();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kyso-vlev-'));
  nss = await createNssDb(path.join(tmp, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
});

afterAll(async () => {
  await bed?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const good = (): { cert: string; key: string; chain: string } => ({ cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile });

describe('valid signatures at every level', () => {
  it('B-B, online revocation: TOTAL_PASSED, claimed time warned; pdfsig agrees', async () => {
    const f = await signFixture(base, good());
    const r = await validatePdfBuffer(f, 'bb.pdf', { trust: [bed.rootPem] });
    const s = r.signatures[0]!;
    expect(s.indication).toBe('TOTAL_PASSED');
    expect(s.level).toBe('B-B');
    expect(s.timeSource).toBe('claimed');
    expect(s.checks.find((c) => c.name === 'signingTime')?.result).toBe('warn');
    expect(s.revocation.source).toBe('ocsp');
    expect(s.signer).toBe('Nguyễn Văn An');
    expect(s.issuingCa).toBe('Kyso Test Issuing CA');
    const out = await pdfsig(f);
    expect(out).toContain('Signature is Valid.');
    expect(out).toContain('Total document signed');
  });

  it('B-T, B-LT, B-LTA with two signatures, offline from the DSS; pdfsig agrees', async () => {
    const t1 = await signFixture(base, { ...good(), tsa: bed.tsa });
    const t2 = await signFixture(t1, { cert: bed.second.certPath, key: bed.second.keyPath!, chain: bed.chainFile, tsa: bed.tsa });
    const rT = await validatePdfBuffer(t2, 'bt.pdf', { trust: [bed.rootPem] });
    expect(rT.signatures.map((s) => [s.indication, s.level, s.timeSource])).toEqual([
      ['TOTAL_PASSED', 'B-T', 'timestamp'],
      ['TOTAL_PASSED', 'B-T', 'timestamp'],
    ]);
    const ocsps = [await bed.ocspFor(bed.good), await bed.ocspFor(bed.second)];
    const lt = dssFixture(t2, { certs: [readFileSync(bed.pki.issuing.certPath)], ocsps, crls: bed.crls() });
    const rLt = await validatePdfBuffer(lt, 'blt.pdf', { trust: [bed.rootPem], offline: true });
    expect(rLt.signatures.map((s) => [s.indication, s.level, s.revocation.source])).toEqual([
      ['TOTAL_PASSED', 'B-LT', 'dss-ocsp'],
      ['TOTAL_PASSED', 'B-LT', 'dss-ocsp'],
    ]);
    const lta = await docTimestampFixture(lt, bed.tsa);
    const rLta = await validatePdfBuffer(lta, 'blta.pdf', { trust: [bed.rootPem], offline: true });
    expect(rLta.signatures.map((s) => [s.kind, s.indication, s.level])).toEqual([
      ['signature', 'TOTAL_PASSED', 'B-LTA'],
      ['signature', 'TOTAL_PASSED', 'B-LTA'],
      ['documentTimestamp', 'TOTAL_PASSED', null],
    ]);
    // The first signature saw a second signature, a DSS and a document timestamp: all allowed.
    const classes = new Set(rLta.signatures[0]!.modifications.map((m) => m.class));
    expect([...classes]).toEqual(expect.arrayContaining(['signature', 'signatureField', 'dss', 'documentTimestamp']));
    expect(rLta.signatures[0]!.modifications.every((m) => m.allowed)).toBe(true);
    const out = await pdfsig(lta);
    expect(out.match(/Signature is Valid\./g)?.length).toBe(2);
    expect(out).toContain('Total document signed');
  });
});

describe('certificate states', () => {
  it('revoked before signing: TOTAL_FAILED/REVOKED (online OCSP and embedded CRL)', async () => {
    const f = await signFixture(base, { cert: bed.revoked.certPath, key: bed.revoked.keyPath!, chain: bed.chainFile });
    const on = (await validatePdfBuffer(f, 'rev.pdf', { trust: [bed.rootPem] })).signatures[0]!;
    expect([on.indication, on.subIndication]).toEqual(['TOTAL_FAILED', 'REVOKED']);
    expect(on.revocation.status).toBe('revoked');
    const withCrl = dssFixture(f, { crls: bed.crls() });
    const off = (await validatePdfBuffer(withCrl, 'rev2.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect([off.indication, off.subIndication, off.revocation.source]).toEqual(['TOTAL_FAILED', 'REVOKED', 'dss-crl']);
  });

  it('expired at the claimed signing time: TOTAL_FAILED/EXPIRED', async () => {
    const f = await signFixture(base, { cert: bed.expired.certPath, key: bed.expired.keyPath!, chain: bed.chainFile });
    const s = (await validatePdfBuffer(f, 'exp.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect([s.indication, s.subIndication]).toEqual(['TOTAL_FAILED', 'EXPIRED']);
  });

  it('signed while valid (claimed), expired now, no timestamp: INDETERMINATE/OUT_OF_BOUNDS_NO_POE', async () => {
    const f = await signFixture(base, { cert: bed.expired.certPath, key: bed.expired.keyPath!, chain: bed.chainFile, m: new Date('2021-06-01T00:00:00Z') });
    const s = (await validatePdfBuffer(f, 'exp2.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect([s.indication, s.subIndication]).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
  });

  it('untrusted signer: INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND (and the good one without anchors too)', async () => {
    const f = await signFixture(base, { cert: bed.untrusted.certPath, key: bed.untrusted.keyPath });
    const s = (await validatePdfBuffer(f, 'untr.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect([s.indication, s.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    const g = await signFixture(base, good());
    const s2 = (await validatePdfBuffer(g, 'noanchor.pdf', { trust: [], offline: true })).signatures[0]!;
    expect(s2.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('a certificate issued by an end-entity key (no CA basic constraint) does not chain', async () => {
    const dir2 = mkdtempSync(path.join(tmp, 'ee-'));
    const key = path.join(dir2, 'k.pem');
    const csr = path.join(dir2, 'r.csr');
    const cert = path.join(dir2, 'c.pem');
    const chain = path.join(dir2, 'chain.pem');
    const sh = (args: string[]): Promise<void> => new Promise((res, rej) => execFile('openssl', args, (e) => (e ? rej(e) : res())));
    await sh(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=Forged Under Leaf']);
    await sh(['x509', '-req', '-in', csr, '-CA', bed.good.certPath, '-CAkey', bed.good.keyPath!, '-CAcreateserial', '-days', '30', '-out', cert]);
    writeFileSync(chain, readFileSync(bed.good.certPath, 'utf8') + readFileSync(bed.pki.issuing.certPath, 'utf8'));
    const f = await signFixture(base, { cert, key, chain });
    const s = (await validatePdfBuffer(f, 'ee.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect([s.indication, s.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
  });

  it('a certificate whose keyUsage excludes signatures: INDETERMINATE/SIG_CONSTRAINTS_FAILURE', async () => {
    const dir2 = mkdtempSync(path.join(tmp, 'ku-'));
    const [key, csr, cert, ext] = ['k.pem', 'r.csr', 'c.pem', 'ext.cnf'].map((n) => path.join(dir2, n)) as [string, string, string, string];
    writeFileSync(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n');
    const sh = (args: string[]): Promise<void> => new Promise((res, rej) => execFile('openssl', args, (e) => (e ? rej(e) : res())));
    await sh(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=Encryption Only']);
    await sh(['x509', '-req', '-in', csr, '-CA', bed.pki.issuing.certPath, '-CAkey', bed.pki.issuing.keyPath, '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', cert]);
    const f = await signFixture(base, { cert, key, chain: bed.chainFile });
    const s = (await validatePdfBuffer(f, 'ku.pdf', { trust: [bed.rootPem] })).signatures[0]!;
    expect(s.checks.filter((c) => c.result === 'fail').map((c) => c.code)).toContain('certKeyUsage');
    expect(s.indication).not.toBe('TOTAL_PASSED');
  });

  it('intermediate missing from the CMS: found through AIA caIssuers online, not offline', async () => {
    const f = await signFixture(base, { cert: bed.good.certPath, key: bed.good.keyPath! });
    const before = bed.server.hits.ca;
    const on = (await validatePdfBuffer(f, 'aia.pdf', { trust: [bed.rootPem] })).signatures[0]!;
    expect(on.indication).toBe('TOTAL_PASSED');
    expect(bed.server.hits.ca).toBeGreaterThan(before);
    const off = (await validatePdfBuffer(f, 'aia2.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect(off.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('unknown revocation (offline, nothing embedded; or responders down): INDETERMINATE/TRY_LATER with a warning', async () => {
    const f = await signFixture(base, good());
    const off = (await validatePdfBuffer(f, 'unk.pdf', { trust: [bed.rootPem], offline: true })).signatures[0]!;
    expect([off.indication, off.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(off.checks.find((c) => c.name === 'revocation')).toMatchObject({ result: 'warn', code: 'revocationUnknown' });
    bed.server.setDown('ocsp', true);
    bed.server.setDown('crl', true);
    try {
      const down = (await validatePdfBuffer(f, 'unk2.pdf', { trust: [bed.rootPem] })).signatures[0]!;
      expect(down.subIndication).toBe('TRY_LATER');
    } finally {
      bed.server.setDown('ocsp', false);
      bed.server.setDown('crl', false);
    }
  });

  it('--time far ahead (archived document): B-B lacks proof of existence, B-T keeps it', async () => {
    const when = new Date('2100-01-01T00:00:00Z');
    const bb = await signFixture(base, good());
    const s = (await validatePdfBuffer(bb, 'time.pdf', { trust: [bed.rootPem], time: when })).signatures[0]!;
    expect([s.indication, s.subIndication]).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
    const bt = await signFixture(base, { ...good(), tsa: bed.tsa });
    const t = (await validatePdfBuffer(bt, 'time2.pdf', { trust: [bed.rootPem], time: when })).signatures[0]!;
    expect(t.indication).toBe('TOTAL_PASSED');
  });
});
