/**
 * The utilityProcess launcher's plumbing with a real bridge process. Electron cannot run here,
 * so a stand-in with utilityProcess' shape (postMessage / on('message') / on('exit') / kill)
 * wraps child_process.fork; the worker, module and token are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BridgeClient } from '../../../native/bridge/client.js';
import { workerEntry } from '../../../native/bridge/launcher.js';
import { utilityLauncher, type UtilityProcessModule } from '../../../native/bridge/utility-launcher.js';
import { SoftHsm, SOFTHSM_MODULE } from '../../bed/softhsm.js';

let dir: string;
let hsm: SoftHsm;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-utility-'));
  hsm = new SoftHsm(path.join(dir, 'hsm'));
  await hsm.initToken('Utility', '12345678', '123456');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const standIn: UtilityProcessModule = {
  fork(modulePath, args, options) {
    const child = fork(modulePath, args ?? [], { env: options?.env, execArgv: workerEntry().execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return {
      get pid() {
        return child.pid;
      },
      // Electron's postMessage to a dead utility process drops the message; the 'exit' event
      // reports the crash. child.send without a callback would instead emit an unhandled 'error'
      // (EPIPE) when the write to a killed child fails, so the stand-in swallows it the same way.
      postMessage: (m) => child.send(m as object, () => undefined),
      on: (event: 'message' | 'exit', l: (x: never) => void) => child.on(event, l as (...a: unknown[]) => void),
      kill: () => child.kill('SIGKILL'),
    } as ReturnType<UtilityProcessModule['fork']>;
  },
};

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('utilityLauncher', { timeout: 180_000 }, () => {
  it('runs the bridge and reports a crash like the fork launcher', async () => {
    const client = new BridgeClient({ modulePath: SOFTHSM_MODULE, launcher: utilityLauncher(standIn), env: { ...process.env, ...hsm.env } });
    try {
      const { slots } = await client.call({ op: 'slots' });
      expect(slots.some((s) => s.token?.label === 'Utility')).toBe(true);
      const pid = client.pid!;
      process.kill(pid, 'SIGSTOP');
      const pending = client.call({ op: 'slots' }).then(() => 'ok', (e: { code: string }) => e.code);
      process.kill(pid, 'SIGKILL');
      expect(await pending).toBe('tokenBridgeCrashed');
      expect((await client.call({ op: 'slots' })).slots.length).toBeGreaterThan(0);
      expect(client.generation).toBe(2);
    } finally {
      await client.close();
    }
  });
});
