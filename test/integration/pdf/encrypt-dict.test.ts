/**
 * Hostile /Encrypt dictionaries (a PDF anyone can send): files encrypted by qpdf, then their
 * /Encrypt dictionary edited in place (same length, so the xref stays right). Each gives a
 * KysoError that says what is wrong, or opens as far as the file allows, never an OpenSSL
 * error from inside the decryption.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isKysoError } from '../../../main/api/errors.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import { tempDir } from '../../unit/pdf/build-pdf.js';
import { qpdf } from './tools.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The sample encrypted by qpdf (empty user password, owner password `owner`). */
function encrypted(name: string, ...args: string[]): string {
  const out = tmp.file(name);
  qpdf('--encrypt', '', 'owner', ...args, '--', 'test/fixtures/cong-van-mau.pdf', out);
  return out;
}

/** `file` with its /Encrypt dictionary edited by `edit` (padded back to its length). */
function edited(file: string, name: string, edit: (dict: string) => string): string {
  const s = readFileSync(file).toString('latin1');
  const start = s.indexOf('<<', s.lastIndexOf(' obj', s.indexOf('/Filter /Standard')));
  const end = s.indexOf('endobj', start);
  const dict = s.slice(start, end);
  const out = edit(dict).replace(/>>\s*$/, '');
  expect(out.length).toBeLessThanOrEqual(dict.length - 3);
  return tmp.file(name, Buffer.from(s.slice(0, start) + out.padEnd(dict.length - 3) + '>>\n' + s.slice(end), 'latin1'));
}

/** Opens the file and reads every object; the error code when that fails. */
async function outcome(file: string, password?: string): Promise<string> {
  let f: PdfFile | undefined;
  try {
    f = await PdfFile.open(file, password === undefined ? {} : { password });
    for (const rev of f.revisions) for (const s of rev.sections) for (const num of s.entries.keys()) await f.getObject(num);
    return `opened ${f.encryption?.algorithm}`;
  } catch (e) {
    return isKysoError(e) ? e.code : `not a KysoError: ${(e as Error).message}`;
  } finally {
    await f?.close();
  }
}

describe('hostile /Encrypt dictionaries', () => {
  it('a wrapped file key (/UE, /OE) shorter than its 32 bytes cannot open the file with that password', async () => {
    const r6 = encrypted('r6.pdf', '256');
    const shortUe = edited(r6, 'short-ue.pdf', (d) => d.replace(/\/UE <([0-9a-f]+)>/, (_m, h: string) => `/UE <${h.slice(0, 10)}>`));
    expect(await outcome(shortUe)).toBe('pdfPasswordRequired');
    expect(await outcome(shortUe, 'owner')).toBe('opened AES-256');
    const shortOe = edited(r6, 'short-oe.pdf', (d) => d.replace(/\/OE <([0-9a-f]+)>/, (_m, h: string) => `/OE <${h.slice(0, 10)}>`));
    expect(await outcome(shortOe)).toBe('opened AES-256');
    // Without its wrapped key the owner password opens nothing: wrong, not a crash.
    expect(await outcome(shortOe, 'owner')).toBe('pdfPasswordWrong');
  });

  it('AES-256 with a revision that derives no 32-byte key is refused as unsupported', async () => {
    const r4 = encrypted('r4.pdf', '128', '--use-aes=y');
    expect(await outcome(edited(r4, 'r4-aesv3.pdf', (d) => d.replace('/AESV2', '/AESV3')))).toBe('pdfEncryptedUnsupported');
    expect(await outcome(edited(encrypted('r6b.pdf', '256'), 'r6-as-r4.pdf', (d) => d.replace('/R 6', '/R 4')))).toBe('pdfEncryptedUnsupported');
  });
});
