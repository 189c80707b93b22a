/** One WebSocket client of the browser host: requests into the core, core events out. */
import type { WebSocket } from 'ws';
import { wsRequestSchema, type WsServerMessage } from '../api/transport.js';
import { toErrorPayload } from '../services/dispatch.js';
import type { Core } from '../services/core.js';

/** Sends a message if the socket is still open (a closed page must not crash the core). */
function send(ws: WebSocket, msg: WsServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

/** Parses one raw message; undefined id when the message is not even a request. */
function parseRequest(raw: string): { id: number | null; op?: string; input?: unknown; error?: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { id: null, error: e };
  }
  const parsed = wsRequestSchema.safeParse(json);
  if (!parsed.success) {
    const id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : null;
    return { id, error: parsed.error };
  }
  return { id: parsed.data.id, op: parsed.data.op, input: parsed.data.input };
}

/** Wires a connected client to the core; returns the function that detaches it. */
export function attachClient(ws: WebSocket, core: Core): () => void {
  const unsubscribe = core.bus.subscribe((event, payload) => send(ws, { event, payload }));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const req = parseRequest(data.toString());
    if (req.error !== undefined || req.op === undefined) {
      send(ws, { id: req.id, result: { ok: false, error: toErrorPayload(req.error, core.state) } });
      return;
    }
    const id = req.id;
    // Requests run concurrently: a long batch must not block a quick app:info.
    void core.call(req.op, req.input).then((result) => send(ws, { id, result }));
  });
  return unsubscribe;
}
