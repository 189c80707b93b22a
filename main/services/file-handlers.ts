/** `file:readPdf`: the bytes of a local PDF for the renderer's page preview. */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { KysoError } from '../api/errors.js';
import { pngInfo } from '../pdf/png.js';
import { listDir, places, Uploads } from './file-browse.js';
import type { HandlersFor } from './types.js';

/** Largest PDF previewed (a bigger one is still signed; only the preview is refused). */
export const maxPreviewBytes = 64 * 1024 * 1024;

/** Reads a PDF after checking its size and header (never an arbitrary file). */
export async function readPdfForPreview(p: string): Promise<{ path: string; size: number; base64: string }> {
  const full = path.resolve(p);
  let fh;
  try {
    fh = await open(full, 'r');
  } catch {
    throw new KysoError('fileNotFound', { path: full });
  }
  try {
    const { size } = await fh.stat();
    if (size > maxPreviewBytes) throw new KysoError('previewTooLarge', { path: full, size, max: maxPreviewBytes });
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, 0);
    // The header may follow some junk bytes (tolerated by readers) but must be near the start.
    if (!buf.subarray(0, 1024).includes('%PDF-')) throw new KysoError('notPdf', { path: full });
    return { path: full, size, base64: buf.toString('base64') };
  } finally {
    await fh.close();
  }
}

/** Largest signature or seal image previewed. */
export const maxImageBytes = 8 * 1024 * 1024;

/** Reads a PNG for a preview after checking its size and signature (never an arbitrary file). */
export async function readImageForPreview(p: string): Promise<{ path: string; width: number; height: number; base64: string }> {
  const full = path.resolve(p);
  let buf: Buffer;
  try {
    const fh = await open(full, 'r');
    try {
      const { size } = await fh.stat();
      if (size > maxImageBytes) throw new KysoError('previewTooLarge', { path: full, size, max: maxImageBytes });
      buf = Buffer.alloc(size);
      await fh.read(buf, 0, size, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError('fileNotFound', { path: full });
  }
  try {
    const { width, height } = pngInfo(buf);
    return { path: full, width, height, base64: buf.toString('base64') };
  } catch {
    throw new KysoError('signImageInvalid', { path: full });
  }
}

/** Handlers of the file operations; `home` receives uploads. */
export function createFileHandlers(home: string): { handlers: HandlersFor<'file:readPdf' | 'file:readImage' | 'file:listDir' | 'file:upload'>; close(): void } {
  const uploads = new Uploads(home);
  const demoLetters = path.join(home, 'demo', 'van-ban');
  return {
    handlers: {
      'file:readPdf': async ({ path: p }) => readPdfForPreview(p),
      'file:readImage': async ({ path: p }) => readImageForPreview(p),
      'file:listDir': async ({ path: p, extensions }) => ({ ...(await listDir(p, extensions)), places: places(home, [demoLetters]) }),
      'file:upload': (input) => uploads.chunk(input),
    },
    close: () => uploads.close(),
  };
}
