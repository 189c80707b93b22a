/**
 * Migration 002: document exchange. The outbox (durable queue of packages to send), the
 * outgoing register with a per-recipient status timeline, the incoming register with yearly
 * arrival numbers, the recipient directory cache, sync cursors and an FTS5 index over both
 * registers (text folded to ASCII by the app so `quyet dinh` finds `Quyết định`).
 */
import type { Migration } from '../migrate.js';

/** Creates the exchange tables. */
export const m002: Migration = {
  id: 2,
  name: 'exchange',
  up: `
CREATE TABLE outbox (
  message_id TEXT PRIMARY KEY,
  server TEXT NOT NULL,
  package_path TEXT NOT NULL,
  recipients TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  batch_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_batch ON outbox (batch_id);

CREATE TABLE outgoing (
  message_id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL,
  number TEXT NOT NULL,
  notation TEXT NOT NULL,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  recipients TEXT NOT NULL,
  files TEXT NOT NULL,
  server TEXT NOT NULL,
  year INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT
) STRICT;
CREATE INDEX outgoing_created ON outgoing (created_at);

CREATE TABLE outgoing_status (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL REFERENCES outgoing (message_id) ON DELETE CASCADE,
  org_code TEXT NOT NULL,
  status_code TEXT NOT NULL,
  description TEXT,
  at TEXT NOT NULL,
  UNIQUE (message_id, org_code, status_code, at)
) STRICT;
CREATE INDEX outgoing_status_msg ON outgoing_status (message_id, org_code, id);

CREATE TABLE incoming (
  message_id TEXT PRIMARY KEY,
  server TEXT NOT NULL,
  from_code TEXT NOT NULL,
  from_name TEXT NOT NULL,
  document_id TEXT NOT NULL,
  number TEXT NOT NULL,
  notation TEXT NOT NULL,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  received_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('arrived', 'accepted', 'rejected')),
  status_code TEXT NOT NULL,
  reason TEXT,
  arrival_year INTEGER,
  arrival_number INTEGER,
  registered_at TEXT,
  validation_status TEXT,
  package_path TEXT NOT NULL,
  UNIQUE (arrival_year, arrival_number)
) STRICT;
CREATE INDEX incoming_received ON incoming (received_at);

CREATE TABLE incoming_file (
  message_id TEXT NOT NULL REFERENCES incoming (message_id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  validation_status TEXT,
  validation TEXT,
  PRIMARY KEY (message_id, name)
) STRICT;

CREATE TABLE directory (
  server TEXT NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  parent TEXT,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (server, code)
) STRICT;

CREATE TABLE sync_cursor (
  server TEXT PRIMARY KEY,
  cursor TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE VIRTUAL TABLE register_fts USING fts5 (
  kind UNINDEXED,
  message_id UNINDEXED,
  body,
  tokenize = 'unicode61 remove_diacritics 2'
);
`,
};
