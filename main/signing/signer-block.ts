/**
 * Where the approval signature and the seal go in a letter's signer block (Decree 30,
 * appendix I): the signature image between the position title ("PHÓ CHỦ TỊCH") and the
 * signer's name, never over them; the seal at its real size, over about the left third of
 * the signature image; the seal's text (organization, time) where it touches no other text.
 */
import type { Box } from './placement.js';
import { unionBox, type PageText, type TextRun } from './page-text.js';

/** Room kept between the signature image and the lines above and below it (points). */
const GAP_PAD = 3;
/** The signature image's height when nothing is found below the title. */
const DEFAULT_GAP = 62;

/** Size of an image in pixels (its aspect ratio is kept). */
export interface ImageSize {
  width: number;
  height: number;
}

/** Largest box of the image's aspect inside (w x h), centred on (cx, cy). */
function fitCentered(img: ImageSize, cx: number, cy: number, w: number, h: number): Box {
  const s = Math.min(w / img.width, h / img.height);
  const iw = img.width * s;
  const ih = img.height * s;
  return [cx - iw / 2, cy - ih / 2, iw, ih];
}

/**
 * The free band under the title: from the title's bottom down to the next line in its
 * column (the signer's name), minus a little room each side.
 */
export function gapUnderTitle(text: PageText, title: TextRun): Box {
  const [tx, ty, tw] = title.box;
  const column: [number, number] = [tx - tw * 0.25, tx + tw * 1.25];
  const next = text.nextLineBelow(title.box, column[0], column[1]);
  const bottom = next ? next.top + GAP_PAD : ty - GAP_PAD - DEFAULT_GAP;
  const top = ty - GAP_PAD;
  const width = Math.max(tw * 1.6, 150);
  return [tx + tw / 2 - width / 2, bottom, width, Math.max(top - bottom, 12)];
}

/** The approval image's box: centred in the band under the title, as large as the band allows. */
export function approvalBox(text: PageText, title: TextRun, img: ImageSize): Box {
  const [x, y, w, h] = gapUnderTitle(text, title);
  return fitCentered(img, x + w / 2, y + h / 2, w, h);
}

/** The seal's box at real size: its right edge a third of the way into the signature image. */
export function sealBox(signature: Box, diameter: number): Box {
  const [sx, sy, sw, sh] = signature;
  return [sx + sw / 3 - diameter, sy + sh / 2 - diameter / 2, diameter, diameter];
}

/**
 * A spot for a text block of `w` x `h` near `anchor` (the seal) that touches no page text
 * and stays on the page: under it, above it, to its left, then further down. Null when none.
 */
export function freeSpotNear(text: PageText, anchor: Box, w: number, h: number, pageSize: [number, number], avoid: Box[] = []): Box | null {
  const [ax, ay, aw, ah] = anchor;
  const cx = ax + aw / 2 - w / 2;
  const candidates: Box[] = [
    [cx, ay - h - 1, w, h],
    [cx, ay + ah + 1, w, h],
    [ax - w - 2, ay + ah / 2 - h / 2, w, h],
    [ax - w - 2, ay - h - 1, w, h],
  ];
  for (let k = 1; k <= 6; k++) candidates.push([cx, ay - h - 1 - k * (h / 2), w, h]);
  const onPage = (b: Box) => b[0] >= 2 && b[1] >= 2 && b[0] + b[2] <= pageSize[0] - 2 && b[1] + b[3] <= pageSize[1] - 2;
  const clear = (b: Box) => onPage(b) && text.isFree(b) && !avoid.some((o) => b[0] < o[0] + o[2] && o[0] < b[0] + b[2] && b[1] < o[1] + o[3] && o[1] < b[1] + b[3]);
  return candidates.find(clear) ?? null;
}

/** The box that holds all the parts of one widget. */
export function widgetBox(parts: Box[]): Box {
  return unionBox(parts);
}
