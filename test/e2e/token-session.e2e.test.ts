/**
 * Issue 15.10 in the UI, with real parts (SoftHSM2 test bed, real core, Chromium): with the
 * setting "keep the token logged in N minutes", the signer sees for whom and until when the
 * token stays logged in, the next batch with that certificate says it asks no PIN and asks
 * none, and "log out now" ends the session: the button promises a PIN again, and asks it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBed, OFFICIAL_TOKEN, SUBJECTS, type TestBed } from '../bed/index.js';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { answerPin } from './helpers/pin.js';
import { shot } from './helpers/screenshots.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-session-'));
const officialCn = SUBJECTS.official.find(([k]) => k === 'CN')![1];
let bed: TestBed;
let host: HostProcess;
let browser: Browser;
let page: Page;
let n = 0;

beforeAll(async () => {
  bed = await createTestBed();
  host = await startHostProcess({ ...bed.env, KYSO_PKCS11_MODULES: bed.module });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 900 } });
  await page.goto(host.url);
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Fills the Batch screen with two fresh copies of the sample and the official's certificate. */
async function fillBatch(): Promise<string> {
  const dir = path.join(work, `in-${++n}`);
  mkdirSync(dir);
  const files = [1, 2].map((i) => {
    const p = path.join(dir, `van-ban-${i}.pdf`);
    copyFileSync(path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf'), p);
    return p;
  });
  const out = path.join(work, `out-${n}`);
  await page.getByTestId('nav-batch').click();
  await page.getByRole('heading', { level: 1, name: 'Ký hàng loạt' }).waitFor();
  await page.getByTestId('batch-files').fill(files.join('\n'));
  await page.getByTestId('batch-outdir').fill(out);
  const tokenSelect = page.getByTestId('token-select');
  await tokenSelect.waitFor({ timeout: 30_000 });
  await tokenSelect.selectOption((await tokenSelect.locator('option', { hasText: OFFICIAL_TOKEN.label }).getAttribute('value'))!);
  const certSelect = page.getByTestId('cert-select');
  await certSelect.selectOption((await certSelect.locator('option', { hasText: officialCn }).getAttribute('value'))!);
  return out;
}

async function finished(out: string): Promise<void> {
  await expect.poll(async () => (await page.getByTestId('job-summary').count()) ? (await page.getByTestId('job-summary').textContent()) ?? '' : '', { timeout: 60_000 }).toContain('Đã ký 2/2 tệp');
  expect(readdirSync(out)).toHaveLength(2);
}

describe('a kept token session', () => {
  it('is set in Settings, shown with its certificate and end, and spares the PIN for that certificate', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByRole('heading', { level: 1, name: 'Cài đặt' }).waitFor();
    await page.getByTestId('keep-session-minutes').fill('5');
    await expect.poll(() => page.getByTestId('keep-session-minutes').inputValue()).toBe('5');

    const first = await fillBatch();
    expect(await page.getByTestId('batch-start').textContent()).toContain('một lần nhập PIN');
    await page.getByTestId('batch-start').click();
    await answerPin(page, OFFICIAL_TOKEN.pin);
    await finished(first);

    const badge = page.getByTestId('token-session');
    await expect.poll(() => badge.textContent(), { timeout: 20_000 }).toContain(`vẫn đăng nhập cho ${officialCn}`);
    await page.screenshot({ path: shot('token-session-kept.png') });
    const second = await fillBatch();
    expect(await page.getByTestId('batch-start').textContent()).toContain('không hỏi PIN');
    await page.getByTestId('batch-start').click();
    await finished(second);
    expect(await page.getByTestId('pin-dialog').count()).toBe(0);
  });

  it('ends with "log out now": the next batch asks the PIN and says so', async () => {
    await page.getByTestId('token-session-end').click();
    await expect.poll(() => page.getByTestId('token-session').textContent(), { timeout: 20_000 }).toContain('đăng xuất sau mỗi lần ký');
    const third = await fillBatch();
    expect(await page.getByTestId('batch-start').textContent()).toContain('một lần nhập PIN');
    await page.getByTestId('batch-start').click();
    await answerPin(page, OFFICIAL_TOKEN.pin);
    await finished(third);
  });
});
