/**
 * Chooses the page and rectangle of a signature and builds its appearance stream for the
 * role. Invisible signatures get a zero rectangle on the first page and no appearance.
 */
import { KysoError } from '../api/errors.js';
import type { PdfRef } from '../pdf/objects.js';
import type { PageInfo } from '../pdf/pages.js';
import type { PdfFile } from '../pdf/reader.js';
import type { IncrementalUpdate } from '../pdf/writer.js';
import type { SignOptions } from './types.js';

/** Where the widget goes and what it shows. */
export interface BuiltAppearance {
  page: PageInfo;
  rect: [number, number, number, number];
  xobject?: PdfRef;
}

/** Inputs besides SignOptions. */
export interface AppearanceContext extends SignOptions {
  signingTime: Date;
  signerName: string;
}

/** Resolves placement and draws the appearance for `options.appearance.role`. */
export async function buildAppearance(pdf: PdfFile, up: IncrementalUpdate, options: AppearanceContext): Promise<BuiltAppearance> {
  const role = options.appearance?.role ?? 'invisible';
  const pageCount = await pdf.pageCount();
  const pageNo = options.placement?.page ?? 1;
  if (pageNo < 1 || pageNo > pageCount) throw new KysoError('signPageOutOfRange', { page: pageNo, count: pageCount });
  const page = await pdf.page(pageNo - 1);
  if (role === 'invisible') return { page, rect: [0, 0, 0, 0] };
  void up;
  throw new KysoError('notImplemented', { feature: `appearance ${role}` });
}
