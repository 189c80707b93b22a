/**
 * Write failures while a package is received: an upload cut off mid-attachment, a full disk.
 * Each must be a clear error to the caller with nothing kept, never an uncaught exception
 * (which in the inbox server would stop it for every client). /dev/full gives a real ENOSPC.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackage, writePackage } from '../../../main/exchange/edxml/index.js';
import type { KysoError } from '../../../main/api/errors.js';
import { testSigner } from './keys.js';

let dir: string;
let pkg: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-sink-'));
  const file = path.join(dir, 'p.edxml');
  await writePackage({
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' },
      to: [{ organId: '000.00.01.H49', organName: 'Sở Tài chính' }],
      code: { codeNumber: '15', codeNotation: 'QĐ-UBND' },
      promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 2, typeName: 'Quyết định' },
      subject: 'Về việc thử ghi lỗi',
      signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' },
      otherInfo: { priority: 1, appendixes: [] },
      steeringType: 1,
    },
    attachments: [{ meta: { contentId: 'att0', attachmentName: 'scan.pdf', contentType: 'application/pdf' }, data: Buffer.alloc(12 << 20, 0x41) }],
  }, await testSigner('RSA'), file);
  pkg = readFileSync(file);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The package in 4 MB pieces, then a connection reset before the end. */
async function* cutOff(): AsyncGenerator<Buffer> {
  for (let i = 0; i < pkg.length / 2; i += 4 << 20) yield pkg.subarray(i, i + (4 << 20));
  throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

describe('receiving a package when writing fails', () => {
  it('an upload cut off mid-attachment is an error; the raw copy and decoded files are removed', async () => {
    const tmp = mkdtempSync(path.join(dir, 'cut-'));
    const copyTo = path.join(dir, 'cut.edxml');
    const e = (await readPackage(cutOff(), { tmpDir: tmp, copyTo }).catch((x: unknown) => x)) as KysoError;
    expect(e.code).toBe('edxmlMalformed');
    expect(existsSync(copyTo)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
    // Let any late write callback of the destroyed streams run inside this test.
    await new Promise((r) => setTimeout(r, 200));
  });

  it('a full disk is diskFull (not a malformed package), with nothing left behind', async () => {
    const tmp = mkdtempSync(path.join(dir, 'full-'));
    const copyTo = path.join(dir, 'full-link');
    symlinkSync('/dev/full', copyTo);
    const e = (await readPackage([pkg], { tmpDir: tmp, copyTo }).catch((x: unknown) => x)) as KysoError;
    expect(e.code).toBe('diskFull');
    expect(() => lstatSync(copyTo)).toThrow();
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync('/dev/full')).toBe(true);
  });
});
