/** An in-memory AppApi for component tests and screenshots without a core. */
import type { AppApi, EventId, EventPayload, OperationId, OutputOf, InputOf, Result } from '../../../main/api/index.js';
import { operationIds } from '../../../main/api/index.js';
import { createApi } from '../../../main/api/transport.js';

/** Canned handlers: one async function per operation the test cares about. */
export type FakeHandlers = { [K in OperationId]?: (input: InputOf<K>) => Promise<OutputOf<K>> | OutputOf<K> };

/** A fake AppApi plus a way to push events into it. */
export interface FakeClient {
  api: AppApi;
  emit<E extends EventId>(event: E, payload: EventPayload<E>): void;
  /** Every call made, in order (for assertions). */
  calls: Array<{ op: string; input: unknown }>;
}

/** Builds a fake client; operations without a handler fail with `notImplemented`. */
export function createFakeClient(handlers: FakeHandlers): FakeClient {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: FakeClient['calls'] = [];
  const invoke = async (op: string, input: unknown): Promise<Result<unknown>> => {
    calls.push({ op, input });
    const h = (handlers as Record<string, ((i: unknown) => unknown) | undefined>)[op];
    if (!h) return { ok: false, error: { code: 'notImplemented', message: op } };
    try {
      return { ok: true, value: await h(input) };
    } catch (e) {
      return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
  };
  const subscribe = (event: string, l: (p: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
    };
  };
  return {
    api: createApi(operationIds, invoke, subscribe),
    emit: (event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    calls,
  };
}
