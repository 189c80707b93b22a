/**
 * Smoke test of the browser host: the real `kyso app --browser` process serves the built
 * renderer, the React shell renders in Chromium, and `app:info` round-trips through the real
 * core over the WebSocket (the data folder shown is this run's temp KYSO_HOME).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { root, startHostProcess, type HostProcess } from './helpers/host.js';

let host: HostProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  host = await startHostProcess();
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  const code = await host?.stop();
  expect(code).toBe(0);
});

describe('browser host smoke', () => {
  it('shows the app shell and app:info from the real core', async () => {
    const response = await page.goto(host.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByTestId('app-shell').waitFor();
    await page.getByTestId('app-info').waitFor();
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await page.getByTestId('app-version').textContent()).toBe(version);
    expect(await page.getByTestId('app-host').textContent()).toBe('Trình duyệt (máy chủ cục bộ)');
    expect(await page.getByText(host.home, { exact: true }).count()).toBe(1);
    // A time as people read it: day first, Vietnam time, minutes (never UTC).
    expect(await page.getByTestId('core-time').textContent()).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    // The secret is taken out of the address bar once read.
    expect(page.url()).not.toContain('#s=');
    expect(problems).toEqual([]);
  });

  it('switches to English through app:setLang and the app:lang event', async () => {
    await page.getByTestId('lang-select').selectOption('en');
    await expect.poll(() => page.getByTestId('nav-sign').textContent()).toBe('Sign');
    await page.reload();
    // The language lives in the core, so a reload (same tab session) keeps it.
    await page.getByTestId('app-info').waitFor();
    expect(await page.getByTestId('nav-sign').textContent()).toBe('Sign');
    await page.getByTestId('lang-select').selectOption('vi');
    await expect.poll(() => page.getByTestId('nav-sign').textContent()).toBe('Ký số');
  });

  it('refuses a WebSocket without the session secret', async () => {
    const result = await page.evaluate(async (origin) => {
      return new Promise<string>((resolve) => {
        const ws = new WebSocket(origin.replace('http', 'ws') + '/ws?s=wrong');
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      });
    }, host.origin);
    expect(result).toBe('refused');
  });

  it('prints the secret only in its one Kyso: line', () => {
    const secret = new URL(host.url).hash.replace('#s=', '');
    const lines = host.output().split('\n').filter((l) => l.includes(secret));
    expect(lines).toEqual([`Kyso: ${host.url}`]);
  });
});
