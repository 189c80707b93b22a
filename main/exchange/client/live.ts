/**
 * Live notifications: listens to the server's SSE stream and triggers a sync on every event.
 * SSE is only a hint (the protocol says so): each (re)connection starts with a full sync by
 * cursor, so events missed while disconnected are never lost.
 */
import type { IncomingMessage } from 'node:http';
import type { InboxApi } from './api.js';
import { rawRequest } from './http.js';

/** Options of the listener. */
export interface LiveOptions {
  /** Called on connect and on every event; errors are reported, not thrown. */
  onSignal(): Promise<unknown>;
  onError?(e: unknown): void;
  /** Delay before reconnecting after a drop (ms), doubled up to maxDelayMs. */
  retryMs?: number;
  maxDelayMs?: number;
}

/** Parses an SSE byte stream into events (`event`, `data`), ignoring comments (pings). */
export async function* parseSse(stream: AsyncIterable<Buffer | string>): AsyncGenerator<{ event: string; data: string; id: string | null }> {
  let buf = '';
  let event = 'message';
  let data: string[] = [];
  let id: string | null = null;
  for await (const chunk of stream) {
    buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.search(/\r?\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === '\r' ? 2 : 1));
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n'), id };
        event = 'message';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  }
}

/** A running SSE listener; `stop()` ends it. */
export class LiveListener {
  private stopped = false;
  private res: IncomingMessage | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly api: InboxApi,
    private readonly opts: LiveOptions,
  ) {}

  /** Starts listening (connects, syncs, then syncs on every event). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops listening and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.res?.destroy();
    await this.loop;
  }

  private async run(): Promise<void> {
    let delay = this.opts.retryMs ?? 1000;
    while (!this.stopped) {
      try {
        // A fresh single-use ticket for each (re)connection: the session token never goes in a URL.
        const req = await this.api.eventsRequest();
        const res = await rawRequest({ method: 'GET', url: req.url, headers: req.headers, signal: this.abort.signal, idleTimeoutMs: 60_000 });
        // The ticket was good but its session has ended since (logout, revoked certificate): log in again next time.
        if ((res.statusCode ?? 0) === 401) this.api.resetSession();
        if ((res.statusCode ?? 0) !== 200) {
          res.resume();
          throw new Error(`events: HTTP ${res.statusCode}`);
        }
        this.res = res;
        delay = this.opts.retryMs ?? 1000;
        await this.signal();
        for await (const ev of parseSse(res)) {
          if (this.stopped) break;
          if (ev.event === 'inbox' || ev.event === 'status') await this.signal();
        }
      } catch (e) {
        if (!this.stopped) this.opts.onError?.(e);
      }
      if (this.stopped) break;
      await new Promise<void>((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, this.opts.maxDelayMs ?? 30_000);
    }
  }

  private async signal(): Promise<void> {
    try {
      await this.opts.onSignal();
    } catch (e) {
      this.opts.onError?.(e);
    }
  }
}
