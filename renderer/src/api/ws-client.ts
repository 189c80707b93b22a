/** AppApi over the browser host's WebSocket (the page URL carries the session secret). */
import type { AppApi, Result } from '../../../main/api/index.js';
import { operationIds } from '../../../main/api/index.js';
import { createApi, wsPath, wsServerMessageSchema } from '../../../main/api/transport.js';

/** An AppApi bound to a WebSocket, plus its lifecycle. */
export interface WsClient {
  api: AppApi;
  /** Resolves when the socket is open; rejects if it closes first. */
  ready: Promise<void>;
  close(): void;
}

/**
 * Connects to the host. `disconnected` supplies the localized message used for calls that
 * fail because the host went away.
 */
export function createWsClient(origin: string, secret: string, disconnected: () => string): WsClient {
  const wsUrl = `${origin.replace(/^http/, 'ws')}${wsPath}?s=${encodeURIComponent(secret)}`;
  const socket = new WebSocket(wsUrl);
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let closed = false;

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', () => reject(new Error('closed')));
  });
  ready.catch(() => {});

  socket.addEventListener('message', (ev) => {
    let parsed;
    try {
      parsed = wsServerMessageSchema.safeParse(JSON.parse(String(ev.data)));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const msg = parsed.data;
    if ('event' in msg) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    } else if (msg.id !== null) {
      pending.get(msg.id)?.(msg.result as Result<unknown>);
      pending.delete(msg.id);
    }
  });
  socket.addEventListener('close', () => {
    closed = true;
    const failure: Result<unknown> = { ok: false, error: { code: 'hostDisconnected', message: disconnected() } };
    for (const resolve of pending.values()) resolve(failure);
    pending.clear();
  });

  const invoke = async (op: string, input: unknown): Promise<Result<unknown>> => {
    try {
      await ready;
    } catch {
      closed = true;
    }
    if (closed) return { ok: false, error: { code: 'hostDisconnected', message: disconnected() } };
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, op, input }));
    });
  };
  const subscribe = (event: string, listener: (payload: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  return { api: createApi(operationIds, invoke, subscribe), ready, close: () => socket.close() };
}
