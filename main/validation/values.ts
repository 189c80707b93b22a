/**
 * Small helpers over main/pdf's object model for the validator: typed getters, text strings,
 * and the structural equality the modification analysis diffs revisions with.
 */
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../pdf/objects.js';

/** The name string if `v` is a name. */
export function nameOf(v: PdfObject | undefined): string | undefined {
  return v instanceof PdfName ? v.value : undefined;
}

/** The number if `v` is a number. */
export function numOf(v: PdfObject | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** The dictionary of a dict or a stream. */
export function dictOf(v: PdfObject | undefined): PdfDict | undefined {
  if (v instanceof PdfDict) return v;
  if (v instanceof PdfStream) return v.dict;
  return undefined;
}

/** Text of a PDF text string (UTF-16BE or UTF-8 with BOM, else Latin-1). */
export function textOf(v: PdfObject | undefined): string | undefined {
  return v instanceof PdfString ? v.asText() : undefined;
}

/** Raw stream bytes are compared only up to this size; bigger differing-location streams count as changed. */
const MAX_COMPARE = 64 * 1024 * 1024;

async function sameStreamData(a: PdfStream, b: PdfStream): Promise<boolean> {
  const la = a.location;
  const lb = b.location;
  // The same bytes in the file: unchanged without reading them.
  if (la && lb && la.offset === lb.offset && la.length === lb.length) return true;
  if (a.rawLength !== b.rawLength || a.rawLength > MAX_COMPARE) return false;
  return Buffer.from(await a.raw()).equals(Buffer.from(await b.raw()));
}

/**
 * Structural equality of two values; references compare by number and generation, streams by
 * dictionary (ignoring /Length) and raw bytes. An object moved but unchanged is equal.
 */
export async function deepEqual(a: PdfObject | undefined, b: PdfObject | undefined, depth = 0): Promise<boolean> {
  if (depth > 200) return false;
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof PdfName) return b instanceof PdfName && a.value === b.value;
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!(await deepEqual(a[i], b[i], depth + 1))) return false;
    return true;
  }
  if (a instanceof PdfDict) return b instanceof PdfDict && dictEqual(a, b, depth);
  if (a instanceof PdfStream) {
    return b instanceof PdfStream && (await dictEqual(a.dict, b.dict, depth, ['Length'])) && sameStreamData(a, b);
  }
  return false;
}

async function dictEqual(a: PdfDict, b: PdfDict, depth: number, ignore: string[] = []): Promise<boolean> {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    if (!(await deepEqual(a.map.get(k), b.map.get(k), depth + 1))) return false;
  }
  return true;
}

/** Keys whose values differ between two dictionaries. */
export async function changedKeys(a: PdfDict, b: PdfDict): Promise<string[]> {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  const out: string[] = [];
  for (const k of keys) if (!(await deepEqual(a.map.get(k), b.map.get(k)))) out.push(k);
  return out;
}
