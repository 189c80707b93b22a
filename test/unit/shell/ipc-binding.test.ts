/**
 * The IPC binding against the real core, with a fake ipcMain (the Electron binary is absent):
 * one handler per operation id, sender checked first, envelopes from dispatch, events forwarded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventChannel, ipcChannel, operationIds } from '../../../main/api/index.js';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import { bindContract, forwardEvents, type IpcMainLike } from '../../../main/shell/ipc-binding.js';
import { appIndexUrl, isTrustedSender, type IpcEventLike } from '../../../main/shell/security.js';

type Listener = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

/** A stand-in for ipcMain recording handlers by channel. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => {
      handlers.delete(channel);
    },
  };
  return { ipc, handlers };
}

let dir: string;
let core: Core;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-shell-'));
  core = await createCore({ host: 'electron', home: dir, lang: 'vi', shell: browserShellHandlers() });
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

const trusted: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: appIndexUrl, parent: null } };
const foreign: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } };

describe('contract binding', () => {
  it('registers exactly one channel per operation and removes them all', () => {
    const { ipc, handlers } = fakeIpcMain();
    const unbind = bindContract(ipc, core, (e) => isTrustedSender(e, new Set([1])));
    expect([...handlers.keys()].sort()).toEqual(operationIds.map((id) => ipcChannel(id)).sort());
    unbind();
    expect(handlers.size).toBe(0);
  });

  it('answers trusted callers through the real core and refuses others before the core runs', async () => {
    const { ipc, handlers } = fakeIpcMain();
    bindContract(ipc, core, (e) => isTrustedSender(e, new Set([1])));
    const info = handlers.get(ipcChannel('app:info'))!;
    expect(await info(trusted, {})).toMatchObject({ ok: true, value: { host: 'electron', home: dir } });
    expect(await info(foreign, {})).toEqual({ ok: false, error: { code: 'forbiddenSender', message: 'Yêu cầu bị từ chối: nguồn gọi không hợp lệ.' } });
    const setLang = handlers.get(ipcChannel('app:setLang'))!;
    expect(await setLang(foreign, { lang: 'en' })).toMatchObject({ ok: false });
    expect(core.state.lang).toBe('vi');
    expect(await setLang(trusted, { lang: 'xx' })).toMatchObject({ ok: false, error: { code: 'invalidInput' } });
  });

  it('forwards core events on their own channel to live windows only', async () => {
    const sent: Array<[string, unknown]> = [];
    const live = { send: (c: string, p: unknown) => sent.push([c, p]), isDestroyed: () => false };
    const dead = { send: () => { throw new Error('destroyed window used'); }, isDestroyed: () => true };
    const stop = forwardEvents(core, () => [live, dead]);
    const { ipc, handlers } = fakeIpcMain();
    bindContract(ipc, core, () => true);
    await handlers.get(ipcChannel('app:setLang'))!(trusted, { lang: 'en' });
    await handlers.get(ipcChannel('app:setLang'))!(trusted, { lang: 'vi' });
    stop();
    expect(sent).toEqual([[eventChannel('app:lang'), { lang: 'en' }], [eventChannel('app:lang'), { lang: 'vi' }]]);
  });
});
