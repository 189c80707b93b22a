/** Builds small hand-written PDFs for tests: objects are given as text, offsets computed here. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options for buildPdf. */
export interface BuildOptions {
  version?: string;
  /** Extra trailer entries, e.g. '/Info 5 0 R'. */
  trailer?: string;
  /** Object 1 must be the catalog unless root is given. */
  root?: number;
}

/** Returns the bytes of a PDF whose object i+1 is `objs[i]` (text between obj/endobj). */
export function buildPdf(objs: (string | Buffer)[], opts: BuildOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(`%PDF-${opts.version ?? '1.7'}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let pos = parts[0]!.length;
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(pos);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), typeof o === 'string' ? Buffer.from(o, 'latin1') : o, Buffer.from('\nendobj\n')]);
    parts.push(b);
    pos += b.length;
  });
  let xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f\r\n`;
  for (const off of offsets) xref += `${String(off).padStart(10, '0')} 00000 n\r\n`;
  xref += `trailer\n<< /Size ${objs.length + 1} /Root ${opts.root ?? 1} 0 R ${opts.trailer ?? ''} >>\nstartxref\n${pos}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** A one-page document; `page` is extra text for the page dict, `pages` for the Pages node. */
export function simplePdf(opts: { page?: string; pages?: string; content?: string; version?: string } = {}): Buffer {
  const content = opts.content ?? 'BT /F1 12 Tf 72 720 Td (Hello) Tj ET';
  return buildPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      `<< /Type /Pages /Kids [3 0 R] /Count 1 ${opts.pages ?? '/MediaBox [0 0 612 792]'} >>`,
      `<< /Type /Page /Parent 2 0 R /Contents 4 0 R ${opts.page ?? '/Resources << /Font << /F1 5 0 R >> >>'} >>`,
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ],
    { version: opts.version },
  );
}

/** A temp directory removed by the returned cleanup function. */
export function tempDir(): { dir: string; file: (name: string, data?: Buffer) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-pdf-'));
  return {
    dir,
    file: (name, data) => {
      const p = join(dir, name);
      if (data) writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
