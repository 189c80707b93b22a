/** Migration 001: key/value settings for the UI and the CLI (values are JSON). */
import type { Migration } from '../migrate.js';

/** Creates the settings table. */
export const m001: Migration = {
  id: 1,
  name: 'settings',
  up: `CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;`,
};
