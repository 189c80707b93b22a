/**
 * Which blobs the server's database references: packages of messages, XML of statuses, and
 * what the gateway to the national axis holds (relays waiting to go out, entries it refused).
 */
import type { Db } from '../db/sql.js';
import type { RefCheck } from './sweeper.js';

/** The sweeper's reference check over the server database (SQLite or PostgreSQL). */
export function blobReferences(db: Db): RefCheck {
  return async (sha256s) => {
    if (!sha256s.length) return new Set();
    const list = sha256s.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await db.all<{ sha: string }>(
      `SELECT package_sha256 AS sha FROM messages WHERE package_sha256 IN (${list}) UNION SELECT xml_sha256 AS sha FROM statuses WHERE xml_sha256 IN (${list})` +
        ` UNION SELECT blob_sha256 AS sha FROM axis_outbox WHERE blob_sha256 IN (${list}) UNION SELECT blob_sha256 AS sha FROM axis_inbound WHERE blob_sha256 IN (${list})`,
      sha256s,
    );
    return new Set(rows.map((r) => String(r.sha)));
  };
}
