/**
 * Stream decoding: FlateDecode (with PNG and TIFF predictors), ASCIIHexDecode, ASCII85Decode,
 * LZW is not needed for signing and is refused like every other filter, with a clear error.
 */
import { inflateSync, constants as zc } from 'node:zlib';
import { KysoError } from '../api/errors.js';
import { PdfDict, PdfName, type PdfObject } from './objects.js';

/** Largest decoded stream accepted (guards against decompression bombs). */
export const MAX_DECODED = 512 * 1024 * 1024;

/** Decodes `raw` through the stream's /Filter chain. `parms` entries must be resolved dicts. */
export function decodeFilters(raw: Uint8Array, filter: PdfObject | undefined, parms: PdfObject | undefined): Uint8Array {
  const filters = filter === undefined || filter === null ? [] : Array.isArray(filter) ? filter : [filter];
  const parmList = Array.isArray(parms) ? parms : [parms ?? null];
  let data = raw;
  filters.forEach((f, i) => {
    if (!(f instanceof PdfName)) throw new KysoError('pdfMalformed', { offset: -1, detail: 'filter is not a name' });
    const p = parmList[i];
    const dp = p instanceof PdfDict ? p : undefined;
    switch (f.value) {
      case 'FlateDecode':
      case 'Fl':
        data = applyPredictor(inflate(data), dp);
        break;
      case 'ASCIIHexDecode':
      case 'AHx':
        data = asciiHex(data);
        break;
      case 'ASCII85Decode':
      case 'A85':
        data = ascii85(data);
        break;
      case 'Crypt':
        // Decryption already happened when the stream was read (crypt/document.ts).
        break;
      default:
        throw new KysoError('pdfUnsupportedFilter', { filter: f.value });
    }
  });
  return data;
}

/** Inflates zlib data; a truncated or slightly corrupt tail is tolerated as viewers do. */
export function inflate(data: Uint8Array): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: MAX_DECODED });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new KysoError('pdfLimit', { detail: 'decoded stream too large' });
    try {
      return inflateSync(data, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED });
    } catch (e2) {
      throw new KysoError('pdfMalformed', { offset: -1, detail: 'corrupt Flate stream' }, { cause: e2 });
    }
  }
}

/** Reverses a PNG (10-15) or TIFF (2) predictor. */
export function applyPredictor(data: Uint8Array, parms: PdfDict | undefined): Uint8Array {
  const pred = parms?.getNumber('Predictor') ?? 1;
  if (pred <= 1) return data;
  const colors = parms?.getNumber('Colors') ?? 1;
  const bpc = parms?.getNumber('BitsPerComponent') ?? 8;
  const columns = parms?.getNumber('Columns') ?? 1;
  if (colors < 1 || colors > 32 || ![1, 2, 4, 8, 16].includes(bpc) || columns < 1 || columns > 1 << 24) {
    throw new KysoError('pdfMalformed', { offset: -1, detail: 'bad predictor parameters' });
  }
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (pred === 2) {
    if (bpc !== 8) throw new KysoError('pdfUnsupportedFilter', { filter: 'TIFF predictor bpc ' + bpc });
    const out = Buffer.from(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen) for (let i = bpp; i < rowLen; i++) out[r + i] = (out[r + i]! + out[r + i - bpp]!) & 0xff;
    return out;
  }
  return unpng(data, rowLen, bpp);
}

/** Undoes PNG row filters (each row prefixed by its filter type byte). */
export function unpng(data: Uint8Array, rowLen: number, bpp: number): Buffer {
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = Buffer.alloc(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const src = r * (rowLen + 1) + 1;
    const dst = r * rowLen;
    const up = dst - rowLen;
    for (let i = 0; i < rowLen; i++) {
      const x = data[src + i]!;
      const a = i >= bpp ? out[dst + i - bpp]! : 0;
      const b = r > 0 ? out[up + i]! : 0;
      const c = r > 0 && i >= bpp ? out[up + i - bpp]! : 0;
      let v: number;
      switch (type) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new KysoError('pdfMalformed', { offset: -1, detail: 'bad PNG predictor row type ' + type });
      }
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}

function asciiHex(data: Uint8Array): Buffer {
  const s = Buffer.from(data).toString('latin1');
  const end = s.indexOf('>');
  let hex = (end >= 0 ? s.slice(0, end) : s).replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new KysoError('pdfMalformed', { offset: -1, detail: 'bad ASCIIHex data' });
  if (hex.length % 2) hex += '0';
  return Buffer.from(hex, 'hex');
}

function ascii85(data: Uint8Array): Buffer {
  let s = Buffer.from(data).toString('latin1').replace(/\s+/g, '');
  if (s.startsWith('<~')) s = s.slice(2);
  const end = s.indexOf('~>');
  if (end >= 0) s = s.slice(0, end);
  const out: number[] = [];
  let group: number[] = [];
  const flush = (n: number): void => {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 85 + (group[i] ?? 84);
    const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    out.push(...bytes.slice(0, n));
    group = [];
  };
  for (const ch of s) {
    if (ch === 'z' && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const c = ch.charCodeAt(0) - 33;
    if (c < 0 || c > 84) throw new KysoError('pdfMalformed', { offset: -1, detail: 'bad ASCII85 data' });
    group.push(c);
    if (group.length === 5) flush(4);
  }
  if (group.length > 1) flush(group.length - 1);
  return Buffer.from(out);
}
