// A Vite plugin (used by renderer/vite.config.ts) that copies pdf.js's data files next to the
// app under pdfjs/: the Adobe CMaps for CJK and other predefined encodings, the standard 14
// fonts' data for PDFs that do not embed them, the JBIG2/JPEG 2000 decoders and the colour
// profiles. Without them such files render with substitute fonts or not at all.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The plugin: emits every data file as a build asset. */
export function pdfjsData() {
  const root = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return {
    name: 'kyso-pdfjs-data',
    generateBundle() {
      for (const dir of ['cmaps', 'standard_fonts', 'wasm', 'iccs']) {
        for (const f of readdirSync(path.join(root, dir))) {
          this.emitFile({ type: 'asset', fileName: `pdfjs/${dir}/${f}`, source: readFileSync(path.join(root, dir, f)) });
        }
      }
    },
  };
}
