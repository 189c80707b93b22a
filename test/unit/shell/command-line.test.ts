/**
 * The Electron entry's routing (main/shell/main.ts): started by a launcher with `--kyso-cli`, the
 * installed binary runs the command line and exits with its status, with no window, tray or
 * single-instance lock; anything else starts the app. The Electron binary cannot be downloaded
 * here, so `electron` is a recording stand-in; everything behind it (the CLI) is real.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** What the stand-in `app` recorded in one test, and the status it exited with. */
const state = vi.hoisted(() => {
  const s = { calls: [] as string[], exited: Promise.resolve(-1), exit: (_code: number) => {} };
  return {
    s,
    /** Starts a fresh recording (module state survives vi.resetModules). */
    reset() {
      s.calls = [];
      s.exited = new Promise<number>((resolve) => (s.exit = resolve));
    },
  };
});

/** Programs the command line started (the app's own binary for `kyso app`); nothing really runs. */
const spawned = vi.hoisted(() => [] as Array<{ cmd: string; args: string[] }>);
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  const spawn = (cmd: string, args: string[] = []) => {
    spawned.push({ cmd, args });
    return { unref: () => {}, on: () => {}, once: () => {} };
  };
  return { ...real, spawn, default: { ...real, spawn } };
});

vi.mock('electron', () => {
  const { s } = state;
  const app = {
    isPackaged: true,
    exit: (code: number) => (s.calls.push(`exit ${code}`), s.exit(code)),
    quit: () => s.calls.push('quit'),
    requestSingleInstanceLock: () => (s.calls.push('requestSingleInstanceLock'), true),
    isDefaultProtocolClient: () => true,
    setAsDefaultProtocolClient: () => true,
    disableHardwareAcceleration: () => s.calls.push('disableHardwareAcceleration'),
    commandLine: { appendSwitch: (name: string, value?: string) => s.calls.push(`switch ${name}=${value ?? ''}`) },
    on: (event: string) => s.calls.push(`on ${event}`),
    whenReady: () => new Promise(() => {}),
    getLocale: () => 'vi',
    dock: undefined,
  };
  return { app, BrowserWindow: { getAllWindows: () => [] }, ipcMain: {}, protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} }, session: {} };
});

describe('main/shell/main.ts: the installed binary as the command line', () => {
  const argv = process.argv;
  let out = '';
  beforeEach(() => {
    vi.resetModules();
    state.reset();
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  });
  afterEach(() => {
    process.argv = argv;
    vi.restoreAllMocks();
  });

  it('runs the command after --kyso-cli and exits with its status, never opening the app', async () => {
    process.argv = ['/opt/Kyso/kyso', '--ozone-platform=headless', '--disable-gpu', '--kyso-cli', '--version'];
    await import('../../../main/shell/main.js');
    expect(await state.s.exited).toBe(0);
    expect(out).toMatch(/^kyso \d+\.\d+\.\d+/);
    expect(state.s.calls).not.toContain('requestSingleInstanceLock');
    expect(state.s.calls).toContain('disableHardwareAcceleration');
    if (process.platform === 'linux') expect(state.s.calls).toContain('switch ozone-platform=headless');
  });

  it('exits with the command line status for a usage error', async () => {
    process.argv = ['/opt/Kyso/kyso', '--kyso-cli', 'no-such-command'];
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await import('../../../main/shell/main.js');
    expect(await state.s.exited).toBe(2);
  });

  it("`kyso app` opens the app's window as its own process, with the language option before or after the word", async () => {
    for (const args of [['app'], ['--lang', 'en', 'app'], ['--lang=vi', 'app'], ['app', '--lang', 'en']]) {
      vi.resetModules();
      state.reset();
      spawned.length = 0;
      process.argv = ['/opt/Kyso/kyso', '--ozone-platform=headless', '--disable-gpu', '--kyso-cli', '--', ...args];
      await import('../../../main/shell/main.js');
      // Not the browser host in this window-less process (it would serve until a signal).
      const status = await Promise.race([state.s.exited, new Promise((r) => setTimeout(() => r('still running'), 3000))]);
      expect(status, args.join(' ')).toBe(0);
      expect(spawned, args.join(' ')).toEqual([{ cmd: process.execPath, args: [] }]);
    }
  });

  it('opens the app for a kyso:// link, even one followed by the flag', async () => {
    process.argv = ['/opt/Kyso/kyso', 'kyso://open', '--kyso-cli', '--version'];
    await import('../../../main/shell/main.js');
    await new Promise((r) => setTimeout(r, 200));
    expect(state.s.calls).toContain('requestSingleInstanceLock');
    expect(state.s.calls.some((c) => c.startsWith('exit'))).toBe(false);
    expect(out).toBe('');
  });
});
