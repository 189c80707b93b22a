/** Stream decoding needed by the validator (xref and object streams): Flate plus PNG predictors. */
import zlib from 'node:zlib';
import { nameOf, numOf, PdfDict, PdfFormatError, type PdfStream, type PdfValue } from './objects.js';

/** Upper bound on a decoded stream, so a compression bomb cannot exhaust memory. */
const MAX_DECODED = 64 * 1024 * 1024;

/** Decodes a stream's data (FlateDecode only; other filters are not needed for structure). */
export function decodeStream(s: PdfStream): Buffer {
  const f = s.dict.get('Filter');
  const filters = Array.isArray(f) ? f.map(nameOf) : f === undefined ? [] : [nameOf(f)];
  const parmsRaw = s.dict.get('DecodeParms');
  const parms: Array<PdfValue | undefined> = Array.isArray(parmsRaw) ? parmsRaw : [parmsRaw];
  let data: Buffer = s.data;
  filters.forEach((name, i) => {
    if (name !== 'FlateDecode' && name !== 'Fl') throw new PdfFormatError(`unsupported filter ${name ?? '?'}`);
    try {
      data = zlib.inflateSync(data, { maxOutputLength: MAX_DECODED, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new PdfFormatError(`corrupt Flate stream: ${(e as Error).message}`);
    }
    const p = parms[i];
    if (p instanceof PdfDict) data = unpredict(data, p);
  });
  return data;
}

function unpredict(data: Buffer, parms: PdfDict): Buffer {
  const predictor = numOf(parms.get('Predictor')) ?? 1;
  if (predictor < 10) return data;
  const colors = numOf(parms.get('Colors')) ?? 1;
  const bpc = numOf(parms.get('BitsPerComponent')) ?? 8;
  const columns = numOf(parms.get('Columns')) ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (rowLen <= 0 || rowLen > 1 << 20) throw new PdfFormatError('bad predictor columns');
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = Buffer.alloc(rows * rowLen);
  const prev = Buffer.alloc(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const row = data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1));
    const cur = out.subarray(r * rowLen, (r + 1) * rowLen);
    for (let i = 0; i < rowLen; i++) {
      const left = i >= bpp ? cur[i - bpp]! : 0;
      const up = prev[i]!;
      const ul = i >= bpp ? prev[i - bpp]! : 0;
      const x = row[i]!;
      let v: number;
      if (type === 0) v = x;
      else if (type === 1) v = x + left;
      else if (type === 2) v = x + up;
      else if (type === 3) v = x + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - ul;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - ul);
        v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
      } else throw new PdfFormatError(`bad PNG predictor ${type}`);
      cur[i] = v & 0xff;
    }
    cur.copy(prev);
  }
  return out;
}
