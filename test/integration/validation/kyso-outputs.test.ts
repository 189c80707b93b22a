/**
 * Kyso's own signer (main/signing signPdf) at every level, single and multiple signatures:
 * every output validates TOTAL_PASSED with the level it was made at, and pdfsig agrees.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { signPdf } from '../../../main/signing/pades.js';
import type { PadesLevel } from '../../../main/signing/types.js';
import { validatePdf } from '../../../main/validation/index.js';
import { createNssDb } from '../../bed/nss.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';

let bed: ValidationBed;
let dir: string;
let nss: string;
let first: Signer;
let second: Signer;
let input: string;

function pdfsig(file: string): Promise<string> {
  return new Promise((resolve) => execFile('pdfsig', ['-nssdir', `sql:${nss}`, file], (_e, out, err) => resolve(`${out}${err}`)));
}

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vout-'));
  nss = await createNssDb(path.join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
  const issuing = readFileSync(bed.pki.issuing.certPath.replace(/\.pem$/, '.pem'));
  const issuingDer = Buffer.from(issuing.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  first = softwareSigner(readFileSync(bed.good.keyPath!), readFileSync(bed.good.derPath), [issuingDer]);
  second = softwareSigner(readFileSync(bed.second.keyPath!), readFileSync(bed.second.derPath), [issuingDer]);
  input = path.join(dir, 'in.pdf');
  writeFileSync(input, await basePdf());
});

afterAll(async () => {
  await bed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tsa = (): { url: string } => ({ url: `${bed.server.url}/tsa` });

describe("Kyso's own outputs", () => {
  for (const level of ['B-B', 'B-T', 'B-LT', 'B-LTA'] as PadesLevel[]) {
    it(`single ${level}: TOTAL_PASSED at ${level}; pdfsig agrees`, async () => {
      const out = path.join(dir, `single-${level}.pdf`);
      await signPdf(input, out, { signer: first, level, ...(level === 'B-B' ? {} : { tsa: tsa() }) });
      // B-LT and B-LTA carry their own revocation data: validate offline to prove it.
      const offline = level === 'B-LT' || level === 'B-LTA';
      const r = await validatePdf(out, { trust: [bed.rootPem], offline });
      expect(r.error).toBeNull();
      const sigs = r.signatures.filter((s) => s.kind === 'signature');
      expect(sigs).toHaveLength(1);
      expect(sigs[0], JSON.stringify(sigs[0]!.checks.filter((c) => c.result !== 'pass'))).toMatchObject({ indication: 'TOTAL_PASSED', level });
      for (const s of r.signatures) expect(s.indication).toBe('TOTAL_PASSED');
      const report = await pdfsig(out);
      expect(report).toContain('Signature is Valid.');
      if (level === 'B-B' || level === 'B-T') expect(report).toContain('Total document signed');
    });
  }

  it('real-world inputs: the Chromium-made sample and an object-stream/xref-stream PDF, signed twice', async () => {
    const { PDFDocument } = await import('pdf-lib');
    const objStm = path.join(dir, 'objstm.pdf');
    const doc = await PDFDocument.load(await basePdf());
    writeFileSync(objStm, await doc.save({ useObjectStreams: true }));
    for (const src of [path.resolve('test/fixtures/cong-van-mau.pdf'), objStm]) {
      const one = path.join(dir, `${path.basename(src)}-1.pdf`);
      const two = path.join(dir, `${path.basename(src)}-2.pdf`);
      await signPdf(src, one, { signer: first, level: 'B-T', tsa: tsa() });
      await signPdf(one, two, { signer: second, level: 'B-LTA', tsa: tsa() });
      const r = await validatePdf(two, { trust: [bed.rootPem] });
      expect(r.error).toBeNull();
      for (const s of r.signatures) expect([s.field, s.indication, s.modifications.filter((m) => !m.allowed)]).toEqual([s.field, 'TOTAL_PASSED', []]);
      // The DSS and document timestamp added by the second signing lift the first signature too.
      expect(r.signatures.filter((s) => s.kind === 'signature').map((s) => s.level)).toEqual(['B-LTA', 'B-LTA']);
    }
  });

  it('two signatures (B-T then B-LTA by another signer), certification P=2 on the first', async () => {
    const one = path.join(dir, 'multi-1.pdf');
    const two = path.join(dir, 'multi-2.pdf');
    await signPdf(input, one, { signer: first, level: 'B-T', tsa: tsa(), certify: 2 });
    await signPdf(one, two, { signer: second, level: 'B-LTA', tsa: tsa() });
    const r = await validatePdf(two, { trust: [bed.rootPem] });
    const sigs = r.signatures.filter((s) => s.kind === 'signature');
    expect(sigs.map((s) => [s.signer, s.indication])).toEqual([
      ['Nguyễn Văn An', 'TOTAL_PASSED'],
      ['Trần Thị Bình', 'TOTAL_PASSED'],
    ]);
    expect(sigs[0]!.docMdp).toBe(2);
    expect(sigs[0]!.modifications.every((m) => m.allowed)).toBe(true);
    expect(r.signatures.every((s) => s.indication === 'TOTAL_PASSED')).toBe(true);
    const report = await pdfsig(two);
    expect(report.match(/Signature is Valid\./g)?.length).toBe(2);
  });
});
