/**
 * Issue 14.7 in Debian's Chromium through the browser host: a received document's PDFs (the
 * main document and a PDF attachment, a two-page file made with qpdf) open in the Inbox's own
 * viewer; a Word attachment (Info-ZIP fixture) and a program named `.pdf.exe` are never
 * opened with another program: they offer "Lưu…", which saves a copy through the host's
 * folder picker under the safe name, asks before replacing it, and says where it went.
 * The package arrives through the real inbox sync from a signed, crafted package.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../main/exchange/client/index.js';
import { openStore } from '../../main/store/index.js';
import { run } from '../bed/run.js';
import { craftPackage, fakeItem, startFakeInbox, throwAwaySigner } from '../integration/exchange-client/fake-inbox.js';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';

const FIX = path.join(root, 'test', 'fixtures');
const DOCX = readFileSync(path.join(FIX, 'bien-ban.docx'));
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-attach-'));
const home = path.join(dir, 'kyso');
/** The host's user home: the folder picker starts there. */
const userHome = path.join(dir, 'user');
const docs = path.join(userHome, 'Tài liệu');
let host: HostProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(docs, { recursive: true });
  const appendix = path.join(dir, 'phu-luc.pdf');
  await run('qpdf', ['--empty', '--pages', path.join(FIX, 'cong-van-mau.pdf'), '1,1', '--', appendix]);
  const signer = await throwAwaySigner(dir);
  const body = await craftPackage(signer, dir, 'Kế hoạch tổ chức hội nghị', [
    { name: 'Công văn.pdf', bytes: readFileSync(path.join(FIX, 'cong-van-mau.pdf')) },
    { name: 'Phụ lục.pdf', bytes: readFileSync(appendix) },
    { name: 'Biên bản họp.docx', bytes: DOCX, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    { name: 'Quyết định.pdf.exe', bytes: EXE },
  ]);
  const server = await startFakeInbox(() => [{ item: fakeItem(1, 'attach-e2e-01', createHash('sha256').update(body).digest('hex'), body.length), body }]);
  const store = openStore(home);
  try {
    const client = new ExchangeClient({ store, home, server: server.url, signer: async () => signer, validator: async () => ({ status: 'NO_SIGNATURE', report: {} }) });
    expect(await client.sync()).toMatchObject({ received: 1 });
  } finally {
    store.close();
    await server.close();
  }
  host = await startHostProcess({ KYSO_HOME: home, HOME: userHome });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1366, height: 768 } });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(host.url);
  await page.getByTestId('app-shell').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const viewerPage = () => page.locator('[data-testid="inbox-viewer"] [data-testid="preview-page"]').textContent();
const fileRow = (name: string) => page.getByTestId('inbox-file-row').filter({ hasText: name });

/** Saves a row's file through "Lưu…" and the host's folder picker, into `Tài liệu`. */
async function saveToDocs(name: string): Promise<void> {
  await fileRow(name).getByTestId('inbox-file-save').click();
  const picker = page.getByTestId('file-picker');
  await picker.waitFor();
  expect(await picker.getByRole('heading').textContent()).toBe('Lưu bản sao tệp đính kèm');
  await picker.getByTestId('picker-dir').filter({ hasText: 'Tài liệu' }).click();
  await expect.poll(() => picker.getByTestId('picker-path').textContent()).toBe(docs);
  await picker.getByTestId('picker-ok').click();
}

describe('attachments in the Inbox', () => {
  it('PDFs, the main document and a PDF attachment, open in the built-in viewer', async () => {
    await page.getByTestId('nav-inbox').click();
    await page.getByTestId('inbox-row').filter({ hasText: 'Kế hoạch tổ chức hội nghị' }).click();
    await page.locator('[data-testid="inbox-viewer"] [data-testid="preview-frame"][data-ready="true"]').waitFor({ timeout: 60_000 });
    expect(await viewerPage()).toBe('Trang 1/1');
    await fileRow('Phụ lục.pdf').getByTestId('inbox-file').click();
    await expect.poll(viewerPage, { timeout: 30_000 }).toBe('Trang 1/2');
    expect(await fileRow('Phụ lục.pdf').getByTestId('inbox-file').getAttribute('aria-pressed')).toBe('true');
    await fileRow('Công văn.pdf').getByTestId('inbox-file').click();
    await expect.poll(viewerPage, { timeout: 30_000 }).toBe('Trang 1/1');
  });

  it('a Word file and a program offer "Lưu…", never "Mở" or a link to another program', async () => {
    for (const name of ['Biên bản họp.docx', 'Quyết định.pdf.exe']) {
      const row = fileRow(name);
      expect(await row.getByTestId('inbox-file-save').textContent()).toBe('Lưu…');
      expect(await row.getByTestId('inbox-file').count()).toBe(0); // not a viewer link
      expect(await row.getByTestId('inbox-file-open').count()).toBe(0);
      expect(await row.getByRole('button', { name: 'Mở' }).count()).toBe(0);
    }
    expect(await fileRow('Biên bản họp.docx').getByTestId('inbox-file-kind').textContent()).toBe('DOCX');
    expect(await fileRow('Quyết định.pdf.exe').getByTestId('inbox-file-kind').textContent()).toBe('không rõ loại — không mở');
  });

  it('"Lưu…" saves the Word file through the host\'s folder picker, under its name, and asks before replacing it', async () => {
    await saveToDocs('Biên bản họp.docx');
    const done = fileRow('Biên bản họp.docx').getByTestId('inbox-save-done');
    await done.waitFor();
    expect(await done.textContent()).toContain(`Đã lưu: ${path.join(docs, 'Biên bản họp.docx')}`);
    expect(readFileSync(path.join(docs, 'Biên bản họp.docx')).equals(DOCX)).toBe(true);
    await page.screenshot({ path: shot('inbox-attachment-saved.png') });

    // Saved again: the existing file is kept until the user says to replace it.
    writeFileSync(path.join(docs, 'Biên bản họp.docx'), 'bản đã sửa của văn thư');
    await saveToDocs('Biên bản họp.docx');
    const ask = fileRow('Biên bản họp.docx').getByTestId('inbox-save-exists');
    await ask.waitFor();
    expect(await ask.textContent()).toContain('Đã có tệp "Biên bản họp.docx" ở đó. Ghi đè?');
    expect(readFileSync(path.join(docs, 'Biên bản họp.docx'), 'utf8')).toBe('bản đã sửa của văn thư');
    await ask.getByTestId('inbox-save-replace').click();
    await done.waitFor();
    expect(readFileSync(path.join(docs, 'Biên bản họp.docx')).equals(DOCX)).toBe(true);

    // The program is saved inert, never as .exe or .pdf.
    await saveToDocs('Quyết định.pdf.exe');
    await fileRow('Quyết định.pdf.exe').getByTestId('inbox-save-done').waitFor();
    expect(readdirSync(docs).sort()).toEqual(['Biên bản họp.docx', 'Quyết định_pdf.bin']);
    expect(problems).toEqual([]);
  });
});
