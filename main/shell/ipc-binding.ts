/**
 * Binds the contract to Electron IPC: one ipcMain.handle per operation id, sender checked
 * before anything else, result envelopes from the shared dispatch; core events forwarded to
 * every window on their own channel.
 */
import { eventChannel, ipcChannel, operationIds, type EventId, type Result } from '../api/index.js';
import { t, type Lang } from '../../resources/locales/index.js';
import type { IpcEventLike } from './security.js';

/** The part of ipcMain the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of the core the binding uses. */
export interface CoreLike {
  call(id: string, input: unknown): Promise<Result<unknown>>;
  readonly state: { lang: Lang };
  readonly bus: { subscribe(l: (event: EventId, payload: unknown) => void): () => void };
}

/** Something that can receive events (a webContents). */
export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Registers one handler per operation; returns the function that removes them all. */
export function bindContract(ipc: IpcMainLike, core: CoreLike, isTrusted: (event: IpcEventLike) => boolean): () => void {
  for (const id of operationIds) {
    ipc.handle(ipcChannel(id), async (event: IpcEventLike, input: unknown) => {
      if (!isTrusted(event)) {
        return { ok: false, error: { code: 'forbiddenSender', message: t(core.state.lang, 'error.forbiddenSender') } } satisfies Result<never>;
      }
      return core.call(id, input);
    });
  }
  return () => {
    for (const id of operationIds) ipc.removeHandler(ipcChannel(id));
  };
}

/** Forwards every core event to the current windows; returns the unsubscribe function. */
export function forwardEvents(core: CoreLike, targets: () => Iterable<EventTarget>): () => void {
  return core.bus.subscribe((event, payload) => {
    for (const wc of targets()) {
      if (!wc.isDestroyed()) wc.send(eventChannel(event), payload);
    }
  });
}
