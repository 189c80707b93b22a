/** The inbox server's repository: organizations, users, sessions, messages, deliveries, statuses, audit. */
import type { Db, Row } from './sql.js';
import type { StatusCode } from '../../main/exchange/protocol.js';

/** A directory entry. */
export interface OrgRow {
  code: string;
  name: string;
  parent: string | null;
}

/** A user bound to a certificate. */
export interface UserRow {
  id: number;
  orgCode: string;
  certSha256: string;
  subject: string;
  certDer: string;
  disabled: boolean;
}

/** An accepted message (one package, many deliveries). */
export interface MessageRow {
  id: number;
  messageId: string;
  senderOrg: string;
  packageSha256: string;
  size: number;
  documentId: string;
  meta: MessageMeta;
  createdAt: string;
}

/** Header facts kept for listings (the package itself is the blob). */
export interface MessageMeta {
  senderName: string;
  codeNumber: string;
  codeNotation: string;
  subject: string;
  promulgationDate: string;
  priority: number;
  recipients: string[];
}

/** A delivery joined with its message. */
export interface DeliveryRow {
  seq: number;
  recipientOrg: string;
  status: StatusCode;
  deliveredAt: string;
  message: MessageRow;
}

/** A relayed status. */
export interface StatusRow {
  seq: number;
  messageRef: number;
  messageId: string;
  documentId: string;
  fromOrg: string;
  toOrg: string;
  code: StatusCode;
  description: string;
  timestamp: string;
  staff: string | null;
  receivedAt: string;
}

/** A session joined with its user (certDer null when the user is gone). */
export interface SessionRow {
  userId: number;
  orgCode: string;
  expiresAt: number;
  certDer: string | null;
  disabled: boolean;
  /** Intermediates (base64 DER) sent at login. */
  chain: string[];
}

const num = (v: unknown) => Number(v);

function sessionRow(r: Row): SessionRow {
  let chain: string[] = [];
  try {
    const c = JSON.parse(String(r.chain ?? '[]')) as unknown;
    if (Array.isArray(c)) chain = c.filter((x): x is string => typeof x === 'string');
  } catch {}
  return {
    userId: num(r.user_id), orgCode: String(r.org_code), expiresAt: num(r.expires_at),
    certDer: r.u_cert_der === null || r.u_cert_der === undefined ? null : String(r.u_cert_der), disabled: num(r.u_disabled) === 1, chain,
  };
}

function message(r: Row, prefix = ''): MessageRow {
  return {
    id: num(r[`${prefix}id`]),
    messageId: String(r[`${prefix}message_id`]),
    senderOrg: String(r[`${prefix}sender_org`]),
    packageSha256: String(r[`${prefix}package_sha256`]),
    size: num(r[`${prefix}size`]),
    documentId: String(r[`${prefix}document_id`]),
    meta: JSON.parse(String(r[`${prefix}meta`])) as MessageMeta,
    createdAt: String(r[`${prefix}created_at`]),
  };
}

function user(r: Row): UserRow {
  return { id: num(r.id), orgCode: String(r.org_code), certSha256: String(r.cert_sha256), subject: String(r.subject), certDer: String(r.cert_der), disabled: num(r.disabled) === 1 };
}

function status(r: Row): StatusRow {
  return {
    seq: num(r.seq), messageRef: num(r.message_ref), messageId: String(r.message_id), documentId: String(r.document_id), fromOrg: String(r.from_org),
    toOrg: String(r.to_org), code: String(r.code) as StatusCode, description: String(r.description), timestamp: String(r.timestamp),
    staff: r.staff === null || r.staff === undefined ? null : String(r.staff), receivedAt: String(r.received_at),
  };
}

const MSG_COLS = 'm.id AS m_id, m.message_id AS m_message_id, m.sender_org AS m_sender_org, m.package_sha256 AS m_package_sha256, m.size AS m_size, m.document_id AS m_document_id, m.meta AS m_meta, m.created_at AS m_created_at';
const STATUS_SELECT = 'SELECT s.*, m.message_id, m.document_id FROM statuses s JOIN messages m ON m.id = s.message_ref';

/** Typed data access over a Db (SQLite or PostgreSQL). */
export class Repo {
  constructor(readonly db: Db) {}

  /** Adds an organization. */
  async addOrg(o: OrgRow): Promise<void> {
    await this.db.run('INSERT INTO orgs (code, name, parent, created_at) VALUES ($1, $2, $3, $4)', [o.code, o.name, o.parent, new Date().toISOString()]);
  }

  /** One organization. */
  async org(code: string): Promise<OrgRow | undefined> {
    return this.db.get<OrgRow & Row>('SELECT code, name, parent FROM orgs WHERE code = $1', [code]);
  }

  /** The whole directory, sorted by code. */
  async orgs(): Promise<OrgRow[]> {
    return this.db.all<OrgRow & Row>('SELECT code, name, parent FROM orgs ORDER BY code');
  }

  /** Binds a certificate to a user of an organization; returns the user id. */
  async addUser(u: Omit<UserRow, 'id' | 'disabled'>): Promise<number> {
    const r = await this.db.tx((db) =>
      db.get('INSERT INTO users (org_code, cert_sha256, subject, cert_der, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id', [u.orgCode, u.certSha256, u.subject, u.certDer, new Date().toISOString()]),
    );
    return num(r!.id);
  }

  /** A user by certificate fingerprint. */
  async userByCert(sha256: string): Promise<UserRow | undefined> {
    const r = await this.db.get('SELECT * FROM users WHERE cert_sha256 = $1', [sha256]);
    return r && user(r);
  }

  /** Stores a session (token hash only) with the chain its user logged in with (base64 DER). */
  async addSession(tokenSha256: string, userId: number, orgCode: string, expiresAt: number, chain: string[] = []): Promise<void> {
    await this.db.run('INSERT INTO sessions (token_sha256, user_id, org_code, expires_at, chain) VALUES ($1, $2, $3, $4, $5)', [tokenSha256, userId, orgCode, expiresAt, JSON.stringify(chain)]);
  }

  /**
   * A live session by token hash, with its user's certificate. Expired sessions, and those of
   * a user removed or disabled since, are deleted on sight.
   */
  async session(tokenSha256: string, now: number): Promise<SessionRow | undefined> {
    const r = await this.db.get('SELECT s.*, u.cert_der AS u_cert_der, u.disabled AS u_disabled FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = $1', [tokenSha256]);
    if (!r) return undefined;
    if (num(r.expires_at) <= now || r.u_cert_der === null || r.u_cert_der === undefined || num(r.u_disabled) === 1) {
      await this.db.run('DELETE FROM sessions WHERE token_sha256 = $1', [tokenSha256]);
      return undefined;
    }
    return sessionRow(r);
  }

  /** The users holding live sessions, each with its certificate and the chain of one session. */
  async sessionUsers(now: number): Promise<SessionRow[]> {
    const rows = await this.db.all(
      'SELECT s.*, u.cert_der AS u_cert_der, u.disabled AS u_disabled FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.expires_at > $1 ORDER BY s.user_id',
      [now],
    );
    const byUser = new Map<number, SessionRow>();
    for (const r of rows) if (!byUser.has(num(r.user_id))) byUser.set(num(r.user_id), sessionRow(r));
    return [...byUser.values()];
  }

  /** Ends every session of a user; returns how many there were. */
  async deleteSessionsOf(userId: number): Promise<number> {
    return this.db.run('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  /** Disables a user (kept for the audit trail): its sessions end at their next use. */
  async disableUser(userId: number): Promise<boolean> {
    return (await this.db.run('UPDATE users SET disabled = 1 WHERE id = $1', [userId])) === 1;
  }

  /** A user by id. */
  async userById(id: number): Promise<UserRow | undefined> {
    const r = await this.db.get('SELECT * FROM users WHERE id = $1', [id]);
    return r && user(r);
  }

  /** The users, of one organization or all, by id. */
  async users(orgCode?: string): Promise<UserRow[]> {
    const rows = orgCode ? await this.db.all('SELECT * FROM users WHERE org_code = $1 ORDER BY id', [orgCode]) : await this.db.all('SELECT * FROM users ORDER BY id');
    return rows.map(user);
  }

  /** Removes a user and its sessions (messages and the audit trail keep its id). */
  async deleteUser(userId: number): Promise<boolean> {
    return this.db.tx(async (t) => {
      await t.run('DELETE FROM sessions WHERE user_id = $1', [userId]);
      return (await t.run('DELETE FROM users WHERE id = $1', [userId])) === 1;
    });
  }

  /** Ends a session. */
  async deleteSession(tokenSha256: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_sha256 = $1', [tokenSha256]);
  }

  /** A message by sender and client id. */
  async messageBySender(senderOrg: string, messageId: string, db: Db = this.db): Promise<MessageRow | undefined> {
    const r = await db.get('SELECT * FROM messages WHERE sender_org = $1 AND message_id = $2', [senderOrg, messageId]);
    return r && message(r);
  }

  /** True when another organization already sent a message under this id. */
  async messageIdTakenByOther(messageId: string, senderOrg: string): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 AS x FROM messages WHERE message_id = $1 AND sender_org <> $2', [messageId, senderOrg]));
  }

  /** Messages with this client id that `org` sent or received (authorization built in). */
  async messageVisibleTo(messageId: string, org: string): Promise<{ message: MessageRow; role: 'sender' | 'recipient' } | undefined> {
    const sent = await this.messageBySender(org, messageId);
    if (sent) return { message: sent, role: 'sender' };
    const r = await this.db.get(`SELECT ${MSG_COLS} FROM deliveries d JOIN messages m ON m.id = d.message_ref WHERE m.message_id = $1 AND d.recipient_org = $2`, [messageId, org]);
    return r ? { message: message(r, 'm_'), role: 'recipient' } : undefined;
  }

  /**
   * Inserts a message with one delivery (status 01) and one 01 status per recipient hosted
   * here (`deliverTo`, default every recipient; outside bodies answer 01 themselves through
   * the axis), in the caller's transaction; returns the new rows.
   */
  async insertMessage(db: Db, m: Omit<MessageRow, 'id' | 'createdAt'> & { senderUser: number }, at: string, deliverTo: string[] = m.meta.recipients): Promise<{ message: MessageRow; deliveries: DeliveryRow[]; statuses: StatusRow[] }> {
    const r = await db.get(
      'INSERT INTO messages (message_id, sender_org, sender_user, package_sha256, size, document_id, meta, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *',
      [m.messageId, m.senderOrg, m.senderUser, m.packageSha256, m.size, m.documentId, JSON.stringify(m.meta), at],
    );
    const msg = message(r!);
    const deliveries: DeliveryRow[] = [];
    const statuses: StatusRow[] = [];
    for (const to of deliverTo) {
      const d = await db.get("INSERT INTO deliveries (message_ref, recipient_org, status, delivered_at) VALUES ($1, $2, '01', $3) RETURNING seq", [msg.id, to, at]);
      deliveries.push({ seq: num(d!.seq), recipientOrg: to, status: '01', deliveredAt: at, message: msg });
      statuses.push(await this.insertStatus(db, { messageRef: msg.id, fromOrg: to, toOrg: m.senderOrg, code: '01', description: '', timestamp: at, staff: null, xmlSha256: null }, at, msg));
    }
    return { message: msg, deliveries, statuses };
  }

  /** Records a status (and updates the delivery's current status when it is a recipient's). */
  async insertStatus(
    db: Db,
    s: { messageRef: number; fromOrg: string; toOrg: string; code: StatusCode; description: string; timestamp: string; staff: string | null; xmlSha256: string | null },
    at: string,
    msg: MessageRow,
  ): Promise<StatusRow> {
    const r = await db.get(
      'INSERT INTO statuses (message_ref, from_org, to_org, code, description, timestamp, staff, received_at, xml_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq',
      [s.messageRef, s.fromOrg, s.toOrg, s.code, s.description, s.timestamp, s.staff, at, s.xmlSha256],
    );
    if (s.code !== '13') await db.run('UPDATE deliveries SET status = $1 WHERE message_ref = $2 AND recipient_org = $3', [s.code, s.messageRef, s.fromOrg]);
    return { seq: num(r!.seq), messageRef: s.messageRef, messageId: msg.messageId, documentId: msg.documentId, fromOrg: s.fromOrg, toOrg: s.toOrg, code: s.code, description: s.description, timestamp: s.timestamp, staff: s.staff, receivedAt: at };
  }

  /** A status already stored for the same signed XML (idempotent status posts; in `db`, the caller's transaction when given). */
  async statusByXml(xmlSha256: string, fromOrg: string, db: Db = this.db): Promise<StatusRow | undefined> {
    const r = await db.get(`${STATUS_SELECT} WHERE s.xml_sha256 = $1 AND s.from_org = $2`, [xmlSha256, fromOrg]);
    return r && status(r);
  }

  /** Deliveries of a message. */
  async deliveriesOf(messageRef: number): Promise<{ recipientOrg: string; status: StatusCode }[]> {
    const rows = await this.db.all('SELECT recipient_org, status FROM deliveries WHERE message_ref = $1 ORDER BY recipient_org', [messageRef]);
    return rows.map((r) => ({ recipientOrg: String(r.recipient_org), status: String(r.status) as StatusCode }));
  }

  /** Codes already recorded for a message (to enforce 13 -> 15/16). */
  async statusCodes(messageRef: number): Promise<{ fromOrg: string; code: StatusCode }[]> {
    const rows = await this.db.all('SELECT from_org, code FROM statuses WHERE message_ref = $1 ORDER BY seq', [messageRef]);
    return rows.map((r) => ({ fromOrg: String(r.from_org), code: String(r.code) as StatusCode }));
  }

  /** An organization's inbox after a cursor. */
  async inbox(org: string, after: number, limit: number): Promise<DeliveryRow[]> {
    const rows = await this.db.all(`SELECT d.seq, d.recipient_org, d.status, d.delivered_at, ${MSG_COLS} FROM deliveries d JOIN messages m ON m.id = d.message_ref WHERE d.recipient_org = $1 AND d.seq > $2 ORDER BY d.seq LIMIT $3`, [org, after, limit]);
    return rows.map((r) => ({ seq: num(r.seq), recipientOrg: String(r.recipient_org), status: String(r.status) as StatusCode, deliveredAt: String(r.delivered_at), message: message(r, 'm_') }));
  }

  /** Statuses addressed to an organization after a cursor. */
  async statusesTo(org: string, after: number, limit: number): Promise<StatusRow[]> {
    return (await this.db.all(`${STATUS_SELECT} WHERE s.to_org = $1 AND s.seq > $2 ORDER BY s.seq LIMIT $3`, [org, after, limit])).map(status);
  }

  /** All statuses of a message (the sender's timeline). */
  async statusesOf(messageRef: number): Promise<StatusRow[]> {
    return (await this.db.all(`${STATUS_SELECT} WHERE s.message_ref = $1 ORDER BY s.seq`, [messageRef])).map(status);
  }

  /** Appends to the audit trail (never secrets: ids, codes, hashes only). */
  async audit(e: { actorOrg: string | null; actorUser: number | null; action: string; target: string | null; detail: Record<string, unknown> }, db: Db = this.db): Promise<void> {
    await db.run('INSERT INTO audit (at, actor_org, actor_user, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)', [new Date().toISOString(), e.actorOrg, e.actorUser, e.action, e.target, JSON.stringify(e.detail)]);
  }

  /** The audit trail, oldest first. */
  async auditTrail(limit = 1000): Promise<{ at: string; actorOrg: string | null; actorUser: number | null; action: string; target: string | null; detail: Record<string, unknown> }[]> {
    const rows = await this.db.all('SELECT * FROM audit ORDER BY seq LIMIT $1', [limit]);
    return rows.map((r) => ({
      at: String(r.at), actorOrg: (r.actor_org as string | null) ?? null, actorUser: r.actor_user === null ? null : num(r.actor_user), action: String(r.action),
      target: (r.target as string | null) ?? null, detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
    }));
  }

  /** The highest sequence numbers committed for an organization: deliveries to it, statuses to it (event feeds start there). */
  async lastSeqs(org: string): Promise<{ inbox: number; status: number }> {
    const r = await this.db.get('SELECT (SELECT COALESCE(MAX(seq), 0) FROM deliveries WHERE recipient_org = $1) AS i, (SELECT COALESCE(MAX(seq), 0) FROM statuses WHERE to_org = $1) AS s', [org]);
    return { inbox: num(r?.i ?? 0), status: num(r?.s ?? 0) };
  }

  /** Counts (for tests and benchmarks). */
  async counts(): Promise<{ messages: number; deliveries: number; statuses: number }> {
    const c = async (t: string) => num((await this.db.get(`SELECT COUNT(*) AS n FROM ${t}`))!.n);
    return { messages: await c('messages'), deliveries: await c('deliveries'), statuses: await c('statuses') };
  }
}
