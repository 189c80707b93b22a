/**
 * Comparing a rendered page with poppler's, glyph by glyph: grey images (one byte a pixel),
 * ink masks, how much of each one's ink the other has within a pixel, and the separate marks
 * (connected components) a glyph is drawn with (the dot under "Ị" is one of them).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A grey image, row by row. */
export interface Grey {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Poppler's rendering of one page at exactly width x height pixels (pdftoppm -gray). */
export function popplerGrey(pdf: string, page: number, width: number, height: number): Grey {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-glyphs-'));
  try {
    execFileSync('pdftoppm', ['-gray', '-f', String(page), '-l', String(page), '-scale-to-x', String(width), '-scale-to-y', String(height), pdf, path.join(dir, 'p')]);
    const file = readFileSync(path.join(dir, `p-${page}.pgm`));
    // Binary PGM: "P5\nW H\n255\n" then the pixels.
    let off = 0;
    for (let lines = 0; lines < 3; off++) if (file[off] === 0x0a) lines++;
    return { width, height, data: file.subarray(off, off + width * height) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A pixel rectangle [x0, y0, x1, y1) (y down). */
export type PixelBox = [number, number, number, number];

const inked = (g: Grey, x: number, y: number) => x >= 0 && y >= 0 && x < g.width && y < g.height && g.data[y * g.width + x]! < 140;

function nearInk(g: Grey, x: number, y: number): boolean {
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (inked(g, x + dx, y + dy)) return true;
  return false;
}

/**
 * How alike two renderings are inside a box: the share of each one's ink that the other has
 * within one pixel, the smaller of the two (1 = same marks; a missing or extra mark lowers it).
 */
export function inkAgreement(a: Grey, b: Grey, box: PixelBox): number {
  let ia = 0;
  let ma = 0;
  let ib = 0;
  let mb = 0;
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) {
      if (inked(a, x, y)) {
        ia++;
        if (nearInk(b, x, y)) ma++;
      }
      if (inked(b, x, y)) {
        ib++;
        if (nearInk(a, x, y)) mb++;
      }
    }
  }
  return Math.min(ia ? ma / ia : 1, ib ? mb / ib : 1);
}

/** Number of separate marks (8-connected ink components of 2 pixels or more) inside a box. */
export function marks(g: Grey, box: PixelBox): number {
  const w = box[2] - box[0];
  const seen = new Uint8Array(w * (box[3] - box[1]));
  let n = 0;
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) {
      const k = (y - box[1]) * w + (x - box[0]);
      if (seen[k] || !inked(g, x, y)) continue;
      let size = 0;
      const stack = [[x, y]];
      seen[k] = 1;
      while (stack.length) {
        const [px, py] = stack.pop()!;
        size++;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const qx = px! + dx;
            const qy = py! + dy;
            if (qx < box[0] || qy < box[1] || qx >= box[2] || qy >= box[3]) continue;
            const q = (qy - box[1]) * w + (qx - box[0]);
            if (!seen[q] && inked(g, qx, qy)) {
              seen[q] = 1;
              stack.push([qx, qy]);
            }
          }
        }
      }
      if (size >= 2) n++;
    }
  }
  return n;
}
