/**
 * Outside bodies in the recipient picker, in Debian's Chromium through the browser host: the
 * directory comes from the real inbox server, whose gateway fetched it from the axis
 * simulator; bodies reached through the axis carry the "qua trục liên thông" badge, the
 * province's own do not.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_SETTING } from '../../main/exchange/client/index.js';
import { AxisRepo } from '../../server/axis/repo.js';
import { BODY, createAxisBed, until, type AxisBed } from '../integration/axis/bed.js';
import { launchChromium } from './helpers/browser.js';
import { startHostProcess, type HostProcess } from './helpers/host.js';
import { shot } from './helpers/screenshots.js';

let ab: AxisBed;
let host: HostProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  ab = await createAxisBed();
  await until(async () => (await new AxisRepo(ab.server.repo.db).outsideBodies()).length === 2, 'the axis directory');
  // The clerk's app has fetched the directory from its server (as "Refresh" does).
  await ab.clientA.directory(true);
  ab.storeA.settings.set(SERVER_SETTING, ab.server.url);
  host = await startHostProcess({ KYSO_HOME: ab.homeA });
  browser = await launchChromium();
  page = await browser.newPage({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(host.url);
  await page.getByTestId('app-shell').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await ab?.close();
});

describe('the recipient picker', () => {
  it('marks bodies reached through the national axis', async () => {
    await page.getByTestId('nav-send').click();
    await page.getByRole('heading', { level: 1, name: 'Gửi văn bản' }).waitFor();
    await page.getByTestId('org-search').fill('Nghệ An');
    const badge = page.getByTestId(`outside-${BODY.X.code}`);
    await badge.waitFor();
    expect(await badge.textContent()).toBe('qua trục liên thông');
    expect(await badge.getAttribute('title')).toContain('trục liên thông văn bản quốc gia');
    await page.getByTestId('org-search').fill('Sở Tài chính');
    await page.getByTestId(`org-${BODY.B.code}`).waitFor();
    expect(await page.getByTestId(`outside-${BODY.B.code}`).count()).toBe(0);
    await page.getByTestId('org-search').fill('');
    expect(await page.getByTestId(`outside-${BODY.Y.code}`).count()).toBe(1);
    await page.screenshot({ path: shot('send-outside-bodies.png') });
    expect(problems).toEqual([]);
  });
});
