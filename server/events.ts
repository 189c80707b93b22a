/** Server-sent events: live notifications per organization (a hint; clients re-list by cursor). */
import type { ServerResponse } from 'node:http';
import { KysoError } from '../main/api/errors.js';
import type { ServerEvent } from '../main/exchange/protocol.js';

/** The session a stream was opened with: its token, and whether it is still valid. */
export interface StreamSession {
  token: string;
  userId: number;
  valid(): Promise<boolean>;
}

/** Connected SSE clients by organization. */
export class EventHub {
  private readonly clients = new Map<string, Set<ServerResponse>>();
  private readonly sessions = new Map<ServerResponse, StreamSession>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    pingMs = 15_000,
    /** Open streams one session may hold (a page that leaks EventSources must not pile them up). */
    private readonly maxPerSession = 4,
  ) {
    // Each ping also re-checks the stream's session: an expired session stops receiving.
    this.timer = setInterval(() => {
      for (const set of this.clients.values()) {
        for (const res of set) {
          res.write(': ping\n\n');
          void this.sessions.get(res)?.valid().then((ok) => ok || res.end(), () => res.end());
        }
      }
    }, pingMs);
    this.timer.unref();
  }

  /** Adopts a response as an event stream for an organization, for as long as `session` lasts. */
  attach(org: string, res: ServerResponse, session?: StreamSession): void {
    if (session) {
      let mine = 0;
      for (const s of this.sessions.values()) if (s.token === session.token) mine++;
      if (mine >= this.maxPerSession) throw new KysoError('exTooManyRequests');
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    let set = this.clients.get(org);
    if (!set) this.clients.set(org, (set = new Set()));
    set.add(res);
    if (session) this.sessions.set(res, session);
    res.on('close', () => {
      set.delete(res);
      this.sessions.delete(res);
    });
  }

  /** Ends the streams opened with a session token (logout). */
  endSession(token: string): void {
    for (const [res, s] of this.sessions) if (s.token === token) res.end();
  }

  /** Ends the streams of every session of a user (its certificate was revoked, the user removed). */
  endUser(userId: number): void {
    for (const [res, s] of this.sessions) if (s.userId === userId) res.end();
  }

  /** Sends an event to every stream of an organization. */
  publish(org: string, ev: ServerEvent): void {
    const set = this.clients.get(org);
    if (!set) return;
    const frame = `event: ${ev.type}\nid: ${ev.item.seq}\ndata: ${JSON.stringify(ev)}\n\n`;
    for (const res of set) res.write(frame);
  }

  /** Number of open streams (tests). */
  count(org?: string): number {
    if (org) return this.clients.get(org)?.size ?? 0;
    let n = 0;
    for (const s of this.clients.values()) n += s.size;
    return n;
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.timer);
    for (const set of this.clients.values()) for (const res of set) res.end();
    this.clients.clear();
  }
}
