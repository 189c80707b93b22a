/**
 * Damaged structure around legitimate signatures (issue 13, items 4, 8 and 10): a broken /Prev
 * chain is recovered revision by revision from the %%EOF markers, as qpdf and poppler do, and
 * every signature keeps the verdict pdfsig and openssl give it; signing such a file never makes
 * the earlier signatures unverifiable and says that the input was repaired; a shadow attack
 * that also damages a cross-reference section is repaired and reported, not refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { signPdf } from '../../../main/signing/pades.js';
import { validatePdf } from '../../../main/validation/index.js';
import type { FileResult } from '../../../main/validation/types.js';
import { createNssDb } from '../../bed/nss.js';
import { pdfsig, pdfsigBlocks, signaturesOf } from '../signing/oracles.js';
import * as atk from './helpers/attacks.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { signFixture, type FixtureSign } from './helpers/sign.js';

let bed: ValidationBed;
let dir: string;
let nss: string;
let four: Buffer;
let who: FixtureSign;

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-repaired-'));
  nss = await createNssDb(path.join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
  who = { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile };
  four = await basePdf();
  for (let i = 1; i <= 4; i++) four = await signFixture(four, { ...who, field: `Sig${i}` });
});

afterAll(async () => {
  await bed?.close();
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

function save(name: string, buf: Buffer): string {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, buf);
  return file;
}

/** pdfsig's "Signature is Valid." per signature. */
async function pdfsigValid(file: string): Promise<boolean[]> {
  return pdfsigBlocks(await pdfsig(file, nss)).map((b) => b.includes('Signature is Valid.'));
}

/** openssl cms -verify of each signature over its ranges. */
function opensslValid(file: string): boolean[] {
  const buf = readFileSync(file);
  return signaturesOf(file).map((s, i) => {
    const [a, b, c, d] = s.range as [number, number, number, number];
    writeFileSync(path.join(dir, `c${i}`), Buffer.concat([buf.subarray(a, a + b), buf.subarray(c, c + d)]));
    writeFileSync(path.join(dir, `s${i}`), s.cms);
    try {
      execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, `s${i}`), '-content', path.join(dir, `c${i}`), '-CAfile', bed.pki.root.certPath, '-purpose', 'any', '-out', '/dev/null'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

function failing(r: FileResult): string[] {
  return r.signatures.flatMap((s) => [...s.checks.filter((c) => c.result === 'fail').map((c) => c.code), ...s.modifications.filter((m) => !m.allowed).map((m) => m.code)]);
}

describe('broken /Prev chains', () => {
  it.each([
    ['a last trailer with /Prev 0', '0'],
    ['a last /Prev pointing nowhere', '99999999'],
    ['a last /Prev pointing into an object', '300'],
  ])('%s: five signatures verify as pdfsig and openssl say, with a repair warning', async (_name, prev) => {
    const pdf = await signFixture(four, { ...who, field: 'Sig5', trailerExtra: { Prev: prev } });
    const file = save(`prev-${prev}`, pdf);
    expect(await pdfsigValid(file)).toEqual(Array(5).fill(true));
    expect(opensslValid(file)).toEqual(Array(5).fill(true));
    const r = await validatePdf(file, { trust: [bed.rootPem] });
    expect(r.error).toBeNull();
    expect(r.notes?.map((n) => n.code)).toEqual(['xrefRepaired_brokenPrev']);
    expect(r.signatures).toHaveLength(5);
    expect(failing(r)).toEqual([]);
    for (const [i, s] of r.signatures.entries()) {
      expect(s.indication, JSON.stringify([s.checks, s.modifications])).toBe('TOTAL_PASSED');
      expect(s.revision).toBe(i + 2);
      expect(s.checks.find((c) => c.name === 'structure')).toMatchObject({ result: 'warn', code: 'xrefRepaired_brokenPrev' });
    }
    expect(r.signatures.at(-1)!.coversWholeDocument).toBe(true);
  });

  it('signing such a file keeps every earlier signature verifiable (Kyso, pdfsig, qpdf) and warns that the input was repaired', async () => {
    const input = save('prev0-in', await signFixture(four, { ...who, field: 'Sig5', trailerExtra: { Prev: '0' } }));
    const issuing = readFileSync(bed.pki.issuing.certPath, 'latin1').replace(/-----[^-]+-----|\s/g, '');
    const signer = softwareSigner(readFileSync(bed.second.keyPath!), readFileSync(bed.second.derPath), [Buffer.from(issuing, 'base64')]);
    const out = path.join(dir, 'prev0-signed.pdf');
    const res = await signPdf(input, out, { signer });
    expect(res.warnings.map((w) => w.code)).toEqual(['sign.warn.repaired']);
    expect(readFileSync(out).subarray(0, readFileSync(input).length).equals(readFileSync(input))).toBe(true);
    expect(execFileSync('qpdf', ['--check', out]).toString()).toMatch(/No syntax or stream encoding errors/);
    expect(await pdfsigValid(out)).toEqual(Array(6).fill(true));
    const r = await validatePdf(out, { trust: [bed.rootPem] });
    expect(r.error).toBeNull();
    expect(failing(r)).toEqual([]);
    expect(r.signatures.map((s) => s.indication)).toEqual(Array(6).fill('TOTAL_PASSED'));
    for (const s of r.signatures.slice(0, 5)) expect(s.modifications.map((m) => m.code)).toContain('xrefRewritten');
  });
});

describe('one reader policy for sign and verify', () => {
  it('signing over an earlier signature that is already broken warns, naming the field', async () => {
    const tampered = save('tampered-in', atk.appendNewPageContent(await signFixture(await basePdf(), { ...who, field: 'Approval' })));
    const issuing = readFileSync(bed.pki.issuing.certPath, 'latin1').replace(/-----[^-]+-----|\s/g, '');
    const signer = softwareSigner(readFileSync(bed.second.keyPath!), readFileSync(bed.second.derPath), [Buffer.from(issuing, 'base64')]);
    const res = await signPdf(tampered, path.join(dir, 'tampered-signed.pdf'), { signer });
    expect(res.warnings).toEqual([{ code: 'sign.warn.brokenSignature', params: { field: 'Approval', reason: 'pageContentModified' } }]);
  });
});

describe('shadow attack with a damaged cross-reference section', () => {
  it('the xref-only update that maps the content to a shadow definition is repaired and the change reported', async () => {
    const sh = atk.addShadowObjects(await basePdf());
    const signed = await signFixture(sh.buf, { ...who, field: 'Approval' });
    const attack = atk.shadowReplaceXrefOnly(signed, sh.contentNum, sh.contentDefAt);
    // Damage the subsection: its count says two entries where one follows.
    const text = attack.toString('latin1');
    const at = text.lastIndexOf(`\n${sh.contentNum} 1\n`);
    const damaged = Buffer.from(`${text.slice(0, at)}\n${sh.contentNum} 2\n${text.slice(at + `\n${sh.contentNum} 1\n`.length)}`, 'latin1');
    const r = await validatePdf(save('shadow-damaged', damaged), { trust: [bed.rootPem], offline: true });
    expect(r.error).toBeNull();
    const s = r.signatures[0]!;
    expect(s.indication).toBe('TOTAL_FAILED');
    expect(failing(r)).toEqual(expect.arrayContaining(['shadowDefinition']));
    expect(r.notes?.map((n) => n.code)).toEqual(['xrefRepaired_xrefDamaged']);
  });
});
