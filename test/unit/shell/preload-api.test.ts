/** window.kyso as built by the preload, with a fake ipcRenderer: named functions only, clean events. */
import { describe, expect, it } from 'vitest';
import { eventChannel, ipcChannel, operationIds } from '../../../main/api/index.js';
import { buildPreloadApi, type IpcRendererLike } from '../../../preload/api.js';

type L = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer() {
  const invoked: Array<[string, unknown[]]> = [];
  const listeners = new Map<string, Set<L>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, args]);
      return { ok: true, value: channel };
    },
    on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  const fire = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'ipc-event-with-sender' }, payload);
  };
  return { ipc, invoked, listeners, fire };
}

describe('preload api', () => {
  it('has one function per operation id plus on, and nothing generic', () => {
    const { ipc } = fakeIpcRenderer();
    const api = buildPreloadApi(ipc) as unknown as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...operationIds, 'on'].sort());
    for (const k of ['send', 'invoke', 'sendSync', 'ipcRenderer', 'process', 'env']) expect(api[k]).toBeUndefined();
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('adds pathForFile (for drag and drop) only when webUtils is given', () => {
    const { ipc } = fakeIpcRenderer();
    const api = buildPreloadApi(ipc, (f: { name: string }) => `/dropped/${f.name}`) as unknown as Record<string, (f: unknown) => string>;
    expect(api.pathForFile!({ name: 'a.pdf' })).toBe('/dropped/a.pdf');
    expect((buildPreloadApi(ipc) as unknown as Record<string, unknown>).pathForFile).toBeUndefined();
  });

  it('invokes each operation on its own channel', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const api = buildPreloadApi(ipc);
    expect(await api['app:info']({})).toEqual({ ok: true, value: ipcChannel('app:info') });
    await api['app:setLang']({ lang: 'en' });
    expect(invoked).toEqual([[ipcChannel('app:info'), [{}]], [ipcChannel('app:setLang'), [{ lang: 'en' }]]]);
  });

  it('strips the IPC event, unsubscribes, and refuses unknown events', () => {
    const { ipc, fire, listeners } = fakeIpcRenderer();
    const api = buildPreloadApi(ipc);
    const got: unknown[] = [];
    const off = api.on('app:lang', (p) => got.push(p));
    fire(eventChannel('app:lang'), { lang: 'en' });
    off();
    fire(eventChannel('app:lang'), { lang: 'vi' });
    expect(got).toEqual([{ lang: 'en' }]);
    expect(listeners.get(eventChannel('app:lang'))?.size).toBe(0);
    expect(() => (api.on as (e: string, l: () => void) => void)('ipc:anything', () => {})).toThrow(TypeError);
  });
});
