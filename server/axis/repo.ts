/** SQL of the gateway (tables in schema.ts), written once for SQLite and PostgreSQL. */
import { ORGAN_ID_PATTERN } from '../../main/exchange/protocol.js';
import type { Db, Row } from '../db/sql.js';
import { linkConfigSchema, secretRefsSchema, type AxisAgency, type AxisKind, type AxisLink } from './types.js';

/** One relay waiting for (or done with) the axis. */
export interface OutboxRow {
  id: number;
  link: string;
  kind: 'doc' | 'status';
  idemKey: string;
  messageRef: number;
  blobSha256: string;
  fromOrg: string;
  toOrgs: string[];
  state: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAt: number;
  lastError: string | null;
  axisDocId: string | null;
}

/** What the axis offered us, by its id. */
export interface InboundRow {
  link: string;
  axisDocId: string;
  kind: 'edoc' | 'status';
  state: 'pending' | 'delivered' | 'refused' | 'duplicate';
  attempts: number;
  nextAt: number;
  lastError: string | null;
  blobSha256: string | null;
  messageId: string | null;
}

/** A link's health and queue, for `kyso server axis status`. */
export interface LinkStatus {
  link: string;
  kind: AxisKind;
  endpoint: string;
  lastOkAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  agencies: number;
  agenciesAt: string | null;
  queue: { pending: number; sent: number; dead: number; oldestPendingAt: string | null; nextRetryAt: string | null; lastError: string | null };
  inbound: { delivered: number; refused: number; pending: number; nextRetryAt: string | null; lastError: string | null };
}

const n = (v: unknown) => Number(v);
const s = (v: unknown) => (v === null || v === undefined ? null : String(v));

function outbox(r: Row): OutboxRow {
  return {
    id: n(r.id), link: String(r.link), kind: String(r.kind) as OutboxRow['kind'], idemKey: String(r.idem_key), messageRef: n(r.message_ref),
    blobSha256: String(r.blob_sha256), fromOrg: String(r.from_org), toOrgs: JSON.parse(String(r.to_orgs)) as string[], state: String(r.state) as OutboxRow['state'],
    attempts: n(r.attempts), nextAt: n(r.next_at), lastError: s(r.last_error), axisDocId: s(r.axis_doc_id),
  };
}

function inbound(r: Row): InboundRow {
  return {
    link: String(r.link), axisDocId: String(r.axis_doc_id), kind: String(r.kind) as InboundRow['kind'], state: String(r.state) as InboundRow['state'],
    attempts: n(r.attempts), nextAt: n(r.next_at), lastError: s(r.last_error), blobSha256: s(r.blob_sha256), messageId: s(r.message_id),
  };
}

function link(r: Row): AxisLink {
  return {
    name: String(r.name), kind: String(r.kind) as AxisKind, endpoint: String(r.endpoint),
    config: linkConfigSchema.parse(JSON.parse(String(r.config))), secrets: secretRefsSchema.parse(JSON.parse(String(r.secret_ref))), createdAt: String(r.created_at),
  };
}

/** Typed access to the gateway's tables. */
export class AxisRepo {
  constructor(readonly db: Db) {}

  /** Adds a link (name unique). */
  async addLink(l: Omit<AxisLink, 'createdAt'>): Promise<void> {
    await this.db.run('INSERT INTO axis_links (name, kind, endpoint, config, secret_ref, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      l.name, l.kind, l.endpoint, JSON.stringify(l.config), JSON.stringify(l.secrets), new Date().toISOString(),
    ]);
  }

  /** Every link, by name. */
  async links(): Promise<AxisLink[]> {
    return (await this.db.all('SELECT * FROM axis_links ORDER BY name')).map(link);
  }

  /** One link. */
  async link(name: string): Promise<AxisLink | undefined> {
    const r = await this.db.get('SELECT * FROM axis_links WHERE name = $1', [name]);
    return r && link(r);
  }

  /** Removes a link and its directory; its unsent relays become dead (kept, visible). */
  async removeLink(name: string): Promise<void> {
    await this.db.tx(async (db) => {
      await db.run("UPDATE axis_outbox SET state = 'dead', last_error = $2 WHERE link = $1 AND state = 'pending'", [name, 'axisLinkRemoved']);
      await db.run('DELETE FROM axis_agencies WHERE link = $1', [name]);
      await db.run('DELETE FROM axis_links WHERE name = $1', [name]);
    });
  }

  /** Records a successful exchange with the axis. */
  async linkOk(name: string, at = new Date(), db: Db = this.db): Promise<void> {
    await db.run('UPDATE axis_links SET last_ok_at = $2 WHERE name = $1', [name, at.toISOString()]);
  }

  /** True when `error` is new for the link: another text, or a success since it was last seen. */
  async isNewError(name: string, error: string): Promise<boolean> {
    const r = await this.db.get('SELECT last_error, last_error_at, last_ok_at FROM axis_links WHERE name = $1', [name]);
    if (!r || r.last_error !== error.slice(0, 500)) return true;
    return !!r.last_ok_at && String(r.last_ok_at) > String(r.last_error_at ?? '');
  }

  /** Records a failed exchange (code and short detail, never a secret). */
  async linkError(name: string, error: string, at = new Date()): Promise<void> {
    await this.db.run('UPDATE axis_links SET last_error = $2, last_error_at = $3 WHERE name = $1', [name, error.slice(0, 500), at.toISOString()]);
  }

  /** Replaces a link's copy of the axis directory. */
  async replaceAgencies(name: string, agencies: AxisAgency[], at = new Date()): Promise<void> {
    const t = at.toISOString();
    await this.db.tx(async (db) => {
      await db.run('DELETE FROM axis_agencies WHERE link = $1', [name]);
      const seen = new Set<string>();
      for (const a of agencies) {
        if (seen.has(a.code)) continue;
        seen.add(a.code);
        await db.run('INSERT INTO axis_agencies (link, code, name, parent, fetched_at) VALUES ($1, $2, $3, $4, $5)', [name, a.code, a.name, a.parent, t]);
      }
      await db.run('UPDATE axis_links SET agencies_at = $2 WHERE name = $1', [name, t]);
    });
  }

  /**
   * Bodies reachable through the axis and not hosted here, as clients may pick them: one row
   * per QĐ 20/2020 code (axis system ids are not recipients), the first link by name.
   */
  async outsideBodies(): Promise<(AxisAgency & { link: string })[]> {
    const rows = await this.db.all(`SELECT a.link, a.code, a.name, a.parent FROM axis_agencies a JOIN axis_links l ON l.name = a.link
      WHERE NOT EXISTS (SELECT 1 FROM orgs o WHERE o.code = a.code) ORDER BY a.code, a.link`);
    const out = new Map<string, AxisAgency & { link: string }>();
    for (const r of rows) {
      const code = String(r.code);
      const parent = s(r.parent);
      if (out.has(code) || !ORGAN_ID_PATTERN.test(code)) continue;
      out.set(code, { link: String(r.link), code, name: String(r.name).replace(/\p{Cc}/gu, ' ').trim().slice(0, 500) || code, parent: parent && ORGAN_ID_PATTERN.test(parent) ? parent : null });
    }
    return [...out.values()];
  }

  /**
   * The link that reaches an outside body, when one does (in `db`: inside a transaction, the
   * transaction's own connection, never a second one from the pool).
   */
  async routeOf(code: string, db: Db = this.db): Promise<string | undefined> {
    const r = await db.get('SELECT a.link FROM axis_agencies a JOIN axis_links l ON l.name = a.link WHERE a.code = $1 ORDER BY a.link LIMIT 1', [code]);
    return r ? String(r.link) : undefined;
  }

  /** Queues a relay in the caller's transaction; the same idempotency key twice queues it once. */
  async enqueue(db: Db, o: { link: string; kind: 'doc' | 'status'; idemKey: string; messageRef: number; blobSha256: string; fromOrg: string; toOrgs: string[] }, now = Date.now()): Promise<void> {
    await db.run(
      `INSERT INTO axis_outbox (link, kind, idem_key, message_ref, blob_sha256, from_org, to_orgs, state, attempts, next_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $9) ON CONFLICT (idem_key) DO NOTHING`,
      [o.link, o.kind, o.idemKey, o.messageRef, o.blobSha256, o.fromOrg, JSON.stringify(o.toOrgs), now, new Date(now).toISOString()],
    );
  }

  /**
   * Relays due now, oldest first. A status waits while a document of the same message on the
   * same link is still unsent (an outside body must not get a recall before the document).
   */
  async due(now: number, limit: number): Promise<OutboxRow[]> {
    return (await this.db.all(
      `SELECT q.* FROM axis_outbox q WHERE q.state = 'pending' AND q.next_at <= $1 AND NOT EXISTS (
         SELECT 1 FROM axis_outbox d WHERE d.link = q.link AND d.message_ref = q.message_ref AND d.kind = 'doc' AND d.state = 'pending' AND d.id < q.id)
       ORDER BY q.id LIMIT $2`,
      [now, limit],
    )).map(outbox);
  }

  /** Relays waiting to go out, on every link (the server's `kyso_relay_queue_depth` metric). */
  async pendingCount(): Promise<number> {
    return n((await this.db.get("SELECT COUNT(*) AS c FROM axis_outbox WHERE state = 'pending'"))?.c ?? 0);
  }

  /** When the next pending relay is due, or null. */
  async nextDue(): Promise<number | null> {
    const r = await this.db.get("SELECT MIN(next_at) AS t FROM axis_outbox WHERE state = 'pending'");
    return r?.t === null || r?.t === undefined ? null : n(r.t);
  }

  /**
   * Takes a relay for one attempt: counts the attempt and leases it until `leaseUntil`, so a
   * crash mid-call retries it after the lease and two gateways never send it at once.
   */
  async claim(row: OutboxRow, leaseUntil: number): Promise<boolean> {
    return (await this.db.run("UPDATE axis_outbox SET attempts = attempts + 1, next_at = $3 WHERE id = $1 AND state = 'pending' AND next_at = $2", [row.id, row.nextAt, leaseUntil])) === 1;
  }

  /** The axis accepted a relay (in `db`, the caller's transaction when given). */
  async sent(id: number, axisDocId: string, at = new Date(), db: Db = this.db): Promise<void> {
    await db.run("UPDATE axis_outbox SET state = 'sent', axis_doc_id = $2, sent_at = $3, last_error = NULL WHERE id = $1", [id, axisDocId, at.toISOString()]);
  }

  /** A failed attempt: try again at `nextAt`. */
  async retry(id: number, nextAt: number, error: string): Promise<void> {
    await this.db.run('UPDATE axis_outbox SET next_at = $2, last_error = $3 WHERE id = $1', [id, nextAt, error.slice(0, 500)]);
  }

  /** Gives a relay up (kept with its last error). */
  async dead(id: number, error: string): Promise<void> {
    await this.db.run("UPDATE axis_outbox SET state = 'dead', last_error = $2 WHERE id = $1", [id, error.slice(0, 500)]);
  }

  /** All relays (tests, status). */
  async outbox(limit = 10_000): Promise<OutboxRow[]> {
    return (await this.db.all('SELECT * FROM axis_outbox ORDER BY id LIMIT $1', [limit])).map(outbox);
  }

  /** What we know of an axis entry. */
  async inbound(linkName: string, axisDocId: string): Promise<InboundRow | undefined> {
    const r = await this.db.get('SELECT * FROM axis_inbound WHERE link = $1 AND axis_doc_id = $2', [linkName, axisDocId]);
    return r && inbound(r);
  }

  /** Every inbound entry (tests, status). */
  async inboundAll(limit = 10_000): Promise<InboundRow[]> {
    return (await this.db.all('SELECT * FROM axis_inbound ORDER BY created_at, axis_doc_id LIMIT $1', [limit])).map(inbound);
  }

  /**
   * Takes an axis entry for one attempt (download, checks, delivery, acknowledgement) until
   * `leaseUntil`, as `claim` does for relays: several instances on one database poll the same
   * axis account, and only the one that takes an entry handles it; a crash mid-attempt leaves
   * it to be taken again after the lease. `seenNextAt` is the entry's time as the caller read
   * it (null: no row yet). False when another gateway took it first (or finished it).
   */
  async claimInbound(linkName: string, axisDocId: string, kind: InboundRow['kind'], seenNextAt: number | null, leaseUntil: number): Promise<boolean> {
    const now = new Date().toISOString();
    if (seenNextAt === null) {
      return (await this.db.run(
        `INSERT INTO axis_inbound (link, axis_doc_id, kind, state, attempts, next_at, last_error, blob_sha256, message_id, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', 0, $4, NULL, NULL, NULL, $5, $5) ON CONFLICT (link, axis_doc_id) DO NOTHING`,
        [linkName, axisDocId, kind, leaseUntil, now],
      )) === 1;
    }
    return (await this.db.run("UPDATE axis_inbound SET next_at = $4, updated_at = $5 WHERE link = $1 AND axis_doc_id = $2 AND state = 'pending' AND next_at = $3", [linkName, axisDocId, seenNextAt, leaseUntil, now])) === 1;
  }

  /** Creates or updates an inbound entry (in `db`, the caller's transaction when given). */
  async saveInbound(r: Omit<InboundRow, 'attempts'> & { attempts?: number }, db: Db = this.db): Promise<void> {
    const now = new Date().toISOString();
    const updated = await db.run(
      'UPDATE axis_inbound SET state = $3, attempts = COALESCE($4, attempts), next_at = $5, last_error = $6, blob_sha256 = COALESCE($7, blob_sha256), message_id = COALESCE($8, message_id), updated_at = $9 WHERE link = $1 AND axis_doc_id = $2',
      [r.link, r.axisDocId, r.state, r.attempts ?? null, r.nextAt, r.lastError, r.blobSha256, r.messageId, now],
    );
    if (updated) return;
    await db.run(
      `INSERT INTO axis_inbound (link, axis_doc_id, kind, state, attempts, next_at, last_error, blob_sha256, message_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (link, axis_doc_id) DO NOTHING`,
      [r.link, r.axisDocId, r.kind, r.state, r.attempts ?? 0, r.nextAt, r.lastError, r.blobSha256, r.messageId, now],
    );
  }

  /** Records the edXML identity of a delivery; false when it was delivered before. */
  async markDelivered(db: Db, key: string, linkName: string, axisDocId: string): Promise<boolean> {
    return (await db.run('INSERT INTO axis_delivered (key, link, axis_doc_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING', [key, linkName, axisDocId, new Date().toISOString()])) === 1;
  }

  /** True when this edXML identity was delivered before. */
  async wasDelivered(key: string): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 AS x FROM axis_delivered WHERE key = $1', [key]));
  }

  /** Gives an outside body its delivery row on its first status (the sender's timeline lists it). */
  async ensureDelivery(db: Db, messageRef: number, org: string, at: string): Promise<void> {
    await db.run("INSERT INTO deliveries (message_ref, recipient_org, status, delivered_at) VALUES ($1, $2, '01', $3) ON CONFLICT (message_ref, recipient_org) DO NOTHING", [messageRef, org, at]);
  }

  /** The latest message a sender sent under a DocumentId (its client message id). */
  async messageIdByDocument(senderOrg: string, documentId: string): Promise<string | undefined> {
    const r = await this.db.get('SELECT message_id FROM messages WHERE sender_org = $1 AND document_id = $2 ORDER BY id DESC LIMIT 1', [senderOrg, documentId]);
    return r ? String(r.message_id) : undefined;
  }

  /** Health and queue of every link. */
  async status(now = Date.now()): Promise<LinkStatus[]> {
    const out: LinkStatus[] = [];
    for (const r of await this.db.all('SELECT * FROM axis_links ORDER BY name')) {
      const name = String(r.name);
      const q = await this.db.get(
        `SELECT SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS pending, SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) AS sent,
           SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END) AS dead, MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest,
           MIN(CASE WHEN state = 'pending' THEN next_at END) AS next FROM axis_outbox WHERE link = $1`,
        [name],
      );
      const qe = await this.db.get("SELECT last_error FROM axis_outbox WHERE link = $1 AND state <> 'sent' AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1", [name]);
      const i = await this.db.get(
        `SELECT SUM(CASE WHEN state IN ('delivered', 'duplicate') THEN 1 ELSE 0 END) AS delivered, SUM(CASE WHEN state = 'refused' THEN 1 ELSE 0 END) AS refused,
           SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS pending, MIN(CASE WHEN state = 'pending' THEN next_at END) AS next FROM axis_inbound WHERE link = $1`,
        [name],
      );
      const ie = await this.db.get("SELECT last_error FROM axis_inbound WHERE link = $1 AND state IN ('pending', 'refused') AND last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 1", [name]);
      const a = await this.db.get('SELECT COUNT(*) AS c FROM axis_agencies WHERE link = $1', [name]);
      const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Math.max(n(v), now)).toISOString());
      out.push({
        link: name, kind: String(r.kind) as AxisKind, endpoint: String(r.endpoint), lastOkAt: s(r.last_ok_at), lastError: s(r.last_error), lastErrorAt: s(r.last_error_at),
        agencies: n(a?.c ?? 0), agenciesAt: s(r.agencies_at),
        queue: { pending: n(q?.pending ?? 0), sent: n(q?.sent ?? 0), dead: n(q?.dead ?? 0), oldestPendingAt: s(q?.oldest), nextRetryAt: iso(q?.next), lastError: s(qe?.last_error) },
        inbound: { delivered: n(i?.delivered ?? 0), refused: n(i?.refused ?? 0), pending: n(i?.pending ?? 0), nextRetryAt: iso(i?.next), lastError: s(ie?.last_error) },
      });
    }
    return out;
  }
}
