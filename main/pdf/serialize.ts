/** Serializes PDF objects to bytes (for new objects of an incremental update only). */
import { PdfDict, PdfName, PdfRaw, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.js';

const DELIM = new Set('()<>[]{}/%'.split('').map((c) => c.charCodeAt(0)));

/** Formats a number: integers as-is, reals in fixed notation without exponent. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError('PDF numbers must be finite');
  // toFixed switches to exponent notation from 1e21; BigInt never does.
  if (Number.isInteger(n)) return n === 0 ? '0' : BigInt(n).toString();
  // Up to 6 decimals is beyond any practical precision for coordinates; trim trailing zeros.
  let s = n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  if (s === '-0') s = '0';
  return s;
}

/** Encodes a name with #xx escapes for delimiters, whitespace and non-printables. */
export function formatName(value: string): string {
  let out = '/';
  for (const byte of Buffer.from(value, 'latin1')) {
    if (byte < 0x21 || byte > 0x7e || byte === 0x23 || DELIM.has(byte)) out += '#' + byte.toString(16).padStart(2, '0');
    else out += String.fromCharCode(byte);
  }
  return out;
}

/** Encodes string bytes as a literal string with escapes, or as hex. */
export function formatString(s: PdfString): string {
  const b = Buffer.from(s.bytes);
  if (s.hex) return '<' + b.toString('hex') + '>';
  let out = '(';
  for (const byte of b) {
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += '\\' + String.fromCharCode(byte);
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte < 0x20 || byte > 0x7e) out += '\\' + byte.toString(8).padStart(3, '0');
    else out += String.fromCharCode(byte);
  }
  return out + ')';
}

/** Serializes any non-stream object to a Latin-1 string. Streams throw (use serializeIndirect). */
export function serializeObject(o: PdfObject, depth = 0): string {
  if (depth > 100) throw new RangeError('object nesting too deep to serialize');
  if (o === null) return 'null';
  if (typeof o === 'boolean') return o ? 'true' : 'false';
  if (typeof o === 'number') return formatNumber(o);
  if (o instanceof PdfName) return formatName(o.value);
  if (o instanceof PdfString) return formatString(o);
  if (o instanceof PdfRef) return `${o.num} ${o.gen} R`;
  if (o instanceof PdfRaw) return o.text;
  if (Array.isArray(o)) return '[' + o.map((x) => serializeObject(x, depth + 1)).join(' ') + ']';
  if (o instanceof PdfDict) {
    let out = '<<';
    for (const [k, v] of o.map) out += formatName(k) + ' ' + serializeObject(v, depth + 1);
    return out + '>>';
  }
  throw new TypeError('streams can only be serialized as indirect objects');
}

/** Serializes `num gen obj ... endobj\n`; streams need their raw bytes already loaded. */
export function serializeIndirect(num: number, gen: number, o: PdfObject, streamData?: Uint8Array): Buffer {
  const head = `${num} ${gen} obj\n`;
  if (o instanceof PdfStream) {
    if (!streamData) throw new TypeError('stream data required');
    const d = o.dict.clone().set('Length', streamData.length);
    return Buffer.concat([
      Buffer.from(head + serializeObject(d) + '\nstream\n', 'latin1'),
      streamData,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ]);
  }
  return Buffer.from(head + serializeObject(o) + '\nendobj\n', 'latin1');
}
