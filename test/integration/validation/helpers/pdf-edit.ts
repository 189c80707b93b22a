/**
 * Test-only PDF surgery for validation fixtures: serialize values and append hand-made
 * incremental updates (classic xref table), including hostile ones for the attack classes.
 */
import { PdfView } from './pdf/document.js';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './pdf/objects.js';

/** Serializes a value (strings as hex; streams are not supported inline). */
export function ser(v: PdfValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (v instanceof PdfName) return `/${v.name}`;
  if (v instanceof PdfString) return `<${v.bytes.toString('hex')}>`;
  if (v instanceof PdfRef) return `${v.num} ${v.gen} R`;
  if (Array.isArray(v)) return `[${v.map(ser).join(' ')}]`;
  if (v instanceof PdfDict) return `<<${[...v.map].map(([k, x]) => `/${k} ${ser(x)}`).join(' ')}>>`;
  if (v instanceof PdfStream) throw new Error('cannot serialize a stream inline');
  return 'null';
}

/** Serializes a dictionary with some keys replaced (raw PDF text values) or removed (null). */
export function serWith(d: PdfDict, changes: Record<string, string | null>): string {
  const parts: string[] = [];
  for (const [k, x] of d.map) {
    if (k in changes) continue;
    parts.push(`/${k} ${ser(x)}`);
  }
  for (const [k, raw] of Object.entries(changes)) if (raw !== null) parts.push(`/${k} ${raw}`);
  return `<<${parts.join(' ')}>>`;
}

/** A new or replacement object for an update: body text, or a stream with its data. */
export interface NewObject {
  num: number;
  body: string;
  stream?: Buffer;
}

/** Appends an incremental update (objects + xref table + trailer); returns the new file. */
export function appendUpdate(buf: Buffer, objects: NewObject[], trailerExtra: Record<string, string> = {}): Buffer {
  const view = new PdfView(buf);
  const parts: Buffer[] = [buf];
  let pos = buf.length;
  const push = (b: Buffer | string): void => {
    const x = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(x);
    pos += x.length;
  };
  if (buf[buf.length - 1] !== 0x0a) push('\n');
  const offsets = new Map<number, number>();
  for (const o of objects) {
    offsets.set(o.num, pos);
    if (o.stream) {
      push(`${o.num} 0 obj\n${o.body.replace(/>>\s*$/, ` /Length ${o.stream.length}>>`)}\nstream\n`);
      push(o.stream);
      push('\nendstream\nendobj\n');
    } else push(`${o.num} 0 obj\n${o.body}\nendobj\n`);
  }
  const xrefAt = pos;
  let xref = 'xref\n0 1\n0000000000 65535 f \n';
  for (const [num, off] of [...offsets].sort((a, b) => a[0] - b[0])) xref += `${num} 1\n${String(off).padStart(10, '0')} 00000 n \n`;
  const maxNum = Math.max(...objects.map((o) => o.num), 0);
  const size = Math.max(Number(view.trailer.get('Size') ?? 0), maxNum + 1);
  const trailer: Record<string, string> = { Size: String(size), Root: ser(view.trailer.get('Root')), Prev: String(view.startXref) };
  const info = view.trailer.get('Info');
  if (info) trailer.Info = ser(info);
  const id = view.trailer.get('ID');
  if (id) trailer.ID = ser(id);
  Object.assign(trailer, trailerExtra);
  push(`${xref}trailer\n<<${Object.entries(trailer).map(([k, v]) => `/${k} ${v}`).join(' ')}>>\nstartxref\n${xrefAt}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** Next free object number of the file. */
export function nextNum(buf: Buffer): number {
  const view = new PdfView(buf);
  return Math.max(Number(view.trailer.get('Size') ?? 0), ...[...view.entries.keys()].map((n) => n + 1));
}

/** Object number and dictionary of the first page, the catalog and its AcroForm. */
export function docParts(buf: Buffer): { view: PdfView; rootNum: number; catalog: PdfDict; pageNum: number; page: PdfDict } {
  const view = new PdfView(buf);
  const rootNum = view.rootNum()!;
  const catalog = view.catalog();
  let node = catalog.get('Pages');
  for (let i = 0; i < 10; i++) {
    const d = view.dict(node)!;
    const kids = view.resolve(d.get('Kids'));
    if (!Array.isArray(kids)) break;
    node = kids[0]!;
  }
  if (!(node instanceof PdfRef)) throw new Error('no page');
  return { view, rootNum, catalog, pageNum: node.num, page: view.dict(node)! };
}
