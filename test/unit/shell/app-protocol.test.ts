/** kyso-app:// handler: serves the renderer folder with the shell CSP and nothing outside it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appProtocolHandler } from '../../../main/shell/app-protocol.js';

let dir: string;
let handle: (r: Request) => Promise<Response>;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-proto-'));
  mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(dir, 'renderer', 'assets', 'x.js'), 'export {}');
  writeFileSync(path.join(dir, 'secret.txt'), 'no');
  handle = appProtocolHandler(path.join(dir, 'renderer'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kyso-app protocol', () => {
  it('serves the page and assets with the CSP', async () => {
    const page = await handle(new Request('kyso-app://app/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>app</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const js = await handle(new Request('kyso-app://app/assets/x.js'));
    expect(js.headers.get('content-type')).toContain('javascript');
  });

  it('refuses other hosts and paths outside the renderer', async () => {
    expect((await handle(new Request('kyso-app://other/index.html'))).status).toBe(404);
    expect((await handle(new Request('kyso-app://app/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handle(new Request('kyso-app://app/assets/..%2f..%2fsecret.txt'))).status).toBe(404);
  });
});
