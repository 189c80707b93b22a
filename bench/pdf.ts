/**
 * PDF reader/writer bench: open + find page 1 + AcroForm + build an incremental update on
 * 1, 10 and 100 MB files, next to pdf-lib's full load and qpdf's page count. Each measurement
 * runs in its own process so peak RSS is per operation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PdfFile } from '../main/pdf/reader.js';
import { IncrementalUpdate } from '../main/pdf/writer.js';

/** Writes a one-page PDF whose page draws an image stream of `bytes` random bytes. */
function makePdf(path: string, bytes: number): void {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const n = side * side * 3;
  const fd = openSync(path, 'w');
  let pos = 0;
  const offsets: number[] = [];
  const w = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    writeSync(fd, b);
    pos += b.length;
  };
  w('%PDF-1.7\n');
  offsets[1] = pos;
  w(`1 0 obj\n<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /BitsPerComponent 8 /ColorSpace /DeviceRGB /Length ${n} >>\nstream\n`);
  for (let left = n; left > 0; left -= 1 << 20) w(randomBytes(Math.min(left, 1 << 20)));
  w('\nendstream\nendobj\n');
  const draw = 'q 595 0 0 842 0 0 cm /Im1 Do Q';
  const objs = [
    '<< /Type /Catalog /Pages 3 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
    '<< /Type /Page /Parent 3 0 R /Resources << /XObject << /Im1 1 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`,
  ];
  objs.forEach((o, i) => {
    offsets[i + 2] = pos;
    w(`${i + 2} 0 obj\n${o}\nendobj\n`);
  });
  const xref = pos;
  w(`xref\n0 6\n0000000000 65535 f\r\n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`);
  w(`trailer\n<< /Size 6 /Root 2 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  closeSync(fd);
}

async function child(mode: string, file: string): Promise<void> {
  const t = performance.now();
  let read = 0;
  if (mode === 'kyso') {
    const pdf = await PdfFile.open(file);
    await pdf.page(0);
    await pdf.acroForm();
    const up = new IncrementalUpdate(pdf);
    (await up.edit(pdf.trailer.getRef('Root')!)).set('Kyso', true);
    await up.build();
    read = pdf.source.bytesRead;
    await pdf.close();
  } else if (mode === 'pdflib') {
    const { PDFDocument } = await import('pdf-lib');
    const doc = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    doc.getPage(0);
    read = -1;
  }
  const ms = performance.now() - t;
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, read }));
}

function measure(mode: string, file: string): { ms: number; maxRssMb: number; read: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: number; maxRssMb: number; read: number };
}

/** Runs the bench and prints a table. */
export async function benchPdf(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kyso-bench-pdf-'));
  try {
    console.log('size    | tool                    | wall ms | peak RSS MB | bytes read');
    for (const mb of [1, 10, 100]) {
      const file = join(dir, `f${mb}.pdf`);
      makePdf(file, mb * 1024 * 1024);
      const base = measure('noop', file);
      const rows: [string, { ms: number; maxRssMb: number; read: number }][] = [
        ['node+tsx baseline', base],
        ['kyso open+page+update', measure('kyso', file)],
        ['pdf-lib load', measure('pdflib', file)],
      ];
      const t = performance.now();
      execFileSync('qpdf', ['--show-npages', file]);
      rows.push(['qpdf --show-npages', { ms: performance.now() - t, maxRssMb: NaN, read: -2 }]);
      for (const [tool, m] of rows) {
        console.log(`${String(mb).padStart(4)} MB | ${tool.padEnd(23)} | ${m.ms.toFixed(1).padStart(7)} | ${(Number.isNaN(m.maxRssMb) ? 'n/a' : m.maxRssMb.toFixed(0)).padStart(11)} | ${m.read === -1 ? 'whole file' : m.read === -2 ? 'n/a' : m.read}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
