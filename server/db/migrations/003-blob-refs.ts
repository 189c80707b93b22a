/**
 * 003: blobs are looked up by hash when the orphan sweeper asks whether anything still
 * references them (server/blobs/refs.ts); without these indexes each question scans a table.
 */
import type { ServerMigration } from '../migrate.js';

const sql = `
CREATE INDEX IF NOT EXISTS messages_by_package ON messages (package_sha256);
CREATE INDEX IF NOT EXISTS statuses_by_xml ON statuses (xml_sha256);
`;

/** Indexes for the sweeper's reference checks. */
export const m003: ServerMigration = { id: 3, name: 'blob-refs', sqlite: sql, postgres: sql };
