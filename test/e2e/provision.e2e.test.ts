/**
 * Issue 8 through the UI with real parts: a fresh SoftHSM2 installation (one blank token),
 * the real core behind `kyso app --browser`, Debian's Chromium. The Tokens page initialises
 * the token, logs in, generates a key on it, previews then writes a CSR with a Vietnamese
 * subject (openssl verifies it), the test PKI's CA issues it (openssl ca), the UI imports the
 * certificate and the inventory shows it with its expiry and the 30-day warning; CSV export;
 * rename and typed-confirmation delete. No PIN may reach the host's output.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../bed/pki.js';
import { run } from '../bed/run.js';
import { SoftHsm } from '../bed/softhsm.js';
import { launchChromium } from './helpers/browser.js';
import { startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-prov-'));
const urls = { ocsp: 'http://127.0.0.1:9/o', ocspRoot: 'http://127.0.0.1:9/r', issuingCer: 'http://127.0.0.1:9/i', rootCer: 'http://127.0.0.1:9/c', issuingCrl: 'http://127.0.0.1:9/l', rootCrl: 'http://127.0.0.1:9/m' };
const LABEL = 'Văn thư UBND xã';
const SO_PIN = '87654321';
const PIN = '246813';
const NEW_PIN = '975318';
const CN = 'Nguyễn Thị Hồng Nhung';
const O = 'UBND xã Tân Lập';

let hsm: SoftHsm;
let pki: TestPki;
let host: HostProcess;
let browser: Browser;
let page: Page;
let keyId = '';
let certPath = '';

beforeAll(async () => {
  hsm = new SoftHsm(path.join(work, 'hsm'));
  pki = await TestPki.create(path.join(work, 'pki'), urls);
  host = await startHostProcess({ ...hsm.env, KYSO_PKCS11_MODULES: hsm.module });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 1000 } });
  await page.goto(host.url);
  await page.getByTestId('nav-tokens').click();
  await page.getByTestId('prov-panel').waitFor();
});

afterAll(async () => {
  await browser?.close();
  const code = await host?.stop();
  rmSync(work, { recursive: true, force: true });
  expect(code).toBe(0);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && process.env.KYSO_E2E_DEBUG) await page.screenshot({ path: path.join(os.tmpdir(), 'kyso-prov-fail.png'), fullPage: true });
});

/** The text of a status line once it appears. */
async function statusOf(testId: string): Promise<string> {
  const el = page.getByTestId(testId);
  await el.waitFor({ timeout: 60_000 });
  return (await el.textContent()) ?? '';
}

describe('Tokens page: provisioning', { timeout: 180_000 }, () => {
  it('initialises the blank token and logs in', async () => {
    // The first listing starts the bridge process; wait for the panel to show the token.
    await page.getByTestId('prov-token').waitFor({ timeout: 60_000 });
    const select = page.getByTestId('prov-token');
    await expect.poll(() => select.locator('option:checked').textContent()).toContain('(chưa khởi tạo)');
    await page.getByTestId('prov-init-label').fill(LABEL);
    await page.getByTestId('prov-init-sopin').fill(SO_PIN);
    await page.getByTestId('prov-init-userpin').fill(PIN);
    await page.getByTestId('prov-init-submit').click();
    expect(await statusOf('prov-init-done')).toBe(`Đã khởi tạo token "${LABEL}".`);
    // The panel follows the token to its new label; PIN fields were cleared.
    await expect.poll(() => select.locator('option:checked').textContent()).toContain(LABEL);
    expect(await page.getByTestId('prov-init-sopin').inputValue()).toBe('');
    await page.getByTestId('prov-login').click();
    await page.getByTestId('pin-input').fill(PIN);
    await page.getByTestId('pin-ok').click();
    await page.getByTestId('prov-keygen').waitFor({ timeout: 60_000 });
  });

  it('generates a key on the token', async () => {
    await page.getByTestId('prov-keygen-type').selectOption('rsa:2048');
    await page.getByTestId('prov-keygen-label').fill('ky-so-2026');
    await page.getByTestId('prov-keygen-submit').click();
    const done = await statusOf('prov-keygen-done');
    keyId = /CKA_ID ([0-9a-f]+)/.exec(done)?.[1] ?? '';
    expect(keyId).toMatch(/^[0-9a-f]{2,}$/);
    // The CSR form takes the new key (once the token's key list has been read again: it can
    // land a moment after the "done" line, which failed one CI run reading it at once).
    await expect.poll(() => page.getByTestId('prov-csr-keyid').inputValue(), { timeout: 10_000 }).toBe(keyId);
  });

  it('previews the CSR (nothing written), then writes it; openssl verifies it', async () => {
    const csrPath = path.join(work, 'nhung.csr.pem');
    const fields: Record<string, string> = { CN, O, OU: 'Văn phòng', L: 'Tân Lập', ST: 'Hà Giang', E: 'nhung@tanlap.hagiang.gov.vn', UID: 'CCCD:001190012345' };
    for (const [k, v] of Object.entries(fields)) await page.getByTestId(`prov-csr-${k}`).fill(v);
    expect(await page.getByTestId('prov-csr-C').inputValue()).toBe('VN');
    await page.getByTestId('prov-csr-preview').click();
    await page.getByTestId('prov-csr-preview-box').waitFor({ timeout: 60_000 });
    const rdns = await page.getByTestId('prov-csr-rdn').allTextContents();
    expect(rdns).toEqual([`CN${CN}`, `O${O}`, 'OUVăn phòng', 'LTân Lập', 'STHà Giang', 'CVN', 'Enhung@tanlap.hagiang.gov.vn', 'UIDCCCD:001190012345']);
    expect(await page.getByTestId('prov-csr-pem').textContent()).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect(existsSync(csrPath)).toBe(false);

    await page.getByTestId('prov-csr-path').fill(csrPath);
    await page.getByTestId('prov-csr-save').click();
    expect(await statusOf('prov-csr-done')).toBe(`Đã ghi CSR vào ${csrPath}.`);
    const { stdout, stderr } = await run('openssl', ['req', '-in', csrPath, '-noout', '-verify', '-subject', '-nameopt', 'utf8,sep_comma_plus']);
    expect(stdout.toString() + stderr.toString()).toMatch(/verify OK/i);
    expect(stdout.toString()).toContain(`CN=${CN}`);
    expect(stdout.toString()).toContain('ST=Hà Giang');

    // The test PKI's issuing CA signs it (openssl ca), valid 20 days: inside the 30-day warning.
    const issued = await pki.issue({ name: 'nhung', profile: 'official', subject: [['C', 'VN'], ['CN', CN]], csrPath, days: 20 });
    certPath = issued.certPath;
  });

  it('imports the issued certificate; the inventory shows it with expiry and the warning; CSV export', async () => {
    await page.getByTestId('prov-import-path').fill(certPath);
    await page.getByTestId('prov-import-submit').click();
    expect(await statusOf('prov-import-done')).toContain(`gắn với khóa CKA_ID ${keyId}`);

    const cert = new X509Certificate(readFileSync(certPath));
    const expiry = new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(cert.validTo));
    const row = page.getByTestId('prov-inv-row').filter({ hasText: CN });
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain(LABEL);
    expect(await row.textContent()).toContain(keyId);
    expect(await row.getByTestId('prov-inv-notafter').textContent()).toBe(expiry);
    const days = Number(await row.getByTestId('prov-inv-days').textContent());
    expect(days).toBeGreaterThanOrEqual(19);
    expect(days).toBeLessThanOrEqual(20);
    expect(await row.getByRole('status').textContent()).toBe('Sắp hết hạn (dưới 30 ngày)');
    // The token card of the Tokens screen lists it too.
    await page.getByTestId('cert-row').filter({ hasText: CN }).waitFor();

    const csv = path.join(work, 'inventory.csv');
    await page.getByTestId('prov-inv-path').fill(csv);
    await page.getByTestId('prov-inv-csv').click();
    expect(await statusOf('prov-inv-done')).toBe(`Đã xuất 1 dòng vào ${csv}.`);
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines[0]).toContain('notAfter,daysLeft,expiresSoon');
    expect(lines[1]).toContain(CN);
    expect(lines[1]).toContain(`,${keyId},`);

    await page.getByTestId('prov-panel').screenshot({ path: shot('tokens-provision.png') });
  });

  it('renames the certificate; delete needs the CKA_ID typed again', async () => {
    await page.getByTestId('prov-rename-keyid').selectOption(keyId);
    await page.getByTestId('prov-rename-label').fill('Nhung 2026');
    await page.getByTestId('prov-rename-what').selectOption('cert');
    await page.getByTestId('prov-rename-submit').click();
    expect(await statusOf('prov-rename-done')).toBe('Đã đổi nhãn 1 đối tượng.');

    await page.getByTestId('prov-delete-keyid').selectOption(keyId);
    await page.getByTestId('prov-delete-what').selectOption('all');
    await page.getByTestId('prov-delete-confirm').fill('yes');
    expect(await page.getByTestId('prov-delete-submit').isDisabled()).toBe(true);
    await page.getByTestId('prov-delete-confirm').fill(keyId);
    await page.getByTestId('prov-delete-submit').click();
    expect(await statusOf('prov-delete-done')).toBe('Đã xóa 3 đối tượng.');
    await expect.poll(() => page.getByTestId('prov-inv-row').filter({ hasText: CN }).filter({ hasText: 'Đang cắm' }).count(), { timeout: 30_000 }).toBe(0);
  });

  it('PINs: wrong SO PIN is a clear error; unblock with the SO PIN; change the PIN; repeat mismatch', async () => {
    const setPin = page.getByTestId('prov-setpin');
    await page.getByTestId('prov-setpin-sopin').fill('00000000');
    await page.getByTestId('prov-setpin-new').fill(NEW_PIN);
    await page.getByTestId('prov-setpin-repeat').fill(NEW_PIN);
    await page.getByTestId('prov-setpin-submit').click();
    const alert = setPin.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.getAttribute('data-code')).toBe('provisionSoPinIncorrect');
    expect(await alert.textContent()).toBe('Mã PIN quản trị (SO PIN) không đúng.');
    expect(await page.getByTestId('prov-setpin-sopin').inputValue()).toBe('');

    await page.getByTestId('prov-setpin-sopin').fill(SO_PIN);
    await page.getByTestId('prov-setpin-new').fill(NEW_PIN);
    await page.getByTestId('prov-setpin-repeat').fill(NEW_PIN);
    await page.getByTestId('prov-setpin-submit').click();
    expect(await statusOf('prov-setpin-done')).toBe('Đã đặt mã PIN người dùng.');

    await page.getByTestId('prov-changepin-old').fill(NEW_PIN);
    await page.getByTestId('prov-changepin-new').fill(PIN);
    await page.getByTestId('prov-changepin-repeat').fill('999999');
    await page.getByTestId('prov-changepin-submit').click();
    expect(await page.getByTestId('prov-changepin').getByRole('alert').textContent()).toBe('Hai lần nhập mã PIN mới không khớp.');
    await page.getByTestId('prov-changepin-old').fill(NEW_PIN);
    await page.getByTestId('prov-changepin-new').fill(PIN);
    await page.getByTestId('prov-changepin-repeat').fill(PIN);
    await page.getByTestId('prov-changepin-submit').click();
    expect(await statusOf('prov-changepin-done')).toBe('Đã đổi mã PIN.');
  });

  it('never lets a PIN reach the host output', () => {
    const out = host.output();
    for (const secret of [SO_PIN, PIN, NEW_PIN]) expect(out).not.toContain(secret);
  });
});
