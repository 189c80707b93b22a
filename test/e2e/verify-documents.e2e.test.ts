/**
 * The Verify screen on documents other tools made (issue 13 items 7 and 9), in Chromium
 * against the real core: a PDF encrypted by qpdf (AES-256, a user password) and signed by
 * MuPDF asks for its password and then verifies; a signed form filled afterwards shows the
 * page as signed beside the page as it is now.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillTextField } from '../integration/validation/helpers/attacks.js';
import { createValidationBed, type ValidationBed } from '../integration/validation/helpers/bed.js';
import { ENCRYPTIONS, mutoolSign, pkcs12, qpdfEncrypt, withEmptyField } from '../integration/validation/helpers/encrypted.js';
import { signFixture } from '../integration/validation/helpers/sign.js';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';

const PASSWORD = 'mat-khau-2026';
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-verify-'));
const encryptedPdf = path.join(dir, 'cong-van-co-mat-khau.pdf');
const filledPdf = path.join(dir, 'phieu-da-dien.pdf');

let bed: ValidationBed;
let host: HostProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

/** The canvas API used in the page (the Node-side tsconfig has no DOM types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Pixels of a canvas: how many pdf.js painted (opaque), how many of those are dark, and a digest. */
const pixels = (testId: string) => page.getByTestId(testId).evaluate((el) => {
  const c = el as unknown as Canvas;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  let dark = 0;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3]! > 0) painted++;
    if (d[i + 3]! > 0 && d[i]! < 160) dark++;
    sum = (sum * 31 + d[i]! + d[i + 1]! * 7 + d[i + 2]! * 13) % 1_000_000_007;
  }
  return { all: d.length / 4, painted, dark, sum };
});

beforeAll(async () => {
  bed = await createValidationBed();
  // Encrypted by qpdf, signed by MuPDF: no Kyso code made this file.
  const field = path.join(dir, 'field.pdf');
  writeFileSync(field, withEmptyField(readFileSync(path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf'))));
  const encrypted = path.join(dir, 'encrypted.pdf');
  qpdfEncrypt(field, encrypted, PASSWORD, 'owner-pw', ENCRYPTIONS[4]!);
  mutoolSign(encrypted, encryptedPdf, PASSWORD, pkcs12(dir, bed.good.certPath, bed.good.keyPath!, bed.chainFile));
  // A form signed (approval, no DocMDP lock), then a field filled with a new appearance.
  const doc = await PDFDocument.create();
  const p = doc.addPage([595, 842]);
  doc.getForm().createTextField('so_den').addToPage(p, { x: 50, y: 700, width: 200, height: 20 });
  const form = Buffer.from(await doc.save({ useObjectStreams: false }));
  const signed = await signFixture(form, { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile, field: 'Approval' });
  writeFileSync(filledPdf, fillTextField(signed, 'so_den', '123/VB-DEN'));

  host = await startHostProcess({});
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(host.url);
  await page.getByTestId('app-shell').waitFor();
  await page.getByTestId('nav-verify').click();
  await page.getByRole('heading', { level: 1, name: 'Kiểm tra chữ ký' }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await bed?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Verify on documents made by other tools', () => {
  it('an encrypted PDF asks for its password; a wrong one is refused; the right one shows its signature intact', async () => {
    await page.getByTestId('verify-file').fill(encryptedPdf);
    await page.getByTestId('verify-start').click();
    const ask = page.getByTestId('verify-password');
    await ask.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sig-panel').count()).toBe(0);

    await page.getByTestId('verify-password-input').fill('sai-mat-khau');
    await page.getByTestId('verify-password-submit').click();
    await expect.poll(async () => (await page.getByTestId('verify-file-error').textContent()) ?? '', { timeout: 60_000 }).toContain('Mật khẩu không mở được');
    expect(await page.getByTestId('sig-panel').count()).toBe(0);

    await page.getByTestId('verify-password-input').fill(PASSWORD);
    await page.getByTestId('verify-password-submit').click();
    const panel = page.getByTestId('sig-panel').first();
    await panel.waitFor({ timeout: 60_000 });
    // The test root is not trusted here: the verdict may be indeterminate, never "failed".
    expect(await panel.getByTestId('sig-indication').getAttribute('data-indication')).not.toBe('TOTAL_FAILED');
    expect(await panel.textContent()).toContain('Nguyễn Văn An');
    expect(await page.getByTestId('verify-password').count()).toBe(0);
  });

  it('a form filled after signing says the page looks different and shows it as signed beside as it is now', async () => {
    await page.getByTestId('verify-file').fill(filledPdf);
    await page.getByTestId('verify-start').click();
    const panel = page.getByTestId('sig-panel').first();
    await panel.waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('sig-indication').getAttribute('data-indication')).not.toBe('TOTAL_FAILED');
    expect(await panel.getByTestId('sig-checks').textContent()).toMatch(/Trang 1/);
    await page.getByTestId('revision-compare').waitFor({ timeout: 30_000 });
    // Both pages rendered (pdf.js paints every pixel of its canvas)...
    for (const id of ['revision-signed', 'revision-now']) {
      await expect.poll(async () => { const p = await pixels(id); return p.painted === p.all && p.all > 10_000; }, { timeout: 30_000 }).toBe(true);
    }
    // ...and differ: the fill redrew the field, so the two pages do not look the same.
    const [signed, now] = [await pixels('revision-signed'), await pixels('revision-now')];
    expect(Math.abs(now.dark - signed.dark)).toBeGreaterThan(20);
    expect(now.sum).not.toBe(signed.sum);
    expect(problems).toEqual([]);
  });
});
