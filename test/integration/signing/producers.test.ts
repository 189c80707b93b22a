/**
 * PDFs from other producers sign correctly (visible approval stamp on page 1): xref streams
 * with object streams, hybrid xref, linearized, PDF 1.3 and 2.0, an existing AcroForm,
 * rotated pages, inherited page attributes, and a file already signed by @signpdf.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import { signPdf } from '../../../main/signing/pades.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import type { PdfRef } from '../../../main/pdf/objects.js';
import { simplePdf } from '../../unit/pdf/build-pdf.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from './local-pki.js';
import { makeNssDb, opensslVerify, pdfsig, pdfsigBlocks, qpdfCheck, signaturesOf } from './oracles.js';

const SAMPLE = path.resolve('test/fixtures/cong-van-mau.pdf');
const SIG = path.resolve('test/fixtures/signature.png');
let dir: string;
let pki: LocalPki;
let nss: string;
let signer: Signer;
const fx: Record<string, string> = {};

const qpdf = (...args: string[]) => execFileSync('qpdf', args);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-producers-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
  nss = await makeNssDb(path.join(dir, 'nss'), pki.root.cert, [pki.intermediate.cert, pki.rsa.cert]);
  signer = softwareSigner(readFileSync(pki.rsa.key), pki.rsa.der, [pki.intermediate.der]);
  const f = (n: string) => path.join(dir, n);
  fx.objstm = f('objstm.pdf');
  qpdf('--object-streams=generate', SAMPLE, fx.objstm);
  fx.linearized = f('lin.pdf');
  qpdf('--linearize', SAMPLE, fx.linearized);
  fx.rotated = f('rot.pdf');
  qpdf('--rotate=+90:1', SAMPLE, fx.rotated);
  fx.v13 = f('v13.pdf');
  writeFileSync(fx.v13, simplePdf({ version: '1.3' }));
  fx.v20 = f('v20.pdf');
  qpdf('--force-version=2.0', SAMPLE, fx.v20);
  fx.inherit = f('inherit.pdf');
  writeFileSync(fx.inherit, simplePdf({ page: '', pages: '/MediaBox [0 0 300 400] /Rotate 270 /Resources << /Font << /F1 5 0 R >> >>' }));
  const doc = await PDFDocument.create();
  const page = doc.addPage();
  const form = doc.getForm();
  form.createTextField('nguoi.ky').addToPage(page, { x: 50, y: 50 });
  form.createCheckBox('dongy').addToPage(page, { x: 50, y: 100 });
  fx.form = f('form.pdf');
  writeFileSync(fx.form, Buffer.from(await doc.save({ useObjectStreams: true })));
  fx.hybrid = await makeHybrid(fx.objstm, f('hybrid.pdf'));
  fx.signpdf = await signWithSignpdf(f('signpdf.pdf'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hybrid-reference file: a classic table whose trailer points at the xref stream (/XRefStm). */
async function makeHybrid(src: string, out: string): Promise<string> {
  const base = readFileSync(src);
  const pdf = await PdfFile.open(src);
  const sec = pdf.revisions[0]!.sections[0]!;
  const root = pdf.trailer.get('Root') as PdfRef;
  await pdf.close();
  const body = base.subarray(0, base.lastIndexOf('startxref'));
  const size = Math.max(...sec.entries.keys()) + 1;
  let table = `xref\n0 ${size}\n`;
  for (let n = 0; n < size; n++) {
    const e = sec.entries.get(n);
    table += e?.type === 'offset' ? `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n` : `0000000000 ${n ? '00000' : '65535'} f\r\n`;
  }
  table += `trailer\n<< /Size ${size} /Root ${root.num} 0 R /XRefStm ${sec.offset} >>\nstartxref\n${body.length}\n%%EOF\n`;
  writeFileSync(out, Buffer.concat([body, Buffer.from(table, 'latin1')]));
  return out;
}

/** The sample signed by @signpdf (adbe.pkcs7.detached), as another tool would. */
async function signWithSignpdf(out: string): Promise<string> {
  const p12 = path.join(dir, 'ec.p12');
  await run('openssl', ['pkcs12', '-export', '-inkey', pki.rsa.key, '-in', pki.rsa.cert, '-certfile', pki.intermediate.cert, '-out', p12, '-passout', 'pass:']);
  const withPlaceholder = plainAddPlaceholder({ pdfBuffer: readFileSync(SAMPLE), reason: 'other tool', contactInfo: '', name: 'other', location: '' });
  const signed = await new SignPdf().sign(withPlaceholder, new P12Signer(readFileSync(p12)));
  writeFileSync(out, signed);
  return out;
}

describe('signing PDFs from other producers', () => {
  it.each(['objstm', 'hybrid', 'linearized', 'v13', 'v20', 'form', 'rotated', 'inherit', 'signpdf'])('%s', async (k) => {
    const input = fx[k]!;
    const out = path.join(dir, `${k}-signed.pdf`);
    const before = signaturesOf(input).length;
    await signPdf(input, out, { signer, appearance: { role: 'approval', image: SIG } });
    const orig = readFileSync(input);
    expect(readFileSync(out).subarray(0, orig.length).equals(orig)).toBe(true);
    const report = await pdfsig(out, nss);
    const blocks = pdfsigBlocks(report);
    expect(blocks.length, report).toBe(before + 1);
    for (const b of blocks) expect(b, report).toContain('Signature is Valid.');
    expect(blocks.at(-1), report).toContain('Total document signed');
    if (k === 'signpdf') {
      // @signpdf's own update already draws a qpdf warning; ours must add none.
      const warnings = (f: string) => spawnSync('qpdf', ['--check', f], { encoding: 'utf8' }).stderr.split('\n').filter((l) => l.startsWith('WARNING')).map((l) => l.replace(f, 'FILE'));
      expect(warnings(out)).toEqual(warnings(input));
      expect(warnings(input)).toEqual(['WARNING: FILE: extraneous whitespace seen before xref']);
    } else expect(await qpdfCheck(out)).toMatch(/No syntax or stream encoding errors found/);
    const last = signaturesOf(out).at(-1)!;
    expect(await opensslVerify(out, last, pki.root.cert, dir)).toContain('Verification successful');
    if (k === 'form') {
      const pdf = await PdfFile.open(out);
      const names = (await pdf.acroForm())!.fields.map((f) => f.name).sort();
      await pdf.close();
      expect(names).toEqual(['Signature1', 'dongy', 'nguoi.ky']);
    }
  });
});
