/**
 * What one slow or greedy caller may hold of the server: time limits on every stage of a
 * request (headers, body, silence) and a cap on open connections per address. Only an
 * authenticated package upload that keeps moving may take long (a large scan on a slow
 * provincial link); everything else must arrive promptly. Event streams per session are
 * capped in the EventHub.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** Time limits (ms). */
export interface Timeouts {
  /** From connection (or the end of the previous request) to the end of the request headers. */
  headersMs: number;
  /** From the headers to the end of the request body, for every request but authenticated uploads. */
  requestMs: number;
  /** Silence on a socket (nothing read or written): then it is closed. Event streams ping well within it. */
  idleMs: number;
  /** Whole time an authenticated package upload may take, as long as it is never silent for idleMs. */
  uploadMaxMs: number;
}

/** Per-caller caps. */
export interface Caps {
  /** Open connections from one address (a trusted proxy's own address is exempt). */
  connectionsPerAddress: number;
  /** Open event streams of one session. */
  streamsPerSession: number;
}

/** Defaults: generous for a slow link, short for a caller that sends nothing. */
export const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 20_000, requestMs: 60_000, idleMs: 60_000, uploadMaxMs: 2 * 60 * 60_000 };

/** Defaults: an office behind one NAT address still fits. */
export const DEFAULT_CAPS: Caps = { connectionsPerAddress: 128, streamsPerSession: 4 };

/** Options for http(s).createServer: how often Node checks the headers deadline. */
export function serverOptions(t: Timeouts): { connectionsCheckingInterval: number } {
  return { connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(t.headersMs / 2))) };
}

/**
 * Applies the header and idle timeouts and the per-address connection cap. The body deadline
 * is per request (bodyDeadline), since authenticated uploads get another one.
 */
export function guardServer(server: Server, t: Timeouts, caps: Caps, exempt: (address: string) => boolean): void {
  server.headersTimeout = t.headersMs;
  // Node's own request timeout cannot be lifted for one request: bodyDeadline does it instead.
  server.requestTimeout = 0;
  // Without a 'timeout' listener Node destroys a socket silent for this long.
  server.timeout = t.idleMs;
  server.keepAliveTimeout = Math.min(5_000, t.idleMs);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (exempt(address)) return;
    const n = (open.get(address) ?? 0) + 1;
    if (n > caps.connectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/** The body deadline of one request; `extend` gives an authenticated upload its longer one. */
export interface BodyDeadline {
  extend(): void;
}

/** Arms the body deadline: a request whose body has not fully arrived in time is cut off. */
export function bodyDeadline(req: IncomingMessage, t: Timeouts): BodyDeadline {
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number) => {
    clearTimeout(timer);
    if (req.complete) return;
    timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, ms);
    timer.unref();
  };
  const done = () => clearTimeout(timer);
  req.once('end', done).once('close', done);
  arm(t.requestMs);
  return { extend: () => arm(t.uploadMaxMs) };
}
