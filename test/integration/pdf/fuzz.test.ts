import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import { PdfStream } from '../../../main/pdf/objects.js';
import { isKysoError } from '../../../main/api/errors.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { tempDir } from '../../unit/pdf/build-pdf.js';
import { qpdf } from './tools.js';

const SAMPLE = readFileSync('test/fixtures/cong-van-mau.pdf');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The sample rewritten with object streams and an xref stream, to fuzz those parsers too. */
function objstmSample(): Buffer {
  const out = tmp.file('objstm-src.pdf');
  qpdf('--object-streams=generate', 'test/fixtures/cong-van-mau.pdf', out);
  return readFileSync(out);
}

/** Mulberry32: a tiny seeded PRNG so every run mutates the same way. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['0', '-1', '99999999999', 'R', 'obj', 'endobj', '<<', '>>', '[', ']', '(', ')', 'stream', 'endstream', '/Length', 'xref', 'trailer', '%%EOF', '\n'];

function mutate(buf: Buffer, r: () => number): Buffer {
  const b = Buffer.from(buf);
  const n = 1 + Math.floor(r() * 8);
  let out = b;
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * out.length);
    const kind = r();
    if (kind < 0.4) out[at] = Math.floor(r() * 256);
    else if (kind < 0.7) {
      const tok = Buffer.from(TOKENS[Math.floor(r() * TOKENS.length)]!, 'latin1');
      out = Buffer.concat([out.subarray(0, at), tok, out.subarray(at + tok.length)]);
    } else if (kind < 0.85) out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + Math.floor(r() * 200)))]);
    else out = out.subarray(0, Math.max(1, at));
  }
  return out;
}

describe('fuzz: mutated PDFs never crash or hang', () => {
  it.each([
    ['the Chromium sample (xref table)', 300, () => SAMPLE],
    ['the qpdf object-stream sample (xref stream)', 200, objstmSample],
  ] as const)('mutations of %s give a result or a KysoError', async (_label, count, input) => {
    const r = rng(20261122);
    const bad: string[] = [];
    const src = input();
    for (let i = 0; i < count; i++) {
      const f = tmp.file(`m${i % 4}.pdf`, mutate(src, r));
      try {
        const pdf = await PdfFile.open(f);
        try {
          const page = await pdf.page(0);
          await pdf.acroForm();
          const c = await pdf.resolve(page.dict.get('Contents'));
          if (c instanceof PdfStream) await pdf.decodeStream(c);
          // The writer must cope with whatever the reader accepted.
          const up = new IncrementalUpdate(pdf);
          (await up.edit(page.ref)).set('KysoFuzz', i);
          await up.build();
        } finally {
          await pdf.close();
        }
      } catch (e) {
        if (!isKysoError(e)) bad.push(`${i}: ${(e as Error).stack ?? String(e)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
