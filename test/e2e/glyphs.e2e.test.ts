/**
 * The Sign screen's pdf.js preview draws the sample letter's signer block ("TM. ỦY BAN NHÂN
 * DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn An") as poppler does: glyph by glyph, the
 * ink of the preview's canvas and of pdftoppm at the same pixel size agree, and every letter
 * with a dot below (Ị) shows it as its own mark, as poppler does at that resolution. Chromium
 * printed that bold Ị as a Type3 bar and a square dot; drawn at the screen's resolution the
 * dot merged into the bar and "CHỦ TỊCH" read "CHỦ T|CH".
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../main/pdf/reader.js';
import { PageText } from '../../main/signing/page-text.js';
import { launchChromium } from './helpers/browser.js';
import { inkAgreement, marks, popplerGrey, type Grey, type PixelBox } from './helpers/glyphs.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';

const sample = path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf');
let host: HostProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  host = await startHostProcess({});
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1366, height: 768 } });
  await page.goto(host.url);
  await page.getByTestId('app-shell').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

/** The canvas API used in the page (the Node-side tsconfig has no DOM types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  getBoundingClientRect(): { width: number };
}

/** The preview canvas as a grey image, with its size on screen. */
async function canvasGrey(): Promise<Grey & { cssWidth: number }> {
  const r = await page.getByTestId('preview-canvas').evaluate((el) => {
    const c = el as unknown as Canvas;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const g = new Uint8Array(c.width * c.height);
    for (let i = 0; i < g.length; i++) {
      const a = d[i * 4 + 3]! / 255;
      g[i] = Math.round(((d[i * 4]! + d[i * 4 + 1]! + d[i * 4 + 2]!) / 3) * a + 255 * (1 - a));
    }
    let s = '';
    for (let i = 0; i < g.length; i += 8192) s += String.fromCharCode(...g.subarray(i, i + 8192));
    return { width: c.width, height: c.height, cssWidth: c.getBoundingClientRect().width, b64: btoa(s) };
  });
  return { width: r.width, height: r.height, cssWidth: r.cssWidth, data: new Uint8Array(Buffer.from(r.b64, 'base64')) };
}

describe('the pdf.js preview renders Vietnamese as poppler does', () => {
  it('matches poppler glyph by glyph on the signer block, dots below included', async () => {
    await page.getByTestId('nav-sign').click();
    await page.getByTestId('sign-file').fill(sample);
    await page.locator('[data-testid="preview-frame"][data-ready="true"]').waitFor({ timeout: 60_000 });
    const preview = await canvasGrey();
    // Drawn at twice the screen's resolution at least: small marks stay separate.
    expect(preview.width / preview.cssWidth).toBeGreaterThanOrEqual(1.99);
    const poppler = popplerGrey(sample, 1, preview.width, preview.height);

    const pdf = await PdfFile.open(sample);
    const text = await PageText.read(pdf, await pdf.page(0));
    await pdf.close();
    const [pw, ph] = [595.96, 841.92];
    const top = text.find('TM. ỦY BAN NHÂN DÂN')[0]!.box;
    const name = text.find('Nguyễn Văn An')[0]!.box;
    const block = text.ink.filter((g) => g.box[1] >= name[1] - 1 && g.box[1] + g.box[3] <= top[1] + top[3] + 1 && g.box[0] >= top[0] - 30);
    expect(block.map((g) => g.text).join('')).toContain('PHÓCHỦTỊCH');
    const sx = preview.width / pw;
    const sy = preview.height / ph;
    const px = (b: [number, number, number, number]): PixelBox => [Math.floor(b[0] * sx) - 2, Math.floor((ph - b[1] - b[3]) * sy) - 2, Math.ceil((b[0] + b[2]) * sx) + 2, Math.ceil((ph - b[1]) * sy) + 2];

    const bad: string[] = [];
    for (const g of block) {
      const box = px(g.box);
      const agree = inkAgreement(preview, poppler, box);
      if (agree < 0.85) bad.push(`${g.text}: ${agree.toFixed(2)}`);
    }
    expect(bad).toEqual([]);
    const dotted = block.filter((g) => /[ẠạỊịỌọỤụỴỵẶặẬậỆệỘộỢợỰự]/.test(g.text));
    expect(dotted.length).toBeGreaterThanOrEqual(2);
    for (const g of dotted) {
      const box = px(g.box);
      expect(marks(poppler, box), `${g.text} in poppler`).toBeGreaterThanOrEqual(2);
      expect(marks(preview, box), `${g.text} in the preview`).toBe(marks(poppler, box));
    }
    await page.screenshot({ path: shot('preview-glyphs.png') });
  });
});
