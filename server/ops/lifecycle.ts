/**
 * The life of one instance behind a load balancer: requests in flight are counted so a
 * shutdown can let them finish (an upload in progress completes, within a bound), and while
 * draining new requests are refused with 503 and `Connection: close`, so the proxy or the
 * client goes to another instance.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** In-flight requests and the draining state. */
export class Lifecycle {
  private readonly inFlight = new Set<ServerResponse>();
  private idle: (() => void) | undefined;
  draining = false;

  /** Counts a request until its answer is finished or its connection closed. Event streams are not counted (they are ended, not awaited). */
  track(res: ServerResponse): void {
    this.inFlight.add(res);
    const done = () => {
      this.inFlight.delete(res);
      if (!this.inFlight.size) this.idle?.();
    };
    res.once('finish', done).once('close', done);
  }

  /** Stops counting a request (it became an event stream). */
  untrack(res: ServerResponse): void {
    this.inFlight.delete(res);
    if (!this.inFlight.size) this.idle?.();
  }

  /** Requests still being answered. */
  get active(): number {
    return this.inFlight.size;
  }

  /**
   * Stops accepting connections and waits for the requests in flight, at most `boundMs`;
   * resolves with how many were still running when the bound ran out (they are cut).
   */
  async drain(server: Server, boundMs: number): Promise<number> {
    this.draining = true;
    server.close();
    server.closeIdleConnections();
    if (this.inFlight.size) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, boundMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.inFlight.size;
  }
}

/** True for a request that should not start now: the instance is draining. */
export function refuseWhileDraining(life: Lifecycle, req: IncomingMessage, res: ServerResponse): boolean {
  if (!life.draining) return false;
  req.resume();
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' });
  res.end(JSON.stringify({ status: 'FAIL', ErrorCode: 'exBusy', ErrorDesc: 'This server instance is shutting down; try again.', params: {} }));
  return true;
}
