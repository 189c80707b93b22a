/**
 * Field edXML packages in the Inbox and the incoming register, in Debian's Chromium through
 * the browser host: an unsigned package is shown as unsigned (never as signed), an RSA-SHA1
 * one as valid with a weak algorithm, with the reader's notes, the business block, the trace
 * headers and a mislabelled file's real type. The packages reach the store through the real
 * inbox sync (test/unit/exchange-edxml/field-inbox.ts: only the transport is a stand-in,
 * until the axis gateway delivers them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/index.js';
import { deliverFieldPackages } from '../unit/exchange-edxml/field-inbox.js';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';

const FIX = path.join(root, 'test', 'fixtures', 'edxml');
const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-edxml-'));
let host: HostProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const store = openStore(home);
  try {
    const r = await deliverFieldPackages(store, home, ['field-unprefixed-foreign-signature.edxml', 'field-rsa-sha1-prefix-out-of-scope.edxml', 'field-mime-mismatch-no-manifest.edxml'].map((f) => path.join(FIX, f)));
    expect(r.received).toBe(3);
    store.incoming.accept('field-1');
  } finally {
    store.close();
  }
  host = await startHostProcess({ KYSO_HOME: home });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(host.url);
  await page.getByTestId('app-shell').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function open(screen: string, heading: string): Promise<void> {
  await page.getByTestId(`nav-${screen}`).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('field packages on screen', () => {
  it('the Inbox shows an unsigned package as unsigned, in the list and in the detail', async () => {
    await open('inbox', 'Văn bản đến');
    const row = page.getByTestId('inbox-row').filter({ hasText: 'Thông báo kết luận' });
    await row.waitFor();
    expect(await row.getByTestId('package-signature-mark').textContent()).toBe(' (Không ký số)');
    await row.click();
    const sig = page.getByTestId('package-signature');
    await sig.waitFor();
    expect(await sig.getAttribute('data-state')).toBe('unsigned');
    expect(await sig.textContent()).toBe('Không ký số');
    expect(await page.getByTestId('package-bussiness').textContent()).toBe('Thay thế — Thay thế văn bản gửi nhầm ngày 31/3');
    expect(await page.getByTestId('package-notes').textContent()).toContain('không thuộc không gian tên XML-DSig');
    expect(await page.getByTestId('inbox-detail').textContent()).toContain('vxp.saas.03 (01/04/2026 14:02)');
    await page.screenshot({ path: shot('inbox-unsigned.png') });
  });

  it('an RSA-SHA1 package is valid with a weak algorithm, and a mislabelled file shows its real type', async () => {
    const rows = page.getByTestId('inbox-row').filter({ hasText: 'Ngày hội văn hóa' });
    expect(await rows.count()).toBe(2);
    const mark = page.getByTestId('package-signature-mark');
    const weak = rows.filter({ has: mark });
    expect(await weak.getByTestId('package-signature-mark').textContent()).toBe(' (Hợp lệ, nhưng dùng thuật toán cũ, yếu (RSA-SHA1))');
    await weak.click();
    await expect.poll(() => page.getByTestId('package-signature').getAttribute('data-state')).toBe('valid-weak-algorithm');
    expect(await page.getByTestId('package-notes').textContent()).toContain('tiền tố edXML');
    // The RSA-SHA256 package with the .doc declared application/zip: valid, so no mark in the list.
    await rows.filter({ hasNot: mark }).click();
    await expect.poll(() => page.getByTestId('package-signature').getAttribute('data-state')).toBe('valid');
    expect(await page.getByTestId('inbox-detail').textContent()).toContain('khai báo application/zip, thực tế application/msword');
  });

  it('the incoming register marks the unsigned document', async () => {
    await open('registers', 'Sổ văn bản');
    const list = page.getByTestId('register-list');
    await list.getByText('Thông báo kết luận').first().waitFor();
    expect(await list.getByTestId('package-signature-mark').first().textContent()).toBe(' (Không ký số)');
    expect(problems).toEqual([]);
  });
});
