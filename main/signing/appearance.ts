/**
 * Chooses the page and rectangle of a signature and draws its appearance for the Decree 30
 * role (approval, issuing, attachment, copy, incoming) or the initials mark (ký nháy) with the embedded Liberation Serif
 * subset and PNG images (alpha kept as SMask). Invisible signatures get a zero rectangle.
 */
import { readFile } from 'node:fs/promises';
import { KysoError, isKysoError } from '../api/errors.js';
import { EmbeddedFont } from '../pdf/font.js';
import type { PdfRef } from '../pdf/objects.js';
import type { PageInfo } from '../pdf/pages.js';
import { embedPng } from '../pdf/png.js';
import type { PdfFile } from '../pdf/reader.js';
import { findAnchor } from '../pdf/text-extract.js';
import { fitText, textOps, wrapText } from '../pdf/text-layout.js';
import type { IncrementalUpdate } from '../pdf/writer.js';
import { ResourceBuilder, drawXObject, formXObject } from '../pdf/xobject.js';
import { displaySize, toDefaultRect, toDisplayPoint, uprightMatrix, type Box } from './placement.js';
import { isoVietnam } from './time.js';
import type { SignOptions, SignatureRole } from './types.js';

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

/** Default box size per role (displayed orientation), in points. */
const SIZES: Record<Exclude<SignatureRole, 'invisible'>, [number, number]> = {
  approval: [170, 70],
  issuing: [250, 110],
  attachment: [210, 48],
  copy: [210, 48],
  incoming: [150, 62],
  initials: [96, 32],
};
const MARGIN = 24;
/** The only font of an appearance gets the first resource name. */
const FONT_RES = 'F1';
const BLUE: [number, number, number] = [0, 0, 0.6];
const RED: [number, number, number] = [0.8, 0, 0];

/** The displayed box: explicit rect, anchor + offset, or the role's customary spot. */
async function resolveBox(pdf: PdfFile, page: PageInfo, role: Exclude<SignatureRole, 'invisible'>, options: SignOptions): Promise<Box> {
  const p = options.placement;
  if (p?.rect) return p.rect;
  const [w, h] = p?.anchorOffset ? [p.anchorOffset.width, p.anchorOffset.height] : SIZES[role];
  const [pw, ph] = displaySize(page);
  if (p?.anchor) {
    let m;
    try {
      m = await findAnchor(pdf, page.index, p.anchor);
    } catch (e) {
      if (isKysoError(e) && e.code === 'pdfAnchorNotFound') throw new KysoError('signAnchorNotFound', { anchor: p.anchor, page: page.index + 1 });
      throw e;
    }
    const [ax, ay] = toDisplayPoint(page, m.x, m.y);
    // Default: centred under the anchor (the signer's title), as signatures sit below it.
    const dx = p.anchorOffset?.dx ?? (m.width - w) / 2;
    const dy = p.anchorOffset?.dy ?? -h - 4;
    return [ax + dx, ay + dy, w, h];
  }
  if (role === 'attachment' || role === 'copy') return [pw - MARGIN - w, ph - MARGIN - h, w, h];
  if (role === 'incoming') return [MARGIN, ph - MARGIN - h, w, h];
  // Initials without a place: the page's bottom right corner, below where a signature block sits.
  if (role === 'initials') return [pw - MARGIN - w, MARGIN / 2, w, h];
  // Approval / issuing without a place: bottom right, where the signature block usually is.
  return [pw - MARGIN - w, MARGIN * 2, w, h];
}

async function png(up: IncrementalUpdate, file: string): Promise<{ ref: PdfRef; width: number; height: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new KysoError('fileNotFound', { path: file });
  }
  try {
    return embedPng(up, bytes);
  } catch (e) {
    throw new KysoError('signImageInvalid', { path: file }, { cause: e });
  }
}

/** Largest w x h with the image's aspect inside a box, centred. */
function fit(img: { width: number; height: number }, x: number, y: number, w: number, h: number): Box {
  const s = Math.min(w / img.width, h / img.height);
  const iw = img.width * s;
  const ih = img.height * s;
  return [x + (w - iw) / 2, y + (h - ih) / 2, iw, ih];
}

/** "Nguyễn Văn An" -> "N.V.A": the initials a ký nháy mark shows. */
export function initialsOf(name: string): string {
  const letters = name.trim().split(/\s+/).filter(Boolean).map((w) => [...w][0]!.toUpperCase());
  return letters.length ? letters.join('.') : name;
}

/** Text lines for the role. */
function roleLines(role: SignatureRole, o: AppearanceContext): string[] {
  const a = o.appearance ?? { role };
  const time = isoVietnam(o.signingTime);
  const org = a.organization;
  switch (role) {
    case 'approval':
      return [`Ký bởi: ${a.signerName ?? o.signerName}`, `Thời gian: ${time}`];
    case 'issuing':
      return [
        ...(a.documentNumber ? [`Số: ${a.documentNumber}`] : []),
        ...(a.documentDate ? [`Ngày: ${a.documentDate}`] : []),
        ...(org ? [org] : [o.signerName]),
        time,
      ];
    case 'attachment':
      return [...(a.documentNumber ? [`Số: ${a.documentNumber}`] : []), ...(org ? [org] : [o.signerName]), time];
    case 'copy':
      return [a.copyForm ?? 'SAO Y', ...(a.documentNumber ? [`Số: ${a.documentNumber}`] : []), ...(org ? [org] : [o.signerName]), time];
    case 'initials':
      return [initialsOf(a.signerName ?? o.signerName), time];
    case 'incoming':
      return ['ĐẾN', `Số: ${a.arrivalNumber ?? ''}`, `Ngày: ${a.arrivalDate ?? ''}`];
    default:
      return [];
  }
}

/** Resolves placement and draws the appearance for `options.appearance.role`. */
export async function buildAppearance(pdf: PdfFile, up: IncrementalUpdate, options: AppearanceContext): Promise<BuiltAppearance> {
  const role = options.appearance?.role ?? 'invisible';
  const pageCount = await pdf.pageCount();
  // Attachment and copy stamps go on the first page (Decree 30) unless a page is given.
  const pageNo = options.placement?.page ?? 1;
  if (pageNo < 1 || pageNo > pageCount) throw new KysoError('signPageOutOfRange', { page: pageNo, count: pageCount });
  const page = await pdf.page(pageNo - 1);
  if (role === 'invisible') return { page, rect: [0, 0, 0, 0] };
  const box = await resolveBox(pdf, page, role, options);
  const [, , W, H] = box;
  const res = new ResourceBuilder();
  const ops: string[] = [];
  const a = options.appearance!;
  const lines = roleLines(role, options);
  const font = await EmbeddedFont.load(role === 'incoming' ? 'bold' : 'regular');
  let textBox: Box = [2, 2, W - 4, H - 4];
  let color: [number, number, number] = [0, 0, 0];
  let fixedSize: number | undefined;

  if (role === 'approval') {
    if (a.image) {
      const img = await png(up, a.image);
      const th = Math.min(22, H * 0.35);
      ops.push(drawXObject(res.xobject(img.ref), ...fit(img, 0, th, W, H - th)));
      textBox = [2, 0, W - 4, th];
    }
    color = BLUE;
  } else if (role === 'issuing') {
    const th = Math.min(40, H * 0.4);
    const ih = H - th;
    if (a.sealImage) {
      const seal = await png(up, a.sealImage);
      const sb = fit(seal, 0, th, ih, ih);
      const sealRight = sb[0] + sb[2];
      if (a.image) {
        const sig = await png(up, a.image);
        // The seal covers about one third of the approval image, on its left (Decree 30).
        const sw = Math.min(W - sealRight * (2 / 3), (ih * sig.width) / sig.height);
        const sx = Math.max(0, sealRight - sw / 3);
        ops.push(drawXObject(res.xobject(sig.ref), ...fit(sig, sx, th, sw, ih)));
      }
      ops.push(drawXObject(res.xobject(seal.ref), ...sb));
    } else if (a.image) {
      const sig = await png(up, a.image);
      ops.push(drawXObject(res.xobject(sig.ref), ...fit(sig, 0, th, W, ih)));
    }
    textBox = [2, 0, W - 4, th];
    color = RED;
  } else if (role === 'attachment' || role === 'copy') {
    // Liberation Serif 10 black (metric-compatible with Times New Roman named by the decree).
    fixedSize = 10;
  } else if (role === 'initials') {
    // A small blue mark: the signature image shrunk above the initials when there is one.
    if (a.image) {
      const img = await png(up, a.image);
      const th = H * 0.45;
      ops.push(drawXObject(res.xobject(img.ref), ...fit(img, 0, th, W, H - th)));
      textBox = [1, 0, W - 2, th];
    } else textBox = [1, 1, W - 2, H - 2];
    color = BLUE;
  } else if (role === 'incoming') {
    color = RED;
    ops.push(`q ${RED.join(' ')} RG 1.2 w 1 1 ${W - 2} ${H - 2} re S Q`);
    textBox = [4, 3, W - 8, H - 6];
  }

  const text = lines.join('\n');
  const laid = fixedSize !== undefined ? { size: fixedSize, lines: wrapText(font, text, fixedSize, textBox[2]) } : fitText(font, text, textBox[2], textBox[3], { maxSize: 11, minSize: 4 });
  // Encode the text first: the subset written by toPdf holds only glyphs already used.
  ops.push(textOps(font, FONT_RES, laid.lines, { x: textBox[0], top: textBox[1] + textBox[3], size: laid.size, width: textBox[2], align: role === 'attachment' || role === 'copy' ? 'left' : 'center', color }));
  if (res.font(await font.toPdf(up)) !== FONT_RES) throw new KysoError('internal', { detail: 'font resource name' });
  const matrix = uprightMatrix(page.rotate, W, H);
  const xobject = up.add(formXObject({ bbox: [0, 0, W, H], content: ops.join('\n'), resources: res.build(), ...(matrix ? { matrix } : {}) }));
  return { page, rect: toDefaultRect(page, box), xobject };
}
