import { describe, expect, it } from 'vitest';
import { Base64Decoder } from '../../../main/exchange/edxml/base64.js';

/** Decodes `text` fed in pieces of `size` characters. */
function decode(text: string, size: number): Buffer {
  const d = new Base64Decoder();
  const out: Buffer[] = [];
  for (let i = 0; i < text.length; i += size) out.push(d.push(text.slice(i, i + size)));
  d.end();
  return Buffer.concat(out);
}

describe('streaming base64 decoder', () => {
  it('decodes any split of valid input, with line breaks, identically to Buffer', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = Buffer.from(Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff));
      const b64 = bytes.toString('base64').replace(/(.{76})/g, '$1\r\n');
      for (const size of [1, 2, 3, 5, 7, 64, 10_000]) expect(decode(b64, size).equals(bytes), `${len}/${size}`).toBe(true);
    }
  });

  it('rejects characters outside the alphabet, misplaced padding and truncation', () => {
    for (const bad of ['QU*D', 'QQ==QUJD', 'Q===', 'QUJ', 'QU=D', 'QUJD&amp;', 'QQ=']) {
      expect(() => decode(bad, 1), bad).toThrow();
      expect(() => decode(bad, 100), bad).toThrow();
    }
  });
});
