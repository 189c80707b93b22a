/**
 * Migration 005: a key table from (register, message id) to the FTS row. FTS5 has no index on
 * UNINDEXED columns, so re-indexing a document by `message_id` scanned the whole index on every
 * insert (quadratic over a 100,000-entry register); with this table it deletes by rowid.
 */
import type { Migration } from '../migrate.js';

/** Creates register_fts_key and fills it from the existing index. */
export const m005: Migration = {
  id: 5,
  name: 'fts-key',
  up: `CREATE TABLE register_fts_key (
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    fts_rowid INTEGER NOT NULL,
    PRIMARY KEY (kind, message_id)
  ) STRICT;
  INSERT OR REPLACE INTO register_fts_key (kind, message_id, fts_rowid)
    SELECT kind, message_id, max(rowid) FROM register_fts GROUP BY kind, message_id;
  DELETE FROM register_fts WHERE rowid NOT IN (SELECT fts_rowid FROM register_fts_key);`,
};
