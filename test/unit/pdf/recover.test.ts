/**
 * Revision recovery (main/pdf/recover.ts) on files made of many small updates with a broken
 * /Prev chain: every view of the file (validation opens one per revision) shares the markers
 * and sections already parsed instead of reading and parsing the whole prefix again, and a
 * file with more updates than a /Prev chain may have is rebuilt as one revision.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import { recoverRevisions } from '../../../main/pdf/recover.js';
import { sharedParse } from '../../../main/pdf/revisions.js';
import { FileSource } from '../../../main/pdf/source.js';
import { simplePdf, tempDir } from './build-pdf.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** simplePdf followed by `n` empty updates whose trailers say /Prev 0 (each ends with its own marker). */
function brokenChain(n: number): Buffer {
  let s = simplePdf().toString('latin1');
  const root = /\/Root (\d+ \d+ R)/.exec(s)![1];
  for (let i = 0; i < n; i++) s += `xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1/Root ${root}/Prev 0>>\nstartxref\n${s.length}\n%%EOF\n`;
  return Buffer.from(s, 'latin1');
}

describe('revision recovery', () => {
  it('a view of the file reuses what a larger view of it parsed, and finds the same revisions', async () => {
    const file = tmp.file('many.pdf', brokenChain(200));
    const full = await PdfFile.open(file);
    expect(full.repairKind).toBe('brokenPrev');
    const ends = full.revisions.map((r) => r.endOffset);
    await full.close();
    const shared = sharedParse();
    const first = await FileSource.open(file);
    expect((await recoverRevisions(first, shared))!.revisions).toHaveLength(201);
    await first.close();
    // Each earlier revision's view (what validation opens per signature) reads next to nothing.
    for (const end of [ends[150]!, ends[40]!, ends[1]!]) {
      const view = await FileSource.open(file, end);
      const again = await recoverRevisions(view, shared);
      const fresh = await FileSource.open(file, end);
      const alone = await recoverRevisions(fresh);
      await fresh.close();
      expect(again!.revisions.map((r) => [r.startOffset, r.endOffset, r.xrefOffset])).toEqual(alone!.revisions.map((r) => [r.startOffset, r.endOffset, r.xrefOffset]));
      expect(view.bytesRead).toBeLessThan(1024);
      await view.close();
    }
  });

  it('more updates than a /Prev chain may have: the file is rebuilt as one revision', async () => {
    const f = await PdfFile.open(tmp.file('too-many.pdf', brokenChain(10_001)));
    expect([f.repairKind, f.revisions.length]).toEqual(['rebuilt', 1]);
    await f.close();
  }, 60_000);
});
