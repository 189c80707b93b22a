import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfDict, PdfString, dict, name } from '../../../main/pdf/objects.js';
import { Parser, type ValueSpan } from '../../../main/pdf/parser.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { simplePdf } from './build-pdf.js';

const dir = mkdtempSync(join(tmpdir(), 'kyso-spans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('value spans and prefix views (for validation)', () => {
  it('records the span of strings, arrays and dictionaries when asked', () => {
    const text = '  << /A [1 2] /C <00ff> /D (x\\)) >>';
    const p = new Parser(Buffer.from(text, 'latin1'), 0, 1000);
    const spans = new WeakMap<object, ValueSpan>();
    p.spans = spans;
    const d = p.parseObject() as PdfDict;
    const at = (s: string): ValueSpan => ({ start: 1000 + text.indexOf(s), end: 1000 + text.indexOf(s) + s.length });
    expect(spans.get(d)).toEqual(at('<< /A [1 2] /C <00ff> /D (x\\)) >>'));
    expect(spans.get(d.get('A') as object)).toEqual(at('[1 2]'));
    expect(spans.get(d.get('C') as object)).toEqual(at('<00ff>'));
    expect(spans.get(d.get('D') as object)).toEqual(at('(x\\))'));
    // Off by default.
    expect(new Parser(Buffer.from(text, 'latin1')).spans).toBeNull();
  });

  it('locates a signature dictionary and its /Contents in a later revision; a prefix view ends there', async () => {
    const orig = join(dir, 'orig.pdf');
    writeFileSync(orig, simplePdf());
    const base = await PdfFile.open(orig);
    const up = new IncrementalUpdate(base);
    const sigRef = up.add(dict({ Type: name('Sig'), Contents: new PdfString(Buffer.from('0011aa', 'hex'), true), ByteRange: [0, 1, 2, 3] }));
    const out = join(dir, 'two.pdf');
    await up.writeTo(out);
    await base.close();
    const bytes = readFileSync(out);

    const pdf = await PdfFile.open(out);
    expect(pdf.revisions).toHaveLength(2);
    const loc = await pdf.resolver.locate(sigRef);
    expect(loc).not.toBeNull();
    const sig = loc!.value as PdfDict;
    const cs = loc!.spanOf(sig.get('Contents'))!;
    expect(bytes.toString('latin1', cs.start, cs.end).toLowerCase()).toBe('<0011aa>');
    const ds = loc!.spanOf(sig)!;
    expect(bytes.toString('latin1', ds.start, ds.start + 2)).toBe('<<');
    expect(bytes.toString('latin1', ds.end - 2, ds.end)).toBe('>>');
    expect(bytes.toString('latin1', loc!.start).startsWith(`${sigRef.num} 0 obj`)).toBe(true);
    expect(bytes.toString('latin1', loc!.end - 6, loc!.end)).toBe('endobj');
    expect(loc!.start).toBeGreaterThanOrEqual(pdf.revisions[0]!.endOffset);
    // Not present as of revision 0; free or unknown numbers are null too.
    expect(await pdf.atRevision(0).locate(sigRef)).toBeNull();
    expect(await pdf.resolver.locate(9999)).toBeNull();
    const firstEnd = pdf.revisions[0]!.endOffset;
    await pdf.close();

    const prefix = await PdfFile.open(out, { limit: firstEnd, repair: false });
    expect(prefix.size).toBe(firstEnd);
    expect(prefix.revisions).toHaveLength(1);
    expect(await prefix.getObject(sigRef)).toBeNull();
    expect(await prefix.pageCount()).toBe(1);
    await prefix.close();
  });
});
