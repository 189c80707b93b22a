/**
 * The whole day of work through the UI, with real parts: SoftHSM2 tokens (the official's and
 * the organization seal of body A, a clerk token of body B with a key generated on it), the
 * reference inbox server on loopback, two Kyso browser hosts with their own KYSO_HOME.
 * A's official signs (approval), A's clerk issues (seal) and sends to B; B's clerk sees it
 * arrive with TOTAL_PASSED and registers it; A sees B's status change to 03 (accepted).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app.js';
import { createTestBed, OFFICIAL_TOKEN, SEAL_TOKEN, SUBJECTS, type BedCert, type TestBed } from '../bed/index.js';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { imageCount, renderedText } from './helpers/pdf-tools.js';
import { shot } from './helpers/screenshots.js';

const ORG_A = { code: '000.00.00.H99', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm' };
const ORG_B = { code: '000.01.00.H99', name: 'Sở Tài chính tỉnh Thử Nghiệm' };
const B_TOKEN = { label: 'Kyso So Tai Chinh', pin: '246810', soPin: '13579135' };
const B_CN = 'Trần Thị Bình';
const officialCn = SUBJECTS.official.find(([k]) => k === 'CN')![1];
const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-day-'));
const approved = path.join(work, 'quyet-dinh-phe-duyet.pdf');
const issued = path.join(work, 'quyet-dinh-ban-hanh.pdf');
const subject = 'Quyết định phê duyệt dự toán ngân sách năm 2027';

let bed: TestBed;
let server: RunningServer;
let hostA: HostProcess;
let hostB: HostProcess;
let browser: Browser;
let a: Page;
let b: Page;
let bCert: BedCert;

/** Registers a user certificate for an organization on the inbox server. */
async function addUser(orgCode: string, cert: BedCert): Promise<void> {
  await server.repo.addUser({ orgCode, certSha256: createHash('sha256').update(cert.der).digest('hex'), subject: cert.subject, certDer: cert.der.toString('base64') });
}

beforeAll(async () => {
  bed = await createTestBed({ extraTokens: [B_TOKEN] });
  // B's clerk key is generated on B's token; its certificate is imported next to it.
  const spki = await bed.softhsm.generateKey(B_TOKEN.label, B_TOKEN.pin, { type: 'rsa:2048', id: '21', keyLabel: 'clerk-b' });
  bCert = bed.loadCert(await bed.pki.issue({ name: 'clerk-b', profile: 'official', subject: [['C', 'VN'], ['O', ORG_B.name], ['CN', B_CN]], publicKey: spki }));
  await bed.softhsm.importCertificate(B_TOKEN.label, B_TOKEN.pin, { id: '21', certLabel: 'clerk-b', certPath: bCert.derPath });
  mkdirSync(path.join(work, 'server'));
  server = await startServer({ dataDir: path.join(work, 'server'), port: 0, trustFiles: [bed.certs.root.certPath] });
  await server.repo.addOrg({ code: ORG_A.code, name: ORG_A.name, parent: null });
  await server.repo.addOrg({ code: ORG_B.code, name: ORG_B.name, parent: ORG_A.code });
  await addUser(ORG_A.code, bed.certs.seal);
  await addUser(ORG_B.code, bCert);
  const env = { ...bed.env, KYSO_PKCS11_MODULES: bed.module };
  [hostA, hostB] = await Promise.all([startHostProcess(env), startHostProcess(env)]);
  browser = await launchChromium();
  const page = async (url: string) => {
    const p = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 900 } });
    await p.goto(url);
    await p.getByTestId('app-shell').waitFor();
    return p;
  };
  a = await page(hostA.url);
  b = await page(hostB.url);
});

// A failed step leaves both windows' screenshots in the temp folder, for the CI log reader,
// named by step so the first failure is not overwritten by the steps that fail after it.
let step = 0;
afterEach(async (ctx) => {
  step++;
  if (ctx.task.result?.state !== 'fail') return;
  for (const [name, p] of [['a', a], ['b', b]] as const) {
    const file = path.join(os.tmpdir(), `kyso-day-fail-${step}-${name}.png`);
    await p?.screenshot({ path: file, fullPage: true }).then(() => console.error(`screenshot of the failed step: ${file}`), () => undefined);
    // The screen's text (error banners included) goes to the log as well: CI keeps no files.
    const text = await p?.locator('main').innerText({ timeout: 5_000 }).catch(() => '(no text)');
    console.error(`window ${name} after the failed step:\n${(text ?? '').slice(0, 3_000)}`);
  }
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([hostA?.stop(), hostB?.stop()]);
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Navigates a page to a screen and waits for its heading. */
async function open(p: Page, screen: string, heading: string): Promise<void> {
  await p.getByTestId(`nav-${screen}`).click();
  await p.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/**
 * Waits for a token picker to list tokens. token:list starts one bridge process per PKCS#11
 * module, which can time out on a loaded machine: the picker then offers "Refresh".
 */
async function waitForTokens(scope: Locator): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const shown = await Promise.race([
      scope.getByTestId('token-select').waitFor({ timeout: 60_000 }).then(() => 'picker'),
      scope.getByTestId('no-token').waitFor({ timeout: 60_000 }).then(() => 'none'),
    ]);
    if (shown === 'picker') return;
    if (attempt >= 3) throw new Error(`no token listed: ${await scope.textContent()}`);
    await scope.getByTestId('token-refresh').click();
  }
}

/**
 * Settings of one body through the first-run setup form (server, the token certificate that
 * connects, images), saved and checked together; then trust in the test root.
 */
async function configure(p: Page, tokenLabel: string, certCn: string, images: { signature?: string; seal?: string } = {}): Promise<void> {
  await open(p, 'settings', 'Cài đặt');
  await p.getByTestId('setting-exchange.server').fill(server.url);
  const id = p.getByTestId('exchange-identity');
  const tokenSelect = id.getByTestId('token-select');
  await waitForTokens(id);
  await tokenSelect.selectOption((await tokenSelect.locator('option', { hasText: tokenLabel }).getAttribute('value'))!);
  const certSelect = id.getByTestId('cert-select');
  await certSelect.selectOption((await certSelect.locator('option', { hasText: certCn }).getAttribute('value'))!);
  if (images.signature) await p.getByTestId('setting-sign.signatureImage').fill(images.signature);
  if (images.seal) await p.getByTestId('setting-sign.sealImage').fill(images.seal);
  await p.getByTestId('setup-save').click();
  await p.getByTestId('setup-result-server').and(p.locator('[data-state="ok"]')).waitFor({ timeout: 60_000 });
  expect(await p.getByTestId('setup-result-certificate').getAttribute('data-state')).toBe('ok');
  await id.getByText(`Đang dùng: ${tokenLabel}`).waitFor();
  const trust = p.getByTestId('trust-store');
  await trust.getByRole('textbox').fill(bed.certs.root.certPath);
  await trust.getByRole('button', { name: 'Thêm vào danh sách tin cậy' }).click();
  await trust.getByText('Kyso Test Root CA').first().waitFor();
}

/** Logs a token in through the Tokens screen's PIN dialog. */
async function login(p: Page, label: string, pin: string): Promise<void> {
  await open(p, 'tokens', 'Thiết bị ký số');
  const card = p.getByTestId('token-card').filter({ hasText: label });
  await card.waitFor({ timeout: 30_000 });
  if ((await card.textContent())?.includes('Đã đăng nhập')) return;
  await card.getByRole('button', { name: 'Đăng nhập' }).click();
  await p.getByTestId('pin-input').fill(pin);
  await p.getByTestId('pin-ok').click();
  await p.getByTestId('pin-dialog').waitFor({ state: 'detached' });
  await expect.poll(async () => (await card.textContent()) ?? '', { timeout: 20_000 }).toContain('Đã đăng nhập');
}

/** Signs one file on the Sign screen with a token certificate and a role. */
async function sign(p: Page, input: string, output: string, tokenLabel: string, certCn: string, role: string, stamp: Record<string, string> = {}): Promise<void> {
  await open(p, 'sign', 'Ký số');
  await p.getByTestId('sign-file').fill(input);
  await p.getByTestId('sign-output').fill(output);
  await waitForTokens(p.locator('main'));
  const tokenSelect = p.getByTestId('token-select');
  await tokenSelect.selectOption((await tokenSelect.locator('option', { hasText: tokenLabel }).getAttribute('value'))!);
  const certSelect = p.getByTestId('cert-select');
  await certSelect.selectOption((await certSelect.locator('option', { hasText: certCn }).getAttribute('value'))!);
  await p.getByTestId('role-select').selectOption(role);
  for (const [k, v] of Object.entries(stamp)) await p.getByTestId(`stamp-${k}`).fill(v);
  // Dragging only places a box once the page has rendered (data-ready).
  await p.locator('[data-testid="preview-frame"][data-ready="true"]').waitFor({ timeout: 30_000 });
  const frame = (await p.getByTestId('preview-frame').boundingBox())!;
  const y0 = role === 'approval' ? 0.78 : 0.72;
  await p.mouse.move(frame.x + frame.width * 0.58, frame.y + frame.height * y0);
  await p.mouse.down();
  await p.mouse.move(frame.x + frame.width * 0.9, frame.y + frame.height * (y0 + 0.1), { steps: 4 });
  await p.mouse.up();
  await p.getByTestId('sig-box').waitFor();
  await p.getByTestId('sign-start').click();
  const row = p.getByTestId('job-row').filter({ hasText: path.basename(input) });
  const status = row.locator('[data-status]');
  await expect.poll(() => status.getAttribute('data-status'), { timeout: 60_000 }).toMatch(/^(signed|failed)$/);
  expect(await row.textContent()).not.toContain('Lỗi');
  expect(await status.getAttribute('data-status')).toBe('signed');
}

describe('a day of work between two bodies', () => {
  it('both bodies configure the server, their connecting certificate and trust', async () => {
    // A's signature and seal images: Sign defaults them into approval and issuing stamps.
    await configure(a, SEAL_TOKEN.label, SUBJECTS.seal.find(([k]) => k === 'CN')![1], { signature: path.join(root, 'test', 'fixtures', 'signature.png'), seal: path.join(root, 'test', 'fixtures', 'seal.png') });
    await configure(b, B_TOKEN.label, B_CN);
    await a.screenshot({ path: shot('settings.png'), fullPage: true });
  });

  it("A's official signs (approval) and A's clerk issues with the seal", async () => {
    await login(a, OFFICIAL_TOKEN.label, OFFICIAL_TOKEN.pin);
    await login(a, SEAL_TOKEN.label, SEAL_TOKEN.pin);
    await sign(a, path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf'), approved, OFFICIAL_TOKEN.label, officialCn, 'approval');
    await sign(a, approved, issued, SEAL_TOKEN.label, SUBJECTS.seal.find(([k]) => k === 'CN')![1], 'issuing', {
      organization: ORG_A.name,
      documentNumber: '15/UBND-VP',
    });
    expect(readFileSync(issued).includes('/ByteRange')).toBe(true);
    // The issuing signature writes the number into the letter's blank and shows the
    // organization; the images came from Settings: the signature on approval, the seal on issuing.
    expect(execFileSync('pdftotext', ['-layout', issued, '-'], { encoding: 'utf8' })).toContain('Số: 15/UBND-VP');
    const text = renderedText(issued, work);
    expect(text.replace(/\s+/g, ' ')).toContain(ORG_A.name);
    const base = imageCount(path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf'), work);
    expect(imageCount(approved, work)).toBe(base + 1);
    expect(imageCount(issued, work)).toBe(base + 2);
  });

  it("A sends to B from the directory tree and sees the delivery", async () => {
    // Issuing with the seal logged its token out (issue 15.10); the exchange connects with the
    // seal's certificate, so the clerk enters its PIN again.
    await login(a, SEAL_TOKEN.label, SEAL_TOKEN.pin);
    await open(a, 'send', 'Gửi văn bản');
    await a.getByTestId('directory-refresh').click();
    await a.getByTestId(`org-${ORG_B.code}`).check();
    await a.getByTestId('send-subject').fill(subject);
    await a.getByTestId('send-number').fill('15');
    await a.getByTestId('send-type').selectOption('Quyết định');
    await a.getByTestId('send-notation').fill('QĐ-UBND');
    await a.getByTestId('send-files').fill(issued);
    await a.getByTestId('send-start').click();
    await a.getByTestId('send-confirm').click();
    await expect.poll(() => a.getByTestId('send-delivery').textContent(), { timeout: 60_000 }).toBe('đã gửi');
    await a.screenshot({ path: shot('send.png') });
  });

  it("B's clerk sees it arrive validated TOTAL_PASSED and registers it", async () => {
    await login(b, B_TOKEN.label, B_TOKEN.pin);
    await open(b, 'inbox', 'Văn bản đến');
    await b.getByTestId('inbox-sync').click();
    const row = b.getByTestId('inbox-row').filter({ hasText: subject });
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    const verdict = b.getByTestId('inbox-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('TOTAL_PASSED');
    expect(await verdict.textContent()).toContain('Văn bản hợp lệ');
    await b.screenshot({ path: shot('inbox.png') });
    await b.getByTestId('inbox-accept').click();
    await expect.poll(() => b.getByTestId('inbox-state').textContent(), { timeout: 30_000 }).toMatch(/^Đã vào sổ — số đến 1\/\d{4}/);
    await open(b, 'registers', 'Sổ văn bản');
    await b.getByTestId('register-list').getByText(subject).waitFor();
    await b.screenshot({ path: shot('registers.png') });
  });

  it('A sees the status change to 03 (accepted) for B', async () => {
    await open(a, 'registers', 'Sổ văn bản');
    await a.getByTestId('register-outgoing').click();
    const row = a.getByTestId('register-list').getByRole('row').filter({ hasText: subject });
    await row.waitFor();
    // Delivered, not yet answered, or already 01 (arrived) before B registered it.
    expect(await row.getByTestId('outgoing-status').textContent()).not.toBe(`${ORG_B.name}: đã tiếp nhận`);
    // Statuses come with a sync of A's inbox; B's 03 may still be on its way (B's outbox
    // flushes it), so A syncs again until it is there, as a clerk would.
    await expect.poll(async () => {
      await open(a, 'inbox', 'Văn bản đến');
      await a.getByTestId('inbox-sync').click();
      await open(a, 'registers', 'Sổ văn bản');
      await a.getByTestId('register-outgoing').click();
      return row.getByTestId('outgoing-status').textContent();
    }, { timeout: 60_000, interval: 2_000 }).toBe(`${ORG_B.name}: đã tiếp nhận`);
    await a.screenshot({ path: shot('registers-outgoing.png') });
  });

  it('A recalls a second document with a reason; B sees the recall and agrees; A sees 15', async () => {
    const second = 'Công văn gửi nhầm cần thu hồi';
    await open(a, 'send', 'Gửi văn bản');
    await a.getByTestId('org-search').fill(ORG_B.code);
    await a.getByTestId(`org-${ORG_B.code}`).check();
    await a.getByTestId('send-subject').fill(second);
    await a.getByTestId('send-number').fill('16');
    await a.getByTestId('send-type').selectOption('Công văn');
    await a.getByTestId('send-notation').fill('CV-UBND');
    await a.getByTestId('send-files').fill(issued);
    await a.getByTestId('send-start').click();
    await a.getByTestId('send-confirm').click();
    await expect.poll(() => a.getByTestId('send-delivery').textContent(), { timeout: 60_000 }).toBe('đã gửi');
    await a.getByTestId('recall-reason').fill('Gửi nhầm nơi nhận');
    await a.getByTestId('recall-send').click();

    await open(b, 'inbox', 'Văn bản đến');
    await b.getByTestId('inbox-sync').click();
    const row = b.getByTestId('inbox-row').filter({ hasText: second });
    await expect.poll(async () => (await row.count()) ? (await row.textContent()) ?? '' : '', { timeout: 60_000 }).toContain('bị thu hồi');
    await row.click();
    expect(await b.getByTestId('recall-notice').textContent()).toContain('Lý do: Gửi nhầm nơi nhận');
    await b.getByTestId('recall-agree').click();
    await expect.poll(() => b.getByTestId('recall-notice').textContent(), { timeout: 30_000 }).toContain('Đã trả lời: đồng ý thu hồi');

    await a.getByTestId('send-sync').click();
    const recipient = a.locator(`[data-testid="send-recipient"][data-org="${ORG_B.code}"]`);
    await expect.poll(() => recipient.locator('[data-status]').getAttribute('data-status'), { timeout: 30_000 }).toBe('15');
  });
});
