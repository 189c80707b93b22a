import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryLarger, signPdf } from '../../../main/signing/pades.js';
import { extendPdf } from '../../../main/signing/extend.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { createLocalPki, type LocalPki } from './local-pki.js';
import { deadUrl, startLocalServices, type LocalServices } from './local-services.js';
import { isTimestampToken, makeNssDb, opensslTsVerify, opensslVerify, pdfsig, pdfsigBlocks, qpdfCheck, signaturesOf } from './oracles.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let dir: string;
let pki: LocalPki;
let svc: LocalServices;
let nss: string;
let rsa: Signer;
let ec: Signer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-pades-'));
  svc = await startLocalServices(() => pki);
  pki = await createLocalPki(path.join(dir, 'pki'), { ocsp: svc.ocspUrl, crl: svc.crlUrl });
  nss = await makeNssDb(path.join(dir, 'nss'), pki.root.cert, [pki.intermediate.cert]);
  rsa = softwareSigner(readFileSync(pki.rsa.key), pki.rsa.der, [pki.intermediate.der]);
  ec = softwareSigner(readFileSync(pki.ec.key), pki.ec.der, [pki.intermediate.der]);
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * pdfsig/qpdf/openssl checks. `dssAfter`: B-LT puts the DSS in an update after the signature
 * (signatures.md), so the last signature then covers everything but that DSS-only update.
 */
async function expectValid(file: string, count: number, dssAfter = false): Promise<void> {
  const report = await pdfsig(file, nss);
  const blocks = pdfsigBlocks(report);
  expect(blocks).toHaveLength(count);
  const last = blocks.at(-1)!;
  const sigs = signaturesOf(file);
  expect(sigs).toHaveLength(count);
  // pdfsig does not verify ETSI.RFC3161 document timestamps ("Signature Type: unknown"):
  // openssl ts -verify over the byte ranges is the oracle for those.
  blocks.forEach((b, i) => {
    if (isTimestampToken(sigs[i]!.cms)) expect(b, report).toContain('Signature Type: unknown');
    else expect(b, report).toContain('Signature Validation: Signature is Valid.');
  });
  if (!dssAfter) expect(last, report).toContain('Total document signed');
  else {
    const bytes = readFileSync(file);
    const range = signaturesOf(file).at(-1)!.range;
    const tail = bytes.subarray(range[2]! + range[3]!).toString('latin1');
    // Only the DSS update follows: new objects, the catalog with /DSS, xref, trailer.
    expect(tail).toMatch(/\/DSS\s/);
    expect(tail).not.toMatch(/\/Type\s*\/Sig\b|\/Contents\s*</);
  }
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  for (const s of sigs) {
    if (isTimestampToken(s.cms)) expect(await opensslTsVerify(file, s, pki.root.cert, dir)).toContain('Verification: OK');
    else expect(await opensslVerify(file, s, pki.root.cert, dir)).toContain('Verification successful');
  }
}

describe('signPdf', () => {
  it('B-B with RSA: pdfsig valid and total, qpdf clean, openssl cms accepts, original is a prefix', async () => {
    const out = path.join(dir, 'bb.pdf');
    const res = await signPdf(FIXTURE, out, { signer: rsa, level: 'B-B', reason: 'Phê duyệt', location: 'Hà Nội' });
    expect(res.level).toBe('B-B');
    const orig = readFileSync(FIXTURE);
    expect(readFileSync(out).subarray(0, orig.length).equals(orig)).toBe(true);
    await expectValid(out, 1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('B-T, B-LT and B-LTA with ECDSA and the loopback TSA/OCSP', async () => {
    for (const level of ['B-T', 'B-LT', 'B-LTA'] as const) {
      const out = path.join(dir, `${level}.pdf`);
      const res = await signPdf(FIXTURE, out, { signer: ec, level, tsa: { url: svc.tsaUrl } });
      expect(res.level).toBe(level);
      const text = readFileSync(out).toString('latin1');
      if (level !== 'B-T') expect(text).toMatch(/\/DSS\s/);
      if (level === 'B-LTA') expect(text).toContain('/ETSI.RFC3161');
      await expectValid(out, level === 'B-LTA' ? 2 : 1, level === 'B-LT');
    }
  });

  it('keeps earlier signatures valid when signing 1, 2 and 5 times', async () => {
    let cur = FIXTURE;
    for (let i = 1; i <= 5; i++) {
      const out = path.join(dir, `multi-${i}.pdf`);
      await signPdf(cur, out, { signer: i % 2 ? rsa : ec, level: 'B-B', certify: i === 1 ? 2 : undefined });
      const prev = readFileSync(cur);
      expect(readFileSync(out).subarray(0, prev.length).equals(prev)).toBe(true);
      if (i === 1 || i === 2 || i === 5) await expectValid(out, i);
      cur = out;
    }
  });

  it('dead TSA: clear error and nothing written; allowFallback signs B-B with a warning', async () => {
    const url = await deadUrl();
    const out = path.join(dir, 'dead-tsa.pdf');
    await expect(signPdf(FIXTURE, out, { signer: rsa, level: 'B-T', tsa: { url, timeoutMs: 3000 } })).rejects.toMatchObject({ code: 'tsaUnreachable' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const res = await signPdf(FIXTURE, out, { signer: rsa, level: 'B-T', tsa: { url, timeoutMs: 3000 }, allowFallback: true });
    expect(res.level).toBe('B-B');
    expect(res.warnings[0]?.code).toBe('sign.warn.fallback');
    await expectValid(out, 1);
  });

  it('dead OCSP and CRL for B-LT: clear error and nothing written; allowFallback gives B-T with a warning', async () => {
    // A PKI whose certificates name services on a closed port.
    const dead = await createLocalPki(path.join(dir, 'dead-pki'));
    const deadSigner = softwareSigner(readFileSync(dead.ec.key), dead.ec.der, [dead.intermediate.der]);
    const out = path.join(dir, 'dead-ocsp.pdf');
    const err = await signPdf(FIXTURE, out, { signer: deadSigner, level: 'B-LT', tsa: { url: svc.tsaUrl }, revocationTimeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'KysoError' });
    expect((err as { code: string }).code).toMatch(/^(ocsp|crl)Unreachable$/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.kyso-'))).toEqual([]);
    const res = await signPdf(FIXTURE, out, { signer: deadSigner, level: 'B-LT', tsa: { url: svc.tsaUrl }, revocationTimeoutMs: 3000, allowFallback: true });
    expect(res.level).toBe('B-T');
    expect(res.warnings.map((w) => w.code)).toEqual(['sign.warn.fallback']);
    expect(readFileSync(out).toString('latin1')).not.toMatch(/\/DSS\s/);
  });

  it('extend: an unsigned file is refused with nothing written; B-LTA needs a TSA', async () => {
    const out = path.join(dir, 'ext-unsigned.pdf');
    await expect(extendPdf(FIXTURE, out, { level: 'B-LT' })).rejects.toMatchObject({ code: 'signNoSignatures' });
    expect(existsSync(out)).toBe(false);
    await expect(extendPdf(FIXTURE, out, { level: 'B-LTA' })).rejects.toMatchObject({ code: 'signTsaRequired' });
    expect(readdirSync(dir).filter((f) => f.includes('.kyso-'))).toEqual([]);
  });

  it('a CMS larger than the reserved /Contents: error and nothing written, or one retry with room', async () => {
    const out = path.join(dir, 'small-room.pdf');
    const err = await signPdf(FIXTURE, out, { signer: rsa, contentsRoom: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'signContentsTooSmall' });
    expect(existsSync(out)).toBe(false);
    const needed = Number((err as { params: { needed: number } }).params.needed);
    const res = await retryLarger(err, FIXTURE, out, { signer: rsa });
    expect(res.level).toBe('B-B');
    await expectValid(out, 1);
    const contents = signaturesOf(out)[0]!.cms.length;
    expect(contents).toBe(needed + 4096);
  });

  it('encrypted input with an open password and none given: clear error, nothing written', async () => {
    const enc = path.join(dir, 'enc.pdf');
    const { execFileSync } = await import('node:child_process');
    execFileSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', FIXTURE, enc]);
    const out = path.join(dir, 'enc-out.pdf');
    await expect(signPdf(enc, out, { signer: rsa })).rejects.toMatchObject({ code: 'pdfPasswordRequired' });
    expect(existsSync(out)).toBe(false);
  });

  it('malformed input: clear error, nothing written', async () => {
    const bad = path.join(dir, 'bad.pdf');
    copyFileSync(FIXTURE, bad);
    const trunc = readFileSync(bad).subarray(0, 200);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, trunc);
    const out = path.join(dir, 'bad-out.pdf');
    const err = await signPdf(bad, out, { signer: rsa }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'KysoError' });
    expect(existsSync(out)).toBe(false);
    writeFileSync(bad, 'not a pdf at all');
    await expect(signPdf(bad, out, { signer: rsa })).rejects.toMatchObject({ name: 'KysoError' });
    expect(existsSync(out)).toBe(false);
  });
});
