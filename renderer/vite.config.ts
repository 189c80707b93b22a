// Builds the renderer into dist/renderer with relative asset URLs, so the same files are
// served by the browser host (http://127.0.0.1) and by Electron's kyso-app:// protocol.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
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
