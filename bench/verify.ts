/**
 * Validation bench: a 10 MB PDF (one page drawing a 10 MB image) signed three times
 * (B-B, B-T, then a DSS with OCSP/CRLs), validated offline by Kyso and by pdfsig on the same
 * file. Median of 5 runs each, in this process for Kyso (after one warm-up run) and as a process for pdfsig.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePdf } from '../main/validation/index.js';
import { createNssDb } from '../test/bed/nss.js';
import { createValidationBed } from '../test/integration/validation/helpers/bed.js';
import { dssFixture, signFixture } from '../test/integration/validation/helpers/sign.js';

function bigPdf(bytes: number): Buffer {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const n = side * side * 3;
  const parts: Buffer[] = [];
  let pos = 0;
  const offsets: number[] = [];
  const w = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    parts.push(b);
    pos += b.length;
  };
  w('%PDF-1.7\n');
  offsets[1] = pos;
  w(`1 0 obj\n<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /BitsPerComponent 8 /ColorSpace /DeviceRGB /Length ${n} >>\nstream\n`);
  w(randomBytes(n));
  w('\nendstream\nendobj\n');
  const draw = 'q 595 0 0 842 0 0 cm /Im1 Do Q';
  const objs = [
    '<< /Type /Catalog /Pages 3 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
    '<< /Type /Page /Parent 3 0 R /Resources << /XObject << /Im1 1 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`,
  ];
  objs.forEach((o, i) => {
    offsets[i + 2] = pos;
    w(`${i + 2} 0 obj\n${o}\nendobj\n`);
  });
  const xref = pos;
  w(`xref\n0 6\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  w(`trailer\n<< /Size 6 /Root 2 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeProcess(cmd: string, args: string[]): Promise<{ ms: number; out: string }> {
  const t = performance.now();
  return new Promise((resolve) => execFile(cmd, args, { maxBuffer: 1 << 24 }, (_e, stdout, stderr) => resolve({ ms: performance.now() - t, out: `${stdout}${stderr}` })));
}

/** Runs the bench and prints a table. */
export async function benchVerify(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-bench-verify-'));
  const bed = await createValidationBed();
  try {
    let pdf = bigPdf(10 * 1024 * 1024);
    const chain = bed.chainFile;
    pdf = await signFixture(pdf, { cert: bed.good.certPath, key: bed.good.keyPath!, chain });
    pdf = await signFixture(pdf, { cert: bed.second.certPath, key: bed.second.keyPath!, chain, tsa: bed.tsa });
    pdf = await signFixture(pdf, { cert: bed.good.certPath, key: bed.good.keyPath!, chain, tsa: bed.tsa });
    pdf = dssFixture(pdf, { certs: [readFileSync(bed.pki.issuing.certPath)], ocsps: [await bed.ocspFor(bed.good), await bed.ocspFor(bed.second)], crls: bed.crls() });
    const file = join(dir, 'three-signatures.pdf');
    writeFileSync(file, pdf);
    const nss = await createNssDb(join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
    // One warm-up run (module JIT, pkijs schemas) before measuring.
    await validatePdf(file, { trust: [bed.rootPem], offline: true });
    const kyso: number[] = [];
    let verdict = '';
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await validatePdf(file, { trust: [bed.rootPem], offline: true });
      kyso.push(performance.now() - t);
      verdict = r.signatures.map((s) => `${s.indication}/${s.level}`).join(', ');
    }
    const pdfsig: number[] = [];
    let valid = 0;
    for (let i = 0; i < 5; i++) {
      const r = await timeProcess('pdfsig', ['-nssdir', `sql:${nss}`, file]);
      pdfsig.push(r.ms);
      valid = r.out.match(/Signature is Valid\./g)?.length ?? 0;
    }
    console.log(`file: ${(pdf.length / 1048576).toFixed(1)} MB, 3 signatures + DSS`);
    console.log('tool                          | median ms | min ms | result');
    console.log(`kyso validatePdf (offline)    | ${median(kyso).toFixed(0).padStart(9)} | ${Math.min(...kyso).toFixed(0).padStart(6)} | ${verdict}`);
    console.log(`pdfsig (poppler/NSS, process) | ${median(pdfsig).toFixed(0).padStart(9)} | ${Math.min(...pdfsig).toFixed(0).padStart(6)} | ${valid}/3 "Signature is Valid."`);
  } finally {
    await bed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchVerify();
