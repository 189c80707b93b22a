/**
 * PDF object model of the validator's thin PDF adapter. Values keep their byte positions so
 * the validator can check where a signature's /Contents and /ByteRange really are.
 */

/** A PDF name such as /Type (stored without the slash). */
export class PdfName {
  constructor(readonly name: string) {}
}

/** A literal or hex string with its decoded bytes and its span in the file. */
export class PdfString {
  constructor(
    readonly bytes: Buffer,
    readonly hex: boolean,
    /** Offset of the opening delimiter. */
    readonly start: number,
    /** Offset just after the closing delimiter. */
    readonly end: number,
  ) {}
}

/** An indirect reference `num gen R`. */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

/** A dictionary; keys are names without the slash. */
export class PdfDict {
  constructor(
    readonly map: Map<string, PdfValue>,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The raw value of a key (possibly a reference). */
  get(key: string): PdfValue | undefined {
    return this.map.get(key);
  }
}

/** A stream: its dictionary and the raw (still encoded) data. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly data: Buffer,
    readonly dataStart: number,
  ) {}
}

/** Any PDF value. */
export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfValue[] | PdfDict | PdfStream;

/** A malformed-PDF condition; the validator turns it into a FORMAT_FAILURE or exit status 3. */
export class PdfFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfFormatError';
  }
}

/** The name string if `v` is a name. */
export function nameOf(v: PdfValue | undefined): string | undefined {
  return v instanceof PdfName ? v.name : undefined;
}

/** The number if `v` is a number. */
export function numOf(v: PdfValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** The dictionary of a dict or a stream. */
export function dictOf(v: PdfValue | undefined): PdfDict | undefined {
  if (v instanceof PdfDict) return v;
  if (v instanceof PdfStream) return v.dict;
  return undefined;
}

/** Text of a PDF text string (UTF-16BE with BOM, else Latin-1 as an approximation of PDFDocEncoding). */
export function textOf(v: PdfValue | undefined): string | undefined {
  if (!(v instanceof PdfString)) return undefined;
  const b = v.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const body = Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1)));
    return body.swap16().toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}

/**
 * Structural equality of two values; references compare by number and generation, streams by
 * dictionary and raw bytes. Positions are ignored (an object moved but unchanged is equal).
 */
export function deepEqual(a: PdfValue | undefined, b: PdfValue | undefined, depth = 0): boolean {
  if (depth > 200) return false;
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfString) return b instanceof PdfString && a.bytes.equals(b.bytes);
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i], depth + 1));
  }
  if (a instanceof PdfDict) return b instanceof PdfDict && dictEqual(a, b, depth);
  if (a instanceof PdfStream) {
    return b instanceof PdfStream && a.data.equals(b.data) && dictEqual(a.dict, b.dict, depth, ['Length']);
  }
  return false;
}

function dictEqual(a: PdfDict, b: PdfDict, depth: number, ignore: string[] = []): boolean {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    if (!deepEqual(a.map.get(k), b.map.get(k), depth + 1)) return false;
  }
  return true;
}

/** Keys whose values differ between two dictionaries. */
export function changedKeys(a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  return [...keys].filter((k) => !deepEqual(a.map.get(k), b.map.get(k)));
}
