/**
 * The gateway between this inbox server and the national axis. It is the inbox's
 * OutsideRelay (routing and queueing in the inbox's transactions), a sender draining the
 * queue (axis_outbox) with retry, exponential backoff with jitter and a lease per attempt,
 * and a poller per link (directory refresh, documents and statuses waiting for us). Every
 * loop survives every error: failures are recorded on the link, the queue row or the
 * inbound entry and in the audit trail, and the loop goes on.
 */
import { KysoError, isKysoError } from '../../main/api/errors.js';
import type { BlobStore } from '../blobs/store.js';
import type { Db } from '../db/sql.js';
import type { Repo } from '../db/repo.js';
import type { Bus } from '../bus.js';
import type { Limits } from '../inbox.js';
import { withBlobFile } from './blob-io.js';
import { Inbound, type InboundPolicy } from './inbound.js';
import { LgspClient } from './lgsp.js';
import type { OutsideRelay } from './relay.js';
import { AxisRepo, type OutboxRow } from './repo.js';
import { readSecret } from './secrets.js';
import type { AxisClient, AxisLink } from './types.js';
import { isAxisAnswerError, VxpClient } from './vxp.js';

/** Tunables (tests shorten them; the defaults suit a province). */
export interface GatewayOptions {
  /** First retry delay (ms), doubled per attempt up to maxBackoffMs, with jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Attempts before an outbound relay is given up (kept as dead, visible, audited). */
  maxAttempts?: number;
  /** How long one attempt holds a relay or an inbound entry (a crash mid-call retries it after this). Default: the link's timeout + 30 s. */
  leaseMs?: number;
  /** Poll period override for every link (ms). */
  pollMs?: number;
  maxAnswerAttempts?: number;
  maxNetworkAttempts?: number;
  /** Parallel sends. */
  concurrency?: number;
  /** Where loop failures are reported besides the audit (the server's log). */
  log?: (line: string) => void;
}

/** Delay before attempt `attempts + 1`: exponential, capped, with jitter so relays do not retry in step. */
export function backoff(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.5 + random() / 2));
}

/** A short text of an error for rows and logs (code and a bounded detail; never a secret: errors carry none). */
export function errorText(e: unknown): string {
  if (isKysoError(e)) {
    const d = [e.params.ref, e.params.detail ?? e.params.reason ?? e.params.status].filter((x) => x !== undefined && x !== '').join(': ');
    return `${e.code}${d ? `: ${d.slice(0, 200)}` : ''}`;
  }
  return `internal: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`;
}

/** Builds the client of a link, reading its credentials from their references. */
export function clientOf(link: AxisLink): AxisClient {
  const secret = () => readSecret(link.secrets.secret);
  if (link.kind === 'vxp') return new VxpClient({ link: link.name, endpoint: link.endpoint, config: link.config, secret });
  const ref = link.secrets.secretId;
  if (!ref) throw new KysoError('cliMissingValue', { option: '--secret-id-env' });
  return new LgspClient({ link: link.name, endpoint: link.endpoint, config: link.config, secret, secretId: () => readSecret(ref) });
}

/** The running gateway of one server. */
export class Gateway implements OutsideRelay {
  readonly axis: AxisRepo;
  private readonly inbound: Inbound;
  private running = false;
  private wakeSender: (() => void) | null = null;
  private readonly loops: Promise<void>[] = [];
  private readonly stopWaiters = new Set<() => void>();
  private readonly clients = new Map<string, { key: string; client: AxisClient }>();
  private readonly o: Required<Omit<GatewayOptions, 'pollMs' | 'leaseMs'>> & Pick<GatewayOptions, 'pollMs' | 'leaseMs'>;

  constructor(
    private readonly repo: Repo,
    private readonly blobs: BlobStore,
    bus: Bus,
    limits: Limits,
    opts: GatewayOptions = {},
  ) {
    this.o = {
      baseBackoffMs: 2000, maxBackoffMs: 600_000, maxAttempts: 500, maxAnswerAttempts: 10, maxNetworkAttempts: 500, concurrency: 4,
      log: (l) => process.stderr.write(`${l}\n`), ...opts,
    };
    this.axis = new AxisRepo(repo.db);
    const policy: InboundPolicy = {
      backoff: (n) => backoff(n, this.o.baseBackoffMs, this.o.maxBackoffMs),
      maxAnswerAttempts: this.o.maxAnswerAttempts,
      maxNetworkAttempts: this.o.maxNetworkAttempts,
      concurrency: this.o.concurrency,
      leaseMs: (link) => this.leaseOf(link),
    };
    this.inbound = new Inbound({
      repo, axis: this.axis, blobs, bus, limits, policy,
      queueOn: (db, link, s) => this.enqueue(db, link, 'status', s.messageRef, s.xmlSha256, s.from, s.to, `status|${link}|${s.messageId}|${s.xmlSha256}`),
      wake: () => this.wake(),
      audit: (action, target, detail) => repo.audit({ actorOrg: null, actorUser: null, action, target, detail }),
    });
  }

  /** Starts the sender and the poller (the tables come with server migration 005). */
  async start(): Promise<void> {
    this.running = true;
    this.loops.push(this.senderLoop(), this.pollLoop());
  }

  /** Stops the loops (an attempt in flight finishes or is abandoned to its lease). */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeSender?.();
    for (const w of this.stopWaiters) w();
    await Promise.all(this.loops);
  }

  // ---- OutsideRelay ----

  async routeOf(organId: string): Promise<string | undefined> {
    return this.axis.routeOf(organId);
  }

  async queueDocument(db: Db, m: { messageRef: number; messageId: string; packageSha256: string; from: string; to: string[] }): Promise<void> {
    const byLink = new Map<string, string[]>();
    for (const t of m.to) {
      // On the transaction's connection: one from the pool, asked for while the transaction holds
      // its organizations' locks, may never come (every other connection waiting for those locks).
      const link = await this.axis.routeOf(t, db);
      if (!link) throw new KysoError('exUnknownRecipient', { organId: t });
      byLink.set(link, [...(byLink.get(link) ?? []), t]);
    }
    for (const [link, to] of byLink) await this.enqueue(db, link, 'doc', m.messageRef, m.packageSha256, m.from, to, `doc|${link}|${m.messageId}`);
  }

  async queueStatus(db: Db, s: { messageRef: number; messageId: string; xmlSha256: string; from: string; to: string[] }): Promise<void> {
    const byLink = new Map<string, string[]>();
    for (const t of s.to) {
      // The link the document went out on (or came in from) carries its statuses; else the directory's route.
      const link = (await this.linkOfMessage(db, s.messageRef, t)) ?? (await this.axis.routeOf(t, db));
      if (!link) {
        await this.repo.audit({ actorOrg: s.from, actorUser: null, action: 'axis.relay.noRoute', target: s.messageId, detail: { to: t } }, db);
        continue;
      }
      byLink.set(link, [...(byLink.get(link) ?? []), t]);
    }
    for (const [link, to] of byLink) await this.enqueue(db, link, 'status', s.messageRef, s.xmlSha256, s.from, to, `status|${link}|${s.messageId}|${s.xmlSha256}`);
  }

  wake(): void {
    this.wakeSender?.();
  }

  private async linkOfMessage(db: Db, messageRef: number, org: string): Promise<string | undefined> {
    const out = await db.get("SELECT link, to_orgs FROM axis_outbox WHERE message_ref = $1 AND kind = 'doc' ORDER BY id", [messageRef]);
    if (out && (JSON.parse(String(out.to_orgs)) as string[]).includes(org)) return String(out.link);
    const m = await db.get('SELECT message_id FROM messages WHERE id = $1', [messageRef]);
    const inb = m ? await db.get('SELECT link FROM axis_inbound WHERE message_id = $1 ORDER BY created_at LIMIT 1', [String(m.message_id)]) : undefined;
    return inb ? String(inb.link) : undefined;
  }

  private async enqueue(db: Db, link: string, kind: 'doc' | 'status', messageRef: number, blobSha256: string, fromOrg: string, toOrgs: string[], idemKey: string): Promise<void> {
    await this.axis.enqueue(db, { link, kind, idemKey, messageRef, blobSha256, fromOrg, toOrgs });
  }

  // ---- loops ----

  private client(link: AxisLink): AxisClient {
    const key = JSON.stringify([link.kind, link.endpoint, link.config, link.secrets]);
    const c = this.clients.get(link.name);
    if (c && c.key === key) return c.client;
    const client = clientOf(link);
    this.clients.set(link.name, { key, client });
    return client;
  }

  private sleep(ms: number, wakeable = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.stopWaiters.delete(done);
        if (this.wakeSender === done) this.wakeSender = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.stopWaiters.add(done);
      if (wakeable) this.wakeSender = done;
    });
  }

  private async senderLoop(): Promise<void> {
    while (this.running) {
      try {
        const links = new Map((await this.axis.links()).map((l) => [l.name, l]));
        const due = await this.axis.due(Date.now(), 50);
        if (!due.length) {
          const next = await this.axis.nextDue();
          await this.sleep(next === null ? 5000 : Math.min(5000, Math.max(20, next - Date.now())), true);
          continue;
        }
        let i = 0;
        const worker = async () => {
          while (this.running && i < due.length) await this.sendOne(due[i++]!, links);
        };
        await Promise.all(Array.from({ length: Math.min(this.o.concurrency, due.length) }, worker));
      } catch (e) {
        this.o.log(`kyso-server: axis sender: ${errorText(e)}`);
        await this.sleep(1000);
      }
    }
  }

  /** One attempt at one relay. */
  private async sendOne(row: OutboxRow, links: Map<string, AxisLink>): Promise<void> {
    const link = links.get(row.link);
    if (!link) {
      await this.axis.dead(row.id, 'axisLinkRemoved');
      return;
    }
    if (!(await this.axis.claim(row, Date.now() + this.leaseOf(link)))) return;
    const attempts = row.attempts + 1;
    const messageId = await this.messageIdOf(row.messageRef);
    try {
      const client = this.client(link);
      const r = await withBlobFile(this.blobs, row.blobSha256, (file) => (row.kind === 'doc' ? client.sendDocument(file, row.fromOrg, row.toOrgs) : client.sendStatus(file, row.fromOrg, row.toOrgs)));
      // One transaction: one disk sync per relay for its outcome (SQLite runs synchronous=FULL).
      await this.repo.db.tx(async (db) => {
        await this.axis.sent(row.id, r.docId, new Date(), db);
        await this.axis.linkOk(link.name, new Date(), db);
        await this.repo.audit({ actorOrg: row.fromOrg, actorUser: null, action: 'axis.relay.out', target: messageId, detail: { link: link.name, kind: row.kind, to: row.toOrgs, axisDocId: r.docId, attempts } }, db);
      });
    } catch (e) {
      const text = errorText(e);
      await this.axis.linkError(link.name, `${row.kind === 'doc' ? 'sendEdoc' : 'sendStatus'}: ${text}`);
      if (attempts >= this.o.maxAttempts) {
        await this.axis.dead(row.id, text);
        await this.repo.audit({ actorOrg: row.fromOrg, actorUser: null, action: 'axis.relay.dead', target: messageId, detail: { link: link.name, kind: row.kind, to: row.toOrgs, attempts, error: text } });
        return;
      }
      await this.axis.retry(row.id, Date.now() + backoff(attempts, this.o.baseBackoffMs, this.o.maxBackoffMs), text);
      await this.repo.audit({ actorOrg: row.fromOrg, actorUser: null, action: 'axis.relay.retry', target: messageId, detail: { link: link.name, kind: row.kind, attempts, error: text } });
    }
  }

  /** How long one attempt holds a relay or an inbound entry: past the call's deadline. */
  private leaseOf(link: AxisLink): number {
    return this.o.leaseMs ?? link.config.timeoutMs + 30_000;
  }

  private async messageIdOf(messageRef: number): Promise<string | null> {
    const r = await this.repo.db.get('SELECT message_id FROM messages WHERE id = $1', [messageRef]);
    return r ? String(r.message_id) : null;
  }

  private async pollLoop(): Promise<void> {
    const lastPoll = new Map<string, number>();
    const lastDir = new Map<string, number>();
    while (this.running) {
      let wait = 1000;
      try {
        for (const link of await this.axis.links()) {
          if (!this.running) break;
          const period = this.o.pollMs ?? link.config.pollMs;
          const now = Date.now();
          wait = Math.min(wait, period);
          if ((lastDir.get(link.name) ?? 0) + link.config.agenciesMs <= now) {
            lastDir.set(link.name, now);
            await this.refreshDirectory(link);
          }
          if ((lastPoll.get(link.name) ?? 0) + period > now) continue;
          lastPoll.set(link.name, now);
          await this.pollLink(link);
        }
      } catch (e) {
        this.o.log(`kyso-server: axis poller: ${errorText(e)}`);
      }
      await this.sleep(Math.max(20, wait));
    }
  }

  /** Fetches the axis directory of a link (kept as it was when the axis fails). */
  async refreshDirectory(link: AxisLink): Promise<void> {
    try {
      const agencies = await this.client(link).agencies();
      await this.axis.replaceAgencies(link.name, agencies);
      await this.axis.linkOk(link.name);
    } catch (e) {
      await this.linkFailed(link, 'getAgenciesList', e);
    }
  }

  /** One poll of a link: documents, then statuses. */
  async pollLink(link: AxisLink): Promise<void> {
    try {
      await this.inbound.poll(link, this.client(link));
      await this.axis.linkOk(link.name);
    } catch (e) {
      await this.linkFailed(link, 'getReceivedEdocList', e);
    }
  }

  private async linkFailed(link: AxisLink, call: string, e: unknown): Promise<void> {
    const text = `${call}: ${errorText(e)}`;
    const fresh = await this.axis.isNewError(link.name, text);
    await this.axis.linkError(link.name, text);
    // Bad input from the axis is audited (once per new error, not at every poll); an
    // unreachable axis or a missing credential is recorded on the link (`axis status`).
    if (isAxisAnswerError(e) && isKysoError(e) && fresh) {
      await this.repo.audit({ actorOrg: null, actorUser: null, action: 'axis.badAnswer', target: null, detail: { link: link.name, call, code: e.code, ...e.params } });
    }
  }
}
