/**
 * `kyso verify` and `kyso trust` through the real CLI entry: exit statuses 0/1/2/3, the --json
 * shape, the admin trust store in KYSO_HOME, and the PDF/JSON report (read back by pdftotext).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { signFixture } from './helpers/sign.js';
import { appendNewPageContent } from './helpers/attacks.js';

let bed: ValidationBed;
let dir: string;
let home: string;
const files: Record<string, string> = {};

async function cli(args: string[], lang = 'vi'): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--lang', lang, ...args], { env: { KYSO_HOME: home }, out: (s) => void (out += s), err: (s) => void (err += s), isTty: false });
  return { code, out, err };
}

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vcli-'));
  home = path.join(dir, 'home');
  const base = await basePdf();
  const good = await signFixture(base, { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile, field: 'Approval' });
  const write = (name: string, b: Buffer): void => {
    files[name] = path.join(dir, name);
    writeFileSync(files[name], b);
  };
  write('good.pdf', good);
  write('tampered.pdf', appendNewPageContent(good));
  write('unsigned.pdf', base);
  write('notpdf.pdf', Buffer.from('this is not a pdf'));
  write('root.pem', bed.rootPem);
});

afterAll(async () => {
  await bed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kyso trust', () => {
  it('add, list, remove in KYSO_HOME/trust', async () => {
    expect((await cli(['trust', 'list'])).out).toContain('Kho tin cậy đang trống');
    const add = await cli(['trust', 'add', files['root.pem']!]);
    expect(add.code).toBe(0);
    expect(add.out).toContain('Kyso Test Root CA');
    const list = JSON.parse((await cli(['trust', 'list', '--json'])).out) as { anchors: Array<{ fingerprint: string }> };
    expect(list.anchors).toHaveLength(1);
    const bad = await cli(['trust', 'add', files['notpdf.pdf']!]);
    expect(bad.code).not.toBe(0);
    const rm = await cli(['trust', 'remove', list.anchors[0]!.fingerprint.slice(0, 12)]);
    expect(rm.code).toBe(0);
    expect(JSON.parse((await cli(['trust', 'list', '--json'])).out).anchors).toHaveLength(0);
  });
});

describe('kyso verify', () => {
  it('exit 0 and the --json shape for a valid file (trust from --trust)', async () => {
    const r = await cli(['verify', files['good.pdf']!, '--trust', files['root.pem']!, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { files: Array<{ file: string; signatures: Array<Record<string, unknown>> }> };
    const s = j.files[0]!.signatures[0]!;
    expect(Object.keys(s).slice(0, 10)).toEqual(['field', 'signer', 'indication', 'subIndication', 'signingTime', 'timeSource', 'level', 'coversWholeDocument', 'modifications', 'checks']);
    expect(s).toMatchObject({ field: 'Approval', signer: 'Nguyễn Văn An', indication: 'TOTAL_PASSED', level: 'B-B', coversWholeDocument: true });
    expect((s.checks as Array<{ name: string; result: string; detail: string }>).every((c) => typeof c.name === 'string' && typeof c.detail === 'string')).toBe(true);
  });

  it('exit 1 tampered, 2 offline/unsigned, 3 not a PDF; trust from the admin store', async () => {
    expect((await cli(['trust', 'add', files['root.pem']!])).code).toBe(0);
    expect((await cli(['verify', files['tampered.pdf']!])).code).toBe(1);
    expect((await cli(['verify', files['good.pdf']!, '--offline'])).code).toBe(2);
    expect((await cli(['verify', files['unsigned.pdf']!])).code).toBe(2);
    const np = await cli(['verify', files['notpdf.pdf']!, files['good.pdf']!]);
    expect(np.code).toBe(3);
    expect(np.out).toContain(`Tệp ${files['notpdf.pdf']} không phải là tệp PDF.`);
    expect((await cli(['verify', files['good.pdf']!, files['tampered.pdf']!])).code).toBe(1);
    expect((await cli(['verify', files['good.pdf']!, '--time', 'yesterday'])).code).not.toBe(0);
    expect((await cli(['verify'])).code).toBe(2);
  });

  it('human output in Vietnamese and English, and PDF/JSON reports', async () => {
    const vi = await cli(['verify', files['tampered.pdf']!]);
    expect(vi.out).toContain('KHÔNG HỢP LỆ');
    expect(vi.out).toContain('Nội dung trang bị thay đổi sau khi ký');
    const en = await cli(['verify', files['tampered.pdf']!], 'en');
    // The text report names the same ETSI indication as the JSON one.
    expect(en.out).toContain('INVALID (TOTAL_FAILED / SIG_CONSTRAINTS_FAILURE)');
    expect(en.out).toContain('The certificate or the signature does not meet the constraints');
    expect(en.out).toContain('Page content changed after signing');
    const pdf = path.join(dir, 'report.pdf');
    const json = path.join(dir, 'report.json');
    expect((await cli(['verify', files['good.pdf']!, '--offline', '--report', pdf])).code).toBe(2);
    const text = execFileSync('pdftotext', [pdf, '-']).toString();
    expect(text).toContain('BÁO CÁO KIỂM TRA CHỮ KÝ SỐ');
    expect(text).toContain('Nguyễn Văn An');
    expect(text).toContain('không xác định được tình trạng thu hồi');
    execFileSync('qpdf', ['--check', pdf]);
    await cli(['verify', files['good.pdf']!, '--report', json], 'en');
    const rep = JSON.parse(readFileSync(json, 'utf8')) as { generatedAt: string; files: unknown[] };
    expect(rep.files).toHaveLength(1);
    expect(Date.parse(rep.generatedAt)).not.toBeNaN();
  });
});
