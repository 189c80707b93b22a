/**
 * Builds `window.kyso` from the contract: one function per operation id (each bound to its
 * own IPC channel) and `on(event, cb)`. No generic send/invoke is exposed, listeners never
 * see the IPC event object (it carries `sender`), and unknown event names are refused.
 */
import { eventChannel, eventIds, ipcChannel, operationIds, type AppApi, type EventId, type OperationId, type Result } from '../main/api/index.js';

/** The part of ipcRenderer the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The API object handed to contextBridge.exposeInMainWorld('kyso', ...). */
export function buildPreloadApi(ipc: IpcRendererLike, pathForFile?: (file: never) => string): AppApi {
  const api: Record<string, unknown> = {};
  // Dropped files carry no path in the page since Electron 32; webUtils gives it (local only, no IPC).
  if (pathForFile) api.pathForFile = (file: never) => pathForFile(file);
  for (const id of operationIds) {
    const channel = ipcChannel(id as OperationId);
    api[id] = (input: unknown) => ipc.invoke(channel, input ?? {}) as Promise<Result<unknown>>;
  }
  const known = new Set<string>(eventIds);
  api.on = (event: string, listener: (payload: unknown) => void) => {
    if (!known.has(event) || typeof listener !== 'function') throw new TypeError(`unknown event ${String(event)}`);
    const channel = eventChannel(event as EventId);
    const wrapped = (_e: unknown, payload: unknown) => listener(payload);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  return Object.freeze(api) as unknown as AppApi;
}
