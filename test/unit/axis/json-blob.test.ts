/** The streaming reader of a JSON answer carrying a base64 package: escapes, limits, truncation, garbage. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonBlobError, readJsonBlob } from '../../../server/axis/json-blob.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-jsonblob-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Feeds `text` in chunks of `size` bytes. */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const read = (text: string | Buffer, size = 7, max = 1 << 20) => {
  const dest = path.join(dir, `out-${++n}`);
  return { dest, p: readJsonBlob(chunks(text, size), 'data', dest, max) };
};

describe('readJsonBlob', () => {
  const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  const b64 = payload.toString('base64');

  it('decodes the field into a file at every chunk size, and parses the other fields', async () => {
    for (const size of [1, 3, 64, 100_000]) {
      const { dest, p } = read(`{"status":"OK","ErrorCode":"0","ErrorDesc":"Thành công","data":"${b64}","n":{"a":[1,"}"]}}`, size);
      const r = await p;
      expect(r.fields).toEqual({ status: 'OK', ErrorCode: '0', ErrorDesc: 'Thành công', data: null, n: { a: [1, '}'] } });
      expect(readFileSync(dest).equals(payload)).toBe(true);
      expect(r.blob!.bytes).toBe(payload.length);
    }
  });

  it('resolves the JSON escapes Java encoders write (\\/, \\u003d, \\r\\n line breaks)', async () => {
    const escaped = b64.replace(/(.{76})/g, '$1\n').replace(/\//g, '\\/').replace(/=/g, '\\u003d').replace(/\n/g, '\\r\\n');
    const { dest, p } = read(`{ "data" : "${escaped}" , "status" : "OK" }`);
    await p;
    expect(readFileSync(dest).equals(payload)).toBe(true);
  });

  it('refuses a package over the limit, bad base64, truncation, garbage, and leaves no file', async () => {
    const cases: [string, RegExp, number][] = [
      [`{"data":"${b64}"}`, /larger than/, 1000],
      [`{"data":"${b64.slice(0, -3)}"}`, /truncated base64/, 1 << 20],
      [`{"data":"@@@@"}`, /invalid base64/, 1 << 20],
      [`{"status":"OK","data":"${b64.slice(0, 100)}`, /ends before/, 1 << 20],
      ['<html>Bad gateway</html>', /not a JSON object/, 1 << 20],
      [`{"data":"QQ=="}x`, /after the JSON object/, 1 << 20],
      [`{"data":"QQ==","data":"QQ=="}`, /duplicate/, 1 << 20],
    ];
    for (const [text, re, max] of cases) {
      const { dest, p } = read(text, 5, max);
      await expect(p).rejects.toThrow(JsonBlobError);
      await expect(p).rejects.toThrow(re);
      expect(existsSync(dest)).toBe(false);
    }
  });

  it('an answer without the field has no blob', async () => {
    const { dest, p } = read('{"status":"FAIL","ErrorCode":"404","ErrorDesc":"Không tìm thấy"}');
    const r = await p;
    expect(r.blob).toBeUndefined();
    expect(r.fields.ErrorCode).toBe('404');
    expect(existsSync(dest)).toBe(false);
  });
});
