/** Migration 004: deliveries that could not be accepted (corrupt package, bad signature), kept out of the register. */
import type { Migration } from '../migrate.js';

/** Creates the arrival failure table. */
export const m004: Migration = {
  id: 4,
  name: 'arrival-failures',
  up: `CREATE TABLE arrival_failure (
    server TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    error_code TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (server, message_id)
  ) STRICT;`,
};
