/**
 * The VGCA-compatible service end to end with real parts (SoftHSM2 token, OpenSSL PKI, TLS
 * with the service's own CA, a loopback document system): each role endpoint fetches the
 * page's PDF with its session, asks (origin once, then the signing question), signs, and
 * uploads `uploadfile` to the page's handler; the reply carries the handler's answer verbatim.
 * The uploaded files are checked by pdfsig (poppler + NSS) and by Kyso's validator.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdf } from '../../../main/validation/index.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import { findText } from '../../../main/pdf/text-extract.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { DOCSYS_SESSION, startDocSys, type DocSys } from '../../bed/docsys.js';
import { pdfsig, pdfsigBlocks } from '../signing/oracles.js';
import { approveWith, startHarness, vgca, type Harness } from './harness.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let docs: DocSys;
let h: Harness;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-vgca-'));
  bed = await createTestBed();
  docs = await startDocSys(path.join(work, 'docsys'));
  h = await startHarness(bed);
  h.answer(approveWith(bed.tokens.official.pin));
}, 120_000);

afterAll(async () => {
  await h?.close();
  await docs?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh copy of the sample served by the document system. */
function serve(name: string): string {
  const f = path.join(work, name);
  copyFileSync(FIXTURE, f);
  return docs.addFile(name, f);
}

const session = { SessionId: DOCSYS_SESSION.sessionId, JWTToken: DOCSYS_SESSION.jwt };

/** The text a viewer renders for the signed file (widget appearances flattened by qpdf). */
function renderedText(file: string): string {
  const flat = `${file}.flat.pdf`;
  execFileSync('qpdf', ['--flatten-annotations=all', '--', file, flat]);
  // In content order, then line by line as laid out (a number written into the letter's own
  // "Số: …" blank reads on that line only in the layout).
  const raw = execFileSync('pdftotext', ['-raw', flat, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const layout = execFileSync('pdftotext', ['-layout', flat, '-'], { encoding: 'utf8' }).split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  return [raw, ...layout].join(' | ');
}

async function checkSigned(file: string): Promise<void> {
  const report = await pdfsig(file, bed.nssDir);
  const last = pdfsigBlocks(report).at(-1)!;
  expect(last, report).toContain('Signature is Valid.');
  expect(last, report).toContain('Certificate is Trusted.');
  const v = await validatePdf(file, { trust: [bed.certs.root.der], offline: false });
  expect(v.error).toBeNull();
  expect(v.signatures.at(-1)!.indication, JSON.stringify(v.signatures.at(-1)!.checks.filter((c) => c.result !== 'pass'))).toBe('TOTAL_PASSED');
}

describe('VGCA-compatible role endpoints', () => {
  it('GetVersion answers without asking anything', async () => {
    const r = await vgca(h, 'GetVersion', '', docs.origin);
    expect(r.Status).toBe(0);
    expect(String(r.Version)).toMatch(/^\d+\.\d+/);
    expect(h.prompts).toHaveLength(0);
  });

  it('SignApproved: asks the new site once, then the signing question; signs and uploads with the page session', async () => {
    const url = serve('cong-van-phe-duyet.pdf');
    const before = docs.uploads.length;
    const r = await vgca(h, 'SignApproved', { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: url }, docs.origin);
    expect(r.Status, String(r.Message)).toBe(0);
    const up = docs.uploads[before]!;
    expect(r.FileServer).toBe(up.answer);
    expect(r.FileName).toBe(url);
    expect(up.fileName).toBe('cong-van-phe-duyet.pdf');
    expect(up.cookie).toBe(`${DOCSYS_SESSION.cookie}=${DOCSYS_SESSION.sessionId}`);
    expect(up.authorization).toBe(`Bearer ${DOCSYS_SESSION.jwt}`);
    await checkSigned(up.file);
    expect(renderedText(up.file)).toContain('Ký bởi: Nguyễn Văn An');
    const kinds = h.prompts.map((p) => p.prompt.kind);
    expect(kinds).toEqual(['origin', 'sign']);
    const q = h.prompts[1]!.prompt;
    if (q.kind !== 'sign') throw new Error('sign question expected');
    expect(q.documents[0]).toMatchObject({ name: 'cong-van-phe-duyet.pdf', size: readFileSync(FIXTURE).length, pages: 1 });
    expect(q.documents[0]!.sha256).toBe(execFileSync('openssl', ['dgst', '-sha256', '-r', FIXTURE], { encoding: 'utf8' }).split(' ')[0]);
    expect(q.role).toBe('approval');
    // No saved placement or anchor: the user places the approval stamp.
    expect(q.placements[0]!.source).toBe('ask');
    expect(h.store.settings.get('service.origins')).toMatchObject({ [docs.origin]: { allowed: true } });
  });

  it.each([
    ['SignIssued', 'issuing', { DocNumber: '123/QĐ-UBND', IssuedDate: '2026-11-22T09:00:00+07:00' }, ['Số: 123/UBND-VP', 'ngày 22 tháng 11 năm 2026', 'Ủy ban nhân dân tỉnh Thử Nghiệm']],
    ['SignIncome', 'incoming', { DocNumber: '45', MetaData: [{ Key: 'NgayDen', Value: '2026-11-23T08:00:00+07:00' }] }, ['ĐẾN', 'Số: 45', 'Ngày: 23/11/2026']],
    ['SignCopy', 'copy', { DocNumber: '123/BCY-CTSBMTT', MetaData: [{ Key: 'abc', Value: 'abc' }] }, ['SAO Y', 'Số: 123/BCY-CTSBMTT']],
    ['SignAppendix', 'attachment', { DocNumber: '123/BCY-CTSBMTT', MetaData: [{ Key: 'token', Value: 'x1' }] }, ['Số: 123/BCY-CTSBMTT', 'Ủy ban nhân dân tỉnh Thử Nghiệm']],
    ['Comment', 'initials', { MetaData: [{ Key: 'note', Value: 'ý kiến' }] }, ['N.V.A']],
  ])('%s stamps the %s role and returns the handler answer', async (endpoint, role, extra, texts) => {
    const url = serve(`${endpoint}.pdf`);
    const before = docs.uploads.length;
    const asked = h.prompts.length;
    const r = await vgca(h, endpoint, { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: url, ...extra }, docs.origin);
    expect(r.Status, String(r.Message)).toBe(0);
    const up = docs.uploads[before]!;
    expect(r.FileServer).toBe(up.answer);
    const q = h.prompts[asked]!.prompt;
    expect(q.kind === 'sign' && q.role).toBe(role);
    if (endpoint === 'SignIssued') {
      expect(r.DocumentNumber).toBe('123/QĐ-UBND');
      expect(r.DocumentDate).toBe('2026-11-22T09:00:00+07:00');
    }
    // MetaData go to the handler as form fields, in order.
    expect(up.fields).toEqual(((extra as { MetaData?: Array<{ Key: string; Value: string }> }).MetaData ?? []).map((m) => ({ name: m.Key, value: m.Value })));
    await checkSigned(up.file);
    const text = renderedText(up.file);
    for (const t of texts) expect(text).toContain(t);
  });

  it('the batch call: one question for ten files, one PIN, ten uploads and a result per file', async () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ FileID: i, FileName: `van-ban-${i}.pdf`, URL: serve(`lo-${i}.pdf`) }));
    const before = docs.uploads.length;
    const asked = h.prompts.length;
    const r = await vgca(h, 'SignFiles', { FileUploadHandler: `${docs.origin}/upload`, ...session, Files: files }, docs.origin);
    expect(r.Status, String(r.Message)).toBe(0);
    const rows = r.Files as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(10);
    expect(rows.every((x) => x.Status === 0)).toBe(true);
    expect(h.prompts.slice(asked).map((p) => p.prompt.kind)).toEqual(['sign']);
    const q = h.prompts[asked]!.prompt;
    expect(q.kind === 'sign' && q.documents.map((d) => d.name)).toEqual(files.map((f) => f.FileName));
    expect(docs.uploads.length - before).toBe(10);
    for (const [i, up] of docs.uploads.slice(before).entries()) {
      expect(rows[i]!.FileServer).toBe(up.answer);
      expect(rows[i]!.FileID).toBe(String(i));
      await checkSigned(up.file);
    }
  });

  it('a saved placement for the role is used without asking where', async () => {
    h.store.settings.set('service.placements', { approval: { page: 1, rect: [60, 60, 170, 70] } });
    const asked = h.prompts.length;
    const r = await vgca(h, 'SignPDF', { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: serve('saved.pdf') }, docs.origin);
    expect(r.Status, String(r.Message)).toBe(0);
    const q = h.prompts[asked]!.prompt;
    expect(q.kind === 'sign' && q.placements[0]).toEqual({ source: 'saved', page: 1, rect: [60, 60, 170, 70] });
    const rect = /\/Rect\s*\[\s*([\d.\s]+)\]/.exec(readFileSync(docs.uploads.at(-1)!.file, 'latin1').split('/FT /Sig').at(-1)!);
    expect(rect?.[1]?.trim().split(/\s+/).map(Number)).toEqual([60, 60, 230, 130]);
    h.store.settings.set('service.placements', null);
  });

  it('an anchor text for the role places the stamp below it, on the page where it is', async () => {
    h.store.settings.set('service.anchors', { approval: 'PHÓ CHỦ TỊCH' });
    const asked = h.prompts.length;
    const r = await vgca(h, 'SignApproved', { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: serve('anchor.pdf') }, docs.origin);
    expect(r.Status, String(r.Message)).toBe(0);
    const q = h.prompts[asked]!.prompt;
    expect(q.kind === 'sign' && q.placements[0]).toEqual({ source: 'anchor', page: 1, anchor: 'PHÓ CHỦ TỊCH' });
    const pdf = await PdfFile.open(FIXTURE);
    const [m] = await findText(pdf, 0, 'PHÓ CHỦ TỊCH');
    await pdf.close();
    const rect = /\/Rect\s*\[\s*([\d.\s]+)\]/.exec(readFileSync(docs.uploads.at(-1)!.file, 'latin1').split('/FT /Sig').at(-1)!)![1]!.trim().split(/\s+/).map(Number);
    // Centred under the title, just below it.
    expect(rect[3]!).toBeLessThan(m!.y);
    expect(Math.abs((rect[0]! + rect[2]!) / 2 - (m!.x + m!.width / 2))).toBeLessThan(1);
    h.store.settings.set('service.anchors', null);
  });

  it('GetCertInfo (literal get_cert_info) gives the certificate of an allowed site without a PIN', async () => {
    const r = await vgca(h, 'GetCertInfo', 'get_cert_info', docs.origin);
    expect(r.Status).toBe(0);
    const info = r.CertInfo as Record<string, string>;
    expect(info.SubjectCN).toBe('Nguyễn Văn An');
    expect(Buffer.from(info.Base64!, 'base64').equals(bed.certs.official.der)).toBe(true);
  });

  it('VerifyPDF reports the signatures of a signed document on the site', async () => {
    const signed = docs.uploads.at(-1)!.file;
    const url = docs.addFile('da-ky.pdf', signed);
    const r = await vgca(h, 'VerifyPDF', { FileName: url, ...session }, docs.origin);
    expect(r.Status, String(r.Message)).toBe(0);
    expect((r.Signatures as Array<{ Signer: string; Indication: string }>)[0]).toMatchObject({ Signer: 'Nguyễn Văn An' });
  });
});
