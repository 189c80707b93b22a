/**
 * Placement geometry. Rectangles the user gives (and the defaults per role) are in the page
 * as displayed: origin at the bottom-left of the visible page after /Rotate and inside the
 * CropBox. They are converted to default user space, and the appearance gets a /Matrix that
 * keeps its content upright on rotated pages.
 */
import type { PageInfo } from '../pdf/pages.js';

/** A rectangle x, y, width, height. */
export type Box = [number, number, number, number];

/** Width and height of the page as displayed. */
export function displaySize(page: PageInfo): [number, number] {
  const [llx, lly, urx, ury] = page.cropBox;
  const w = urx - llx;
  const h = ury - lly;
  return page.rotate % 180 === 0 ? [w, h] : [h, w];
}

/** Converts a displayed box to a /Rect [llx lly urx ury] in default user space. */
export function toDefaultRect(page: PageInfo, box: Box): [number, number, number, number] {
  const [llx, lly, urx, ury] = page.cropBox;
  const pw = urx - llx;
  const ph = ury - lly;
  const [X, Y, w, h] = box;
  let x: number, y: number, rw: number, rh: number;
  switch (((page.rotate % 360) + 360) % 360) {
    case 90:
      [x, y, rw, rh] = [pw - Y - h, X, h, w];
      break;
    case 180:
      [x, y, rw, rh] = [pw - X - w, ph - Y - h, w, h];
      break;
    case 270:
      [x, y, rw, rh] = [Y, ph - X - w, h, w];
      break;
    default:
      [x, y, rw, rh] = [X, Y, w, h];
  }
  return [llx + x, lly + y, llx + x + rw, lly + y + rh];
}

/** Converts a default-user-space point to displayed coordinates (for anchors found in content). */
export function toDisplayPoint(page: PageInfo, x: number, y: number): [number, number] {
  const [llx, lly, urx, ury] = page.cropBox;
  const pw = urx - llx;
  const ph = ury - lly;
  const rx = x - llx;
  const ry = y - lly;
  switch (((page.rotate % 360) + 360) % 360) {
    case 90:
      return [ry, pw - rx];
    case 180:
      return [pw - rx, ph - ry];
    case 270:
      return [ph - ry, rx];
    default:
      return [rx, ry];
  }
}

/** The appearance /Matrix that keeps a W x H form upright on a page with this rotation. */
export function uprightMatrix(rotate: number, w: number, h: number): [number, number, number, number, number, number] | undefined {
  switch (((rotate % 360) + 360) % 360) {
    case 90:
      return [0, 1, -1, 0, h, 0];
    case 180:
      return [-1, 0, 0, -1, w, h];
    case 270:
      return [0, -1, 1, 0, 0, w];
    default:
      return undefined;
  }
}
