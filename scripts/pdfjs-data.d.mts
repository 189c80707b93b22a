/** Types of scripts/pdfjs-data.mjs (the Vite plugin copying pdf.js's data files). */
import type { Plugin } from 'vite';

/** The plugin. */
export function pdfjsData(): Plugin;
