/**
 * 001: the schema the server created before it had versioned migrations. Every statement is
 * IF NOT EXISTS, so a database made by that schema adopts version 1 without a change.
 */
import type { ServerMigration } from '../migrate.js';

const tables = (serial: string) => `
CREATE TABLE IF NOT EXISTS orgs (code TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT REFERENCES orgs(code), created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id ${serial}, org_code TEXT NOT NULL REFERENCES orgs(code), cert_sha256 TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL, cert_der TEXT NOT NULL, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (token_sha256 TEXT PRIMARY KEY, user_id BIGINT NOT NULL, org_code TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (id ${serial}, message_id TEXT NOT NULL, sender_org TEXT NOT NULL, sender_user BIGINT NOT NULL,
  package_sha256 TEXT NOT NULL, size BIGINT NOT NULL, document_id TEXT NOT NULL, meta TEXT NOT NULL, created_at TEXT NOT NULL,
  UNIQUE (sender_org, message_id));
CREATE UNIQUE INDEX IF NOT EXISTS messages_message_id ON messages (message_id);
CREATE TABLE IF NOT EXISTS deliveries (seq ${serial}, message_ref BIGINT NOT NULL REFERENCES messages(id), recipient_org TEXT NOT NULL,
  status TEXT NOT NULL, delivered_at TEXT NOT NULL, UNIQUE (message_ref, recipient_org));
CREATE INDEX IF NOT EXISTS deliveries_by_org ON deliveries (recipient_org, seq);
CREATE TABLE IF NOT EXISTS statuses (seq ${serial}, message_ref BIGINT NOT NULL REFERENCES messages(id), from_org TEXT NOT NULL,
  to_org TEXT NOT NULL, code TEXT NOT NULL, description TEXT NOT NULL, timestamp TEXT NOT NULL, staff TEXT, received_at TEXT NOT NULL,
  xml_sha256 TEXT);
CREATE INDEX IF NOT EXISTS statuses_by_org ON statuses (to_org, seq);
CREATE TABLE IF NOT EXISTS audit (seq ${serial}, at TEXT NOT NULL, actor_org TEXT, actor_user BIGINT, action TEXT NOT NULL,
  target TEXT, detail TEXT NOT NULL);
`;

/** The baseline schema. */
export const m001: ServerMigration = {
  id: 1,
  name: 'baseline',
  sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT'),
  postgres: tables('BIGSERIAL PRIMARY KEY'),
};
