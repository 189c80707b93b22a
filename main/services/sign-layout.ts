/**
 * `sign:layout`: the real appearance of a signature before signing, for the placement preview
 * (Sign, Batch) and the local service's consent dialog. The signing engine lays it out on the
 * file as it would sign it; nothing is written.
 */
import path from 'node:path';
import { t, type Lang } from '../../resources/locales/index.js';
import type { AppearanceOptions, Placement } from '../signing/types.js';

/** The layout as the contract carries it (pages 1-based, warnings in the reader's words). */
export interface LayoutAnswer {
  page: number;
  pageSize: [number, number];
  box: [number, number, number, number];
  parts: Array<{ box: [number, number, number, number]; items: import('../signing/appearance-layout.js').PartLayout['items'] }>;
  warnings: Array<{ code: string; message: string }>;
}

/** Lays out `appearance` on `file` as signing now would (invisible: nothing to show). */
export async function previewLayout(file: string, appearance: AppearanceOptions, placement: Placement | undefined, lang: Lang): Promise<LayoutAnswer> {
  // Loaded on first use, like the rest of the engine (fontkit is heavy).
  const [{ PdfFile }, { layoutAppearance }, { displaySize }] = await Promise.all([import('../pdf/reader.js'), import('../signing/appearance-layout.js'), import('../signing/placement.js')]);
  const pdf = await PdfFile.open(path.resolve(file));
  try {
    if (appearance.role === 'invisible') {
      const page = await pdf.page((placement?.page ?? 1) - 1);
      return { page: page.index + 1, pageSize: displaySize(page), box: [0, 0, 0, 0], parts: [], warnings: [] };
    }
    const layout = await layoutAppearance(pdf, { appearance, ...(placement ? { placement } : {}), signingTime: new Date(), signerName: appearance.signerName ?? '' });
    const page = await pdf.page(layout.page);
    return {
      page: layout.page + 1,
      pageSize: displaySize(page),
      box: layout.box,
      parts: layout.parts,
      warnings: layout.warnings.map((w) => ({ code: w.code, message: t(lang, w.code, w.params) })),
    };
  } finally {
    await pdf.close();
  }
}
