/**
 * Batch signing through the UI with real parts (SoftHSM2 test bed, real core): 50 files with
 * one PIN entered once in the PIN dialog; then a bigger batch cancelled midway, which must
 * leave only complete signed files in the output folder (no partial or temp files); then a
 * visible batch at a saved placement, previewed on the first file, signed at that spot in
 * every file (issue 14, point 6).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/index.js';
import { createTestBed, OFFICIAL_TOKEN, SUBJECTS, type TestBed } from '../bed/index.js';
import { pdfsig, pdfsigBlocks, sigWidgets } from '../integration/signing/oracles.js';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';
import { answerPin } from './helpers/pin.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-batch-'));
const officialCn = SUBJECTS.official.find(([k]) => k === 'CN')![1];

let bed: TestBed;
let host: HostProcess;
let browser: Browser;
let page: Page;

/** Copies the sample PDF n times into a fresh folder; returns the paths. */
function inputs(name: string, n: number): string[] {
  const dir = path.join(work, name);
  mkdirSync(dir);
  const sample = path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf');
  return Array.from({ length: n }, (_, i) => {
    const p = path.join(dir, `van-ban-${String(i + 1).padStart(3, '0')}.pdf`);
    copyFileSync(sample, p);
    return p;
  });
}

/** A complete PDF written by an incremental update ends with %%EOF. */
function isCompletePdf(p: string): boolean {
  const buf = readFileSync(p);
  return buf.subarray(0, 5).toString() === '%PDF-' && /%%EOF\s*$/.test(buf.subarray(-64).toString('latin1'));
}

beforeAll(async () => {
  bed = await createTestBed();
  host = await startHostProcess({ ...bed.env, KYSO_PKCS11_MODULES: bed.module });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 900 } });
  await page.goto(host.url);
  await page.getByTestId('nav-batch').click();
  await page.getByRole('heading', { level: 1, name: 'Ký hàng loạt' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Fills the batch form with files, output folder, role and the official's certificate. */
async function fill(files: string[], outDir: string, role = 'invisible'): Promise<void> {
  await page.getByTestId('batch-files').fill(files.join('\n'));
  await page.getByTestId('batch-outdir').fill(outDir);
  // Invisible signatures for many files and cancelling (van-thu-day.e2e signs a visible batch
  // by anchor; the last test here at a saved placement).
  await page.getByTestId('role-select').selectOption(role);
  const tokenSelect = page.getByTestId('token-select');
  await tokenSelect.waitFor({ timeout: 30_000 });
  await tokenSelect.selectOption((await tokenSelect.locator('option', { hasText: OFFICIAL_TOKEN.label }).getAttribute('value'))!);
  const certSelect = page.getByTestId('cert-select');
  await certSelect.selectOption((await certSelect.locator('option', { hasText: officialCn }).getAttribute('value'))!);
}

describe('batch signing', () => {
  it('signs 50 files with one PIN', async () => {
    const files = inputs('a', 50);
    const out = path.join(work, 'out-a');
    await fill(files, out);
    await page.getByTestId('batch-start').click();
    // Not logged in yet: the PIN dialog asks once for the whole batch.
    await page.getByTestId('pin-dialog').waitFor();
    await page.getByTestId('pin-input').fill(OFFICIAL_TOKEN.pin);
    await page.getByTestId('pin-ok').click();
    await page.getByTestId('job-summary').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('job-summary').textContent()).toContain('Đã ký 50/50 tệp; 0 tệp lỗi');
    expect(await page.getByTestId('pin-dialog').count()).toBe(0);
    const written = readdirSync(out).sort();
    expect(written).toEqual(files.map((f) => path.basename(f)).sort());
    expect(written.every((f) => isCompletePdf(path.join(out, f)))).toBe(true);
    await page.screenshot({ path: shot('batch-done.png') });
  });

  it('cancels a second batch midway without leaving partial files', async () => {
    const files = inputs('b', 300);
    const out = path.join(work, 'out-b');
    await fill(files, out);
    // The token was logged out after the first batch: the button says a PIN will be asked, and it is.
    expect(await page.getByTestId('batch-start').textContent()).toContain('một lần nhập PIN');
    await page.getByTestId('batch-start').click();
    await answerPin(page, OFFICIAL_TOKEN.pin);
    // Cancel as soon as some files are done.
    await expect.poll(async () => Number(/^(\d+)\//.exec((await page.getByTestId('job-count').textContent()) ?? '')?.[1] ?? 0), { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
    await page.getByTestId('job-cancel').click();
    await page.getByTestId('job-summary').waitFor({ timeout: 60_000 });
    const statuses = await page.getByTestId('job-row').locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    const signed = statuses.filter((s) => s === 'signed').length;
    expect(statuses.filter((s) => s === 'cancelled').length).toBeGreaterThan(0);
    expect(signed).toBeGreaterThan(0);
    expect(signed).toBeLessThan(300);
    // The bar says what was done; only written files offer "Mở".
    expect(await page.getByTestId('job-title').textContent()).toBe(`Đã dừng: đã ký ${signed}/300 tệp`);
    expect(await page.getByTestId('job-count').textContent()).toBe(`${signed}/300 tệp`);
    expect(await page.getByTestId('job-open').count()).toBe(signed);
    // Exactly the signed files exist, each complete; nothing half-written or temporary.
    const written = readdirSync(out);
    expect(written.length).toBe(signed);
    expect(written.every((f) => f.endsWith('.pdf') && isCompletePdf(path.join(out, f)))).toBe(true);
    await page.getByTestId('job-retry').waitFor();
  });

  it('signs a visible batch at a saved placement: previewed on the first file, at that spot in every file', async () => {
    // Two-page letters (made by qpdf) and a placement saved earlier on page 2, as the Sign
    // screen's "Lưu vị trí" stores it.
    const dir = path.join(work, 'd');
    mkdirSync(dir);
    const sample = path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf');
    const files = Array.from({ length: 3 }, (_, i) => {
      const f = path.join(dir, `thu-${i + 1}.pdf`);
      execFileSync('qpdf', ['--empty', '--pages', sample, sample, '--', f]);
      return f;
    });
    const saved = { page: 2, rect: [320, 140, 180, 80] as const };
    const store = openStore(host.home);
    store.settings.set('ui.placements', { 'Cuối trang 2': { page: saved.page, rect: [...saved.rect] } });
    store.close();
    // The placement list is read when the screen opens.
    await page.getByTestId('nav-home').click();
    await page.getByTestId('nav-batch').click();
    const out = path.join(work, 'out-d');
    await fill(files, out, 'approval');
    await page.getByTestId('placement-mode-drag').check();
    await page.getByTestId('placement-saved').selectOption('Cuối trang 2');
    const preview = page.getByTestId('batch-preview').getByTestId('appearance-preview');
    await preview.and(page.locator('[data-page="2"]')).getByText(`Ký bởi: ${officialCn}`).waitFor({ timeout: 60_000 });
    await page.getByTestId('batch-start').click();
    await answerPin(page, OFFICIAL_TOKEN.pin);
    await expect.poll(async () => (await page.getByTestId('job-summary').allTextContents()).join(' '), { timeout: 60_000 }).toContain('Đã ký 3/3 tệp; 0 tệp lỗi');
    const [x, y, w, h] = saved.rect;
    for (const f of files) {
      const signed = path.join(out, path.basename(f));
      expect(sigWidgets(signed)).toEqual([{ page: 2, rect: [x, y, x + w, y + h] }]);
      const report = await pdfsig(signed, bed.nssDir);
      expect(pdfsigBlocks(report)[0], report).toContain('Signature is Valid.');
    }
  });
});
