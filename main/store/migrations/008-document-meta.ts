/** Migration 008: Decree 30 metadata (issue date, signer, urgency, secrecy, reply-by) with each register row. */
import type { Migration } from '../migrate.js';

/** Adds the `meta` JSON column to both registers. */
export const m008: Migration = {
  id: 8,
  name: 'document-meta',
  up: `
ALTER TABLE outgoing ADD COLUMN meta TEXT;
ALTER TABLE incoming ADD COLUMN meta TEXT;
`,
};
