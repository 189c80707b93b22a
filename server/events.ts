/**
 * Server-sent events: live notices per organization. Each instance keeps, for every
 * organization with a stream open here, a cursor over its deliveries and statuses; a hint
 * (server/bus.ts: this instance's own writes or another's) makes it read the rows after the
 * cursors from the shared database and send them. So an event written by any instance
 * reaches the streams of every instance, and a hint lost or coalesced costs nothing: the
 * next read starts at the cursor. Clients still treat events as hints and sync by cursor.
 */
import type { ServerResponse } from 'node:http';
import { KysoError } from '../main/api/errors.js';
import type { InboxItem, ServerEvent, StatusItem } from '../main/exchange/protocol.js';

/** The session a stream was opened with (by its token's hash: no token is kept). */
export interface StreamSession {
  tokenSha256: string;
  userId: number;
}

/** Where a feed reads its rows: the shared database. */
export interface FeedSource {
  /** The highest sequence numbers now committed for an organization. */
  lastSeqs(org: string): Promise<{ inbox: number; status: number }>;
  inboxAfter(org: string, after: number, limit: number): Promise<InboxItem[]>;
  statusesAfter(org: string, after: number, limit: number): Promise<StatusItem[]>;
}

/** How the hub runs. */
export interface HubOptions {
  /** Keep-alive comment and session re-check period (ms). */
  pingMs?: number;
  /** Open streams one session may hold on this instance. */
  maxPerSession?: number;
  /** Of these session token hashes, the ones still valid (one bulk check per ping). */
  liveSessions(tokenSha256s: string[]): Promise<Set<string>>;
  /** Told of each event sent (metrics) and of read failures (log). */
  sent?(type: ServerEvent['type'], streams: number): void;
  failed?(what: string, e: unknown): void;
}

type Kind = 'inbox' | 'status';
const PAGE = 500;
/** A stream whose client reads slower than this much is behind is ended (it reconnects and syncs). */
const MAX_BUFFERED = 1 << 20;

interface Stream {
  res: ServerResponse;
  org: string;
  session?: StreamSession;
}

/** One organization's streams on this instance and the cursors they are fed from. */
interface Feed {
  streams: Set<Stream>;
  cursor: Record<Kind, number>;
  ready: boolean;
  dirty: Set<Kind>;
  reading: boolean;
  /** Sets the cursors to what is committed now (the first stream's attach waits for it, so do the others). */
  setup?: Promise<void>;
  retry?: NodeJS.Timeout;
}

/** Connected SSE clients by organization, fed from the database on hints. */
export class EventHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly streams = new Set<Stream>();
  private readonly timer: NodeJS.Timeout;
  private readonly maxPerSession: number;
  private closed = false;

  constructor(
    private readonly source: FeedSource,
    private readonly opts: HubOptions,
  ) {
    this.maxPerSession = opts.maxPerSession ?? 4;
    this.timer = setInterval(() => void this.ping(), opts.pingMs ?? 15_000);
    this.timer.unref();
  }

  /** Writes the keep-alive and ends the streams whose sessions are no longer valid. */
  private async ping(): Promise<void> {
    const hashes = new Set<string>();
    for (const s of this.streams) {
      s.res.write(': ping\n\n');
      if (s.session) hashes.add(s.session.tokenSha256);
    }
    if (!hashes.size) return;
    let valid: Set<string>;
    try {
      valid = await this.opts.liveSessions([...hashes]);
    } catch (e) {
      this.opts.failed?.('session re-check', e);
      return;
    }
    for (const s of this.streams) if (s.session && !valid.has(s.session.tokenSha256)) s.res.end();
  }

  /**
   * Adopts a response as an event stream of an organization. The organization's cursors are
   * set before the stream is answered, so everything committed before the client's first
   * sync is in that sync, and everything after it comes as an event.
   */
  async attach(org: string, res: ServerResponse, session?: StreamSession): Promise<void> {
    if (this.closed) throw new KysoError('exBusy');
    if (session) {
      let mine = 0;
      for (const s of this.streams) if (s.session?.tokenSha256 === session.tokenSha256) mine++;
      if (mine >= this.maxPerSession) throw new KysoError('exTooManyRequests');
    }
    const stream: Stream = { res, org, ...(session ? { session } : {}) };
    let feed = this.feeds.get(org);
    if (!feed) {
      const f: Feed = { streams: new Set(), cursor: { inbox: 0, status: 0 }, ready: false, dirty: new Set(), reading: false };
      f.setup = this.source.lastSeqs(org).then(
        (last) => {
          f.cursor = { inbox: last.inbox, status: last.status };
          f.ready = true;
          if (f.dirty.size) this.read(org, f);
        },
        (e: unknown) => {
          if (this.feeds.get(org) === f) this.feeds.delete(org);
          throw e;
        },
      );
      this.feeds.set(org, (feed = f));
    }
    feed.streams.add(stream);
    try {
      await feed.setup;
    } catch (e) {
      feed.streams.delete(stream);
      throw e;
    }
    if (res.destroyed) {
      this.drop(stream);
      return;
    }
    this.streams.add(stream);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    res.on('close', () => this.drop(stream));
  }

  private drop(stream: Stream): void {
    this.streams.delete(stream);
    const feed = this.feeds.get(stream.org);
    if (!feed) return;
    feed.streams.delete(stream);
    if (!feed.streams.size && feed.ready) {
      clearTimeout(feed.retry);
      this.feeds.delete(stream.org);
    }
  }

  /** New rows of `kind` for an organization may be committed: read them if anyone here listens. */
  hint(kind: Kind, org: string): void {
    const feed = this.feeds.get(org);
    if (!feed) return;
    feed.dirty.add(kind);
    if (feed.ready) this.read(org, feed);
  }

  /** Reads every feed again (the listener reconnected: hints may have been lost meanwhile). */
  resyncAll(): void {
    for (const [org, feed] of this.feeds) {
      feed.dirty.add('inbox').add('status');
      if (feed.ready) this.read(org, feed);
    }
  }

  /** Reads after the cursors until nothing is dirty; one reader per feed, hints coalesce. */
  private read(org: string, feed: Feed): void {
    if (feed.reading || this.closed) return;
    feed.reading = true;
    void (async () => {
      try {
        while (feed.dirty.size && this.feeds.get(org) === feed) {
          const kinds = [...feed.dirty];
          feed.dirty.clear();
          for (const kind of kinds) await this.readKind(org, feed, kind);
        }
      } catch (e) {
        // The database failed: keep the feed dirty and try again shortly.
        this.opts.failed?.(`event feed of ${org}`, e);
        feed.dirty.add('inbox').add('status');
        clearTimeout(feed.retry);
        feed.retry = setTimeout(() => this.read(org, feed), 1_000);
        feed.retry.unref();
      } finally {
        feed.reading = false;
      }
    })();
  }

  private async readKind(org: string, feed: Feed, kind: Kind): Promise<void> {
    for (;;) {
      const items = kind === 'inbox' ? await this.source.inboxAfter(org, feed.cursor.inbox, PAGE) : await this.source.statusesAfter(org, feed.cursor.status, PAGE);
      for (const item of items) {
        const ev = { type: kind, item } as ServerEvent;
        this.send(feed, ev);
        feed.cursor[kind] = Math.max(feed.cursor[kind], item.seq);
      }
      if (items.length < PAGE) return;
    }
  }

  private send(feed: Feed, ev: ServerEvent): void {
    const frame = `event: ${ev.type}\nid: ${ev.item.seq}\ndata: ${JSON.stringify(ev)}\n\n`;
    let n = 0;
    for (const s of feed.streams) {
      if (!this.streams.has(s)) continue;
      if (s.res.writableLength > MAX_BUFFERED) {
        s.res.end();
        continue;
      }
      s.res.write(frame);
      n++;
    }
    this.opts.sent?.(ev.type, n);
  }

  /** Ends the streams opened with a session (logout), by its token hash. */
  endSession(tokenSha256: string): void {
    for (const s of this.streams) if (s.session?.tokenSha256 === tokenSha256) s.res.end();
  }

  /** Ends the streams of every session of a user (its certificate was revoked, the user removed). */
  endUser(userId: number): void {
    for (const s of this.streams) if (s.session?.userId === userId) s.res.end();
  }

  /** Number of open streams (of one organization). */
  count(org?: string): number {
    if (org) return [...this.streams].filter((s) => s.org === org).length;
    return this.streams.size;
  }

  /**
   * Ends every stream with a reconnect hint: SSE `retry:` (what an EventSource waits before
   * reconnecting) and a last `shutdown` event, so clients go to another instance at once.
   */
  shutdown(retryMs = 1_000): void {
    const frame = `retry: ${retryMs}\nevent: shutdown\ndata: ${JSON.stringify({ type: 'shutdown', retryMs })}\n\n`;
    for (const s of this.streams) s.res.end(frame);
    this.close();
  }

  /** Ends every stream and stops. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const s of this.streams) s.res.end();
    for (const f of this.feeds.values()) clearTimeout(f.retry);
    this.streams.clear();
    this.feeds.clear();
  }
}
