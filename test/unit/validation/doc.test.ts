import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../main/pdf/source.js';
import { eofOffsets, nonWhite } from '../../../main/validation/doc.js';

const dir = mkdtempSync(join(tmpdir(), 'kyso-vdoc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validation file scans (chunked)', () => {
  it('finds every %%EOF, also across 1 MB read boundaries, and honours a prefix limit', async () => {
    const mb = 1 << 20;
    const buf = Buffer.alloc(3 * mb, 0x20);
    // One marker inside the first chunk, one straddling the boundary (with CRLF), one at the end.
    buf.write('%%EOF\n', 100, 'latin1');
    buf.write('%%EOF\r\n', mb - 3, 'latin1');
    buf.write('%%EOF', 3 * mb - 5, 'latin1');
    const file = join(dir, 'eofs.bin');
    writeFileSync(file, buf);
    const src = await FileSource.open(file);
    try {
      expect(await eofOffsets(src)).toEqual([106, mb + 4, 3 * mb]);
      expect(await eofOffsets(src, mb)).toEqual([106]);
      expect(await nonWhite(src, 106, mb - 3)).toBe(false);
      expect(await nonWhite(src, 106, mb + 4)).toBe(true);
    } finally {
      await src.close();
    }
  });
});
