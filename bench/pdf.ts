/**
 * PDF reader/writer bench: open + find page 1 + AcroForm + build an incremental update on
 * 1, 10 and 100 MB files, next to pdf-lib's full load and qpdf's page count. Each measurement
 * runs in its own process so peak RSS is per operation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PdfFile } from '../main/pdf/reader.js';
import { writeScanLikePdf } from './scan-pdf.js';
import { IncrementalUpdate } from '../main/pdf/writer.js';

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
      writeScanLikePdf(file, mb * 1024 * 1024);
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
