/**
 * What one server instance tells the others, through the database they share: new rows for
 * an organization (a hint: streams read them by cursor, so a lost notice loses nothing),
 * sessions that ended (their event streams end on every instance), trust material that
 * changed. PostgreSQL: LISTEN/NOTIFY on one channel per schema, the listener reconnecting
 * with backoff (and the hub re-reading after a reconnect). SQLite (one instance): in process.
 *
 * Writes are also ordered here: a transaction that adds deliveries or statuses for an
 * organization first takes that organization's lock, so its rows become visible in the order
 * of their sequence numbers. Without it, two transactions could commit out of order (seq 11
 * before seq 10) and a reader at cursor 11 would never see 10: neither a client syncing by
 * cursor nor an instance's event feed.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Db } from './db/sql.js';

/** One notice between instances. */
export type Notice =
  | { kind: 'inbox' | 'status'; org: string }
  /** Every session of a user ended (removed, disabled, certificate no longer good); its certificate's cached check is dropped. */
  | { kind: 'user'; userId: number; certSha256: string | null }
  /** One session ended (logout). */
  | { kind: 'session'; tokenSha256: string }
  /** Trust anchors or CRLs changed: re-read them. */
  | { kind: 'trust' };

/** Organizations a writing transaction adds rows for, by table. */
export interface Writes {
  inbox?: string[];
  status?: string[];
}

/** The notice channel between instances. */
export interface Bus {
  /** True when notices reach other instances (PostgreSQL). */
  readonly shared: boolean;
  /** False while the PostgreSQL listener is down (readiness, metrics). */
  readonly connected: boolean;
  /**
   * Inside a transaction, before it writes rows for these organizations: takes their locks
   * (in a fixed order, so two transactions cannot deadlock) and announces the rows once the
   * transaction commits (never if it rolls back).
   */
  claim(db: Db, writes: Writes): Promise<void>;
  /** Tells every instance, this one included. */
  send(n: Notice): Promise<void>;
  /** Called for every notice (own ones included). */
  onNotice(fn: (n: Notice) => void): void;
  /** Called after the listener reconnected: notices may have been missed. */
  onReconnect(fn: () => void): void;
  close(): Promise<void>;
}

/** A notice as a NOTIFY payload (short; no secrets: a token appears only as its hash). */
export function encodeNotice(n: Notice): string {
  switch (n.kind) {
    case 'inbox':
      return `i ${n.org}`;
    case 'status':
      return `s ${n.org}`;
    case 'user':
      return `u ${n.userId} ${n.certSha256 ?? '-'}`;
    case 'session':
      return `x ${n.tokenSha256}`;
    case 'trust':
      return 't';
  }
}

/** Parses a payload; undefined for anything else (another version, noise). */
export function decodeNotice(p: string): Notice | undefined {
  const [k, a, b] = p.split(' ');
  if (k === 'i' && a) return { kind: 'inbox', org: a };
  if (k === 's' && a) return { kind: 'status', org: a };
  if (k === 'u' && a && /^\d+$/.test(a)) return { kind: 'user', userId: Number(a), certSha256: b && b !== '-' ? b : null };
  if (k === 'x' && a) return { kind: 'session', tokenSha256: a };
  if (k === 't') return { kind: 'trust' };
  return undefined;
}

function noticesOf(w: Writes): Notice[] {
  return [...new Set(w.inbox ?? [])].map((org): Notice => ({ kind: 'inbox', org })).concat([...new Set(w.status ?? [])].map((org): Notice => ({ kind: 'status', org })));
}

/** Fan-out to the subscribers; one that throws does not stop the others. */
class Subscribers {
  readonly notice: ((n: Notice) => void)[] = [];
  readonly reconnect: (() => void)[] = [];
  emit(n: Notice): void {
    for (const fn of this.notice) {
      try {
        fn(n);
      } catch {
        // A subscriber's failure is its own (the hub logs its read errors).
      }
    }
  }
}

/** One process (SQLite): notices go to this process's subscribers, after the commit. */
export class LocalBus implements Bus {
  readonly shared = false;
  readonly connected = true;
  private readonly subs = new Subscribers();

  async claim(db: Db, writes: Writes): Promise<void> {
    const ns = noticesOf(writes);
    // BEGIN IMMEDIATE already serializes SQLite writers: no lock to take.
    db.afterCommit(() => ns.forEach((n) => this.subs.emit(n)));
  }
  async send(n: Notice): Promise<void> {
    this.subs.emit(n);
  }
  onNotice(fn: (n: Notice) => void): void {
    this.subs.notice.push(fn);
  }
  onReconnect(fn: () => void): void {
    this.subs.reconnect.push(fn);
  }
  async close(): Promise<void> {}
}

/** Advisory-lock class of the per-organization write order (the second key is the code's hash). */
const ORG_LOCK_CLASS = 0x6b79; // 'ky'

/** The notice channel of the schema `db` works in (channels are per database, schemas share them). */
export async function channelOf(db: Db): Promise<string> {
  const schema = String((await db.get('SELECT current_schema() AS s'))?.s ?? 'public');
  const name = `kyso_${schema}`;
  return name.length <= 63 ? name : `kyso_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/**
 * Sends a notice from a process that is not a server (`kyso server user disable|remove`):
 * PostgreSQL only; an SQLite server notices at its next stream check instead.
 */
export async function notifyServers(db: Db, n: Notice): Promise<void> {
  if (db.kind !== 'postgres') return;
  await db.get('SELECT pg_notify($1, $2)', [await channelOf(db), encodeNotice(n)]);
}

/** Reconnect delays of the listener. */
export interface ListenRetry {
  firstMs: number;
  maxMs: number;
}

/** PostgreSQL: NOTIFY in the writing transaction, one LISTEN connection per instance. */
export class PgBus implements Bus {
  readonly shared = true;
  private client: pg.Client | undefined;
  private readonly subs = new Subscribers();
  private closing = false;
  private delay: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly db: Db,
    private readonly channel: string,
    private readonly retry: ListenRetry,
    private readonly log: (msg: string, fields: Record<string, unknown>) => void,
  ) {
    this.delay = retry.firstMs;
    // A connection that died without a word (network cut) is found by a query that never returns.
    this.heartbeat = setInterval(() => void this.probe(), 15_000);
    this.heartbeat.unref();
  }

  /** Connects the listener (the first connection must succeed: the database was just reachable). */
  static async open(db: Db, retry: ListenRetry = { firstMs: 250, maxMs: 10_000 }, log: (msg: string, fields: Record<string, unknown>) => void = () => undefined): Promise<PgBus> {
    const bus = new PgBus(db, await channelOf(db), retry, log);
    await bus.connect();
    return bus;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    const c = await this.db.connectSession!();
    c.on('notification', (m) => {
      if (m.channel !== this.channel) return;
      const n = decodeNotice(m.payload ?? '');
      if (n) this.subs.emit(n);
    });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    try {
      await c.query(`LISTEN "${this.channel}"`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    if (this.closing) {
      await c.end().catch(() => undefined);
      return;
    }
    this.client = c;
  }

  private lost(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    void c.end().catch(() => undefined);
    if (this.closing) return;
    this.log('events listener lost', { retryMs: this.delay });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    const wait = Math.round(this.delay * (0.75 + Math.random() / 2));
    this.retryTimer = setTimeout(() => {
      this.connect().then(
        () => {
          if (this.closing) return;
          this.delay = this.retry.firstMs;
          this.log('events listener reconnected', {});
          for (const fn of this.subs.reconnect) fn();
        },
        () => {
          this.delay = Math.min(this.delay * 2, this.retry.maxMs);
          if (!this.closing) this.scheduleReconnect();
        },
      );
    }, wait);
    this.retryTimer.unref();
  }

  private async probe(): Promise<void> {
    const c = this.client;
    if (!c) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error('listener heartbeat timed out')), 5_000)));
    try {
      await Promise.race([c.query('SELECT 1'), timeout]);
    } catch {
      this.lost(c);
    } finally {
      clearTimeout(timer);
    }
  }

  async claim(db: Db, writes: Writes): Promise<void> {
    const orgs = [...new Set([...(writes.inbox ?? []), ...(writes.status ?? [])])].sort();
    for (const org of orgs) await db.get('SELECT pg_advisory_xact_lock($1, hashtext($2)) AS x', [ORG_LOCK_CLASS, org]);
    // Delivered at commit, to every listener (this instance's own included); dropped on rollback.
    const payloads = noticesOf(writes).map(encodeNotice);
    if (payloads.length) await db.get('SELECT COUNT(pg_notify($1, p)) AS x FROM unnest($2::text[]) AS p', [this.channel, payloads]);
  }

  async send(n: Notice): Promise<void> {
    await this.db.get('SELECT pg_notify($1, $2) AS x', [this.channel, encodeNotice(n)]);
  }

  onNotice(fn: (n: Notice) => void): void {
    this.subs.notice.push(fn);
  }

  onReconnect(fn: () => void): void {
    this.subs.reconnect.push(fn);
  }

  /** Ends the listener for good. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  /** The listener's backend process id (tests end it with pg_terminate_backend). */
  get listenerPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }
}
