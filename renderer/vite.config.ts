// Builds the renderer into dist/renderer with relative asset URLs, so the same files are
// served by the browser host (http://127.0.0.1) and by Electron's kyso-app:// protocol.
// pdf.js's data files (CMaps, standard fonts, decoders) go along under pdfjs/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { pdfjsData } from '../scripts/pdfjs-data.mjs';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), pdfjsData()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    // No inline scripts: the CSP only allows 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
