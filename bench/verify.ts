/**
 * Validation bench: a 10 MB PDF (one page drawing a 10 MB image) signed three times
 * (B-B, B-T, then a DSS with OCSP/CRLs), validated offline by Kyso and by pdfsig on the same
 * file. Median of 5 runs each, in this process for Kyso (after one warm-up run) and as a process for pdfsig.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePdf } from '../main/validation/index.js';
import { scanLikePdf } from './scan-pdf.js';
import { createNssDb } from '../test/bed/nss.js';
import { createValidationBed } from '../test/integration/validation/helpers/bed.js';
import { dssFixture, signFixture } from '../test/integration/validation/helpers/sign.js';


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
    let pdf = scanLikePdf(10 * 1024 * 1024);
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
