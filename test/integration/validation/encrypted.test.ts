/**
 * Encrypted PDFs (issue 13 item 7): documents encrypted by qpdf with every algorithm it writes
 * and signed by MuPDF are read (the empty user password automatically, another one when
 * given), their signatures get the verdict pdfsig gives with the password, and Kyso signs them
 * when the permissions allow, encrypting its new objects: qpdf --check, qpdf
 * --show-encryption, pdfsig and mutool accept the result. Certificate encryption is refused.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { signPdf } from '../../../main/signing/pades.js';
import { validatePdf } from '../../../main/validation/index.js';
import type { FileResult, SignatureResult } from '../../../main/validation/types.js';
import { createNssDb } from '../../bed/nss.js';
import { pdfsigBlocks } from '../signing/oracles.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { certificateEncrypted, ENCRYPTIONS, mutoolSign, pkcs12, qpdfEncrypt, withEmptyField, type Encryption } from './helpers/encrypted.js';

let bed: ValidationBed;
let dir: string;
let nss: string;
let field: string;
let pfx: string;
let kysoSigner: Signer;

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-encrypted-'));
  nss = await createNssDb(path.join(dir, 'nss'), bed.pki.root.certPath, [bed.pki.issuing.certPath]);
  field = path.join(dir, 'field.pdf');
  writeFileSync(field, withEmptyField(await basePdf()));
  pfx = pkcs12(dir, bed.good.certPath, bed.good.keyPath!, bed.chainFile);
  const issuing = readFileSync(bed.pki.issuing.certPath, 'latin1').replace(/-----[^-]+-----|\s/g, '');
  kysoSigner = softwareSigner(readFileSync(bed.second.keyPath!), readFileSync(bed.second.derPath), [Buffer.from(issuing, 'base64')]);
});

afterAll(async () => {
  await bed?.close();
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

function pdfsigValid(file: string, password: string): Promise<boolean[]> {
  const args = ['-nssdir', `sql:${nss}`, ...(password ? ['-upw', password] : []), file];
  return new Promise((resolve) => execFile('pdfsig', args, (_e, out) => resolve(pdfsigBlocks(String(out)).map((b) => b.includes('Signature is Valid.')))));
}

function intact(s: SignatureResult): boolean {
  return s.checks.every((c) => !(['byteRange', 'messageDigest', 'signature'].includes(c.name) && c.result === 'fail'));
}

function notes(r: FileResult): string[] {
  return (r.notes ?? []).map((n) => `${n.code}:${n.params.algorithm ?? ''}`);
}

/** An encrypted file signed by MuPDF: `user` opens it ('' = no open password). */
function mupdfSigned(e: Encryption, user: string, name: string): string {
  const enc = path.join(dir, `${name}-enc.pdf`);
  const signed = path.join(dir, `${name}.pdf`);
  qpdfEncrypt(field, enc, user, 'owner-pw', e);
  mutoolSign(enc, signed, user, pfx);
  return signed;
}

describe.each(ENCRYPTIONS)('$name', (e) => {
  it.each([
    ['owner password only (opens without asking)', ''],
    ['with a user password', 'mật-khẩu'],
  ])('%s: read, verified as pdfsig says, signed again by Kyso with its objects encrypted', async (_k, user) => {
    // qpdf stores passwords of R2-R4 in PDFDocEncoding: keep those ASCII.
    const pw = e.args[0] === '256' ? user : user && 'user-pw';
    const name = `${e.algorithm}-${e.args.join('')}-${pw ? 'user' : 'owner'}`.replace(/[^\w-]/g, '');
    const file = mupdfSigned(e, pw, name);
    expect(await pdfsigValid(file, pw)).toEqual([true]);
    if (pw) {
      expect((await validatePdf(file, { trust: [bed.rootPem] })).error?.code).toBe('pdfPasswordRequired');
      expect((await validatePdf(file, { trust: [bed.rootPem], password: 'wrong' })).error?.code).toBe('pdfPasswordWrong');
      await expect(signPdf(file, path.join(dir, 'x.pdf'), { signer: kysoSigner })).rejects.toMatchObject({ code: 'pdfPasswordRequired' });
    }
    const r = await validatePdf(file, { trust: [bed.rootPem], ...(pw ? { password: pw } : {}) });
    expect(r.error).toBeNull();
    expect(notes(r)).toEqual([`${pw ? 'encrypted' : 'encryptedNoOpenPassword'}:${e.algorithm}`]);
    expect(r.signatures).toHaveLength(1);
    const mu = r.signatures[0]!;
    expect(intact(mu), JSON.stringify(mu.checks)).toBe(true);
    expect(mu.indication, JSON.stringify(mu.checks)).not.toBe('TOTAL_FAILED');
    expect(mu.signer).toBe('Nguyễn Văn An');

    // Kyso adds a signature (the owner allowed form filling and annotations).
    const out = path.join(dir, `${name}-kyso.pdf`);
    const res = await signPdf(file, out, { signer: kysoSigner, reason: 'Đã xem xét', ...(pw ? { password: pw } : {}), appearance: { role: 'approval' } });
    expect(res.warnings).toEqual([]);
    expect(readFileSync(out).subarray(0, readFileSync(file).length).equals(readFileSync(file))).toBe(true);
    const qpdfArgs = pw ? [`--password=${pw}`] : [];
    expect(execFileSync('qpdf', ['--check', ...qpdfArgs, out]).toString()).toMatch(/No syntax or stream encoding errors/);
    const show = (f: string): string => execFileSync('qpdf', ['--show-encryption', ...qpdfArgs, f]).toString();
    expect(show(out)).toBe(show(file));
    expect(await pdfsigValid(out, pw)).toEqual([true, true]);
    const mutool = execFileSync('mutool', ['sign', '-v', ...(pw ? ['-p', pw] : []), out]).toString();
    // MuPDF: its own signature still valid (edits after it), Kyso's covering everything.
    expect(mutool).toMatch(/Verifying signature \d+:[^]*The signature is valid but there have been edits since signing\.[^]*Verifying signature \d+:[^]*The document is unchanged since signing\./);
    const again = await validatePdf(out, { trust: [bed.rootPem], ...(pw ? { password: pw } : {}) });
    expect(again.error).toBeNull();
    expect(again.signatures.map(intact)).toEqual([true, true]);
    const kyso = again.signatures[1]!;
    expect(kyso.indication, JSON.stringify([kyso.checks, kyso.modifications])).toBe('TOTAL_PASSED');
    // The strings of the new signature dictionary were encrypted, and read back in clear.
    expect(readFileSync(out).includes(Buffer.from('(Đã xem xét)'))).toBe(false);
    expect(again.signatures[0]!.modifications.filter((m) => !m.allowed)).toEqual([]);
  });
});

describe('kyso verify', () => {
  it('asks for the password of a file with an open password; --password-env opens it; the report says it was encrypted', async () => {
    const file = mupdfSigned(ENCRYPTIONS[4]!, 'bí-mật', 'cli');
    const cli = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> => {
      let out = '';
      const code = await runCli(['--lang', 'vi', 'verify', ...args], { env: { KYSO_HOME: path.join(dir, 'home'), ...env }, out: (x) => void (out += x), err: (x) => void (out += x), isTty: false });
      return { code, out };
    };
    const none = await cli([file, '--trust', bed.pki.root.certPath]);
    expect(none.code).toBe(3);
    expect(none.out).toContain('mật khẩu');
    const wrong = await cli([file, '--password-env', 'PW'], { PW: 'sai' });
    expect(wrong.out).toContain('Mật khẩu không mở được');
    const ok = await cli([file, '--trust', bed.pki.root.certPath, '--password-env', 'PW'], { PW: 'bí-mật' });
    expect(ok.out).toContain('Tệp được mã hóa (AES-256)');
    expect(ok.out).toContain('Nguyễn Văn An');
    expect(ok.out).not.toContain('bí-mật');
  });
});

describe('permissions and other handlers', () => {
  it('an owner who forbids form filling and annotations: refused without the owner password, signed with it', async () => {
    const enc = path.join(dir, 'locked.pdf');
    qpdfEncrypt(field, enc, '', 'owner-pw', ENCRYPTIONS[4]!, ['--form=n', '--annotate=n', '--modify-other=n']);
    await expect(signPdf(enc, path.join(dir, 'locked-out.pdf'), { signer: kysoSigner })).rejects.toMatchObject({ code: 'signNotPermitted' });
    const out = path.join(dir, 'locked-owner.pdf');
    await signPdf(enc, out, { signer: kysoSigner, password: 'owner-pw' });
    // pdfsig also lists the document's empty field first.
    expect(await pdfsigValid(out, '')).toEqual([false, true]);
    const r = await validatePdf(out, { trust: [bed.rootPem] });
    expect(r.signatures[0]!.indication).toBe('TOTAL_PASSED');
  });

  it('certificate (public-key) encryption is refused clearly by verify and sign', async () => {
    const file = path.join(dir, 'pubsec.pdf');
    writeFileSync(file, certificateEncrypted(dir, await basePdf(), bed.good.certPath));
    expect((await validatePdf(file, {})).error?.code).toBe('pdfEncryptedCertificate');
    await expect(signPdf(file, path.join(dir, 'pubsec-out.pdf'), { signer: kysoSigner })).rejects.toMatchObject({ code: 'pdfEncryptedCertificate' });
  });
});
