import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { objectNumbers } from '../../../main/pdf/revisions.js';
import { PdfDict, PdfRef, name } from '../../../main/pdf/objects.js';
import { simplePdf, tempDir } from '../../unit/pdf/build-pdf.js';
import { qpdf, qpdfCheck } from './tools.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('revisions for modification analysis', () => {
  it.each(['table', 'stream'])('resolves objects as of each revision, with replaced and freed objects (%s xref)', async (kind) => {
    let input = tmp.file(`base-${kind}-in.pdf`, simplePdf());
    if (kind === 'stream') {
      const out = tmp.file('base-stream.pdf');
      qpdf('--object-streams=generate', input, out);
      input = out;
    }
    // Revision 1: replace the font, add an object.
    const p0 = await PdfFile.open(input);
    const fontRef = ((await p0.page(0)).resources.get('Font') as PdfDict).get('F1') as PdfRef;
    const up1 = new IncrementalUpdate(p0);
    const f = await up1.edit(fontRef);
    f.set('BaseFont', name('Courier'));
    const added = up1.add(new PdfDict({ Type: name('Test') }));
    const r1 = tmp.file(`r1-${kind}.pdf`);
    await up1.writeTo(r1);
    await p0.close();
    // Revision 2: free the added object.
    const p1 = await PdfFile.open(r1);
    const up2 = new IncrementalUpdate(p1);
    up2.free(added);
    const r2 = tmp.file(`r2-${kind}.pdf`);
    await up2.writeTo(r2);
    await p1.close();
    expect(qpdfCheck(r2).status).toBe(0);

    const pdf = await PdfFile.open(r2);
    expect(pdf.revisions).toHaveLength(3);
    expect(pdf.lastXrefKind).toBe(kind);
    const at = async (i: number): Promise<string | undefined> => ((await pdf.atRevision(i).getObject(fontRef)) as PdfDict).getName('BaseFont');
    expect(await at(0)).toBe('Helvetica');
    expect(await at(1)).toBe('Courier');
    expect(await pdf.atRevision(0).getObject(added)).toBeNull();
    expect(await pdf.atRevision(1).getObject(added)).toBeInstanceOf(PdfDict);
    expect(await pdf.atRevision(2).getObject(added)).toBeNull();
    expect(pdf.atRevision(2).entry(added.num)).toEqual({ type: 'free', gen: 1 });
    expect(objectNumbers(pdf.revisions[1]!)).toEqual(expect.arrayContaining([fontRef.num, added.num]));
    // Each revision's byte range ends at its %%EOF: the earlier files are exact prefixes.
    expect(pdf.revisions[0]!.endOffset).toBe(readFileSync(input).length);
    expect(pdf.revisions[1]!.endOffset).toBe(readFileSync(r1).length);
    await pdf.close();
  });
});
