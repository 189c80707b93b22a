/**
 * PNG to PDF image XObject, with transparency as an /SMask. Decoding uses node:zlib and the
 * PNG row filters from filters.ts; 8-bit gray, RGB, palette, gray+alpha and RGBA (plus tRNS).
 */
import { deflateSync } from 'node:zlib';
import { KysoError } from '../api/errors.js';
import { inflate, unpng } from './filters.js';
import { PdfDict, PdfStream, name, type PdfRef } from './objects.js';
import type { ObjectSink } from './font.js';

/** A decoded PNG as PDF image streams. */
export interface PngImage {
  width: number;
  height: number;
  image: PdfStream;
  /** Alpha channel as a DeviceGray image, when the PNG has transparency. */
  smask: PdfStream | null;
}

const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const bad = (detail: string): KysoError => new KysoError('pdfImage', { detail });

/** Decodes a PNG into an image stream (+ SMask). Throws pdfImage for unsupported variants. */
export function decodePng(png: Uint8Array): PngImage {
  const b = Buffer.from(png);
  if (b.length < 33 || !b.subarray(0, 8).equals(SIG)) throw bad('not a PNG file');
  let pos = 8;
  let ihdr: Buffer | null = null;
  let plte: Buffer | null = null;
  let trns: Buffer | null = null;
  const idat: Buffer[] = [];
  while (pos + 8 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + len > b.length) throw bad('truncated chunk ' + type);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') ihdr = data;
    else if (type === 'PLTE') plte = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (!ihdr || ihdr.length < 13) throw bad('missing IHDR');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const depth = ihdr[8]!;
  const ctype = ihdr[9]!;
  if (ihdr[12] !== 0) throw bad('interlaced PNG');
  if (depth !== 8) throw bad(`bit depth ${depth} (8 expected)`);
  if (width < 1 || height < 1 || width * height > 50_000_000) throw bad('image size');
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[ctype];
  if (!channels) throw bad(`color type ${ctype}`);
  const raw = unpng(inflate(Buffer.concat(idat)), width * channels, channels);
  if (raw.length < width * height * channels) throw bad('image data too short');
  const n = width * height;
  const gray = ctype === 0 || ctype === 4;
  const color = Buffer.alloc(n * (gray ? 1 : 3));
  let alpha: Buffer | null = ctype === 4 || ctype === 6 || trns ? Buffer.alloc(n, 255) : null;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (ctype === 3) {
      const idx = raw[s]!;
      if (!plte || idx * 3 + 2 >= plte.length) throw bad('palette index out of range');
      plte.copy(color, i * 3, idx * 3, idx * 3 + 3);
      if (alpha && trns) alpha[i] = idx < trns.length ? trns[idx]! : 255;
    } else if (gray) {
      color[i] = raw[s]!;
      if (ctype === 4) alpha![i] = raw[s + 1]!;
      else if (alpha && trns && trns.length >= 2 && raw[s] === trns.readUInt16BE(0)) alpha[i] = 0;
    } else {
      color[i * 3] = raw[s]!;
      color[i * 3 + 1] = raw[s + 1]!;
      color[i * 3 + 2] = raw[s + 2]!;
      if (ctype === 6) alpha![i] = raw[s + 3]!;
      else if (alpha && trns && trns.length >= 6 && raw[s] === trns.readUInt16BE(0) && raw[s + 1] === trns.readUInt16BE(2) && raw[s + 2] === trns.readUInt16BE(4)) alpha[i] = 0;
    }
  }
  // Fully opaque alpha is dropped: an SMask would only cost bytes and rendering time.
  if (alpha && alpha.every((a) => a === 255)) alpha = null;
  const img = (data: Buffer, cs: string): PdfStream =>
    PdfStream.of(new PdfDict({ Type: name('XObject'), Subtype: name('Image'), Width: width, Height: height, ColorSpace: name(cs), BitsPerComponent: 8, Filter: name('FlateDecode') }), deflateSync(data));
  return { width, height, image: img(color, gray ? 'DeviceGray' : 'DeviceRGB'), smask: alpha ? img(alpha, 'DeviceGray') : null };
}

/** Adds the PNG (and its SMask) to `sink`; returns the image XObject ref and size. */
export function embedPng(sink: ObjectSink, png: Uint8Array): { ref: PdfRef; width: number; height: number } {
  const d = decodePng(png);
  if (d.smask) d.image.dict.set('SMask', sink.add(d.smask));
  return { ref: sink.add(d.image), width: d.width, height: d.height };
}

/** Pixel size of a PNG and, when it says so (pHYs in metres), its physical size in millimetres. */
export function pngInfo(png: Uint8Array): { width: number; height: number; widthMm: number | null; heightMm: number | null } {
  const b = Buffer.from(png);
  if (b.length < 33 || !b.subarray(0, 8).equals(SIG) || b.toString('latin1', 12, 16) !== 'IHDR') throw bad('not a PNG file');
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  let pos = 8;
  while (pos + 8 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (type === 'IDAT' || type === 'IEND' || pos + 12 + len > b.length) break;
    if (type === 'pHYs' && len === 9 && b[pos + 16] === 1) {
      const ppmX = b.readUInt32BE(pos + 8);
      const ppmY = b.readUInt32BE(pos + 12);
      if (ppmX > 0 && ppmY > 0) return { width, height, widthMm: (width / ppmX) * 1000, heightMm: (height / ppmY) * 1000 };
    }
    pos += 12 + len;
  }
  return { width, height, widthMm: null, heightMm: null };
}
