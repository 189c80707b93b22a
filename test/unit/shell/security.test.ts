/** Electron shell policy as pure functions: sender validation, preferences, CSP, open requests. */
import { describe, expect, it } from 'vitest';
import { appIndexUrl, isTrustedSender, parseOpenRequest, secureWebPreferences, shellCsp, type IpcEventLike } from '../../../main/shell/security.js';

const mainFrame = (url: string) => ({ url, parent: null });
const event = (id: number, frame: IpcEventLike['senderFrame']): IpcEventLike => ({ sender: { id }, senderFrame: frame });

describe('IPC sender validation', () => {
  const known = new Set([7]);

  it('accepts the main frame of a known window on kyso-app://app', () => {
    expect(isTrustedSender(event(7, mainFrame(appIndexUrl)), known)).toBe(true);
    expect(isTrustedSender(event(7, mainFrame('kyso-app://app/index.html#/sign')), known)).toBe(true);
  });

  it('refuses unknown webContents, subframes, foreign origins and destroyed frames', () => {
    expect(isTrustedSender(event(8, mainFrame(appIndexUrl)), known)).toBe(false);
    expect(isTrustedSender(event(7, { url: appIndexUrl, parent: mainFrame(appIndexUrl) }), known)).toBe(false);
    expect(isTrustedSender(event(7, mainFrame('https://evil.example/')), known)).toBe(false);
    expect(isTrustedSender(event(7, mainFrame('file:///app/index.html')), known)).toBe(false);
    expect(isTrustedSender(event(7, mainFrame('kyso-app://other/index.html')), known)).toBe(false);
    expect(isTrustedSender(event(7, mainFrame('not a url')), known)).toBe(false);
    expect(isTrustedSender(event(7, null), known)).toBe(false);
  });
});

describe('window hardening', () => {
  it('keeps Node out of the sandboxed, isolated page', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  });

  it('has a CSP without inline script, eval or network', () => {
    const csp = shellCsp();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe|https?:|ws:/);
  });
});

describe('open requests from the OS', () => {
  it('takes PDFs and a kyso:// link, skipping switches and the executable', () => {
    expect(parseOpenRequest(['/opt/Kyso/kyso', '--no-sandbox', '/home/a/Quyết định.pdf', 'kyso://inbox/123', 'notes.txt'])).toEqual({
      paths: ['/home/a/Quyết định.pdf'],
      url: 'kyso://inbox/123',
    });
    expect(parseOpenRequest(['electron', 'dist/main/shell/main.js', 'a.PDF'], 2)).toEqual({ paths: ['a.PDF'], url: null });
  });
});
