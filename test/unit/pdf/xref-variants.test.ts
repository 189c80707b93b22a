import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import type { PdfDict } from '../../../main/pdf/objects.js';
import { simplePdf, tempDir } from './build-pdf.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('xref table variants', () => {
  it('reads a sloppy table (short offsets, LF-only lines, split subsections) without repair', async () => {
    const good = simplePdf().toString('latin1');
    const offsets = [...good.matchAll(/(\d{10}) 00000 n/g)].map((m) => Number(m[1]));
    const xrefAt = good.lastIndexOf('xref\n');
    const table = `xref\n0 1\n0 65535 f\n1 2\n${offsets[0]} 0 n\n${offsets[1]}  0  n\n3 3\n${offsets.slice(2).map((o) => `${o} 0 n`).join('\n')}\ntrailer << /Size 6 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const file = tmp.file('sloppy.pdf', Buffer.from(good.slice(0, xrefAt) + table, 'latin1'));
    const pdf = await PdfFile.open(file);
    expect(pdf.repaired).toBe(false);
    expect(pdf.entry(5)).toEqual({ type: 'offset', offset: offsets[4], gen: 0 });
    expect(((await pdf.getObject(5)) as PdfDict).getName('BaseFont')).toBe('Helvetica');
    await pdf.close();
  });

  it('finds startxref even with junk after %%EOF', async () => {
    const file = tmp.file('junk.pdf', Buffer.concat([simplePdf(), Buffer.alloc(20_000, 0x20), Buffer.from('junk')]));
    const pdf = await PdfFile.open(file);
    expect(pdf.repaired).toBe(false);
    expect(await pdf.pageCount()).toBe(1);
    await pdf.close();
  });
});
