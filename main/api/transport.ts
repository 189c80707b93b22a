/**
 * Wire format of the browser host's WebSocket (/ws), shared by main/host and the renderer's
 * ws client: requests `{ id, op, input }`, replies `{ id, result }`, pushed events
 * `{ event, payload }`.
 */
import { z } from 'zod';
import { errorPayloadSchema, type Result } from './result.js';
import type { AppApi } from './index.js';

/** A request from the page: call operation `op` with `input`; `id` pairs it with its reply. */
export const wsRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  op: z.string().min(1).max(100),
  input: z.unknown().optional(),
}).strict();
/** A request from the page. */
export type WsRequest = z.infer<typeof wsRequestSchema>;

/** The result envelope of one operation. */
export const resultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorPayloadSchema }),
]);

/** A message from the host: a reply to a request, or an event. */
export const wsServerMessageSchema = z.union([
  z.object({ id: z.number().int().nullable(), result: resultSchema }),
  z.object({ event: z.string(), payload: z.unknown() }),
]);
/** A message from the host. */
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;

/** Path of the WebSocket endpoint; the session secret goes in the `s` query parameter. */
export const wsPath = '/ws';

/**
 * Builds an AppApi with one function per operation id over any transport (Electron IPC in
 * the preload, the browser host's WebSocket, an in-memory fake). The generic `invoke` stays
 * private to the transport: callers only ever see the named functions.
 */
export function createApi(
  operationIds: readonly string[],
  invoke: (id: string, input: unknown) => Promise<Result<unknown>>,
  subscribe: (event: string, listener: (payload: unknown) => void) => () => void,
): AppApi {
  const api: Record<string, unknown> = {};
  for (const id of operationIds) api[id] = (input: unknown) => invoke(id, input ?? {});
  api.on = (event: string, listener: (payload: unknown) => void) => subscribe(event, listener);
  return api as unknown as AppApi;
}
