/**
 * 005: the tables of the gateway to the national axis (server/axis).
 *
 * - axis_links: the configured connections. Credentials are never stored: `secret_ref` names
 *   an environment variable or a file outside the data directory (see server/axis/secrets.ts).
 * - axis_agencies: the axis directory per link, shown to clients as outside bodies.
 * - axis_outbox: relays to the axis (a document for an outside body, a status about one),
 *   written in the same transaction as the message or status that causes them; `idem_key`
 *   is unique, so a relay is queued once whatever retries or crashes happen.
 * - axis_inbound: what the axis offered us, per axis document id: delivered, refused (kept
 *   with its reason and blob), or pending with its retry time.
 * - axis_delivered: the edXML identity of everything delivered from the axis (sender +
 *   DocumentId for documents, sender + document + code + time for statuses), written in the
 *   delivery's transaction: the axis repeating a document under a new id delivers it once.
 */
import type { ServerMigration } from '../migrate.js';

const tables = (serial: string) => `
CREATE TABLE IF NOT EXISTS axis_links (name TEXT PRIMARY KEY, kind TEXT NOT NULL, endpoint TEXT NOT NULL, config TEXT NOT NULL,
  secret_ref TEXT NOT NULL, created_at TEXT NOT NULL, last_ok_at TEXT, last_error TEXT, last_error_at TEXT, agencies_at TEXT);
CREATE TABLE IF NOT EXISTS axis_agencies (link TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, parent TEXT, fetched_at TEXT NOT NULL,
  PRIMARY KEY (link, code));
CREATE TABLE IF NOT EXISTS axis_outbox (id ${serial}, link TEXT NOT NULL, kind TEXT NOT NULL, idem_key TEXT NOT NULL UNIQUE,
  message_ref BIGINT NOT NULL, blob_sha256 TEXT NOT NULL, from_org TEXT NOT NULL, to_orgs TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_at BIGINT NOT NULL, last_error TEXT, axis_doc_id TEXT, created_at TEXT NOT NULL, sent_at TEXT);
CREATE INDEX IF NOT EXISTS axis_outbox_due ON axis_outbox (state, next_at);
CREATE INDEX IF NOT EXISTS axis_outbox_message ON axis_outbox (message_ref);
CREATE INDEX IF NOT EXISTS axis_outbox_blob ON axis_outbox (blob_sha256);
CREATE TABLE IF NOT EXISTS axis_inbound (link TEXT NOT NULL, axis_doc_id TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_at BIGINT NOT NULL, last_error TEXT, blob_sha256 TEXT, message_id TEXT, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, PRIMARY KEY (link, axis_doc_id));
CREATE INDEX IF NOT EXISTS axis_inbound_state ON axis_inbound (state);
CREATE INDEX IF NOT EXISTS axis_inbound_blob ON axis_inbound (blob_sha256);
CREATE TABLE IF NOT EXISTS axis_delivered (key TEXT PRIMARY KEY, link TEXT NOT NULL, axis_doc_id TEXT NOT NULL, at TEXT NOT NULL);
`;

/** The gateway's tables. */
export const m005: ServerMigration = {
  id: 5,
  name: 'axis-gateway',
  sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT'),
  postgres: tables('BIGSERIAL PRIMARY KEY'),
};
