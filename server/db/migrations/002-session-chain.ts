/**
 * 002: a session keeps the certificate chain its user logged in with, so the certificate can
 * be checked again while the session lives (revocation data reloaded, cached re-check on
 * use); sessions are found by user to end them all at once.
 */
import type { ServerMigration } from '../migrate.js';

const sql = `
ALTER TABLE sessions ADD COLUMN chain TEXT NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
`;

/** Session chain and index by user. */
export const m002: ServerMigration = { id: 2, name: 'session-chain', sqlite: sql, postgres: sql };
