/**
 * Interop: PDFs signed by another implementation (poppler's `pdfsig -add-signature`, NSS,
 * adbe.pkcs7.detached, one and two signatures) validate, and a tampered copy does not.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdfBuffer } from '../../../main/validation/index.js';
import { createNssDb } from '../../bed/nss.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { appendNewPageContent } from './helpers/attacks.js';

let bed: ValidationBed;
let dir: string;
let nss: string;

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(cmd, args, (e, out, err) => (e ? reject(new Error(`${cmd}: ${err}`)) : resolve(`${out}${err}`))));
}

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vint-'));
  nss = await createNssDb(path.join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
  const p12 = path.join(dir, 'good.p12');
  await sh('openssl', ['pkcs12', '-export', '-inkey', bed.good.keyPath!, '-in', bed.good.certPath, '-name', 'good', '-passout', 'pass:x', '-out', p12]);
  await sh('pk12util', ['-i', p12, '-d', `sql:${nss}`, '-W', 'x']);
  const p12b = path.join(dir, 'second.p12');
  await sh('openssl', ['pkcs12', '-export', '-inkey', bed.second.keyPath!, '-in', bed.second.certPath, '-name', 'second', '-passout', 'pass:x', '-out', p12b]);
  await sh('pk12util', ['-i', p12b, '-d', `sql:${nss}`, '-W', 'x']);
  writeFileSync(path.join(dir, 'in.pdf'), await basePdf());
});

afterAll(async () => {
  await bed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('signed by poppler/NSS (adbe.pkcs7.detached; poppler 22 cannot add ETSI signatures)', () => {
  it('one and two signatures: TOTAL_PASSED; a tampered copy TOTAL_FAILED', async () => {
    const one = path.join(dir, 'poppler-1.pdf');
    const two = path.join(dir, 'poppler-2.pdf');
    await sh('pdfsig', ['-add-signature', '-nssdir', `sql:${nss}`, '-nick', 'good', path.join(dir, 'in.pdf'), one]);
    await sh('pdfsig', ['-add-signature', '-nssdir', `sql:${nss}`, '-nick', 'second', one, two]);
    for (const [file, count] of [[one, 1], [two, 2]] as const) {
      const buf = readFileSync(file);
      const r = await validatePdfBuffer(buf, file, { trust: [bed.rootPem] });
      expect(r.error).toBeNull();
      expect(r.signatures).toHaveLength(count);
      for (const s of r.signatures) {
        expect(s.subFilter).toBe('adbe.pkcs7.detached');
        expect(s.indication, JSON.stringify(s.checks.filter((c) => c.result !== 'pass'))).toBe('TOTAL_PASSED');
        expect(s.modifications.every((m) => m.allowed)).toBe(true);
      }
      const bad = await validatePdfBuffer(appendNewPageContent(buf), 't.pdf', { trust: [bed.rootPem] });
      expect(bad.signatures.every((s) => s.indication === 'TOTAL_FAILED')).toBe(true);
    }
  });
});
