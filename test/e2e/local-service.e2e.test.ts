/**
 * The local signing service end to end in a real browser with real TLS: the app (browser
 * host) switches the service on in Settings, its "Trust" button trusts the local CA in
 * a temporary NSS db (a temp HOME), and a second Chromium using that HOME opens a "document
 * system" page on another loopback origin that calls the service with the client libraries'
 * wire messages; no certificate errors are ignored. The test drives the app's consent
 * dialogs as a user would. Every uploaded PDF passes pdfsig and Kyso's validator and shows its
 * role's stamp; the page's callback gets Status 0 and the upload handler's answer unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/index.js';
import { validatePdf } from '../../main/validation/index.js';
import { createTestBed, OFFICIAL_TOKEN, type TestBed } from '../bed/index.js';
import { DOCSYS_SESSION, startDocSys, type DocSys } from '../bed/docsys.js';
import { chromiumArgs, chromiumPath, launchChromium } from './helpers/browser.js';
import { docsysPage } from './helpers/docsys-page.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';
import { pdfsig, pdfsigBlocks } from '../integration/signing/oracles.js';

const FIXTURE = path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf');
let bed: TestBed;
let host: HostProcess;
let docs: DocSys;
let other: DocSys;
let appBrowser: Browser;
let siteBrowser: Browser;
let app: Page;
let site: Page;
let work: string;
let home: string;
let userHome: string;
let ports: { vgca: number; vnpt: number };

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-svc-'));
  home = path.join(work, 'kyso-home');
  userHome = path.join(work, 'user-home');
  mkdirSync(home);
  mkdirSync(userHome);
  bed = await createTestBed();
  ports = { vgca: await freePort(), vnpt: await freePort() };
  // Ports and the token the service signs with, as an administrator would set them.
  const store = openStore(home);
  store.settings.set('service.vgcaPort', ports.vgca);
  store.settings.set('service.vnptPort', ports.vnpt);
  store.settings.set('service.token', { token: OFFICIAL_TOKEN.label, cert: bed.certs.official.serial });
  // The seal the issuing stamp carries (the consent dialog's preview shows it too).
  store.settings.set('sign.sealImage', path.join(root, 'test', 'fixtures', 'seal.png'));
  store.close();
  // The app's HOME is a temp folder: trusting the CA writes to its NSS db, never the real one.
  host = await startHostProcess({ ...bed.env, KYSO_PKCS11_MODULES: bed.module, KYSO_HOME: home, HOME: userHome });
  docs = await startDocSys(path.join(work, 'docsys'));
  other = await startDocSys(path.join(work, 'other'));
  docs.setPage('/ky.html', docsysPage(ports.vgca, ports.vnpt));
  other.setPage('/ky.html', docsysPage(ports.vgca, ports.vnpt));
  appBrowser = await launchChromium();
  app = await appBrowser.newPage({ locale: 'vi-VN', viewport: { width: 1280, height: 1000 } });
  await app.goto(host.url);
}, 180_000);

afterAll(async () => {
  await siteBrowser?.close();
  await appBrowser?.close();
  await host?.stop();
  await docs?.close();
  await other?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

function serve(site: DocSys, name: string): string {
  const f = path.join(work, `${site.port}-${name}`);
  copyFileSync(FIXTURE, f);
  return site.addFile(name, f);
}

const session = { SessionId: DOCSYS_SESSION.sessionId, JWTToken: DOCSYS_SESSION.jwt };

/** Starts a call on the site page (not awaited: the dialog must be answered first). */
function callVgca(page: Page, fn: string, params: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(([f, p]) => (globalThis as unknown as { callVgca(f: string, p: unknown): Promise<string> }).callVgca(f as string, p), [fn, params] as const).then((s) => JSON.parse(s) as Record<string, unknown>);
}

/** What the dialog's page preview must show of the stamp: its texts, and the seal image. */
interface Look {
  texts: string[];
  seal?: boolean;
}

/**
 * Waits until the dialog's page preview draws the stamp as it will be signed (the Sign
 * screen's appearance preview, laid out by the signing engine), not just a box.
 */
async function shows(look: Look): Promise<void> {
  const preview = app.getByTestId('service-sign-dialog').getByTestId('appearance-preview');
  // A bare number (the issuing number in the letter's blank) must be a text of its own, not part of the time.
  for (const text of look.texts) await preview.getByText(text, { exact: /^\d+$/.test(text) }).first().waitFor({ timeout: 30_000 });
  if (look.seal) await preview.locator('img[data-kind="seal"]').waitFor({ timeout: 30_000 });
}

/** Drags the stamp onto the lower right part of the dialog's page preview (checking it while the button is down). */
async function place(whileDragging?: Look): Promise<void> {
  const frame = app.getByTestId('service-sign-dialog').locator('[data-testid="preview-frame"][data-ready="true"]');
  await frame.waitFor({ timeout: 30_000 });
  await frame.scrollIntoViewIfNeeded();
  const box = (await frame.boundingBox())!;
  await app.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.3);
  await app.mouse.down();
  await app.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.4, { steps: 5 });
  if (whileDragging) await shows(whileDragging);
  await app.mouse.up();
  await app.getByTestId('service-sign-dialog').getByTestId('sig-box').waitFor();
}

/** Answers the signing dialog with the PIN (placing the stamp first when asked to). */
async function approve(opts: { place?: boolean; remember?: boolean; screenshot?: string; look?: Look } = {}): Promise<void> {
  const dialog = app.getByTestId('service-sign-dialog');
  await dialog.waitFor({ timeout: 60_000 });
  if (opts.place) await place(opts.look);
  if (opts.look) await shows(opts.look);
  if (opts.remember) await app.getByTestId('service-save-placement').check();
  await app.getByTestId('service-pin').fill(OFFICIAL_TOKEN.pin);
  if (opts.screenshot) await app.screenshot({ path: shot(opts.screenshot) });
  await app.getByTestId('service-sign-ok').click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });
}

/**
 * The text a viewer renders for the signed file (stamps flattened by qpdf): in content order,
 * then line by line as laid out on the page (a number written into the letter's own "Số: …"
 * blank reads on that line only in the layout).
 */
function renderedText(file: string): string {
  const flat = `${file}.flat.pdf`;
  execFileSync('qpdf', ['--flatten-annotations=all', '--', file, flat]);
  const raw = execFileSync('pdftotext', ['-raw', flat, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const layout = execFileSync('pdftotext', ['-layout', flat, '-'], { encoding: 'utf8' }).split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  return [raw, ...layout].join(' | ');
}

async function checkUpload(i: number, texts: string[]): Promise<void> {
  const up = docs.uploads[i]!;
  // pdfsig runs asynchronously: it asks the bed's OCSP responder, which lives in this process.
  const report = await pdfsig(up.file, bed.nssDir);
  expect(pdfsigBlocks(report).at(-1), report).toMatch(/Signature is Valid\.[\s\S]*Certificate is Trusted\./);
  const v = await validatePdf(up.file, { trust: [bed.certs.root.der] });
  expect(v.signatures.at(-1)!.indication).toBe('TOTAL_PASSED');
  const text = renderedText(up.file);
  for (const t of texts) expect(text).toContain(t);
}

describe('the signing service from a web page', () => {
  it('is switched on in Settings, and "Trust" puts its CA in the user\'s NSS db', async () => {
    await app.getByTestId('nav-settings').click();
    await app.getByTestId('service-enabled').click();
    await app.getByTestId('service-running').waitFor({ timeout: 60_000 });
    await expect.poll(() => app.getByTestId('service-running').textContent()).toContain(`wss://127.0.0.1:${ports.vgca}`);
    await app.getByTestId('service-trust').click();
    const result = app.getByTestId('service-trust-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain(`Đã tin trong ${path.join(userHome, '.pki', 'nssdb')}`);
    // The same as `kyso service install-ca` would report for this account.
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'kyso.js'), 'service', 'status', '--json'], { encoding: 'utf8', env: { ...process.env, KYSO_FROM_SOURCE: '1', KYSO_HOME: home, HOME: userHome } });
    expect(JSON.parse(r.stdout).trust).toEqual([{ location: path.join(userHome, '.pki', 'nssdb'), trusted: true }]);
    // A browser started now reads the trusted CA from $HOME/.pki/nssdb; no certificate error is ignored.
    siteBrowser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, env: { ...process.env, HOME: userHome } });
    site = await siteBrowser.newPage();
    await site.goto(`${docs.origin}/ky.html`);
  });

  it('SignApproved: the site is asked once, the user places the stamp and types the PIN', async () => {
    const url = serve(docs, 'to-trinh.pdf');
    const reply = callVgca(site, 'vgca_sign_approved', { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: url });
    await app.getByTestId('service-origin-dialog').waitFor({ timeout: 60_000 });
    expect(await app.getByTestId('service-origin').textContent()).toBe(docs.origin);
    await app.screenshot({ path: shot('service-origin.png') });
    await app.getByTestId('service-origin-allow').click();
    await app.getByTestId('service-sign-dialog').waitFor();
    expect(await app.getByTestId('service-sign-origin').textContent()).toBe(docs.origin);
    const sha = execFileSync('openssl', ['dgst', '-sha256', '-r', FIXTURE], { encoding: 'utf8' }).split(' ')[0];
    expect(await app.getByTestId('service-doc-sha256').first().textContent()).toBe(sha);
    await approve({ place: true, remember: true, screenshot: 'service-sign.png', look: { texts: ['Ký bởi: Nguyễn Văn An'] } });
    const r = await reply;
    expect(r.Status, String(r.Message)).toBe(0);
    expect(r.FileServer).toBe(docs.uploads[0]!.answer);
    await checkUpload(0, ['Ký bởi: Nguyễn Văn An']);
  });

  it.each([
    // Issuing writes the number and date into the letter's own blanks (issue 14, point 1): the
    // sample's blank is "Số: …/UBND-VP", so the number part goes before the letter's notation.
    // The last column: what the consent dialog's preview shows of the stamp before the PIN.
    ['vgca_sign_issued', { DocNumber: '15/QĐ-UBND', IssuedDate: '2026-11-22T09:00:00+07:00' }, true, ['Số: 15/UBND-VP', 'ngày 22 tháng 11 năm 2026'], { texts: ['15', 'Ủy ban nhân dân tỉnh Thử Nghiệm'], seal: true }],
    ['vgca_sign_income', { DocNumber: '321' }, false, ['ĐẾN', 'Số: 321'], { texts: ['ĐẾN', 'Số: 321'] }],
    ['vgca_sign_copy', { DocNumber: '12/SY-VP', MetaData: [{ Key: 'abc', Value: 'abc' }] }, false, ['SAO Y', 'Số: 12/SY-VP'], { texts: ['SAO Y', 'Số: 12/SY-VP'] }],
    ['vgca_sign_appendix', { DocNumber: '15/QĐ-UBND', MetaData: [{ Key: 'abc', Value: 'abc' }] }, false, ['Số: 15/QĐ-UBND'], { texts: ['Số: 15/QĐ-UBND'] }],
    ['vgca_comment', { MetaData: [{ Key: 'y-kien', Value: 'Đồng ý' }] }, true, ['N.V.A'], { texts: ['N.V.A'] }],
  ])('%s: the role\'s stamp, shown in the dialog, Status 0 and the handler\'s answer', async (fn, extra, needsPlace, texts, look) => {
    const before = docs.uploads.length;
    const reply = callVgca(site, fn, { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: serve(docs, `${fn}.pdf`), ...extra });
    await approve({ place: needsPlace, look });
    const r = await reply;
    expect(r.Status, String(r.Message)).toBe(0);
    expect(r.FileServer).toBe(docs.uploads[before]!.answer);
    await checkUpload(before, texts);
  });

  it('the batch call of ten files: one dialog listing them, one PIN', async () => {
    const before = docs.uploads.length;
    const files = Array.from({ length: 10 }, (_, i) => ({ FileID: i + 1, FileName: `van-ban-${i + 1}.pdf`, URL: serve(docs, `batch-${i}.pdf`) }));
    const reply = callVgca(site, 'vgca_sign_files', { FileUploadHandler: `${docs.origin}/upload`, ...session, Files: files });
    await app.getByTestId('service-sign-dialog').waitFor({ timeout: 60_000 });
    expect(await app.getByTestId('service-doc-row').count()).toBe(10);
    // The approval's saved placement, drawn as it will be signed.
    await approve({ screenshot: 'service-batch.png', look: { texts: ['Ký bởi: Nguyễn Văn An'] } });
    const r = await reply;
    expect(r.Status, String(r.Message)).toBe(0);
    const rows = r.Files as Array<{ Status: number; FileServer: string }>;
    expect(rows.map((x) => x.Status)).toEqual(Array(10).fill(0));
    for (let i = 0; i < 10; i++) {
      expect(rows[i]!.FileServer).toBe(docs.uploads[before + i]!.answer);
      await checkUpload(before + i, ['Ký bởi: Nguyễn Văn An']);
    }
  });

  it('VNPT-CA SignPDF: base64 in, signed base64 out', async () => {
    const b64 = readFileSync(FIXTURE).toString('base64');
    const options = JSON.stringify({ page: 1, llx: 330, lly: 70, urx: 520, ury: 140, Signer: 'Nguyễn Văn An', SigVisible: true });
    const reply = site.evaluate(([a, o]) => (globalThis as unknown as { callVnpt(f: number, a: unknown[], c: string): Promise<{ result: string; callback: string }> }).callVnpt(2, [a, o], 'signCallback'), [b64, options] as const);
    await approve({ look: { texts: ['Ký bởi: Nguyễn Văn An'] } });
    const r = await reply;
    expect(r.callback).toBe('signCallback');
    const res = JSON.parse(r.result) as { code: number; data: string; error: string };
    expect(res.code, res.error).toBe(0);
    const out = path.join(work, 'vnpt-signed.pdf');
    writeFileSync(out, Buffer.from(res.data, 'base64'));
    const report = await pdfsig(out, bed.nssDir);
    expect(report).toMatch(/Signature is Valid\.[\s\S]*Certificate is Trusted\./);
    expect((await validatePdf(out, { trust: [bed.certs.root.der] })).signatures[0]!.indication).toBe('TOTAL_PASSED');
  });

  it('refusing in the dialog gives Status 11 and nothing is uploaded', async () => {
    const before = docs.uploads.length;
    const reply = callVgca(site, 'vgca_sign_approved', { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: serve(docs, 'tu-choi.pdf') });
    await app.getByTestId('service-sign-dialog').waitFor({ timeout: 60_000 });
    await app.getByTestId('service-sign-refuse').click();
    expect((await reply).Status).toBe(11);
    expect(docs.uploads.length).toBe(before);
  });

  it('a FileName on another host is refused without any dialog', async () => {
    const r = await callVgca(site, 'vgca_sign_approved', { FileUploadHandler: `${docs.origin}/upload`, ...session, FileName: serve(other, 'ngoai.pdf') });
    expect(r.Status).toBe(1);
    expect(String(r.Message)).toContain(`không thuộc trang ${docs.origin}`);
    expect(await app.getByTestId('service-sign-dialog').count()).toBe(0);
    expect(other.hits.get('/files/ngoai.pdf')).toBeUndefined();
  });

  it('a site the user refuses gets Status 11, never a PIN prompt, and later calls are refused without a dialog', async () => {
    const page2 = await siteBrowser.newPage();
    await page2.goto(`${other.origin}/ky.html`);
    const reply = callVgca(page2, 'vgca_sign_approved', { FileUploadHandler: `${other.origin}/upload`, ...session, FileName: serve(other, 'x.pdf') });
    await app.getByTestId('service-origin-dialog').waitFor({ timeout: 60_000 });
    expect(await app.getByTestId('service-origin').textContent()).toBe(other.origin);
    await app.getByTestId('service-origin-deny').click();
    expect((await reply).Status).toBe(11);
    expect(await app.getByTestId('service-sign-dialog').count()).toBe(0);
    const again = await callVgca(page2, 'vgca_sign_approved', { FileUploadHandler: `${other.origin}/upload`, ...session, FileName: `${other.origin}/files/x.pdf` });
    expect(again.Status).toBe(1);
    expect(await app.getByTestId('service-origin-dialog').count()).toBe(0);
    expect(other.uploads).toHaveLength(0);
    await page2.close();
  });

  it('Settings lists the sites; a revoked site is asked again', async () => {
    await app.getByTestId('nav-home').click();
    await app.getByTestId('nav-settings').click();
    const rows = app.getByTestId('service-origin-row');
    await expect.poll(() => rows.count()).toBe(2);
    await app.screenshot({ path: shot('service-settings.png'), fullPage: true });
    await rows.filter({ hasText: docs.origin }).getByTestId('service-origin-revoke').click();
    await expect.poll(() => rows.count()).toBe(1);
    const reply = callVgca(site, 'vgca_get_certinfo', null);
    await app.getByTestId('service-origin-dialog').waitFor({ timeout: 60_000 });
    await app.getByTestId('service-origin-allow').click();
    const r = await reply;
    expect(r.Status).toBe(0);
    expect((r.CertInfo as { SubjectCN: string }).SubjectCN).toBe('Nguyễn Văn An');
  });
});
