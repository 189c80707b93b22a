/** Server schema, written once with the two dialects' differences substituted. */
import type { Db } from './sql.js';

const TABLES = `
CREATE TABLE IF NOT EXISTS orgs (code TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT REFERENCES orgs(code), created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id @SERIAL, org_code TEXT NOT NULL REFERENCES orgs(code), cert_sha256 TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL, cert_der TEXT NOT NULL, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (token_sha256 TEXT PRIMARY KEY, user_id BIGINT NOT NULL, org_code TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (id @SERIAL, message_id TEXT NOT NULL, sender_org TEXT NOT NULL, sender_user BIGINT NOT NULL,
  package_sha256 TEXT NOT NULL, size BIGINT NOT NULL, document_id TEXT NOT NULL, meta TEXT NOT NULL, created_at TEXT NOT NULL,
  UNIQUE (sender_org, message_id));
CREATE UNIQUE INDEX IF NOT EXISTS messages_message_id ON messages (message_id);
CREATE TABLE IF NOT EXISTS deliveries (seq @SERIAL, message_ref BIGINT NOT NULL REFERENCES messages(id), recipient_org TEXT NOT NULL,
  status TEXT NOT NULL, delivered_at TEXT NOT NULL, UNIQUE (message_ref, recipient_org));
CREATE INDEX IF NOT EXISTS deliveries_by_org ON deliveries (recipient_org, seq);
CREATE TABLE IF NOT EXISTS statuses (seq @SERIAL, message_ref BIGINT NOT NULL REFERENCES messages(id), from_org TEXT NOT NULL,
  to_org TEXT NOT NULL, code TEXT NOT NULL, description TEXT NOT NULL, timestamp TEXT NOT NULL, staff TEXT, received_at TEXT NOT NULL,
  xml_sha256 TEXT);
CREATE INDEX IF NOT EXISTS statuses_by_org ON statuses (to_org, seq);
-- The blob sweeper's reference checks (server/blobs/refs.ts) and status de-duplication.
CREATE INDEX IF NOT EXISTS messages_by_package ON messages (package_sha256);
CREATE INDEX IF NOT EXISTS statuses_by_xml ON statuses (xml_sha256);
CREATE TABLE IF NOT EXISTS audit (seq @SERIAL, at TEXT NOT NULL, actor_org TEXT, actor_user BIGINT, action TEXT NOT NULL,
  target TEXT, detail TEXT NOT NULL);
`;

/** Creates the tables when missing (idempotent). */
export async function migrate(db: Db): Promise<void> {
  const serial = db.kind === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  const ddl = TABLES.replace(/@SERIAL/g, serial);
  if (db.kind === 'sqlite') await db.run(ddl);
  else for (const stmt of ddl.split(';').map((s) => s.trim()).filter(Boolean)) await db.run(stmt);
}
