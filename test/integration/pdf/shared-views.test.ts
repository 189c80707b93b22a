/**
 * Prefix views of one file sharing what they parse (SharedParse, used by validation): a view
 * takes another view's object only when that object reads the same in it, i.e. its bytes lie
 * inside the view's prefix and, for a stream, its length does not depend on the revision.
 * Each case is also read without sharing, and must give the same answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfStream, PdfString, PdfDict } from '../../../main/pdf/objects.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import { sharedParse } from '../../../main/pdf/revisions.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-shared-views-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Appends `objects` (number -> body) and an xref section with trailer to `head`; returns the new bytes and where it ends. */
function update(head: string, objects: Array<[number, string]>, trailer: string): string {
  let out = head;
  const offsets: Array<[number, number]> = [];
  for (const [num, body] of objects) {
    offsets.push([num, out.length]);
    out += `${num} 0 obj\n${body}\nendobj\n`;
  }
  const xref = out.length;
  out += 'xref\n0 1\n0000000000 65535 f \n';
  for (const [num, at] of offsets) out += `${num} 1\n${String(at).padStart(10, '0')} 00000 n \n`;
  return `${out}trailer\n${trailer}\nstartxref\n${xref}\n%%EOF\n`;
}

const base = (extra: Array<[number, string]>) =>
  update('%PDF-1.7\n', [[1, '<</Type /Catalog /Pages 2 0 R>>'], [2, '<</Type /Pages /Kids [3 0 R] /Count 1>>'], [3, '<</Type /Page /Parent 2 0 R /MediaBox [0 0 100 100]>>'], ...extra], '<</Size 9 /Root 1 0 R>>');

async function both<T>(file: string, limit: number, read: (final: PdfFile, prefix: PdfFile) => Promise<T>): Promise<{ shared: T; alone: T }> {
  const out: T[] = [];
  for (const share of [true, false]) {
    const s = share ? sharedParse() : undefined;
    const final = await PdfFile.open(file, s ? { shared: s } : {});
    const prefix = await PdfFile.open(file, { limit, ...(s ? { shared: s } : {}) });
    try {
      out.push(await read(final, prefix));
    } finally {
      await prefix.close();
      await final.close();
    }
  }
  return { shared: out[0]!, alone: out[1]! };
}

describe('views of one file sharing parsed objects', () => {
  it('an object whose bytes run past a prefix is not lent to that prefix', async () => {
    // Object 5 of the first revision is a string that swallows the revision's own xref and
    // %%EOF: the prefix ending there cannot read it; the whole file (after an update that
    // closes the string) can.
    const rev1 = base([]);
    const open5 = `5 0 obj\n<</B (`;
    const at5 = rev1.length;
    const body = `${rev1}${open5}`;
    const xref1 = body.length;
    const withXref = `${body}xref\n0 1\n0000000000 65535 f \n1 3\n${String(rev1.indexOf('1 0 obj')).padStart(10, '0')} 00000 n \n${String(rev1.indexOf('2 0 obj')).padStart(10, '0')} 00000 n \n${String(rev1.indexOf('3 0 obj')).padStart(10, '0')} 00000 n \n5 1\n${String(at5).padStart(10, '0')} 00000 n \ntrailer\n<</Size 9 /Root 1 0 R>>\nstartxref\n${xref1}\n%%EOF\n`;
    const prefixEnd = withXref.length;
    const file = path.join(dir, 'straddle.pdf');
    writeFileSync(file, update(`${withXref})>>\nendobj\n`, [[6, '<</C 1>>']], `<</Size 9 /Root 1 0 R /Prev ${xref1}>>`), 'latin1');
    const r = await both(file, prefixEnd, async (final, prefix) => {
      const whole = await final.getObject(5);
      const cut = await prefix.getObject(5).then((v) => (v instanceof PdfDict ? 'read' : 'null'), () => 'unreadable');
      return { whole: whole instanceof PdfDict && whole.get('B') instanceof PdfString, cut };
    });
    expect(r.alone).toEqual({ whole: true, cut: 'unreadable' });
    expect(r.shared).toEqual(r.alone);
  });

  it('a stream whose /Length is an object the next revision redefines is read per revision', async () => {
    // `endstream` follows both 5 and 20 bytes of data: each length is confirmed where it is in force.
    const rev1 = base([[4, '<</Type /XObject /Subtype /Form /BBox [0 0 1 1] /Length 7 0 R>>\nstream\n12345\nendstream\n6789\nendstream'], [7, '20']]);
    const xref1 = Number(/startxref\n(\d+)/.exec(rev1)![1]);
    // The update only changes object 7: the stream's bytes are the same, its length is not.
    const file = path.join(dir, 'length.pdf');
    writeFileSync(file, update(rev1, [[7, '5']], `<</Size 9 /Root 1 0 R /Prev ${xref1}>>`), 'latin1');
    const r = await both(file, rev1.length, async (final, prefix) => {
      const a = await final.getObject(4);
      const b = await prefix.getObject(4);
      if (!(a instanceof PdfStream) || !(b instanceof PdfStream)) throw new Error('not streams');
      return [a.rawLength, b.rawLength];
    });
    expect(r.alone).toEqual([5, 20]);
    expect(r.shared).toEqual(r.alone);
  });

  it('a stream with a direct length is parsed once and read by every view', async () => {
    const rev1 = base([[4, '<</Type /XObject /Subtype /Form /BBox [0 0 1 1] /Length 9>>\nstream\nq Q 0 0 m\nendstream']]);
    const xref1 = Number(/startxref\n(\d+)/.exec(rev1)![1]);
    const file = path.join(dir, 'direct.pdf');
    writeFileSync(file, update(rev1, [[6, '<</C 1>>']], `<</Size 9 /Root 1 0 R /Prev ${xref1}>>`), 'latin1');
    const r = await both(file, rev1.length, async (final, prefix) => {
      const a = await final.getObject(4);
      const b = await prefix.getObject(4);
      if (!(a instanceof PdfStream) || !(b instanceof PdfStream)) throw new Error('not streams');
      return { same: a === b, data: Buffer.from(await b.raw()).toString('latin1') };
    });
    expect(r.shared).toEqual({ same: true, data: 'q Q 0 0 m' });
    expect(r.alone).toEqual({ same: false, data: 'q Q 0 0 m' });
  });
});
