/**
 * A văn thư's working day in Kyso (issue 14), on the demo as `npm start` leaves it
 * (test/bed/demo.ts startDemoOffice: the "Kyso Demo" token, the inbox server, the outside
 * body Sở Tài chính that answers, the app set up for them), in Chromium at 1366x768:
 * the official signs the letter with the signature image under his title; the văn thư issues
 * it with number and date (poppler reads "Số: 125/UBND-VP" and the date on their lines, and
 * no new text overlaps); batch-issues five letters with the seal, chosen with the in-page
 * file picker; sends them with their Decree 30 metadata to the outside body and sees 01 and
 * 03 come back; receives its reply, reads it in the Inbox viewer with its verdict, registers
 * it and finds it in the register. A screenshot of each step.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TOKEN, OUTSIDE_ORG, SAMPLE_LETTERS, setupDemo, startDemoOffice, type DemoOffice } from '../bed/demo.js';
import type { TestBed } from '../bed/index.js';
import { launchChromium } from './helpers/browser.js';
import { startHostProcess, type HostProcess } from './helpers/host.js';
import { imageCount } from './helpers/pdf-tools.js';
import { answerPin } from './helpers/pin.js';
import { shot } from './helpers/screenshots.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-vanthu-'));
let bed: TestBed;
let office: DemoOffice;
let host: HostProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];
let letters: string;
let approved: string;
let issued: string;
let batchOut: string;

beforeAll(async () => {
  bed = await setupDemo(home, 0);
  office = await startDemoOffice(home, bed, 0);
  letters = office.letters;
  approved = path.join(letters, 'cong-van-01.signed.pdf');
  issued = path.join(letters, 'cong-van-01.issued.pdf');
  batchOut = path.join(letters, 'da-ban-hanh');
  host = await startHostProcess({ ...office.env, KYSO_HOME: home });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1366, height: 768 } });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(host.url);
  await page.getByTestId('app-shell').waitFor();
}, 240_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const text = await page?.locator('main').innerText({ timeout: 5_000 }).catch(() => '(no text)');
  console.error(`screen after the failed step:\n${(text ?? '').slice(0, 3_000)}\noutside body:\n${office?.outside.output()}`);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await office?.stop();
  await bed?.close();
  rmSync(home, { recursive: true, force: true });
});

async function open(screen: string, heading: string): Promise<void> {
  await page.getByTestId(`nav-${screen}`).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** Logs the demo token out on the Tokens screen. */
async function logOut(): Promise<void> {
  await open('tokens', 'Thiết bị ký số');
  const card = page.getByTestId('token-card').filter({ has: page.getByRole('heading', { level: 3, name: new RegExp(`^${DEMO_TOKEN.label} —`) }) });
  await card.getByRole('button', { name: 'Đăng xuất' }).click();
  await card.getByRole('button', { name: 'Đăng nhập' }).waitFor({ timeout: 20_000 });
}

/** Words of a file as pdftotext -bbox reports them (PDF coordinates not needed: only overlaps). */
function words(file: string): Array<{ t: string; b: number[] }> {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  return [...xml.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</g)].map((m) => ({ t: m[5]!, b: [1, 2, 3, 4].map((i) => Number(m[i])) }));
}

/** Words that `after` added to `before`, each paired with any word it overlaps. */
function newOverlaps(before: string, after: string): string[] {
  const old = words(before);
  const all = words(after);
  const same = (a: { t: string; b: number[] }, b: { t: string; b: number[] }) => a.t === b.t && a.b.every((v, i) => Math.abs(v - b.b[i]!) < 0.01);
  const hit = (a: number[], b: number[]) => a[0]! < b[2]! - 0.3 && b[0]! < a[2]! - 0.3 && a[1]! < b[3]! - 0.3 && b[1]! < a[3]! - 0.3;
  const added = all.filter((w) => !old.some((o) => same(o, w)));
  return added.flatMap((w) => all.filter((o) => o !== w && hit(w.b, o.b)).map((o) => `${w.t} × ${o.t}`));
}

/** Waits for the signing job to end and returns its title. */
async function jobDone(): Promise<string> {
  const title = page.getByTestId('job-title');
  await expect.poll(async () => (await page.getByTestId('job-summary').count()) > 0, { timeout: 120_000 }).toBe(true);
  return (await title.textContent()) ?? '';
}

describe('a văn thư’s day on the demo', () => {
  it('starts set up: the server answers and nothing asks for a first-run setup', async () => {
    await page.getByTestId('home-server').and(page.locator('[data-state="ok"]')).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('home-setup-needed').count()).toBe(0);
    await page.getByTestId('home-tokens').locator('li', { hasText: new RegExp(`^${DEMO_TOKEN.label} \\(`) }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot('day-01-home.png') });
  });

  it('the official signs the letter: the signature image under his title, previewed as it will be', async () => {
    await open('sign', 'Ký số');
    await page.getByTestId('sign-file').fill(path.join(letters, 'cong-van-01.pdf'));
    // The approval goes under the title set up by the demo, with the person's certificate.
    expect(await page.getByTestId('placement-mode-anchor').isChecked()).toBe(true);
    expect(await page.getByTestId('placement-anchor').inputValue()).toBe('PHÓ CHỦ TỊCH');
    await page.getByTestId('cert-select').waitFor({ timeout: 60_000 });
    await expect.poll(async () => (await page.getByTestId('cert-select').locator('option:checked').textContent()) ?? '').toContain('Nguyễn Văn An');
    const preview = page.getByTestId('appearance-preview');
    await preview.locator('img[data-kind="signature"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sign-output').getAttribute('placeholder')).toBe(approved);
    await page.screenshot({ path: shot('day-02-sign-preview.png') });
    await page.getByTestId('sign-start').click();
    // A wrong PIN first: the token's answer in words, and the cursor back in the field.
    await page.getByTestId('pin-input').fill('000000');
    await page.getByTestId('pin-ok').click();
    await page.getByTestId('pin-dialog').getByRole('alert').filter({ hasText: 'Mã PIN không đúng' }).waitFor();
    await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('pin-input');
    await page.getByTestId('pin-input').fill(DEMO_TOKEN.pin);
    await page.getByTestId('pin-ok').click();
    expect(await jobDone()).toBe('Đã ký xong');
    expect(existsSync(approved)).toBe(true);
    expect(newOverlaps(path.join(letters, 'cong-van-01.pdf'), approved)).toEqual([]);
    await page.screenshot({ path: shot('day-03-signed.png') });
  });

  it('the văn thư issues it: number and date in the letter’s blanks, the seal on the signature', async () => {
    await page.getByTestId('sign-file').fill(approved);
    await page.getByTestId('role-select').selectOption('issuing');
    await expect.poll(async () => (await page.getByTestId('cert-select').locator('option:checked').textContent()) ?? '').toContain('Ủy ban nhân dân tỉnh Thử Nghiệm');
    expect(await page.getByTestId('placement-mode-auto').isChecked()).toBe(true);
    await page.getByTestId('stamp-documentNumber').fill('125/UBND-VP');
    await page.getByTestId('stamp-documentDate').fill('05/12/2026');
    await page.getByTestId('appearance-preview').locator('img[data-kind="seal"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('appearance-preview').getByText('125').waitFor();
    expect(await page.getByTestId('sign-output').getAttribute('placeholder')).toBe(issued);
    await page.screenshot({ path: shot('day-04-issue-preview.png') });
    await page.getByTestId('sign-start').click();
    // The token was logged out after the approval (a PIN per job, issue 15.10).
    await answerPin(page, DEMO_TOKEN.pin);
    expect(await jobDone()).toBe('Đã ký xong');
    const lines = execFileSync('pdftotext', ['-layout', issued, '-'], { encoding: 'utf8' }).split('\n');
    expect(lines.find((l) => l.includes('Số: 125/UBND-VP'))).toMatch(/Kyso, ngày 05 tháng 12 năm 2026/);
    expect(newOverlaps(approved, issued)).toEqual([]);
    await page.screenshot({ path: shot('day-05-issued.png') });
  });

  it('checks the issued letter dropped on Verify: one verdict for the whole document', async () => {
    await open('verify', 'Kiểm tra chữ ký');
    // A file dropped on the page: the browser host copies it in (a page never learns its path).
    const b64 = readFileSync(issued).toString('base64');
    const dt = await page.evaluateHandle(`(() => {
      const bin = atob(${JSON.stringify(b64)});
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'cong-van-01.issued.pdf', { type: 'application/pdf' }));
      return dt;
    })()`);
    await page.getByTestId('verify-file-drop').dispatchEvent('drop', { dataTransfer: dt });
    await expect.poll(() => page.getByTestId('verify-file').inputValue(), { timeout: 30_000 }).toMatch(/uploads[\\/]\d{4}-\d{2}-\d{2}[\\/]cong-van-01\.issued\.pdf$/);
    expect(readFileSync(await page.getByTestId('verify-file').inputValue())).toEqual(readFileSync(issued));
    await page.getByTestId('verify-start').click();
    const verdict = page.getByTestId('verify-verdict');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-verdict')).toBe('TOTAL_PASSED');
    expect(await page.getByTestId('sig-panel').count()).toBe(2);
    await page.screenshot({ path: shot('day-05b-verify-dropped.png') });
  });

  it('batch-issues five letters with the seal, chosen with the file picker, previewed on the first', async () => {
    await open('batch', 'Ký hàng loạt');
    await page.getByTestId('batch-files-browse').click();
    const picker = page.getByTestId('file-picker');
    await picker.getByRole('button', { name: 'van-ban' }).click();
    await picker.getByTestId('picker-path').filter({ hasText: letters }).waitFor();
    for (const name of SAMPLE_LETTERS) await picker.locator('li', { hasText: new RegExp(`(^|\\s)${name.replace('.', '\\.')}\\s`) }).getByTestId('picker-file').check();
    await page.screenshot({ path: shot('day-06-file-picker.png') });
    await picker.getByTestId('picker-ok').click();
    expect((await page.getByTestId('batch-files').inputValue()).split('\n')).toEqual(SAMPLE_LETTERS.map((n) => path.join(letters, n)));
    await page.getByTestId('batch-outdir').fill(batchOut);
    await page.getByTestId('role-select').selectOption('issuing');
    await page.getByTestId('placement-mode-anchor').check();
    await page.getByTestId('placement-anchor').fill('PHÓ CHỦ TỊCH');
    await page.getByTestId('batch-preview').getByTestId('appearance-preview').locator('img[data-kind="seal"]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot('day-07-batch-preview.png') });
    await page.getByTestId('batch-start').click();
    await answerPin(page, DEMO_TOKEN.pin);
    expect(await jobDone()).toBe('Đã ký xong');
    expect(await page.getByTestId('job-count').textContent()).toBe('5/5 tệp');
    // Each letter carries the seal image (one image more than the letter, as poppler sees the
    // printed page) and its text touches none of the letter's.
    for (const name of SAMPLE_LETTERS) {
      const out = path.join(batchOut, name);
      expect(existsSync(out)).toBe(true);
      expect(imageCount(out, home)).toBe(imageCount(path.join(letters, name), home) + 1);
      expect(newOverlaps(path.join(letters, name), out)).toEqual([]);
    }
    await page.screenshot({ path: shot('day-08-batch-done.png') });
  });

  it('sends them with Decree 30 metadata to the outside body, checks the summary, sees 01 then 03', async () => {
    await open('send', 'Gửi văn bản');
    // The batch logged the token out; the directory comes from the server, reached with the
    // seal's certificate: the PIN is asked (no "not logged in" error), then the list shows.
    await answerPin(page, DEMO_TOKEN.pin);
    await page.getByTestId('directory-refresh').click();
    // Our own organization cannot be a recipient.
    await page.getByTestId('org-self').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('org-000.00.00.H99').isDisabled()).toBe(true);
    for (const [i, name] of SAMPLE_LETTERS.entries()) {
      const number = String(126 + i);
      await page.getByTestId('send-subject').fill(`Triển khai gửi, nhận văn bản điện tử (bản ${i + 1})`);
      await page.getByTestId('send-type').selectOption('Công văn');
      await page.getByTestId('send-number').fill(number);
      // A công văn's notation is the body's abbreviation (set up by the demo); the unit is added.
      if (i === 0) expect(await page.getByTestId('send-notation').inputValue()).toBe('UBND');
      await page.getByTestId('send-notation').fill('UBND-VP');
      await page.getByTestId('send-issueDate').fill('2026-12-05');
      await page.getByTestId('send-signerName').fill('Nguyễn Văn An');
      await page.getByTestId('send-signerPosition').fill('Phó Chủ tịch');
      await page.getByTestId('send-priority').selectOption('1');
      await page.getByTestId('send-dueDate').fill(i === 0 ? '2026-12-20' : '');
      const box = page.getByTestId(`org-${OUTSIDE_ORG.code}`);
      if (!(await box.isChecked())) await box.check();
      await page.getByTestId('send-files').fill(path.join(batchOut, name));
      await page.getByTestId('send-start').click();
      const summary = page.getByTestId('send-summary');
      await summary.waitFor();
      // The summary comes into view (it opens under the form, below the fold at 1366x768).
      const viewportHeight = page.viewportSize()!.height;
      await expect.poll(async () => {
        const r = await summary.evaluate((el) => { const b = el.getBoundingClientRect(); return { top: b.top, bottom: b.bottom }; });
        return r.top >= 0 && r.bottom <= viewportHeight;
      }).toBe(true);
      expect(await summary.getByTestId('send-summary-recipients').textContent()).toContain(OUTSIDE_ORG.name);
      expect(await summary.textContent()).toContain('Khẩn');
      if (i === 0) {
        await page.screenshot({ path: shot('day-09-send-summary.png') });
        // Logged out meanwhile (a signing job does the same): the form waits on the screen it
        // was left on, and the package, signed with the seal, asks the PIN and goes.
        await logOut();
        await open('send', 'Gửi văn bản');
        expect(await page.getByTestId('send-number').inputValue()).toBe(number);
        await page.getByTestId('send-start').click();
        await page.getByTestId('send-confirm').click();
        await answerPin(page, DEMO_TOKEN.pin);
      } else {
        await page.getByTestId('send-confirm').click();
        expect(await page.getByTestId('pin-dialog').count()).toBe(0);
      }
      await expect.poll(() => page.getByTestId('send-delivery').textContent(), { timeout: 60_000 }).toBe('đã gửi');
    }
    const recipient = page.getByTestId('send-recipient').filter({ hasText: OUTSIDE_ORG.name });
    await expect.poll(async () => {
      await page.getByTestId('send-sync').click();
      return recipient.locator('[data-status]').getAttribute('data-status');
    }, { timeout: 90_000, interval: 2_000 }).toBe('03');
    expect(await recipient.textContent()).toContain('đã tiếp nhận');
    await page.getByTestId('send-timeline').locator('summary').click();
    const events = (await page.getByTestId('send-timeline-events').textContent()) ?? '';
    expect(events.indexOf('đã đến')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('đã đến')).toBeLessThan(events.indexOf('đã tiếp nhận'));
    await page.screenshot({ path: shot('day-10-sent-statuses.png') });

    await open('registers', 'Sổ văn bản');
    await page.getByTestId('register-outgoing').click();
    const row = page.getByTestId('register-list').getByRole('row').filter({ hasText: '126/UBND-VP' });
    await expect.poll(() => row.getByTestId('outgoing-status').textContent(), { timeout: 60_000 }).toBe(`${OUTSIDE_ORG.name}: đã tiếp nhận`);
    await page.screenshot({ path: shot('day-11-outgoing-register.png') });
  });

  it('receives the outside body’s reply, reads it in the Inbox viewer with its verdict, registers it', async () => {
    await open('inbox', 'Văn bản đến');
    const row = page.getByTestId('inbox-row').filter({ hasText: 'Phúc đáp văn bản số 126/UBND-VP' });
    await expect.poll(async () => {
      await page.getByTestId('inbox-sync').click();
      return row.count();
    }, { timeout: 90_000, interval: 2_000 }).toBeGreaterThan(0);
    await row.click();
    await page.locator('[data-testid="inbox-viewer"] [data-testid="preview-frame"][data-ready="true"]').waitFor({ timeout: 60_000 });
    const verdict = page.getByTestId('inbox-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('TOTAL_PASSED');
    expect(await verdict.textContent()).toContain('Văn bản hợp lệ');
    const detail = (await page.getByTestId('inbox-detail').textContent()) ?? '';
    expect(detail).toContain(OUTSIDE_ORG.name);
    // The package's own dates (edXML "2026/12/08 03:06:07") read as people read them, and once.
    expect(detail).not.toMatch(/\d{4}\/\d\d\/\d\d/);
    expect(detail.split('Ngày ban hành').length).toBe(2);
    await page.screenshot({ path: shot('day-12-inbox-viewer.png') });
    // Logged out meanwhile (on the Tokens screen here; a signing job does the same): the answer
    // is signed with the token, so accepting asks the PIN and then registers, with no error shown.
    await logOut();
    await open('inbox', 'Văn bản đến');
    await page.getByTestId('inbox-accept').click();
    await answerPin(page, DEMO_TOKEN.pin);
    expect(await page.getByTestId('inbox-detail').getByRole('alert').count()).toBe(0);
    await expect.poll(() => page.getByTestId('inbox-state').textContent(), { timeout: 30_000 }).toMatch(/^Đã vào sổ — số đến 1\/\d{4}/);
  });

  it('finds it by searching the register; no screen showed an error or a UTC time', async () => {
    await open('registers', 'Sổ văn bản');
    await page.getByTestId('register-incoming').click();
    await page.getByTestId('register-search').fill('Phúc đáp');
    await page.getByTestId('register-list').getByText('Phúc đáp văn bản số 126/UBND-VP', { exact: false }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('register-list').textContent()).toContain(OUTSIDE_ORG.name);
    expect(await page.locator('main').textContent()).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?Z|UTC/);
    await page.screenshot({ path: shot('day-13-register-search.png') });
    expect(problems).toEqual([]);
    // The issued letter is what the văn thư would hand over: check it once more, whole.
    expect(readFileSync(issued).includes('/ByteRange')).toBe(true);
  });
});
