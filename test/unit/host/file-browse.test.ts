/**
 * Choosing files in the browser host (issue 14, point 11): the in-page picker's folder
 * listing and the upload of dropped files into KYSO_HOME/uploads.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDir, safeUploadName, Uploads } from '../../../main/services/file-browse.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-browse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the in-page file picker', () => {
  it('lists folders first, then files of the asked types, without hidden entries', async () => {
    mkdirSync(path.join(dir, 'Văn bản đến'));
    mkdirSync(path.join(dir, '.cache'));
    writeFileSync(path.join(dir, 'b.pdf'), '%PDF-1.7');
    writeFileSync(path.join(dir, 'a.PDF'), '%PDF-1.7');
    writeFileSync(path.join(dir, 'ghi-chu.txt'), 'x');
    writeFileSync(path.join(dir, '.an.pdf'), 'x');
    const r = await listDir(dir, ['pdf']);
    expect(r.path).toBe(dir);
    expect(r.parent).toBe(path.dirname(dir));
    expect(r.entries.map((e) => `${e.kind}:${e.name}`)).toEqual(['dir:Văn bản đến', 'file:a.PDF', 'file:b.pdf']);
    expect((await listDir(dir, undefined)).entries.map((e) => e.name)).toContain('ghi-chu.txt');
    await expect(listDir(path.join(dir, 'không có'), undefined)).rejects.toMatchObject({ code: 'fileNotFound' });
    await expect(listDir(path.join(dir, 'b.pdf'), undefined)).rejects.toMatchObject({ code: 'fileNotFolder' });
  });

  it('takes a dropped file in chunks into uploads/<day>/ under a safe, unused name', async () => {
    const up = new Uploads(dir);
    const bytes = Buffer.from('%PDF-1.7 hello world');
    const first = await up.chunk({ name: '../../etc/cong văn:1.pdf', base64: bytes.subarray(0, 8).toString('base64'), last: false });
    expect(first.path).toBeNull();
    const done = await up.chunk({ uploadId: first.uploadId, name: 'x', base64: bytes.subarray(8).toString('base64'), last: true });
    expect(path.basename(done.path!)).toBe('cong văn_1.pdf');
    expect(path.dirname(path.dirname(done.path!))).toBe(path.join(dir, 'uploads'));
    expect(readFileSync(done.path!)).toEqual(bytes);
    const again = await up.chunk({ name: 'cong văn:1.pdf', base64: bytes.toString('base64'), last: true });
    expect(path.basename(again.path!)).toBe('cong văn_1 (2).pdf');
    expect(readdirSync(path.dirname(done.path!)).filter((f) => f.endsWith('.part'))).toEqual([]);
    await expect(up.chunk({ uploadId: 'nope', name: 'x', base64: '', last: true })).rejects.toMatchObject({ code: 'uploadUnknown' });
    expect(safeUploadName('...')).toBe('tep-tai-len');
  });
});
