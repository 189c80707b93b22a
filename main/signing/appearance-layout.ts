/**
 * What a signature shows and where, before anything is written: its parts (the stamp, and
 * for an issuing signature the number and date written into the letter's blanks), each with
 * its images and laid-out text. The same layout is drawn into the PDF (appearance.ts) and
 * shown by the app while the user places the stamp (`sign:layout`), so the preview is the
 * real appearance.
 */
import { readFile } from 'node:fs/promises';
import { KysoError, isKysoError } from '../api/errors.js';
import { EmbeddedFont, type FontStyle } from '../pdf/font.js';
import type { PageInfo } from '../pdf/pages.js';
import { pngInfo } from '../pdf/png.js';
import type { PdfFile } from '../pdf/reader.js';
import { fitText, wrapText } from '../pdf/text-layout.js';
import { findDateBlanks, findNumberBlank, parseLetterDate, type Blank } from './blanks.js';
import { PageText, type TextRun } from './page-text.js';
import { displaySize, type Box } from './placement.js';
import { approvalBox, freeSpotNear, sealBox, widgetBox, type ImageSize } from './signer-block.js';
import { signedWidgetBoxes } from './signed-widgets.js';
import { isoVietnam, readableVietnam } from './time.js';
import type { SignOptions, SignatureRole } from './types.js';

/** RGB, 0..1. */
export type Rgb = [number, number, number];

/** An image drawn in a widget (coordinates relative to the widget's bottom-left corner). */
export interface ImageItem {
  kind: 'image';
  image: 'signature' | 'seal';
  box: Box;
}

/** Lines of text drawn in a widget. */
export interface TextItem {
  kind: 'text';
  lines: string[];
  /** Left of the text block and top of its first line. */
  x: number;
  top: number;
  width: number;
  size: number;
  lineHeight: number;
  align: 'left' | 'center' | 'right';
  color: Rgb;
  style: FontStyle;
  /** Horizontal scaling (1 = normal; below 1 condenses a number into a narrow blank). */
  hscale: number;
}

/** A rectangle outline (the incoming stamp's frame). */
export interface FrameItem {
  kind: 'frame';
  box: Box;
  color: Rgb;
  lineWidth: number;
}

/** One part of the appearance: the stamp, or a number or date written into a blank. */
export interface PartLayout {
  /** In displayed page coordinates (points from the bottom-left of the visible page). */
  box: Box;
  /** Coordinates relative to the part's box. */
  items: Array<ImageItem | TextItem | FrameItem>;
}

/**
 * The whole visible signature: its parts, all on one page. The signature's widget covers
 * them all (one widget per field: poppler-based viewers report a signature field with several
 * widgets as unsigned), and draws nothing between them.
 */
export interface AppearanceLayout {
  role: Exclude<SignatureRole, 'invisible'>;
  /** 0-based page index. */
  page: number;
  /** The stamp first, then the blanks it fills. */
  parts: PartLayout[];
  /** The widget's box: the union of the parts. */
  box: Box;
  warnings: Array<{ code: string; params?: Record<string, string | number> }>;
}

/** What a layout needs: the appearance and placement of SignOptions, the time and signer's name. */
export interface LayoutContext extends Pick<SignOptions, 'appearance' | 'placement'> {
  signingTime: Date;
  signerName: string;
}

/** Default box size per role (displayed orientation), in points. */
export const SIZES: Record<Exclude<SignatureRole, 'invisible'>, [number, number]> = {
  approval: [150, 66],
  issuing: [150, 66],
  attachment: [210, 42],
  copy: [210, 42],
  incoming: [150, 62],
  initials: [96, 32],
};
const MARGIN = 24;
const BLUE: Rgb = [0, 0, 0.6];
const RED: Rgb = [0.8, 0, 0];
const BLACK: Rgb = [0, 0, 0];
/** Real size of a seal image that does not state it (pHYs): 36 mm, a common round seal. */
export const DEFAULT_SEAL_MM = 36;
const MM = 72 / 25.4;
/** Line height of stamp text, as a multiple of the size. */
const LH = 1.2;

/** A signature or seal image (PNG): its bytes and sizes; read errors as the user's words. */
export async function readSignImage(file: string): Promise<{ bytes: Buffer; info: ImageSize & { widthMm: number | null } }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new KysoError('fileNotFound', { path: file });
  }
  try {
    return { bytes, info: pngInfo(bytes) };
  } catch (e) {
    throw new KysoError('signImageInvalid', { path: file }, { cause: e });
  }
}

/** An image's pixel and physical size; read errors as the user's words. */
export async function imageInfo(file: string): Promise<ImageSize & { widthMm: number | null }> {
  return (await readSignImage(file)).info;
}

/** Fonts measured (and later embedded) per style, loaded once per signature. */
export class Fonts {
  private readonly loaded = new Map<FontStyle, Promise<EmbeddedFont>>();
  /** The font of a style. */
  get(style: FontStyle): Promise<EmbeddedFont> {
    let f = this.loaded.get(style);
    if (!f) this.loaded.set(style, (f = EmbeddedFont.load(style)));
    return f;
  }
  /** Styles used so far, in first-use order. */
  styles(): FontStyle[] {
    return [...this.loaded.keys()];
  }
}

/** Text fitted into a box of the widget (largest size from maxSize down). */
async function fitted(fonts: Fonts, text: string, box: Box, o: { maxSize: number; minSize?: number; align: TextItem['align']; color: Rgb; style?: FontStyle; fixed?: boolean }): Promise<TextItem> {
  const style = o.style ?? 'regular';
  const font = await fonts.get(style);
  const laid = o.fixed ? { size: o.maxSize, lines: wrapText(font, text, o.maxSize, box[2]) } : fitText(font, text, box[2], box[3], { maxSize: o.maxSize, minSize: o.minSize ?? 4, lineHeight: LH });
  return { kind: 'text', lines: laid.lines.map((l) => l.text), x: box[0], top: box[1] + box[3], width: box[2], size: laid.size, lineHeight: LH, align: o.align, color: o.color, style, hscale: 1 };
}

/** Height of a text block. */
const blockHeight = (t: TextItem) => t.lines.length * t.size * t.lineHeight;

/** Moves items drawn in page coordinates into a widget's own coordinates. */
function relative(box: Box, items: Array<ImageItem | TextItem | FrameItem>): PartLayout['items'] {
  return items.map((it) => (it.kind === 'text' ? { ...it, x: it.x - box[0], top: it.top - box[1] } : { ...it, box: [it.box[0] - box[0], it.box[1] - box[1], it.box[2], it.box[3]] as Box }));
}

/** The page (0-based) the placement names, or where the anchor is found (last page first). */
async function locate(pdf: PdfFile, role: string, options: LayoutContext): Promise<{ page: PageInfo; text: PageText | null; anchor: TextRun | null }> {
  const count = await pdf.pageCount();
  const p = options.placement;
  const named = p?.page;
  if (named !== undefined && (named < 1 || named > count)) throw new KysoError('signPageOutOfRange', { page: named, count });
  if (p?.anchor) {
    const order = named !== undefined ? [named - 1] : Array.from({ length: count }, (_, i) => count - 1 - i);
    for (const i of order.slice(0, 50)) {
      const page = await pdf.page(i);
      const text = await PageText.read(pdf, page);
      const found = text.find(p.anchor)[0];
      if (found) return { page, text, anchor: found };
    }
    throw new KysoError('signAnchorNotFound', { anchor: p.anchor, page: named ?? count });
  }
  if (named === undefined && role === 'issuing' && !p?.rect) {
    // The seal goes on the approval signature: the page that holds the last visible one.
    for (let i = count - 1; i >= Math.max(0, count - 50); i--) {
      const page = await pdf.page(i);
      if ((await signedWidgetBoxes(pdf, page)).length) return { page, text: await PageText.read(pdf, page), anchor: null };
    }
  }
  const page = await pdf.page((named ?? 1) - 1);
  return { page, text: await PageText.read(pdf, page), anchor: null };
}

/** Lays out the signature described by `options.appearance` (not invisible). */
export async function layoutAppearance(pdf: PdfFile, o: LayoutContext, fonts = new Fonts()): Promise<AppearanceLayout> {
  const a = o.appearance!;
  const role = a.role as Exclude<SignatureRole, 'invisible'>;
  const { page, text, anchor } = await locate(pdf, role, o);
  const pageSize = displaySize(page);
  const [pw] = pageSize;
  const warnings: AppearanceLayout['warnings'] = [];
  const rect = o.placement?.rect;
  const offset = o.placement?.anchorOffset;
  const [dw, dh] = offset ? [offset.width, offset.height] : SIZES[role];
  // An explicit offset from the anchor keeps its exact meaning (saved placements, the CLI).
  const offsetBox: Box | null = anchor && offset ? [anchor.box[0] + offset.dx, anchor.box[1] + offset.dy, dw, dh] : null;
  const pageText = text!;
  let items: Array<ImageItem | TextItem | FrameItem>;
  let blanks: { parts: PartLayout[]; leftover: string[] } = { parts: [], leftover: [] };

  if (role === 'approval') {
    const img = a.image ? await imageInfo(a.image) : null;
    const place = rect ?? offsetBox ?? (anchor && img ? approvalBox(pageText, anchor, img) : anchor ? underAnchor(anchor, dw, dh) : ([pw - MARGIN - dw, MARGIN * 2, dw, dh] as Box));
    if (img) {
      const s = Math.min(place[2] / img.width, place[3] / img.height);
      const box: Box = [place[0] + (place[2] - img.width * s) / 2, place[1] + (place[3] - img.height * s) / 2, img.width * s, img.height * s];
      items = [{ kind: 'image', image: 'signature', box }];
    } else {
      const words = `Ký bởi: ${a.signerName ?? o.signerName}\nThời gian: ${readableVietnam(o.signingTime)}`;
      items = [await fitted(fonts, words, [place[0] + 2, place[1] + 2, place[2] - 4, place[3] - 4], { maxSize: 11, align: 'center', color: BLUE })];
    }
  } else if (role === 'issuing') {
    blanks = a.documentNumber || a.documentDate ? await blankParts(pdf, page.index, a.documentNumber, a.documentDate, fonts, warnings) : blanks;
    // What found no blank goes with the seal's text rather than nowhere.
    const info = [...blanks.leftover, a.organization ?? o.signerName, isoVietnam(o.signingTime)].join('\n');
    if (a.sealImage) {
      const seal = await imageInfo(a.sealImage);
      const diameter = (a.sealSizeMm ?? seal.widthMm ?? DEFAULT_SEAL_MM) * MM;
      const under = await signatureUnder(pdf, page, pageText, anchor, a.image);
      const sb: Box = rect ? [rect[0] + rect[2] / 2 - diameter / 2, rect[1] + rect[3] / 2 - diameter / 2, diameter, diameter * (seal.height / seal.width)] : offsetBox ?? sealBox(under ?? [pw - MARGIN - dw, MARGIN * 2, dw, dh], diameter);
      const sealItem: ImageItem = { kind: 'image', image: 'seal', box: [sb[0], sb[1], diameter, diameter * (seal.height / seal.width)] };
      const t = await fitted(fonts, info, [0, 0, Math.max(diameter * 1.3, 120), 40], { maxSize: 7, align: 'center', color: RED, fixed: true });
      const w = Math.max(...(await Promise.all(t.lines.map(async (l) => (await fonts.get('regular')).widthOf(l, t.size))))) + 2;
      const spot = freeSpotNear(pageText, sealItem.box, w, blockHeight(t), pageSize);
      if (!spot) warnings.push({ code: 'sign.warn.stampTextNoRoom' });
      const [tx, ty] = spot ?? [sealItem.box[0] + diameter / 2 - w / 2, sealItem.box[1] - blockHeight(t) - 1];
      items = [sealItem, { ...t, x: tx, top: ty + blockHeight(t), width: w }];
    } else {
      const place = rect ?? offsetBox ?? (anchor ? underAnchor(anchor, dw, dh) : ([pw - MARGIN - dw, MARGIN * 2, dw, dh] as Box));
      items = [await fitted(fonts, info, [place[0] + 2, place[1] + 2, place[2] - 4, place[3] - 4], { maxSize: 11, align: 'center', color: RED })];
    }
  } else if (role === 'initials') {
    // A small blue mark (ký nháy): the signature image shrunk above the initials when there is one.
    const place = rect ?? offsetBox ?? (anchor ? underAnchor(anchor, dw, dh) : ([pw - MARGIN - dw, MARGIN / 2, dw, dh] as Box));
    const words = `${initialsOf(a.signerName ?? o.signerName)}\n${isoVietnam(o.signingTime)}`;
    const img = a.image ? await imageInfo(a.image) : null;
    const th = img ? place[3] * 0.45 : place[3];
    items = [await fitted(fonts, words, [place[0] + 1, place[1] + 1, place[2] - 2, th - 2], { maxSize: 11, align: 'center', color: BLUE })];
    if (img) {
      const [bx, by, bw, bh] = [place[0], place[1] + th, place[2], place[3] - th];
      const s = Math.min(bw / img.width, bh / img.height);
      items.unshift({ kind: 'image', image: 'signature', box: [bx + (bw - img.width * s) / 2, by + (bh - img.height * s) / 2, img.width * s, img.height * s] });
    }
  } else {
    items = await cornerStamp(fonts, role, o, pageText, rect ?? offsetBox, pageSize);
  }

  return finish(role, page.index, [stampPart(items, rect), ...blanks.parts], warnings);
}

/** "Nguyễn Văn An" -> "N.V.A": the initials a ký nháy mark shows. */
export function initialsOf(name: string): string {
  const letters = name.trim().split(/\s+/).filter(Boolean).map((w) => [...w][0]!.toUpperCase());
  return letters.length ? letters.join('.') : name;
}

/** A w x h box centred under an anchor (stamps without an image). */
function underAnchor(anchor: TextRun, w: number, h: number): Box {
  return [anchor.box[0] + anchor.box[2] / 2 - w / 2, anchor.box[1] - h - 4, w, h];
}

/** A part from items drawn in page coordinates. */
function stampPart(items: Array<ImageItem | TextItem | FrameItem>, given?: Box): PartLayout {
  const boxes = items.map((it) => (it.kind === 'text' ? ([it.x, it.top - blockHeight(it), it.width, blockHeight(it)] as Box) : it.box));
  // A rectangle the caller gave (dragged, saved, a web page's llx/lly/urx/ury) is the widget's
  // at least: the field sits where it was asked for, even when its content is smaller.
  const box = widgetBox(given ? [given, ...boxes] : boxes);
  return { box, items: relative(box, items) };
}

function finish(role: AppearanceLayout['role'], page: number, parts: PartLayout[], warnings: AppearanceLayout['warnings']): AppearanceLayout {
  return { role, page, parts, box: widgetBox(parts.map((p) => p.box)), warnings };
}

/** The approval image the seal goes on: a signed widget under the anchor (or the last one), else where it would be. */
async function signatureUnder(pdf: PdfFile, page: PageInfo, text: PageText, anchor: TextRun | null, image: string | undefined): Promise<Box | null> {
  const signed = await signedWidgetBoxes(pdf, page);
  if (anchor) {
    const below = signed.filter((b) => b[1] + b[3] <= anchor.box[1] + 2 && b[1] + b[3] > anchor.box[1] - 120);
    if (below.length) return below[0]!;
    const img = image ? await imageInfo(image) : { width: 360, height: 160 };
    return approvalBox(text, anchor, img);
  }
  return signed.at(-1) ?? null;
}

/** Attachment, copy and incoming stamps: top of page 1, kept off the page's text. */
async function cornerStamp(fonts: Fonts, role: 'attachment' | 'copy' | 'incoming', o: LayoutContext, text: PageText, given: Box | null, pageSize: [number, number]): Promise<TextItem[] | Array<TextItem | FrameItem>> {
  const a = o.appearance!;
  const org = a.organization ?? o.signerName;
  const time = isoVietnam(o.signingTime);
  const lines = role === 'attachment' ? [...(a.documentNumber ? [`Số: ${a.documentNumber}`] : []), org, time] : role === 'copy' ? [a.copyForm ?? 'SAO Y', ...(a.documentNumber ? [`Số: ${a.documentNumber}`] : []), org, time] : ['ĐẾN', `Số: ${a.arrivalNumber ?? ''}`, `Ngày: ${a.arrivalDate ?? ''}`];
  const [w, h] = SIZES[role];
  const [pw, ph] = pageSize;
  const at = (x: number, y: number): Box => [x, y, w, h];
  const candidates: Box[] = given ? [given] : role === 'incoming' ? [at(MARGIN, ph - MARGIN - h), at(MARGIN, ph - 6 - h)] : [at(pw - MARGIN - w, ph - MARGIN - h), at(pw - MARGIN - w, ph - 6 - h), at(pw - 6 - w, ph - 6 - h)];
  const box = candidates.find((b) => text.isFree(b)) ?? candidates[0]!;
  if (role === 'incoming') {
    const t = await fitted(fonts, lines.join('\n'), [box[0] + 4, box[1] + 3, w - 8, h - 6], { maxSize: 11, align: 'center', color: RED, style: 'bold' });
    return [{ kind: 'frame', box: [box[0] + 1, box[1] + 1, w - 2, h - 2], color: RED, lineWidth: 1.2 }, t];
  }
  // Liberation Serif 10, upright, black (metric-compatible with the Times New Roman the decree names).
  return [await fitted(fonts, lines.join('\n'), [box[0] + 2, box[1] + 2, w - 4, h - 4], { maxSize: 10, align: 'left', color: BLACK, fixed: true })];
}

/**
 * Parts writing the number and the date into the letter's blanks on page 1, and the lines
 * that found no blank there (when the seal is on another page, both: one widget cannot span
 * pages).
 */
async function blankParts(pdf: PdfFile, stampPage: number, documentNumber: string | undefined, documentDate: string | undefined, fonts: Fonts, warnings: AppearanceLayout['warnings']): Promise<{ parts: PartLayout[]; leftover: string[] }> {
  const date = documentDate ? parseLetterDate(documentDate) : null;
  if (documentDate && !date) throw new KysoError('signBadDocumentDate', { date: documentDate });
  const numberLine = documentNumber ? `Số: ${documentNumber}` : '';
  const dateLine = documentDate ? `Ngày: ${documentDate}` : '';
  if (stampPage !== 0) {
    warnings.push({ code: 'sign.warn.blanksOnOtherPage', params: { page: stampPage + 1 } });
    return { parts: [], leftover: [numberLine, dateLine].filter(Boolean) };
  }
  const text = await PageText.read(pdf, await pdf.page(0));
  const blanks: Blank[] = [];
  const leftover: string[] = [];
  if (documentNumber) {
    const b = findNumberBlank(text, documentNumber);
    if (b) blanks.push(b);
    else {
      warnings.push({ code: 'sign.warn.numberBlankNotFound', params: { number: documentNumber } });
      leftover.push(numberLine);
    }
  }
  if (date) {
    const b = findDateBlanks(text, date);
    if (b.length) blanks.push(...b);
    else {
      warnings.push({ code: 'sign.warn.dateBlankNotFound', params: { date: documentDate! } });
      leftover.push(dateLine);
    }
  }
  const parts: PartLayout[] = [];
  for (const b of blanks) parts.push(await blankPart(b, fonts));
  return { parts, leftover };
}

/** Narrowest horizontal scaling before the size is reduced instead. */
const MIN_HSCALE = 0.75;

/** The text of one blank, in the letter's size and style, condensed or reduced only when it must. */
async function blankPart(b: Blank, fonts: Fonts): Promise<PartLayout> {
  const font = await fonts.get(b.style);
  const space = font.widthOf(' ', b.size);
  // Half a word space each side keeps the words apart (text extraction sees the gap) while
  // leaving the blank as much room as it can.
  const room = b.box[2] - (b.spaceBefore ? space / 2 : 0.5) - (b.spaceAfter ? space / 2 : 0.3);
  const natural = font.widthOf(b.text, b.size);
  let size = b.size;
  let hscale = 1;
  if (natural > room) {
    hscale = Math.max(MIN_HSCALE, room / natural);
    if (natural * hscale > room) size = (b.size * room) / (natural * hscale);
  }
  const width = font.widthOf(b.text, size) * hscale;
  // The number sits against the notation ("125/UBND-VP"); day, month and year are centred.
  const left = b.kind === 'number' ? b.box[0] + b.box[2] - 0.3 - width : b.box[0] + (b.box[2] - width) / 2;
  const ascent = (font.ascent * size) / 1000;
  const descent = (-font.descent * size) / 1000;
  const box: Box = [left, b.baseline - descent, width, ascent + descent];
  const item: TextItem = { kind: 'text', lines: [b.text], x: 0, top: ascent + descent, width, size, lineHeight: 1, align: 'left', color: BLACK, style: b.style, hscale };
  return { box, items: [item] };
}

/** True for errors a placement preview shows as they are (anchor not found, bad page...). */
export function isPlacementError(e: unknown): boolean {
  return isKysoError(e) && ['signAnchorNotFound', 'signPageOutOfRange', 'signBadDocumentDate', 'fileNotFound', 'signImageInvalid'].includes(e.code);
}
