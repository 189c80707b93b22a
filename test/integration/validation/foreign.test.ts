/**
 * Legitimate signatures from other producers (issue 13): each fixture is made by another tool
 * (openssl cms, @cantoo/pdf-lib + @signpdf), and Kyso's integrity verdict must be the one of
 * pdfsig and of `openssl cms -verify`; none may come out TOTAL_FAILED.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdf } from '../../../main/validation/index.js';
import type { FileResult, SignatureResult } from '../../../main/validation/types.js';
import { createNssDb } from '../../bed/nss.js';
import { pdfsig, pdfsigBlocks, qpdfCheck, signaturesOf } from '../signing/oracles.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { berDetached, cantooSign, opensslCms, sha1, type SignerFiles } from './helpers/foreign.js';
import { signFixture, type FixtureSign } from './helpers/sign.js';

let bed: ValidationBed;
let dir: string;
let nss: string;
let base: Buffer;
let good: SignerFiles;

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-foreign-'));
  nss = await createNssDb(path.join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
  base = await basePdf();
  good = { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile };
});

afterAll(async () => {
  await bed?.close();
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

/** `openssl cms -verify` of every signature over its byte ranges: true when it verifies. */
function opensslIntegrity(file: string, buf: Buffer): boolean[] {
  return signaturesOf(file).map((s, i) => {
    const [a, b, c, d] = s.range as [number, number, number, number];
    const content = Buffer.concat([buf.subarray(a, a + b), buf.subarray(c, c + d)]);
    const sig = path.join(dir, `o${i}.p7s`);
    const data = path.join(dir, `o${i}.bin`);
    writeFileSync(sig, s.cms);
    writeFileSync(data, content);
    const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-CAfile', bed.pki.root.certPath, '-purpose', 'any'];
    try {
      // Encapsulated content (adbe.pkcs7.sha1): openssl prints what was signed, the ranges' SHA-1.
      const detached = isDetached(s.cms);
      const out = execFileSync('openssl', detached ? [...args, '-content', data] : args, { stdio: ['ignore', 'pipe', 'ignore'] });
      return detached || out.equals(sha1(content));
    } catch {
      return false;
    }
  });
}

/** True when the CMS has no eContent (openssl -cmsout -print tells). */
function isDetached(cms: Buffer): boolean {
  const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER'], { input: cms }).toString();
  return /eContent: <ABSENT>/.test(printed);
}

interface Verdicts {
  kyso: FileResult;
  pdfsigValid: boolean[];
  openssl: boolean[];
}

async function judge(name: string, pdf: Buffer): Promise<Verdicts> {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const kyso = await validatePdf(file, { trust: [bed.rootPem] });
  if (process.env.KEEP) console.log(file, await pdfsig(file, nss));
  const blocks = pdfsigBlocks(await pdfsig(file, nss));
  return { kyso, pdfsigValid: blocks.map((b) => b.includes('Signature is Valid.')), openssl: opensslIntegrity(file, pdf) };
}

/** Kyso's integrity verdict: digest and signature value checks hold. */
function intact(s: SignatureResult): boolean {
  return s.checks.every((c) => !(['messageDigest', 'signature', 'byteRange'].includes(c.name) && c.result === 'fail'));
}

function codes(s: SignatureResult): string[] {
  return s.checks.filter((c) => c.result !== 'pass').map((c) => c.code);
}

/** Same integrity verdict as pdfsig and openssl, and nothing legitimate TOTAL_FAILED. */
function agrees(v: Verdicts, count = 1): void {
  expect(v.kyso.error).toBeNull();
  expect(v.kyso.signatures).toHaveLength(count);
  expect(v.pdfsigValid, "pdfsig").toEqual(Array(count).fill(true));
  expect(v.openssl, "openssl").toEqual(Array(count).fill(true));
  for (const s of v.kyso.signatures) {
    expect(intact(s), JSON.stringify(s.checks)).toBe(true);
    expect(s.indication, JSON.stringify(s.checks)).not.toBe('TOTAL_FAILED');
  }
}

const sign = (pdf: Buffer, o: Partial<FixtureSign>): Promise<Buffer> => signFixture(pdf, { ...good, ...o });

describe('CMS variants from openssl', () => {
  it('no signed attributes (openssl cms -noattr): verified over the content, a warning for the missing binding', async () => {
    const v = await judge('noattr', await sign(base, { subFilter: 'adbe.pkcs7.detached', makeCms: async (d) => opensslCms(d, good, ['-noattr', '-md', 'sha256']) }));
    agrees(v);
    const s = v.kyso.signatures[0]!;
    expect(s.indication).toBe('TOTAL_PASSED');
    expect(codes(s)).toContain('noSignedAttributes');
    // A changed byte is caught by the signature over the content itself.
    const bad = await judge('noattr-bad', await sign(base, { subFilter: 'adbe.pkcs7.detached', makeCms: async (d) => opensslCms(Buffer.concat([d, Buffer.from('x')]), good, ['-noattr', '-md', 'sha256']) }));
    expect(bad.kyso.signatures[0]!.subIndication).toBe('SIG_CRYPTO_FAILURE');
    expect(bad.pdfsigValid).toEqual([false]);
  });

  it('BER SignedData with indefinite lengths (openssl -stream), detached, both PAdES and adbe', async () => {
    for (const [subFilter, extra] of [['adbe.pkcs7.detached', []], ['ETSI.CAdES.detached', ['-cades']]] as const) {
      const v = await judge(`ber-${subFilter}`, await sign(base, { subFilter, makeCms: async (d) => berDetached(d, good, ['-md', 'sha256', ...extra]) }));
      agrees(v);
      expect(v.kyso.signatures[0]!.indication, JSON.stringify(v.kyso.signatures[0]!.checks)).toBe('TOTAL_PASSED');
    }
  });

  it('adbe.pkcs7.sha1 (SHA-1 digest encapsulated): verified, INDETERMINATE as a legacy format', async () => {
    // SHA-1 throughout, as the producers of this format did (poppler also hashes the ranges
    // with the signer's digest algorithm, so it only agrees when that is SHA-1).
    const v = await judge('sha1', await sign(base, { subFilter: 'adbe.pkcs7.sha1', makeCms: async (d) => opensslCms(sha1(d), good, ['-nodetach', '-md', 'sha1']) }));
    agrees(v);
    const s = v.kyso.signatures[0]!;
    expect(s.indication).toBe('INDETERMINATE');
    expect(s.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
    expect(codes(s)).toEqual(expect.arrayContaining(['legacySubFilter', 'sha1DigestEncapsulated']));
    const tampered = await judge('sha1-bad', await sign(base, { subFilter: 'adbe.pkcs7.sha1', makeCms: async (d) => opensslCms(sha1(Buffer.concat([d, Buffer.from('x')])), good, ['-nodetach', '-md', 'sha1']) }));
    expect(tampered.kyso.signatures[0]!.subIndication).toBe('HASH_FAILURE');
    expect(tampered.pdfsigValid).toEqual([false]);
  });

  it('adbe.pkcs7.sha1 in BER (openssl -stream: the digest in a constructed OCTET STRING): Kyso agrees with openssl', async () => {
    // poppler 22.12 reads only a primitive eContent and says "Digest Mismatch" here; openssl
    // and Kyso read the chunks and verify it.
    const v = await judge('sha1-ber', await sign(base, { subFilter: 'adbe.pkcs7.sha1', makeCms: async (d) => opensslCms(sha1(d), good, ['-nodetach', '-stream', '-md', 'sha256']) }));
    expect(v.openssl).toEqual([true]);
    expect(intact(v.kyso.signatures[0]!)).toBe(true);
    expect(v.kyso.signatures[0]!.indication).toBe('INDETERMINATE');
  });

  it('two SignerInfos in one CMS: each verified, INDETERMINATE', async () => {
    const second = { cert: bed.second.certPath, key: bed.second.keyPath! };
    const v = await judge('two-signers', await sign(base, { subFilter: 'adbe.pkcs7.detached', makeCms: async (d) => opensslCms(d, good, ['-md', 'sha256'], [second]) }));
    agrees(v);
    const s = v.kyso.signatures[0]!;
    expect(s.indication).toBe('INDETERMINATE');
    expect(codes(s)).toContain('multipleSigners');
    expect(s.checks.find((c) => c.name === 'signature')!.code).toBe('signaturesOk');
  });

  it('a signature timestamp copied from other data: the timestamp fails and proves no time, the signature does not', async () => {
    const v = await judge('ts-imprint', await sign(base, { tsa: bed.tsa, tsaWrongData: true }));
    agrees(v);
    const s = v.kyso.signatures[0]!;
    expect(s.checks.find((c) => c.name === 'timestamp')).toMatchObject({ result: 'warn', code: 'sigTimestamp_imprint' });
    expect(s.checks.find((c) => c.name === 'messageDigest')!.result).toBe('pass');
    expect(s.timeSource).toBe('claimed');
    expect(s.level).toBe('B-B');
  });
});

describe('@cantoo/pdf-lib incremental signing (+ @signpdf)', () => {
  it.each([['xref streams', true], ['xref tables', false]] as const)('three signatures with %s: every one verifies', async (_k, objectStreams) => {
    const cms = (d: Buffer): Buffer => opensslCms(d, good, ['-md', 'sha256']);
    let pdf = base;
    for (let i = 1; i <= 3; i++) pdf = await cantooSign(pdf, `Cantoo${i}`, cms, objectStreams);
    const v = await judge(`cantoo-${objectStreams}`, pdf);
    expect(await qpdfCheck(path.join(dir, `cantoo-${objectStreams}.pdf`))).toMatch(/No syntax or stream encoding errors/);
    agrees(v, 3);
    for (const s of v.kyso.signatures) {
      expect(s.indication, JSON.stringify([s.checks, s.modifications])).toBe('TOTAL_PASSED');
      expect(s.modifications.every((m) => m.allowed)).toBe(true);
    }
    expect(v.kyso.signatures.at(-1)!.coversWholeDocument).toBe(true);
  });
});
