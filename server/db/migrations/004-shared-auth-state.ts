/**
 * 004: what one server instance knew only in its memory, in the database every instance
 * shares: pending login challenges (with the caller's address, for the per-address cap) and
 * event-stream tickets (keyed by hash, standing for a session by its token hash; no token is
 * stored). They live a minute; on PostgreSQL the tables are UNLOGGED (no WAL: faster, and a
 * crash only loses challenges a client simply asks for again).
 */
import type { ServerMigration } from '../migrate.js';

const tables = (unlogged: string) => `
CREATE ${unlogged}TABLE login_challenges (id TEXT PRIMARY KEY, nonce TEXT NOT NULL, client TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE INDEX login_challenges_by_client ON login_challenges (client, expires_at);
CREATE INDEX login_challenges_by_expiry ON login_challenges (expires_at);
CREATE ${unlogged}TABLE event_tickets (ticket_sha256 TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE INDEX event_tickets_by_session ON event_tickets (token_sha256, expires_at);
CREATE INDEX event_tickets_by_expiry ON event_tickets (expires_at);
`;

/** Login challenges and event-stream tickets shared by all instances. */
export const m004: ServerMigration = { id: 4, name: 'shared-auth-state', sqlite: tables(''), postgres: tables('UNLOGGED ') };
