/** file:readPdf through the real core: PDFs only, size-capped, localized errors. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';

let dir: string;
let core: Core;
const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-file-'));
  core = await createCore({ host: 'browser', home: path.join(dir, 'home'), lang: 'vi', shell: browserShellHandlers() });
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('file:readPdf', () => {
  it('returns the exact bytes of a PDF', async () => {
    const pdf = path.join(fixtures, 'cong-van-mau.pdf');
    const r = await core.call('file:readPdf', { path: pdf });
    expect(r.ok).toBe(true);
    const v = (r as { value: { base64: string; size: number } }).value;
    expect(Buffer.from(v.base64, 'base64').equals(readFileSync(pdf))).toBe(true);
    expect(v.size).toBe(readFileSync(pdf).length);
  });

  it('refuses non-PDF and missing files with localized messages', async () => {
    const txt = path.join(dir, 'notes.txt');
    writeFileSync(txt, 'hello');
    expect(await core.call('file:readPdf', { path: txt })).toMatchObject({ ok: false, error: { code: 'notPdf', message: `Tệp ${txt} không phải là PDF.` } });
    expect(await core.call('file:readPdf', { path: path.join(dir, 'none.pdf') })).toMatchObject({ ok: false, error: { code: 'fileNotFound' } });
  });
});
