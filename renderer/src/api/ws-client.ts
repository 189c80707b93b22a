/** AppApi over the browser host's WebSocket (the page URL carries the session secret). */
import type { AppApi, Result } from '../../../main/api/index.js';

/** Path of the host's WebSocket (main/api/transport.ts wsPath; not imported to keep zod out of the first bundle). */
const wsPath = '/ws';

/** A message from the host, checked structurally (the host validates everything it receives). */
type ServerMessage = { id: number | null; result: Result<unknown> } | { event: string; payload: unknown };

/** Narrows a parsed JSON value to a host message. */
export function asServerMessage(v: unknown): ServerMessage | null {
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  if (typeof m.event === 'string') return { event: m.event, payload: m.payload };
  const r = m.result as { ok?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
  if ((typeof m.id === 'number' || m.id === null) && r && typeof r === 'object') {
    if (r.ok === true) return m as ServerMessage;
    if (r.ok === false && typeof r.error?.code === 'string' && typeof r.error.message === 'string') return m as ServerMessage;
  }
  return null;
}

/**
 * An AppApi whose operation functions are made on first use: any `domain:verb` property is a
 * call of that operation (the host refuses unknown ones), `on` subscribes to events.
 */
export function proxyApi(invoke: (op: string, input: unknown) => Promise<Result<unknown>>, subscribe: (event: string, l: (p: unknown) => void) => () => void): AppApi {
  const cache = new Map<string, (input: unknown) => Promise<Result<unknown>>>();
  return new Proxy({} as AppApi, {
    get(_t, prop) {
      if (prop === 'on') return subscribe;
      if (typeof prop !== 'string' || !/^[a-z]+:[A-Za-z]+$/.test(prop)) return undefined;
      let f = cache.get(prop);
      if (!f) cache.set(prop, (f = (input: unknown) => invoke(prop, input ?? {})));
      return f;
    },
  });
}

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
    let msg: ServerMessage | null;
    try {
      msg = asServerMessage(JSON.parse(String(ev.data)));
    } catch {
      return;
    }
    if (!msg) return;
    if ('event' in msg) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    } else if (msg.id !== null) {
      pending.get(msg.id)?.(msg.result);
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
  return { api: proxyApi(invoke, subscribe), ready, close: () => socket.close() };
}
