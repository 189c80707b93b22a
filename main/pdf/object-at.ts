/** Reads one indirect object head at a file offset, growing the read window as needed. */
import { KysoError } from '../api/errors.js';
import { NeedMoreData, Parser, type IndirectHead, type ValueSpan } from './parser.js';
import type { FileSource } from './source.js';

/** Largest window read for one object's dictionary part (stream data is never in it). */
export const MAX_OBJECT_WINDOW = 64 * 1024 * 1024;

/**
 * Parses `num gen obj ...` at `offset`; stream data is left in the file (see streamOffset).
 * With `spans`, the byte span of every string, array and dictionary is recorded there.
 */
export async function readIndirectAt(src: FileSource, offset: number, firstWindow = 4096, spans?: WeakMap<object, ValueSpan>): Promise<IndirectHead> {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= src.size) {
    throw new KysoError('pdfMalformed', { offset, detail: 'object offset outside the file' });
  }
  // Grows by 8: a signature dictionary (tens of KB of /Contents hex) is parsed twice, not four times.
  for (let win = firstWindow; ; win *= 8) {
    const len = Math.min(win, src.size - offset);
    const buf = await src.read(offset, len);
    const p = new Parser(buf, 0, offset, offset + len >= src.size);
    if (spans) p.spans = spans;
    try {
      return p.parseIndirect();
    } catch (e) {
      if (!(e instanceof NeedMoreData)) throw e;
      if (win >= MAX_OBJECT_WINDOW) throw new KysoError('pdfLimit', { detail: `object at ${offset} larger than ${MAX_OBJECT_WINDOW} bytes` });
    }
  }
}

/** Runs a parse over a growing window starting at `offset` (for xref tables and trailers). */
export async function parseWindow<T>(src: FileSource, offset: number, fn: (p: Parser) => T, firstWindow = 65536): Promise<T> {
  for (let win = firstWindow; ; ) {
    const len = Math.min(win, src.size - offset);
    const buf = await src.read(offset, len);
    try {
      return fn(new Parser(buf, 0, offset, offset + len >= src.size));
    } catch (e) {
      if (!(e instanceof NeedMoreData)) throw e;
      if (win >= MAX_OBJECT_WINDOW) throw new KysoError('pdfLimit', { detail: `xref section at ${offset} too large` });
      // Jump straight to the size the parser asked for (a big xref table is parsed twice at most).
      win = Math.min(MAX_OBJECT_WINDOW, Math.max(win * 4, e.needed + 65536));
    }
  }
}
